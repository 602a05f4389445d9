//! A PDF report Errand writes opens in poppler and pypdf, embeds its fonts, reads back in
//! order with its page numbers and links, paginates long content without losing any of it,
//! and renders to one PNG per page.
use errand_office::OfficeError;
use errand_office::blocks::DocumentSpec;
use errand_office::media::{Image, ImageSource, NoImages};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn chart() -> Value {
    json!({"type": "column", "title": "Revenue by region ($k)", "categories": ["North", "South", "East", "West"],
           "series": [{"name": "Q2", "values": [410, 380, 290, 335]}, {"name": "Q3", "values": [484, 379, 318, 362]}],
           "y_title": "Revenue ($k)"})
}

/// Pictures for tests: `chart.png` is a rendered chart; `broken.png` a truncated one.
struct Pictures;

impl ImageSource for Pictures {
    fn image(&self, path: &str) -> Result<Image, OfficeError> {
        let chart = serde_json::from_value(chart()).expect("chart");
        let png = errand_office::chart::png(&chart)?;
        match path {
            "chart.png" => Ok(png),
            "broken.png" => {
                let half = png.bytes[..png.bytes.len() / 2].to_vec();
                Image::from_bytes(half, path)
            }
            _ => Err(OfficeError::Spec(format!("image {path}: no such file"))),
        }
    }
}

fn report() -> DocumentSpec {
    serde_json::from_value(json!({
        "title": "Quarterly Operations Review",
        "subtitle": "Q3 2026",
        "author": "Finance team",
        "date": "2026-10-05",
        "blocks": [
            {"type": "heading", "text": "Summary"},
            {"type": "paragraph", "text": "Revenue rose **12%** to $4.2M while costs held *flat*, the third quarter in a row in which the business grew without adding headcount. Details are in [the ledger](https://example.com/ledger), which the finance team updates every Monday."},
            {"type": "bullets", "items": ["North region up 18%", "South region flat", "Two new clients signed, both on **three-year** terms"]},
            {"type": "heading", "text": "Spending by category", "level": 2},
            {"type": "table", "header": ["Category", "Amount", "Share"],
             "rows": [["Travel", "$435.50", "25.7%"], ["Meals", "$48.20", "2.8%"], ["Office equipment and supplies", "$1,020.75", "60.2%"], ["Lodging", "$189.99", "11.2%"]]},
            {"type": "heading", "text": "Regional detail", "level": 3},
            {"type": "paragraph", "text": "The north grew on the back of two large orders; the south held steady as a distributor contract rolled over on the same terms."},
            {"type": "heading", "text": "Next steps", "level": 2},
            {"type": "numbered", "items": ["Close the Q3 books", "Review vendor contracts", "Plan the Q4 budget"]},
            {"type": "chart", "chart": chart(), "caption": "Figure 1. Revenue by region, Q2 and Q3"},
            {"type": "page_break"},
            {"type": "heading", "text": "Appendix"},
            {"type": "image", "path": "chart.png", "caption": "Figure 2. The same chart as a picture", "width_percent": 60},
            {"type": "numbered", "items": ["Method", "Sources"]}
        ]
    }))
    .expect("spec")
}

fn save(bytes: &[u8], dir: &Path, name: &str) -> PathBuf {
    let file = dir.join(name);
    std::fs::write(&file, bytes).expect("write");
    if let Some(keep) = std::env::var_os("ERRAND_KEEP_OUTPUT") {
        std::fs::copy(&file, Path::new(&keep).join(name)).expect("keep");
    }
    file
}

fn run(program: &str, args: &[&str], file: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("{program} (poppler-utils, python3 with pypdf): {e}"));
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The text of each page, by pdftotext.
fn pages_text(file: &Path, pages: usize) -> Vec<String> {
    (1..=pages)
        .map(|n| {
            let n = n.to_string();
            let out = Command::new("pdftotext")
                .args(["-f", &n, "-l", &n])
                .arg(file)
                .arg("-")
                .output()
                .expect("pdftotext (poppler-utils)");
            assert!(out.status.success());
            String::from_utf8_lossy(&out.stdout).into_owned()
        })
        .collect()
}

