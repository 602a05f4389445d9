//! The expense report as one `create_spreadsheet` call.
use super::Findings;
use super::parse::{CATEGORIES, Cents};
use serde_json::{Value, json};

/// Round thresholds a person reads at a glance.
const THRESHOLDS: [i64; 12] = [
    10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000,
];

/// "Large" is the roundest threshold under the top fifth of the amounts, so a few items
/// stand out, not half the sheet.
fn large_threshold(amounts: &[Cents]) -> i64 {
    let mut sorted: Vec<Cents> = amounts.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let k = (sorted.len() / 5).max(1);
    let kth = sorted.get(k - 1).copied().unwrap_or(0) / 100;
    THRESHOLDS
        .iter()
        .rev()
        .find(|t| **t < kth)
        .copied()
        .unwrap_or(THRESHOLDS[0])
}

pub(super) fn workbook(path: &str, found: &Findings, currency: &str) -> Value {
    let n = found.expenses.len();
    let last = n + 1;
    let rows: Vec<Value> = found
        .expenses
        .iter()
        .map(|e| {
            json!([
                e.date.map(|d| d.format("%Y-%m-%d").to_string()),
                e.vendor,
                e.category,
                e.source,
                e.amount as f64 / 100.0
            ])
        })
        .chain(std::iter::once(json!([
            null,
            "Total",
            null,
            null,
            format!("=SUM(E2:E{last})")
        ])))
        .collect();
    let amounts: Vec<Cents> = found.expenses.iter().map(|e| e.amount).collect();
    let threshold = large_threshold(&amounts);
    let present: Vec<&str> = CATEGORIES
        .iter()
        .copied()
        .filter(|c| found.expenses.iter().any(|e| e.category == *c))
        .collect();
    let category_range = format!("Expenses!$C$2:$C${last}");
    let amount_range = format!("Expenses!$E$2:$E${last}");
    let total_row = present.len() + 2;
    let mut summary: Vec<Value> = present
        .iter()
        .enumerate()
        .map(|(i, category)| {
            let row = i + 2;
            json!([
                category,
                format!("=SUMIF({category_range},A{row},{amount_range})"),
                format!("=COUNTIF({category_range},A{row})"),
                format!("=IF($B${total_row}=0,0,B{row}/$B${total_row})")
            ])
        })
        .collect();
    summary.push(json!([
        "Total",
        format!("=SUM(B2:B{})", total_row - 1),
        format!("=SUM(C2:C{})", total_row - 1),
        format!("=SUM(D2:D{})", total_row - 1)
    ]));
    summary.push(json!([null]));
    summary.push(json!(["Highlighted on Expenses: over", threshold]));
    let money_column =
        |header: &str| json!({"header": header, "type": "currency", "currency": currency});
    let mut sheets = vec![
        json!({
            "name": "Expenses",
            "columns": [
                {"header": "Date", "type": "date"},
                {"header": "Vendor"},
                {"header": "Category"},
                {"header": "Source"},
                money_column("Amount")
            ],
            "rows": rows,
            "autofilter": true,
            "conditional": [{"type": "greater_than", "range": format!("E2:E{last}"), "value": threshold}],
            "validations": [{"range": format!("C2:C{last}"), "list": CATEGORIES}]
        }),
        json!({
            "name": "Summary",
            "columns": [
                {"header": "Category"},
                money_column("Total"),
                {"header": "Items", "type": "integer"},
                {"header": "Share", "type": "percent"}
            ],
            "rows": summary,
            "conditional": [{"type": "data_bar", "range": format!("B2:B{}", total_row - 1)}],
            "charts": [{
                "type": "column",
                "title": "Spending by category",
                "categories": format!("Summary!$A$2:$A${}", total_row - 1),
                "series": [{"name": "Total", "values": format!("Summary!$B$2:$B${}", total_row - 1)}],
                "at": "F2",
                "y_title": currency
            }]
        }),
    ];
    if !found.review.is_empty() {
        let review: Vec<Value> = found
            .review
            .iter()
            .map(|(file, why)| json!([file, why]))
            .collect();
        sheets.push(json!({
            "name": "Needs review",
            "columns": [{"header": "File"}, {"header": "Why it is not in the report"}],
            "rows": review
        }));
    }
    json!({
        "path": path,
        "sheets": sheets,
        "names": [
            {"name": "GrandTotal", "range": format!("Summary!$B${total_row}")}
        ]
    })
}
