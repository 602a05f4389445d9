//! `create_spreadsheet` from a task: a workbook whose every formula LibreOffice recomputes
//! to the value Errand cached, written through the journal (undo removes it), and a formula
//! that fails comes back to the model with its cell.
mod common;

use common::*;
use errand_testkit::office::{office_check, python};
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
    let out = env.run_auto("make an expense report", &script, &folder);
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
    let out = env.run_auto("write the memo", &script, &folder);
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
    let again = env.run_auto("read the memo", &read, &folder);
    assert_eq!(code(&again), 0, "{}", text(&again));
}

/// Offline, with no model: notes in a folder become one Word document.
#[test]
fn offline_notes_become_a_document() {
    let env = Env::new();
    let folder = env.dir("notes");
    std::fs::write(
        folder.join("01 trip.md"),
        "# Lyon trip\nMet **three** clients.\n\n- Send quotes\n- Book the train\n\n| Client | Budget |\n|---|---|\n| Ana | 12k |\n",
    )
    .expect("md");
    std::fs::write(folder.join("02 ideas.txt"), "Try a smaller launch first.\n").expect("txt");
    std::fs::write(folder.join("photo.jpg"), [0xFF, 0xD8, 0xFF, 0xD9]).expect("jpg");
    let out = env.run(&[
        "run",
        "make a Word document from my notes",
        "--mode",
        "auto",
        "--folder",
        folder.to_str().expect("utf8"),
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let doc = folder.join("Notes.docx");
    let shown = python(
        "import sys, docx; d = docx.Document(sys.argv[1]); print('\\n'.join(p.style.name + ': ' + p.text for p in d.paragraphs)); print('tables', len(d.tables))",
        &doc,
    );
    for expected in [
        "Title: Notes",
        "Heading 1: Lyon trip",
        "Normal: Met three clients.",
        "List Paragraph: Send quotes",
        "Heading 1: 02 ideas",
        "Normal: Try a smaller launch first.",
        "tables 1",
    ] {
        assert!(shown.contains(expected), "{expected} in:\n{shown}");
    }
    let pages = errand_testkit::office::render_pages(&doc, &env.work.path().join("png"));
    assert_eq!(pages, 2, "a title page and the notes");
}

/// A deck and a PDF report from one task, both showing a PNG chart the task drew, read back
/// by the libraries people use and rendered by LibreOffice; a picture that is not there
/// comes back to the model naming it; a spreadsheet range reads with its header.
#[test]
fn a_task_writes_a_deck_and_a_pdf_report_with_charts() {
    let env = Env::new();
    let folder = env.dir("review");
    let chart = json!({"type": "column", "title": "Spend by quarter",
                       "categories": ["Q1", "Q2", "Q3", "Q4"],
                       "series": [{"name": "2026", "values": [120, 180, 150, 210]}]});
    let rows: Vec<serde_json::Value> = (1..=30).map(|m| json!([format!("M{m}"), m * 10])).collect();
    let script = env.script(
        "deck.json",
        json!([
            {"tool_calls": [
                {"id": "png", "name": "create_chart", "input": {"path": "charts/spend.png", "type": "column",
                 "title": "Spend", "categories": ["Q1", "Q2"], "series": [{"values": [10, 20]}]}},
                {"id": "xlsx", "name": "create_spreadsheet", "input": {"path": "data.xlsx", "sheets": [
                    {"name": "Months", "columns": [{"header": "Month"}, {"header": "Amount", "type": "number"}],
                     "rows": rows}]}}
            ]},
            {"expect_tool_result_contains": "a 1600x960 PNG chart",
             "tool_calls": [
                {"id": "deck", "name": "create_presentation", "input": {"path": "deck.pptx", "title": "Q3 review",
                 "slides": [
                    {"type": "title", "title": "Q3 review", "subtitle": "Operations", "notes": "Open with the headline."},
                    {"type": "bullets", "title": "Highlights", "bullets": ["Revenue **up 12%**", "  North up 18%", "Costs flat"]},
                    {"type": "image", "title": "The chart we drew", "path": "charts/spend.png", "caption": "From the task"},
                    {"type": "chart", "title": "By quarter", "chart": chart},
                    {"type": "table", "title": "Numbers", "header": ["Quarter", "Spend"], "rows": [["Q1", "120"], ["Q2", "180"]]}
                 ]}},
                {"id": "pdf", "name": "create_pdf", "input": {"path": "report.pdf", "title": "Q3 report", "author": "Ops",
                 "blocks": [
                    {"type": "heading", "text": "Summary"},
                    {"type": "paragraph", "text": "Spend rose in **Q4**."},
                    {"type": "image", "path": "charts/spend.png", "caption": "Spend", "width_percent": 60},
                    {"type": "chart", "chart": chart, "caption": "By quarter"},
                    {"type": "table", "header": ["Quarter", "Spend"], "rows": [["Q1", "120"], ["Q4", "210"]]}
                 ]}},
                {"id": "missing", "name": "create_pdf", "input": {"path": "broken.pdf",
                 "blocks": [{"type": "image", "path": "nowhere.png"}]}}
             ]},
            {"expect_tool_result_contains": "image nowhere.png",
             "tool_calls": [
                {"id": "read-deck", "name": "read_file", "input": {"path": "deck.pptx"}},
                {"id": "read-pdf", "name": "read_file", "input": {"path": "report.pdf"}},
                {"id": "range", "name": "read_file", "input": {"path": "data.xlsx", "range": "A20:B21"}}
             ]},
            {"expect_tool_result_contains": "header (row 1): Month,Amount\nM19,190\nM20,200",
             "tool_calls": [{"id": "f", "name": "finish",
                             "input": {"summary": "deck and report", "deliverables": ["deck.pptx", "report.pdf"]}}]}
        ]),
    );
    let out = env.run_auto("make the review deck and report", &script, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(!folder.join("broken.pdf").exists());
    // A workbook with no formulas still opens in LibreOffice and openpyxl without errors.
    assert_eq!(office_check(&folder.join("data.xlsx")), 0);
    let png = std::fs::read(folder.join("charts/spend.png")).expect("png");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));

    let deck = folder.join("deck.pptx");
    let listing = python(
        "import sys, pptx\np = pptx.Presentation(sys.argv[1])\nprint(len(p.slides))\nfor s in p.slides:\n    kinds = sorted(set(sh.shape_type for sh in s.shapes if sh.shape_type is not None))\n    print(s.shapes.title.text if s.shapes.title else '', [str(k) for k in kinds], s.has_notes_slide and s.notes_slide.notes_text_frame.text)",
        &deck,
    );
    assert!(listing.starts_with("5\n"), "{listing}");
    assert!(listing.contains("Open with the headline."), "{listing}");
    assert!(
        listing.contains("The chart we drew") && listing.contains("PICTURE"),
        "{listing}"
    );
    assert!(
        listing.contains("Numbers") && listing.contains("TABLE"),
        "{listing}"
    );

    let report = folder.join("report.pdf");
    let pdf_text = python(
        "import sys, pypdf\nr = pypdf.PdfReader(sys.argv[1])\nprint(len(r.pages), r.metadata.title, r.metadata.author)\nprint(r.pages[1].extract_text())",
        &report,
    );
    assert!(pdf_text.contains("Q3 report Ops"), "{pdf_text}");
    // The tools' answers count what the files hold.
    let pages = pdf_text.split_whitespace().next().unwrap_or_default();
    let answers = text(&out);
    assert!(answers.contains(&format!("{pages} pages")), "{answers}");
    assert!(answers.contains("wrote deck.pptx: 5 slides"), "{answers}");
    assert!(
        pdf_text.contains("Summary") && pdf_text.contains("Page 2"),
        "{pdf_text}"
    );

    for (file, at_least) in [(&deck, 5), (&report, 2)] {
        let pngs = env.work.path().join(format!(
            "png-{}",
            file.file_stem().and_then(|s| s.to_str()).unwrap_or("x")
        ));
        let pages = errand_testkit::office::render_pages(file, &pngs);
        assert!(
            pages >= at_least,
            "{} rendered {pages} pages",
            file.display()
        );
    }
}
