//! Small folders for the other office recipes: Markdown notes (for a document or a deck)
//! and a sales export (for the CSV report).
use std::fs;
use std::io;
use std::path::Path;

const NOTES: [(&str, &str); 3] = [
    (
        "2026-10-05 kickoff.md",
        "# Website relaunch kickoff\n\nWe agreed to relaunch the website before the **spring campaign**. The budget is approved; the timeline is tight.\n\n## Decisions\n- Keep the current CMS and replace the theme\n- Move the shop to the new payment provider\n- Launch in English and French first\n\n## Owners\n| Workstream | Owner | Due |\n|---|---|---|\n| Design | Ana | Nov 14 |\n| Content | Bo | Dec 5 |\n| Payments | Chen | Dec 12 |\n",
    ),
    (
        "2026-10-19 design review.md",
        "# Design review\n\nThe new home page tested well with five customers. Two found the pricing page confusing.\n\n## Feedback\n- Navigation is clearer than before\n- Pricing needs a comparison table\n- Photos load slowly on mobile\n\n## Next steps\n1. Simplify the pricing page\n2. Compress every photo\n3. Run a second test on Nov 2\n",
    ),
    (
        "risks.txt",
        "Payments migration could slip if the provider's sandbox stays unstable. Translation costs may exceed the estimate by 20%. Ana is on leave the week of Nov 23.\n",
    ),
];

pub fn make_notes(dir: &Path) -> io::Result<usize> {
    super::prepare_empty_dir(dir)?;
    for (name, text) in NOTES {
        fs::write(dir.join(name), text)?;
    }
    Ok(NOTES.len())
}

const REGIONS: [&str; 4] = ["North", "South", "East", "West"];
const PRODUCTS: [&str; 3] = ["Basic", "Plus", "Pro"];

/// A year of orders: date, region, product, units, revenue; a few outliers on purpose.
pub fn make_sales(dir: &Path) -> io::Result<usize> {
    super::prepare_empty_dir(dir)?;
    let mut rng = super::Rng::new(42);
    let mut csv = String::from("order_id,date,region,product,units,revenue\n");
    let mut rows = 0;
    for month in 1..=12u32 {
        for n in 0..25u32 {
            let region = REGIONS[rng.below(REGIONS.len())];
            let product_index = rng.below(PRODUCTS.len());
            let product = PRODUCTS[product_index];
            let day = 1 + rng.below(28) as u32;
            let mut units = 1 + rng.below(9) as u64;
            // A handful of bulk orders, the outliers a report should point out.
            if (month * 25 + n) % 97 == 0 {
                units *= 12;
            }
            let price = [49.0, 89.0, 149.0][product_index];
            let revenue = units as f64 * price;
            rows += 1;
            csv.push_str(&format!(
                "{},2026-{month:02}-{day:02},{region},{product},{units},{revenue:.2}\n",
                10_000 + rows
            ));
        }
    }
    fs::write(dir.join("orders-2026.csv"), csv)?;
    Ok(rows)
}