fn page_count(file: &Path) -> usize {
    run("pdfinfo", &[], file)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives a page count")
}

/// Every word with its box (x0, y0, x1, y1 in points from the top left), by pdftotext.
fn word_boxes(file: &Path) -> Vec<(String, [f64; 4])> {
    let out = Command::new("pdftotext")
        .arg("-bbox")
        .arg(file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    let html = String::from_utf8_lossy(&out.stdout);
    let mut out = Vec::new();
    for part in html.split("<word ").skip(1) {
        let number = |key: &str| -> f64 {
            part.split(&format!("{key}=\""))
                .nth(1)
                .and_then(|v| v.split('"').next())
                .and_then(|v| v.parse().ok())
                .expect("a coordinate")
        };
        let text = part
            .split('>')
            .nth(1)
            .and_then(|t| t.split('<').next())
            .unwrap_or_default();
        out.push((
            text.to_string(),
            [
                number("xMin"),
                number("yMin"),
                number("xMax"),
                number("yMax"),
            ],
        ));
    }
    out
}

const PYPDF: &str = "import sys, pypdf
r = pypdf.PdfReader(sys.argv[1])
print('pages', len(r.pages))
print('title', r.metadata.title)
print('author', r.metadata.author)
for i, p in enumerate(r.pages):
    for a in p.get('/Annots') or []:
        a = a.get_object()
        if a.get('/Subtype') == '/Link':
            print('link', i + 1, a['/A']['/URI'])
print('outline', [o.title for o in r.outline if not isinstance(o, list)])";

#[test]
fn a_report_opens_embeds_its_fonts_and_reads_back_in_order() {
    let bytes = errand_office::pdf::build(&report(), &Pictures).expect("pdf");
    let dir = tempfile::tempdir().expect("dir");
    let file = save(&bytes, dir.path(), "review.pdf");

    // Title page; summary to next steps; the chart, too tall for what is left of page 2;
    // the appendix after the page break.
    let pages = page_count(&file);
    assert_eq!(pages, 4);

    let py = run("python3", &["-c", PYPDF], &file);
    assert!(py.contains("pages 4\n"), "{py}");
    assert!(py.contains("title Quarterly Operations Review\n"), "{py}");
    assert!(py.contains("author Finance team\n"), "{py}");
    assert!(py.contains("link 2 https://example.com/ledger\n"), "{py}");
    assert!(
        py.contains("'Summary'") && py.contains("'Appendix'"),
        "{py}"
    );

    let fonts = run("pdffonts", &[], &file);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(rows.len() >= 3, "regular, bold, italic at least:\n{fonts}");
    for row in &rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert!(row.contains("LiberationSans"), "{fonts}");
        // name type… emb sub uni object ID
        assert_eq!(cols[cols.len() - 5], "yes", "embedded:\n{fonts}");
    }

    let text = pages_text(&file, pages);
    assert!(
        text[0].contains("Quarterly Operations Review"),
        "{}",
        text[0]
    );
    assert!(text[0].contains("Finance team") && text[0].contains("2026-10-05"));
    assert!(!text[0].contains("Page 1"), "no number on the title page");
    for (n, page) in text.iter().enumerate().skip(1) {
        assert!(
            page.contains(&format!("Page {}", n + 1)),
            "page {}: {page}",
            n + 1
        );
    }
    assert!(
        text[2].contains("Figure 1. Revenue by region"),
        "{}",
        text[2]
    );
    assert!(text[3].contains("Appendix") && text[3].contains("Figure 2."));

    let all = errand_office::read::extract("pdf", &bytes)
        .expect("pdf")
        .expect("readable");
    let in_order = [
        "Quarterly Operations Review",
        "Summary",
        "Revenue rose 12% to $4.2M",
        "the ledger",
        "North region up 18%",
        "South region flat",
        "Spending by category",
        "Category",
        "Travel",
        "$435.50",
        "$1,020.75",
        "Lodging",
        "Regional detail",
        "Next steps",
        "1. Close the Q3 books",
        "3. Plan the Q4 budget",
        "Figure 1.",
        "Appendix",
        "Figure 2.",
        // Each list numbers from 1.
        "1. Method",
        "2. Sources",
    ];
    let mut from = 0;
    for needle in in_order {
        let at = all[from..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} after byte {from} in:\n{all}"));
        from += at + needle.len();
    }
    // The chart is drawn as vectors with real text, not a picture of text.
    assert!(text[2].contains("North") && text[2].contains("Revenue ($k)"));

    let pngs = errand_testkit::office::render_pages(&file, &dir.path().join("png"));
    assert_eq!(pngs, 4);
}

