//! Office deliverables: workbooks with formulas and charts. Documents, decks and PDFs are
//! in `office_docs`.
use super::{EvalTask, WORK, call, finish, write_all};
use crate::grade::{Graded, Workbook, ensure};
use serde_json::json;
use std::path::Path;

pub fn tasks() -> Vec<EvalTask> {
    vec![
        EvalTask {
            name: "receipts-to-expenses",
            covers: "receipts to an expense workbook with formulas",
            outcome: "Turn the receipts in this folder into an expense workbook expenses.xlsx: one row per receipt (date, vendor, amount) and a total computed with a formula.",
            folders: WORK,
            setup: receipts_setup,
            grade: receipts_grade,
            reference: receipts_reference,
            answer: None,
            approve: true,
        },
        EvalTask {
            name: "sales-report-with-chart",
            covers: "CSV to a workbook of per-group formula totals, and a PNG chart",
            outcome: "Analyse sales.csv: make sales-report.xlsx with the total per region computed by formulas, and a chart of those totals as totals.png",
            folders: WORK,
            setup: sales_setup,
            grade: sales_grade,
            reference: sales_reference,
            answer: None,
            approve: true,
        },
        EvalTask {
            name: "fix-broken-formula",
            covers: "finding a wrong formula range in a workbook and saving a fixed copy",
            outcome: "The total in budget.xlsx is wrong. Find the broken formula and save a corrected copy as budget-fixed.xlsx",
            folders: WORK,
            setup: broken_setup,
            grade: broken_grade,
            reference: broken_reference,
            answer: None,
            approve: true,
        },
        EvalTask {
            name: "budget-variance",
            covers: "CSV to a workbook with a formula column and a total row",
            outcome: "Make variance.xlsx from budget.csv with a Variance column (actual minus planned) computed by formulas, and a total row",
            folders: WORK,
            setup: variance_setup,
            grade: variance_grade,
            reference: variance_reference,
            answer: None,
            approve: true,
        },
    ]
}

const RECEIPTS: &[(&str, &[u8])] = &[
    (
        "work/receipt-01.txt",
        b"Blue Bottle Coffee\nDate: 2026-03-02\nLatte 4.50\nCroissant 3.75\nTOTAL 8.25\n",
    ),
    (
        "work/receipt-02.txt",
        b"Office Depot\n2026-03-05\nPrinter paper x2 23.98\nTOTAL: 23.98 USD\n",
    ),
    (
        "work/receipt-03.txt",
        b"City Taxi Co.\nRide on 2026-03-09\nFare 31.40\nTip 5.00\nTotal due 36.40\n",
    ),
];

fn receipts_setup(root: &Path) -> std::io::Result<()> {
    write_all(root, RECEIPTS)
}

fn receipts_grade(g: &Graded) -> Result<(), String> {
    let book = g.workbook("work/expenses.xlsx")?;
    for amount in [8.25, 23.98, 36.40] {
        ensure(
            book.shows_number(amount),
            format!("no row shows the receipt amount {amount}"),
        )?;
    }
    for vendor in ["Blue Bottle", "Office Depot", "Taxi"] {
        ensure(book.shows_text(vendor), format!("no row names {vendor}"))?;
    }
    ensure(
        !book.formulas_with("SUM").is_empty() || !book.formulas_with("+").is_empty(),
        "the total is not a formula",
    )?;
    ensure(
        book.formula_gives(68.63),
        "no formula computes the total 68.63",
    )
}

fn receipts_reference() -> serde_json::Value {
    json!([
        call("list_files", json!({"path": "."})),
        call("read_file", json!({"path": "receipt-01.txt"})),
        call("read_file", json!({"path": "receipt-02.txt"})),
        call("read_file", json!({"path": "receipt-03.txt"})),
        call(
            "create_spreadsheet",
            json!({"path": "expenses.xlsx", "sheets": [{
                "name": "Expenses",
                "columns": [{"header": "Date", "type": "date"}, {"header": "Vendor"}, {"header": "Amount", "type": "currency"}],
                "rows": [["2026-03-02", "Blue Bottle Coffee", 8.25], ["2026-03-05", "Office Depot", 23.98], ["2026-03-09", "City Taxi Co.", 36.40], [null, "Total", "=SUM(C2:C4)"]]
            }]})
        ),
        finish(
            "expenses.xlsx lists the 3 receipts; the total (68.63) is =SUM(C2:C4).",
            &["expenses.xlsx"]
        )
    ])
}

