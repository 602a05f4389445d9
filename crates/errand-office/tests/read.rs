//! Reading office files other programs wrote: a docx LibreOffice converted from HTML
//! (headings, a list, a table) and a pptx python-pptx built (slides and notes).
use errand_office::read::extract;
use std::process::Command;

/// Converts `file` with LibreOffice (a fresh profile each time) into `out`.
fn convert(file: &std::path::Path, filter: &str, out: &std::path::Path) {
    let profile = tempfile::tempdir().expect("profile");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.path().display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            filter,
            "--outdir",
        ])
        .arg(out)
        .arg(file)
        .output()
        .expect("soffice (apt-get install libreoffice-writer)");
    assert!(status.status.success(), "{status:?}");
}

#[test]
fn a_libreoffice_docx_reads_with_headings_lists_and_tables() {
    let dir = tempfile::tempdir().expect("dir");
    let html = dir.path().join("memo.html");
    std::fs::write(
        &html,
        "<html><body><h1>Quarterly memo</h1><p>Sales rose &amp; costs fell.</p>\
         <ul><li>North up 12%</li><li>South flat</li></ul>\
         <table><tr><th>Region</th><th>Sales</th></tr><tr><td>North</td><td>120</td></tr></table>\
         </body></html>",
    )
    .expect("html");
    convert(&html, "docx:MS Word 2007 XML", dir.path());
    let bytes = std::fs::read(dir.path().join("memo.docx")).expect("docx");
    let text = extract("docx", &bytes).expect("docx").expect("readable");
    assert!(text.contains("# Quarterly memo"), "{text}");
    assert!(text.contains("Sales rose & costs fell."), "{text}");
    assert!(text.contains("North up 12%"), "{text}");
    assert!(text.contains("| Region | Sales |"), "{text}");
    assert!(text.contains("| North | 120 |"), "{text}");
}

#[test]
fn a_python_pptx_deck_reads_slide_by_slide_with_notes() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("deck.pptx");
    let script = "import sys\nfrom pptx import Presentation\np=Presentation()\n\
        s=p.slides.add_slide(p.slide_layouts[0]);s.shapes.title.text='Plan & budget';s.placeholders[1].text='Q3 2026'\n\
        s=p.slides.add_slide(p.slide_layouts[1]);s.shapes.title.text='Goals';s.placeholders[1].text='Ship the report'\n\
        s.notes_slide.notes_text_frame.text='Mention the deadline'\np.save(sys.argv[1])\n";
    errand_testkit::office::python(script, &file);
    let bytes = std::fs::read(&file).expect("pptx");
    let text = extract("pptx", &bytes).expect("pptx").expect("readable");
    assert!(
        text.contains("## Slide 1\nPlan & budget\nQ3 2026\n"),
        "{text}"
    );
    assert!(
        text.contains("## Slide 2\nGoals\nShip the report\n"),
        "{text}"
    );
    assert!(text.contains("Notes: Mention the deadline"), "{text}");
}

#[test]
fn a_pdf_reads_page_by_page() {
    let dir = tempfile::tempdir().expect("dir");
    let spec: errand_office::blocks::DocumentSpec = serde_json::from_value(serde_json::json!({
        "title": "Board pack",
        "blocks": [{"type": "heading", "text": "Revenue"}, {"type": "paragraph", "text": "Revenue rose 12% in Q3."},
                   {"type": "page_break"}, {"type": "heading", "text": "Costs"}, {"type": "paragraph", "text": "Costs held flat."}]
    }))
    .expect("spec");
    let docx = dir.path().join("pack.docx");
    std::fs::write(
        &docx,
        errand_office::docx::build(&spec, &errand_office::media::NoImages).expect("docx"),
    )
    .expect("write");
    convert(&docx, "pdf", dir.path());
    let bytes = std::fs::read(dir.path().join("pack.pdf")).expect("pdf");
    let text = extract("pdf", &bytes).expect("pdf").expect("readable");
    let page = |n: usize| {
        text.split("## Page ")
            .find(|p| p.starts_with(&format!("{n}\n")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(page(1).contains("Board pack"), "{text}");
    assert!(page(2).contains("Revenue rose 12% in Q3."), "{text}");
    assert!(page(3).contains("Costs held flat."), "{text}");
    assert!(extract("pdf", b"%PDF-1.4 broken").expect("pdf").is_err());
}