#[test]
fn long_content_breaks_across_pages_without_losing_text() {
    let mut blocks = vec![json!({"type": "heading", "text": "Ledger"})];
    for n in 1..=60 {
        blocks.push(json!({"type": "paragraph", "text": format!(
            "Paragraph {n} begins. The quarterly figures were reconciled against the bank statements and the supplier invoices, and every difference above fifty dollars was traced to its source. Paragraph {n} ends here."
        )}));
    }
    blocks.push(json!({"type": "heading", "text": "All transactions", "level": 2}));
    let rows: Vec<Value> = (1..=120)
        .map(|n| {
            let note = if n % 10 == 0 {
                format!(
                    "Row {n:03} carries a longer note that wraps onto a second line within its cell"
                )
            } else {
                format!("Row {n:03}")
            };
            let region = ["North", "South", "East"][n % 3];
            json!([format!("Item {n:03}"), region, format!("${n},000.00"), note])
        })
        .collect();
    blocks.push(
        json!({"type": "table", "header": ["Line item", "Region", "Amount", "Note"], "rows": rows}),
    );
    // One cell far taller than a page: cut between lines, under the header again.
    let words: Vec<String> = (1..=900).map(|n| format!("w{n}")).collect();
    blocks.push(json!({"type": "table", "header": ["Big cell", "Other"], "rows": [[words.join(" "), "short"]]}));
    blocks.push(
        json!({"type": "paragraph", "text": "Emoji 🍵 and 日本 print as question marks. The end."}),
    );
    let spec: DocumentSpec = serde_json::from_value(json!({"blocks": blocks})).expect("spec");
    let bytes = errand_office::pdf::build(&spec, &NoImages).expect("pdf");
    let dir = tempfile::tempdir().expect("dir");
    let file = save(&bytes, dir.path(), "ledger.pdf");

    let pages = page_count(&file);
    assert!(pages >= 8, "{pages} pages");
    let text = pages_text(&file, pages);
    assert!(
        text[0].contains("Page 1"),
        "no title page: numbered from the first"
    );
    // Words, whichever line they ended up on.
    let all = text
        .join("\n")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for n in 1..=60 {
        assert!(
            all.contains(&format!("Paragraph {n} begins.")),
            "paragraph {n}"
        );
        assert!(
            all.contains(&format!("Paragraph {n} ends here.")),
            "paragraph {n}"
        );
    }
    for n in 1..=120 {
        assert!(all.contains(&format!("Item {n:03}")), "row {n}");
        assert!(all.contains(&format!("${n},000.00")), "row {n}");
    }
    assert!(all.contains("wraps onto a second"));
    let mut table_pages = 0;
    for (i, page) in text.iter().enumerate() {
        if (1..=120).any(|n| page.contains(&format!("Item {n:03}"))) {
            table_pages += 1;
            assert!(
                page.contains("Line item") && page.contains("Note"),
                "header on page {}: {page}",
                i + 1
            );
        }
        if page.contains("w450") || page.contains("w899") {
            assert!(page.contains("Big cell"), "header on page {}", i + 1);
        }
        assert!(
            page.contains(&format!("Page {}", i + 1)),
            "number on page {}",
            i + 1
        );
    }
    assert!(table_pages >= 3, "the table spans {table_pages} pages");
    let words_text = all.split_whitespace().collect::<Vec<_>>();
    for w in &words {
        assert!(words_text.contains(&w.as_str()), "{w} lost");
    }
    assert!(
        all.contains("Emoji ? and ?? print as question marks."),
        "{all}"
    );

    // Nothing runs into the margins: text inside the 65 pt sides, above the 72 pt foot,
    // where only the page number sits.
    let boxes = word_boxes(&file);
    assert!(boxes.len() > 3000, "{} words", boxes.len());
    for (word, [x0, y0, x1, y1]) in boxes {
        assert!(x0 >= 64.5 && x1 <= 595.3 - 64.5, "{word} at x {x0}..{x1}");
        assert!(y0 >= 71.0, "{word} at y {y0}");
        if !(word == "Page" || word.chars().all(|c| c.is_ascii_digit()) && y0 > 790.0) {
            assert!(y1 <= 841.9 - 71.0, "{word} at y {y1}");
        }
    }

    let out = dir.path().join("png");
    std::fs::create_dir_all(&out).expect("dir");
    let status = Command::new("pdftoppm")
        .args(["-r", "30", "-png"])
        .arg(&file)
        .arg(out.join("ledger"))
        .status()
        .expect("pdftoppm");
    assert!(status.success());
    let pngs = std::fs::read_dir(&out).expect("png").flatten().count();
    assert_eq!(pngs, pages);
}