/// Whether a formula that refers to something (not a typed-in constant like `=39570`)
/// shows `value`, within a cent.
fn computed(book: &Workbook, value: f64) -> bool {
    book.cells().any(|c| {
        c.formula
            .as_ref()
            .is_some_and(|f| f.chars().any(|ch| ch.is_ascii_alphabetic()))
            && c.number.is_some_and(|n| (n - value).abs() < 0.01)
    })
}

/// Whether a formula in the same row (or, for a transposed layout, the same column) as a
/// cell reading `label` shows `value`.
fn computed_beside(book: &Workbook, label: &str, value: f64) -> bool {
    book.sheets.iter().any(|sheet| {
        sheet
            .cells
            .iter()
            .filter(|(_, c)| c.text.trim().eq_ignore_ascii_case(label))
            .any(|((row, col), _)| {
                sheet.cells.iter().any(|((r, c), cell)| {
                    (r == row || c == col)
                        && cell.formula.is_some()
                        && cell.number.is_some_and(|n| (n - value).abs() < 0.01)
                })
            })
    })
}

// Four regions over three months, rows in the order an export would give them.
const SALES: &str = "region,month,amount
North,2026-01,12400
South,2026-01,9800
East,2026-01,15300
West,2026-01,7450
North,2026-02,13150
South,2026-02,10250
East,2026-02,14870
West,2026-02,8120
North,2026-03,14020
South,2026-03,9640
East,2026-03,16110
West,2026-03,8905
";

const REGION_TOTALS: [(&str, f64); 4] = [
    ("North", 39570.0),
    ("South", 29690.0),
    ("East", 46280.0),
    ("West", 24475.0),
];

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

fn sales_setup(root: &Path) -> std::io::Result<()> {
    write_all(root, &[("work/sales.csv", SALES.as_bytes())])
}

fn sales_grade(g: &Graded) -> Result<(), String> {
    let book = g.workbook("work/sales-report.xlsx")?;
    for (region, total) in REGION_TOTALS {
        ensure(
            book.shows_text(region),
            format!("the workbook does not name the {region} region"),
        )?;
        ensure(
            computed(&book, total),
            format!("no formula computes the {region} total {total}"),
        )?;
    }
    let png = g.bytes("work/totals.png")?;
    ensure(
        png.starts_with(PNG_SIGNATURE),
        "totals.png is not a PNG image",
    )
}

fn sales_reference() -> serde_json::Value {
    let rows: Vec<serde_json::Value> = SALES
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut parts = line.split(',');
            let (region, month, amount) = (parts.next()?, parts.next()?, parts.next()?);
            Some(json!([region, month, amount.parse::<f64>().ok()?]))
        })
        .collect();
    let totals: Vec<serde_json::Value> = REGION_TOTALS
        .iter()
        .enumerate()
        .map(|(i, (region, _))| {
            json!([
                region,
                format!("=SUMIF(Sales!$A$2:$A$13,A{},Sales!$C$2:$C$13)", i + 2)
            ])
        })
        .collect();
    json!([
        call("read_file", json!({"path": "sales.csv"})),
        call(
            "create_spreadsheet",
            json!({"path": "sales-report.xlsx", "sheets": [
                {"name": "Sales",
                 "columns": [{"header": "Region"}, {"header": "Month"}, {"header": "Amount", "type": "currency"}],
                 "rows": rows},
                {"name": "Totals",
                 "columns": [{"header": "Region"}, {"header": "Total", "type": "currency"}],
                 "rows": totals}
            ]})
        ),
        call(
            "create_chart",
            json!({"path": "totals.png", "type": "column", "title": "Sales by region, Jan-Mar 2026",
                   "categories": ["North", "South", "East", "West"],
                   "series": [{"name": "Total", "values": [39570, 29690, 46280, 24475]}],
                   "y_title": "Sales"})
        ),
        finish(
            "sales-report.xlsx totals each region with SUMIF (East leads with 46,280); totals.png charts them.",
            &["sales-report.xlsx", "totals.png"]
        )
    ])
}

// An event budget whose total sums only the first three of five items.
const BUDGET_ITEMS: [(&str, &str, f64); 5] = [
    ("Venue hire", "Harbour Hall", 1200.0),
    ("Catering", "Green Fork", 850.0),
    ("AV equipment", "SoundCo", 400.0),
    ("Printing", "PrintHub", 150.0),
    ("Speaker travel", "Rail & Air", 620.0),
];
const BUDGET_TOTAL: f64 = 3220.0;
const BUDGET_WRONG_TOTAL: f64 = 2450.0;

