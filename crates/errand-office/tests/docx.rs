//! A document Errand writes opens in python-docx, converts with LibreOffice and renders
//! with pdftoppm, and reads back with its headings, lists and tables.
use errand_office::blocks::DocumentSpec;
use serde_json::json;

fn report() -> DocumentSpec {
    serde_json::from_value(json!({
        "title": "Quarterly Operations Review",
        "subtitle": "Q3 2026",
        "author": "Finance team",
        "date": "2026-10-05",
        "blocks": [
            {"type": "heading", "text": "Summary"},
            {"type": "paragraph", "text": "Revenue rose **12%** to $4.2M while costs held *flat*. Details are in [the ledger](https://example.com/ledger)."},
            {"type": "bullets", "items": ["North region up 18%", "South region flat", "Two new clients signed"]},
            {"type": "heading", "text": "Spending by category", "level": 2},
            {"type": "table", "header": ["Category", "Amount", "Share"],
             "rows": [["Travel", "$435.50", "25.7%"], ["Meals", "$48.20", "2.8%"], ["Office", "$1,020.75", "60.2%"], ["Lodging", "$189.99", "11.2%"]]},
            {"type": "heading", "text": "Next steps", "level": 2},
            {"type": "numbered", "items": ["Close the Q3 books", "Review vendor contracts", "Plan the Q4 budget"]},
            {"type": "page_break"},
            {"type": "heading", "text": "Appendix"},
            {"type": "numbered", "items": ["Method", "Sources"]}
        ]
    }))
    .expect("spec")
}

#[test]
fn a_report_opens_converts_and_reads_back() {
    let bytes =
        errand_office::docx::build(&report(), &errand_office::media::NoImages).expect("docx");
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("review.docx");
    std::fs::write(&file, &bytes).expect("write");
    if let Some(keep) = std::env::var_os("ERRAND_KEEP_OUTPUT") {
        std::fs::copy(&file, std::path::Path::new(&keep).join("review.docx")).expect("keep");
    }

    let opened = errand_testkit::office::python(
        "import sys, docx; d = docx.Document(sys.argv[1]); print(len(d.paragraphs), len(d.tables))",
        &file,
    );
    assert!(opened.trim().ends_with(" 1"), "one table");

    let pages = errand_testkit::office::render_pages(&file, &dir.path().join("png"));
    assert_eq!(pages, 3, "title page, body, appendix");

    let text = errand_office::read::extract("docx", &bytes)
        .expect("docx")
        .expect("readable");
    assert!(text.contains("# Quarterly Operations Review"), "{text}");
    assert!(text.contains("# Summary\n"), "{text}");
    assert!(text.contains("## Spending by category"), "{text}");
    assert!(text.contains("- North region up 18%"), "{text}");
    assert!(text.contains("| Office | $1,020.75 | 60.2% |"), "{text}");
    assert!(text.contains("Revenue rose 12% to $4.2M"), "{text}");
}

#[test]
fn bad_documents_name_the_field() {
    let spec: DocumentSpec =
        serde_json::from_value(json!({"blocks": [{"type": "heading", "text": "x", "level": 7}]}))
            .expect("spec");
    let e = errand_office::docx::build(&spec, &errand_office::media::NoImages)
        .expect_err("refused")
        .to_string();
    assert!(e.contains("blocks[0].level"), "{e}");
    // A row longer than its header would lose cells: refused, as the PDF refuses it.
    let spec: DocumentSpec = serde_json::from_value(
        json!({"blocks": [{"type": "table", "header": ["A"], "rows": [["1", "2"]]}]}),
    )
    .expect("spec");
    let e = errand_office::docx::build(&spec, &errand_office::media::NoImages)
        .expect_err("refused")
        .to_string();
    assert!(e.contains("blocks[0].rows[0]"), "{e}");
    let spec: DocumentSpec = serde_json::from_value(json!({"blocks": []})).expect("spec");
    assert!(errand_office::docx::build(&spec, &errand_office::media::NoImages).is_err());
}
