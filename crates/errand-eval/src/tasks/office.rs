//! Office deliverables: workbooks with formulas, documents, decks and PDFs.
use super::{EvalTask, WORK, call, finish, write_all};
use crate::grade::{Graded, ensure};
use serde_json::json;
use std::path::Path;

pub fn tasks() -> Vec<EvalTask> {
    vec![EvalTask {
        name: "receipts-to-expenses",
        covers: "receipts to an expense workbook with formulas",
        outcome: "Turn the receipts in this folder into an expense workbook expenses.xlsx: one row per receipt (date, vendor, amount) and a total computed with a formula.",
        folders: WORK,
        setup: receipts_setup,
        grade: receipts_grade,
        reference: receipts_reference,
        answer: None,
        approve: true,
    }]
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
