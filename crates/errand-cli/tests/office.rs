//! `create_spreadsheet` from a task: a workbook whose every formula LibreOffice recomputes
//! to the value Errand cached, written through the journal (undo removes it), and a formula
//! that fails comes back to the model with its cell.
mod common;

use common::*;
use errand_testkit::office::office_check;
use serde_json::json;

#[test]
fn a_task_writes_a_workbook_libreoffice_agrees_with() {
    let env = Env::new();
    let folder = env.dir("receipts");
    let sheet = json!({
        "path": "report/expenses.xlsx",
        "sheets": [
            {"name": "Receipts",
             "columns": [{"header": "Date", "type": "date"}, {"header": "Vendor"},
                         {"header": "Category"}, {"header": "Amount", "type": "currency"}],
             "rows": [["2026-02-01", "Cafe", "Meals", 12.4], ["2026-02-03", "Rail", "Travel", 88],
                      ["2026-02-07", "Cafe", "Meals", 9.6], ["2026-02-10", "Hotel", "Lodging", 240]],
             "autofilter": true,
             "conditional": [{"type": "greater_than", "range": "D2:D5", "value": 100}]},
            {"name": "Summary",
             "columns": [{"header": "Category"}, {"header": "Total", "type": "currency"}],
             "rows": [["Meals", "=SUMIF(Receipts!C2:C5,A2,Receipts!D2:D5)"],
                      ["Travel", "=SUMIF(Receipts!C2:C5,A3,Receipts!D2:D5)"],
                      ["Lodging", "=SUMIF(Receipts!C2:C5,A4,Receipts!D2:D5)"],
                      ["Total", "=SUM(B2:B4)"]],
             "charts": [{"type": "pie", "title": "By category", "categories": "A2:A4",
                         "series": [{"values": "B2:B4"}]}]}
        ]
    });
    let broken = json!({"path": "broken.xlsx", "sheets": [{"name": "S", "rows": [[1, "=A1/0"]]}]});
    let script = env.script(
        "sheet.json",
        json!([
            {"tool_calls": [{"id": "bad", "name": "create_spreadsheet", "input": broken}]},
            {"expect_tool_result_contains": "S!B1 `=A1/0` gives #DIV/0!",
             "tool_calls": [{"id": "good", "name": "create_spreadsheet", "input": sheet}]},
            {"expect_tool_result_contains": "Summary!B5 = 350",
             "tool_calls": [{"id": "f", "name": "finish",
                             "input": {"summary": "expense report", "deliverables": ["report/expenses.xlsx"]}}]}
        ]),
    );
    let out = env
        .cmd()
        .args([
            "--json",
            "run",
            "make an expense report",
            "--model",
            &script,
            "--mode",
            "auto",
            "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        !folder.join("broken.xlsx").exists(),
        "a failing workbook is not written"
    );
    let file = folder.join("report/expenses.xlsx");
    assert_eq!(
        office_check(&file),
        4,
        "every formula recomputed by LibreOffice"
    );
    let undo = env.run(&["undo", &task_id(&out)]);
    assert_eq!(code(&undo), 0, "{}", text(&undo));
    assert!(!file.exists() && !folder.join("report").exists());
}

#[test]
fn a_task_writes_a_document_and_a_chart() {
    let env = Env::new();
    let folder = env.dir("out");
    let script = env.script(
        "doc.json",
        json!([
            {"tool_calls": [
                {"id": "chart", "name": "create_chart", "input": {"path": "spend.svg", "type": "column",
                 "title": "Spend", "categories": ["Q1", "Q2"], "series": [{"values": [10, 20]}]}},
                {"id": "doc", "name": "create_document", "input": {"path": "memo.docx", "title": "Memo",
                 "blocks": [{"type": "heading", "text": "Findings"},
                            {"type": "table", "header": ["Quarter", "Spend"], "rows": [["Q1", "10"], ["Q2", "20"]]}]}}
            ]},
            {"tool_calls": [{"id": "f", "name": "finish", "input": {"summary": "memo and chart"}}]}
        ]),
    );
    let out = env
        .cmd()
        .args([
            "--json",
            "run",
            "write the memo",
            "--model",
            &script,
            "--mode",
            "auto",
            "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let svg = std::fs::read_to_string(folder.join("spend.svg")).expect("svg");
    assert!(svg.starts_with("<svg") && svg.contains(">Spend<"), "{svg}");
    let read = env.script(
        "read.json",
        json!([
            {"tool_calls": [{"id": "r", "name": "read_file", "input": {"path": "memo.docx"}}]},
            {"expect_tool_result_contains": "| Q2 | 20 |",
             "tool_calls": [{"id": "f", "name": "finish", "input": {"summary": "read"}}]}
        ]),
    );
    let again = env
        .cmd()
        .args([
            "--json",
            "run",
            "read the memo",
            "--model",
            &read,
            "--mode",
            "auto",
            "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&again), 0, "{}", text(&again));
}
