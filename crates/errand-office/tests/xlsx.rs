//! Spreadsheets checked from outside: LibreOffice recalculates every formula (ignoring the
//! cached values) and each result must equal the value Errand cached, with no error cell
//! anywhere; openpyxl-free, the cached values are read back with calamine.
use errand_office::{WorkbookSpec, build};
use errand_testkit::office::office_check;
use serde_json::json;

fn expenses() -> WorkbookSpec {
    serde_json::from_value(json!({
        "sheets": [
            {
                "name": "Expenses",
                "columns": [
                    {"header": "Date", "type": "date"},
                    {"header": "Vendor"},
                    {"header": "Category"},
                    {"header": "Amount", "type": "currency"},
                    {"header": "VAT", "type": "currency"},
                    {"header": "Share", "type": "percent"}
                ],
                "rows": [
                    ["2026-01-03", "Taxi Co", "Travel", 23.5, "=D2*0.2", "=D2/SUM($D$2:$D$6)"],
                    ["2026-01-05", "Bistro", "Meals", 48.2, "=D3*0.2", "=D3/SUM($D$2:$D$6)"],
                    ["2026-01-09", "Air Lines", "Travel", 412.0, "=D4*0.2", "=D4/SUM($D$2:$D$6)"],
                    ["2026-01-12", "Paper & Co", "Office", "1,020.75", "=D5*0.2", "=D5/SUM($D$2:$D$6)"],
                    ["2026-01-20", "Hotel", "Lodging", 189.99, "=D6*0.2", "=D6/SUM($D$2:$D$6)"]
                ],
                "table": true,
                "conditional": [{"type": "greater_than", "range": "D2:D6", "value": 200}],
                "validations": [{"range": "C2:C100", "list": ["Travel", "Meals", "Office", "Lodging"]}]
            },
            {
                "name": "Summary",
                "columns": [
                    {"header": "Category"},
                    {"header": "Total", "type": "currency"},
                    {"header": "Receipts", "type": "integer"}
                ],
                "rows": [
                    ["Travel", "=SUMIF(Expenses!$C$2:$C$6,A2,Expenses!$D$2:$D$6)", "=COUNTIF(Expenses!$C$2:$C$6,A2)"],
                    ["Meals", "=SUMIF(Expenses!$C$2:$C$6,A3,Expenses!$D$2:$D$6)", "=COUNTIF(Expenses!$C$2:$C$6,A3)"],
                    ["Office", "=SUMIF(Expenses!$C$2:$C$6,A4,Expenses!$D$2:$D$6)", "=COUNTIF(Expenses!$C$2:$C$6,A4)"],
                    ["Lodging", "=SUMIF(Expenses!$C$2:$C$6,A5,Expenses!$D$2:$D$6)", "=COUNTIF(Expenses!$C$2:$C$6,A5)"],
                    ["Total", "=SUM(B2:B5)", "=SUM(C2:C5)"],
                    ["Largest", "=MAX(Expenses!D2:D6)", null],
                    ["Average", "=ROUND(AVERAGE(Expenses!D2:D6),2)", null]
                ],
                "conditional": [{"type": "data_bar", "range": "B2:B5"}],
                "charts": [{"type": "column", "title": "Spending by category", "categories": "A2:A5",
                            "series": [{"name": "Total", "values": "B2:B5"}], "at": "E2"}]
            }
        ],
        "names": [{"name": "GrandTotal", "range": "Summary!$B$6"}]
    }))
    .expect("spec")
}

#[test]
fn an_expense_workbook_caches_what_libreoffice_computes() {
    let written = build(expenses()).expect("build");
    assert_eq!(written.formulas, 10 + 12);
    let total: f64 = 23.5 + 48.2 + 412.0 + 1020.75 + 189.99;
    assert!(
        written
            .samples
            .iter()
            .any(|s| s.starts_with("Summary!B6 = ") && s.ends_with(&format!("{total}"))),
        "{:?}",
        written.samples
    );
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("expenses.xlsx");
    std::fs::write(&file, &written.bytes).expect("write");
    let compared = office_check(&file);
    assert_eq!(compared, 22, "every formula compared");
}