fn budget_book(total_formula: &str) -> serde_json::Value {
    let mut rows: Vec<serde_json::Value> = BUDGET_ITEMS
        .iter()
        .map(|(item, supplier, cost)| json!([item, supplier, cost]))
        .collect();
    rows.push(json!(["Total", null, total_formula]));
    json!({"sheets": [{"name": "Budget",
        "columns": [{"header": "Item"}, {"header": "Supplier"}, {"header": "Cost", "type": "currency"}],
        "rows": rows}]})
}

fn broken_setup(root: &Path) -> std::io::Result<()> {
    let spec: errand_office::WorkbookSpec =
        serde_json::from_value(budget_book("=SUM(C2:C4)")).map_err(std::io::Error::other)?;
    let written = errand_office::xlsx::build(spec).map_err(std::io::Error::other)?;
    write_all(root, &[("work/budget.xlsx", &written.bytes)])
}

fn broken_grade(g: &Graded) -> Result<(), String> {
    ensure(
        g.exists("work/budget.xlsx"),
        "the original budget.xlsx is gone; a corrected copy was asked for",
    )?;
    let bytes = g.bytes("work/budget-fixed.xlsx")?;
    let errors = errand_office::recheck::workbook_errors(&bytes)
        .map_err(|e| format!("budget-fixed.xlsx: {e}"))?;
    ensure(
        errors.is_empty(),
        format!("budget-fixed.xlsx shows errors: {}", errors.join("; ")),
    )?;
    let book = Workbook::read(&bytes).map_err(|e| format!("budget-fixed.xlsx: {e}"))?;
    for (item, _, cost) in BUDGET_ITEMS {
        ensure(
            book.shows_text(item) && book.shows_number(cost),
            format!("the item {item} ({cost}) is missing from budget-fixed.xlsx"),
        )?;
    }
    ensure(
        !book.formula_gives(BUDGET_WRONG_TOTAL),
        "a formula still gives the wrong total 2450",
    )?;
    ensure(
        computed(&book, BUDGET_TOTAL),
        "no formula computes the correct total 3220",
    )
}

fn broken_reference() -> serde_json::Value {
    let fixed = budget_book("=SUM(C2:C6)");
    json!([
        call("read_file", json!({"path": "budget.xlsx"})),
        call(
            "create_spreadsheet",
            json!({"path": "budget-fixed.xlsx", "sheets": fixed["sheets"]})
        ),
        finish(
            "The total was =SUM(C2:C4), which left out Printing and Speaker travel. budget-fixed.xlsx uses =SUM(C2:C6): 3,220 instead of 2,450. budget.xlsx is untouched.",
            &["budget-fixed.xlsx"]
        )
    ])
}

const BUDGET_LINES: [(&str, f64, f64); 5] = [
    ("Salaries", 48000.0, 49250.0),
    ("Rent", 12000.0, 12000.0),
    ("Software", 3500.0, 4120.0),
    ("Travel", 6000.0, 4380.0),
    ("Marketing", 9000.0, 9875.0),
];

fn variance_setup(root: &Path) -> std::io::Result<()> {
    let mut csv = String::from("line,planned,actual\n");
    for (line, planned, actual) in BUDGET_LINES {
        csv.push_str(&format!("{line},{planned},{actual}\n"));
    }
    write_all(root, &[("work/budget.csv", csv.as_bytes())])
}

fn variance_grade(g: &Graded) -> Result<(), String> {
    let book = g.workbook("work/variance.xlsx")?;
    ensure(book.shows_text("variance"), "no column is headed Variance")?;
    ensure(
        book.formula_count() >= BUDGET_LINES.len(),
        format!(
            "{} formulas; each of the {} variances should be one",
            book.formula_count(),
            BUDGET_LINES.len()
        ),
    )?;
    for (line, planned, actual) in BUDGET_LINES {
        let variance = actual - planned;
        ensure(
            computed_beside(&book, line, variance),
            format!(
                "no formula on the {line} row gives its variance {variance} (actual minus planned)"
            ),
        )?;
    }
    let total: f64 = BUDGET_LINES.iter().map(|(_, p, a)| a - p).sum();
    ensure(
        computed(&book, total),
        format!("no formula computes the total variance {total}"),
    )
}