#[test]
fn bad_documents_name_the_field() {
    let error = |blocks: Value| -> String {
        let spec: DocumentSpec = serde_json::from_value(json!({"blocks": blocks})).expect("spec");
        errand_office::pdf::build(&spec, &Pictures)
            .expect_err("refused")
            .to_string()
    };
    let e = error(
        json!([{"type": "paragraph", "text": "x"}, {"type": "heading", "text": "x", "level": 7}]),
    );
    assert!(e.contains("blocks[1].level: 7"), "{e}");
    let e = error(json!([]));
    assert!(e.contains("`blocks` is empty"), "{e}");
    let e = error(json!([{"type": "paragraph", "text": "x"}, {"type": "image", "path": "x.png"}]));
    assert_eq!(e, "blocks[1]: image x.png: no such file");
    let e = error(json!([{"type": "image", "path": "chart.png", "width_percent": 5}]));
    assert!(e.contains("blocks[0].width_percent"), "{e}");
    let e = error(
        json!([{"type": "table", "header": ["a", "b"], "rows": [["1", "2"], ["1", "2", "3"]]}]),
    );
    assert!(e.contains("blocks[0].rows[1]"), "{e}");
    let e = error(json!([{"type": "table", "header": [], "rows": []}]));
    assert!(e.contains("blocks[0].header"), "{e}");
    let e = error(json!([{"type": "bullets", "items": []}]));
    assert!(e.contains("blocks[0].items"), "{e}");
    // Decoded only while the file is written, and still traced to its block.
    let e =
        error(json!([{"type": "paragraph", "text": "x"}, {"type": "image", "path": "broken.png"}]));
    assert!(
        e.starts_with("blocks[1]: image broken.png: cannot decode it"),
        "{e}"
    );
    let e = error(
        json!([{"type": "chart", "chart": {"type": "line", "categories": ["a", "b"], "series": [{"values": [1]}]}}]),
    );
    assert!(e.starts_with("blocks[0].chart: "), "{e}");
    let e = errand_office::pdf::build(
        &serde_json::from_value(json!({"blocks": [{"type": "image", "path": "x.png"}]}))
            .expect("spec"),
        &NoImages,
    )
    .expect_err("refused")
    .to_string();
    assert!(e.starts_with("blocks[0]: image x.png: "), "{e}");
    assert!(!e.contains("image x.png: image x.png"), "{e}");

    // A title alone is a one-page document.
    let spec: DocumentSpec =
        serde_json::from_value(json!({"title": "Only a title", "blocks": []})).expect("spec");
    let bytes = errand_office::pdf::build(&spec, &NoImages).expect("pdf");
    let dir = tempfile::tempdir().expect("dir");
    assert_eq!(page_count(&save(&bytes, dir.path(), "title.pdf")), 1);
}