#[test]
fn formulas_that_do_not_evaluate_are_reported_with_their_cells() {
    let spec: WorkbookSpec = serde_json::from_value(json!({
        "sheets": [{"name": "S", "columns": [{"header": "a", "type": "number"}, {"header": "b"}],
            "rows": [[1, "=A2/0"], [2, "=NOSUCHFN(A3)"], [3, "=Missing!A1"]]}]
    }))
    .expect("spec");
    let err = build(spec).expect_err("errors").to_string();
    assert!(err.contains("S!B2 `=A2/0` gives #DIV/0!"), "{err}");
    assert!(err.contains("S!B3") && err.contains("#NAME?"), "{err}");
    assert!(err.contains("S!B4"), "{err}");
}

#[test]
fn bad_specs_name_the_field() {
    let bad = |v: serde_json::Value| {
        let spec: WorkbookSpec = serde_json::from_value(v).expect("shape");
        build(spec).expect_err("refused").to_string()
    };
    let e = bad(
        json!({"sheets": [{"name": "S", "columns": [{"header": "d", "type": "date"}], "rows": [["03/01/2026"]]}]}),
    );
    assert!(
        e.contains("sheets[0].rows[0][0]") && e.contains("YYYY-MM-DD"),
        "{e}"
    );
    let e = bad(json!({"sheets": [{"name": "a/b"}]}));
    assert!(e.contains("sheets[0].name"), "{e}");
    let e = bad(json!({"sheets": []}));
    assert!(e.contains("`sheets` is empty"), "{e}");
    let e = bad(json!({"sheets": [{"name": "S", "rows": [[{"x": 1}]]}]}));
    assert!(e.contains("sheets[0].rows[0][0]"), "{e}");
}

/// Formulas repeated down a column are compiled once per shape; every row must still get
/// its own value, and look-alikes (text holding a reference, absolute rows, other columns)
/// must not be mistaken for the same formula.
#[test]
fn formulas_repeated_down_columns_each_get_their_own_value() {
    let rows: Vec<serde_json::Value> = (2..=301)
        .map(|n| {
            json!([
                n as f64 * 1.5,
                (n % 7) as f64,
                format!("=A{n}*B{n}+$A$2"),
                format!("=IF(A{n}>200,\"big A{n}\",\"A{n}\")"),
                format!("=SUM($A$2:A{n})"),
                format!("=Rates!A{n}*2")
            ])
        })
        .collect();
    let rates: Vec<serde_json::Value> = (1..=301).map(|n| json!([n as f64 / 100.0])).collect();
    let spec: WorkbookSpec = serde_json::from_value(json!({
        "sheets": [
            {"name": "Data", "columns": [
                {"header": "a", "type": "number"}, {"header": "b", "type": "number"},
                {"header": "product", "type": "number"}, {"header": "label"},
                {"header": "running", "type": "number"}, {"header": "rate", "type": "number"}],
             "rows": rows},
            {"name": "Rates", "rows": rates}
        ]
    }))
    .expect("spec");
    let written = build(spec).expect("build");
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("repeated.xlsx");
    std::fs::write(&file, &written.bytes).expect("write");
    assert_eq!(written.formulas, 1200);
    // Every cached value equals LibreOffice's own recalculation.
    assert_eq!(office_check(&file), 1200);
    let text = errand_office::read::extract("xlsx", &written.bytes)
        .expect("xlsx")
        .expect("read");
    // Row 250: a = 375, b = 250 % 7 = 5 → 375 * 5 + 3 = 1878; running sum of 1.5·(2..=250).
    let row = text
        .lines()
        .find(|l| l.starts_with("375,"))
        .expect("row 250");
    let running: f64 = (2..=250).map(|n| n as f64 * 1.5).sum();
    assert_eq!(row, format!("375,5,1878,big A250,{running},5"));
}