fn variance_reference() -> serde_json::Value {
    let mut rows: Vec<serde_json::Value> = BUDGET_LINES
        .iter()
        .enumerate()
        .map(|(i, (line, planned, actual))| {
            json!([line, planned, actual, format!("=C{0}-B{0}", i + 2)])
        })
        .collect();
    rows.push(json!([
        "Total",
        "=SUM(B2:B6)",
        "=SUM(C2:C6)",
        "=SUM(D2:D6)"
    ]));
    json!([
        call("read_file", json!({"path": "budget.csv"})),
        call(
            "create_spreadsheet",
            json!({"path": "variance.xlsx", "sheets": [{"name": "Variance",
                "columns": [{"header": "Line"}, {"header": "Planned", "type": "currency"},
                            {"header": "Actual", "type": "currency"}, {"header": "Variance", "type": "currency"}],
                "rows": rows}]})
        ),
        finish(
            "variance.xlsx: Variance = Actual - Planned per line, totals by SUM. Overall 1,125 over plan; Travel is 1,620 under.",
            &["variance.xlsx"]
        )
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Grades a folder set up by `setup` and then changed by `work`.
    fn grade_after(
        setup: fn(&Path) -> std::io::Result<()>,
        work: impl FnOnce(&Path),
        grade: fn(&Graded) -> Result<(), String>,
    ) -> Result<(), String> {
        let dir = tempfile::tempdir().expect("dir");
        setup(dir.path()).expect("fixture");
        let before = crate::grade::tree(dir.path());
        work(dir.path());
        let view = errand_core::TaskView::default();
        grade(&Graded {
            root: dir.path(),
            before: &before,
            view: &view,
            events: &[],
        })
    }

    fn write_book(path: &Path, spec: serde_json::Value) {
        let spec: errand_office::WorkbookSpec = serde_json::from_value(spec).expect("spec");
        let written = errand_office::xlsx::build(spec).expect("build");
        std::fs::write(path, written.bytes).expect("write");
    }

    #[test]
    fn a_plain_copy_of_the_broken_budget_fails() {
        let result = grade_after(
            broken_setup,
            |root| {
                std::fs::copy(
                    root.join("work/budget.xlsx"),
                    root.join("work/budget-fixed.xlsx"),
                )
                .expect("copy");
            },
            broken_grade,
        );
        assert!(
            result.as_ref().is_err_and(|e| e.contains("2450")),
            "{result:?}"
        );
    }

    #[test]
    fn a_typed_in_total_is_not_a_fix() {
        let result = grade_after(
            broken_setup,
            |root| write_book(&root.join("work/budget-fixed.xlsx"), budget_book("=3220")),
            broken_grade,
        );
        assert!(
            result.as_ref().is_err_and(|e| e.contains("3220")),
            "{result:?}"
        );
    }

    #[test]
    fn planned_minus_actual_is_the_wrong_variance() {
        let rows: Vec<serde_json::Value> = BUDGET_LINES
            .iter()
            .enumerate()
            .map(|(i, (line, p, a))| json!([line, p, a, format!("=B{0}-C{0}", i + 2)]))
            .chain([json!(["Total", null, null, "=SUM(D2:D6)"])])
            .collect();
        let result = grade_after(
            variance_setup,
            |root| {
                write_book(
                    &root.join("work/variance.xlsx"),
                    json!({"sheets": [{"name": "V", "columns": [{"header": "Line"},
                        {"header": "Planned"}, {"header": "Actual"}, {"header": "Variance"}],
                        "rows": rows}]}),
                )
            },
            variance_grade,
        );
        assert!(
            result.as_ref().is_err_and(|e| e.contains("Salaries")),
            "{result:?}"
        );
    }

    #[test]
    fn totals_typed_in_as_numbers_fail_the_sales_report() {
        let rows: Vec<serde_json::Value> = REGION_TOTALS
            .iter()
            .map(|(region, total)| json!([region, total]))
            .collect();
        let result = grade_after(
            sales_setup,
            |root| {
                write_book(
                    &root.join("work/sales-report.xlsx"),
                    json!({"sheets": [{"name": "T", "columns": [{"header": "Region"}, {"header": "Total"}],
                        "rows": rows}]}),
                );
                std::fs::write(root.join("work/totals.png"), PNG_SIGNATURE).expect("png");
            },
            sales_grade,
        );
        assert!(
            result.as_ref().is_err_and(|e| e.contains("North")),
            "{result:?}"
        );
    }
}
