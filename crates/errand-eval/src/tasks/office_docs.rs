//! Office documents from notes and data: a Word document, a deck, a PDF report and a memo
//! with a table. Graders read the files' text the way Errand's reader extracts it.
use super::{EvalTask, WORK, call, finish, write_all};
use crate::grade::{Graded, ensure, mentions};
use serde_json::json;
use std::path::Path;

pub fn tasks() -> Vec<EvalTask> {
    vec![
        EvalTask {
            name: "notes-to-docx",
            covers: "Markdown notes to a Word document with headings",
            outcome: "Turn meeting-notes.md into a Word document meeting-notes.docx with a heading for each section",
            folders: WORK,
            setup: docx_setup,
            grade: docx_grade,
            reference: docx_reference,
            answer: None,
            approve: true,
        },
        EvalTask {
            name: "notes-to-deck",
            covers: "notes to a slide deck, one slide per section",
            outcome: "Make a deck, deck.pptx, from notes.md: one slide per section",
            folders: WORK,
            setup: deck_setup,
            grade: deck_grade,
            reference: deck_reference,
            answer: None,
            approve: true,
        },
        EvalTask {
            name: "notes-to-pdf",
            covers: "notes to a PDF report",
            outcome: "Make a PDF report, report.pdf, from notes.md",
            folders: WORK,
            setup: pdf_setup,
            grade: pdf_grade,
            reference: pdf_reference,
            answer: None,
            approve: true,
        },
        EvalTask {
            name: "memo-with-table",
            covers: "a memo in Word with a table built from a CSV",
            outcome: "Write a one-page memo, memo.docx, telling the team the office moves on 12 March, with a table of everyone's new desk",
            folders: WORK,
            setup: memo_setup,
            grade: memo_grade,
            reference: memo_reference,
            answer: None,
            approve: true,
        },
    ]
}

/// A section of a notes fixture: its `##` title, its body, and facts any faithful
/// rendering keeps (checked ignoring case).
struct Section {
    title: &'static str,
    body: &'static str,
    facts: &'static [&'static str],
}

fn notes_markdown(heading: &str, sections: &[Section]) -> String {
    let mut out = format!("# {heading}\n");
    for s in sections {
        out.push_str(&format!("\n## {}\n\n{}\n", s.title, s.body));
    }
    out
}

/// The body's lines without list markers: a paragraph or bullets in a deliverable.
fn body_lines(body: &str) -> Vec<String> {
    body.lines()
        .map(|l| l.trim().trim_start_matches("- ").to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Collapses runs of whitespace, so facts match text a PDF extractor split across lines.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Fails unless `text` (from `file`) mentions every section's title and facts.
fn covers_sections(file: &str, text: &str, sections: &[Section]) -> Result<(), String> {
    let text = squash(text);
    for s in sections {
        ensure(
            mentions(&text, s.title),
            format!("{file} has no section \"{}\"", s.title),
        )?;
        for fact in s.facts {
            ensure(
                mentions(&text, fact),
                format!("{file} leaves out \"{fact}\" from the {} section", s.title),
            )?;
        }
    }
    Ok(())
}

const MEETING: &[Section] = &[
    Section {
        title: "Decisions",
        body: "- The customer portal moves to the new hosting provider by 30 April.\n- We reuse the design system from the Orion project.",
        facts: &["30 April", "Orion"],
    },
    Section {
        title: "Risks",
        body: "- Exporting the data from the old CRM can take up to two weeks.\n- Only one engineer knows the billing module.",
        facts: &["CRM", "billing"],
    },
    Section {
        title: "Next steps",
        body: "- Marta books the vendor demo for 10 March.\n- Jonas drafts the migration checklist.",
        facts: &["Marta", "10 March"],
    },
];
const MEETING_HEADING: &str = "Project Atlas kickoff, 3 March";

fn docx_setup(root: &Path) -> std::io::Result<()> {
    let notes = notes_markdown(MEETING_HEADING, MEETING);
    write_all(root, &[("work/meeting-notes.md", notes.as_bytes())])
}

fn docx_grade(g: &Graded) -> Result<(), String> {
    let text = g.office_text("work/meeting-notes.docx")?;
    // The reader marks headings with `#`, whatever their level.
    for s in MEETING {
        ensure(
            text.lines()
                .any(|l| l.starts_with('#') && mentions(l, s.title)),
            format!(
                "meeting-notes.docx has no heading \"{}\" (as a heading style)",
                s.title
            ),
        )?;
    }
    covers_sections("meeting-notes.docx", &text, MEETING)
}

fn docx_reference() -> serde_json::Value {
    let mut blocks = Vec::new();
    for s in MEETING {
        blocks.push(json!({"type": "heading", "text": s.title}));
        blocks.push(json!({"type": "bullets", "items": body_lines(s.body)}));
    }
    json!([
        call("read_file", json!({"path": "meeting-notes.md"})),
        call(
            "create_document",
            json!({"path": "meeting-notes.docx", "title": MEETING_HEADING, "blocks": blocks})
        ),
        finish(
            "meeting-notes.docx has a title page and a heading for each section: Decisions, Risks, Next steps.",
            &["meeting-notes.docx"]
        )
    ])
}

const REVIEW: &[Section] = &[
    Section {
        title: "Volume",
        body: "Tickets rose 18% to 4,210, mostly billing questions after the price change.",
        facts: &["18%"],
    },
    Section {
        title: "Response times",
        body: "First response averaged 3.2 hours, down from 5.1 hours in Q1.",
        facts: &["3.2"],
    },
    Section {
        title: "Staffing",
        body: "Two new agents start in July; weekend cover moves to a rota.",
        facts: &["July"],
    },
    Section {
        title: "Next quarter",
        body: "Launch the self-service help centre and cut billing tickets by a quarter.",
        facts: &["self-service"],
    },
];
const REVIEW_HEADING: &str = "Q2 customer support review";

fn deck_setup(root: &Path) -> std::io::Result<()> {
    let notes = notes_markdown(REVIEW_HEADING, REVIEW);
    write_all(root, &[("work/notes.md", notes.as_bytes())])
}

fn deck_grade(g: &Graded) -> Result<(), String> {
    let text = g.office_text("work/deck.pptx")?;
    // The reader starts each slide with `## Slide N`.
    let slides = text.lines().filter(|l| l.starts_with("## Slide ")).count();
    ensure(
        slides >= REVIEW.len(),
        format!(
            "deck.pptx has {slides} slides for {} sections",
            REVIEW.len()
        ),
    )?;
    covers_sections("deck.pptx", &text, REVIEW)
}

fn deck_reference() -> serde_json::Value {
    let mut slides = vec![json!({"type": "title", "title": REVIEW_HEADING})];
    for s in REVIEW {
        slides.push(json!({"type": "bullets", "title": s.title, "bullets": body_lines(s.body)}));
    }
    json!([
        call("read_file", json!({"path": "notes.md"})),
        call(
            "create_presentation",
            json!({"path": "deck.pptx", "title": REVIEW_HEADING, "slides": slides})
        ),
        finish(
            "deck.pptx: a title slide, then one slide per section (Volume, Response times, Staffing, Next quarter).",
            &["deck.pptx"]
        )
    ])
}

const AUDIT: &[Section] = &[
    Section {
        title: "Scope",
        body: "We counted stock at the Leeds warehouse on 6 and 7 May: 1,842 product lines across 3 halls.",
        facts: &["Leeds", "1,842"],
    },
    Section {
        title: "Findings",
        body: "- 37 lines differed from the system count; the largest gap was 120 units of packing tape.\n- Shrinkage was 0.8% of stock value, against a target of 0.5%.",
        facts: &["37", "0.8%"],
    },
    Section {
        title: "Actions",
        body: "- Cycle counts every month in hall C.\n- Sign-off for write-offs above 500 pounds moves to the finance lead.",
        facts: &["hall C", "500"],
    },
];
const AUDIT_HEADING: &str = "Warehouse stock audit, May";

fn pdf_setup(root: &Path) -> std::io::Result<()> {
    let notes = notes_markdown(AUDIT_HEADING, AUDIT);
    write_all(root, &[("work/notes.md", notes.as_bytes())])
}

fn pdf_grade(g: &Graded) -> Result<(), String> {
    let text = g.office_text("work/report.pdf")?;
    covers_sections("report.pdf", &text, AUDIT)
}

fn pdf_reference() -> serde_json::Value {
    let mut blocks = Vec::new();
    for s in AUDIT {
        blocks.push(json!({"type": "heading", "text": s.title}));
        let lines = body_lines(s.body);
        if s.body.starts_with("- ") {
            blocks.push(json!({"type": "bullets", "items": lines}));
        } else {
            blocks.push(json!({"type": "paragraph", "text": lines.join(" ")}));
        }
    }
    json!([
        call("read_file", json!({"path": "notes.md"})),
        call(
            "create_pdf",
            json!({"path": "report.pdf", "title": AUDIT_HEADING, "blocks": blocks})
        ),
        finish(
            "report.pdf: title page, then Scope, Findings and Actions from the notes.",
            &["report.pdf"]
        )
    ])
}

/// (name, old desk, new desk).
const DESKS: [(&str, &str, &str); 5] = [
    ("Amira Haddad", "2.14", "3.05"),
    ("Ben Okafor", "2.15", "3.06"),
    ("Chloé Dubois", "2.18", "3.09"),
    ("Dan Whitaker", "2.21", "3.11"),
    ("Eva Lindqvist", "2.22", "3.12"),
];

fn memo_setup(root: &Path) -> std::io::Result<()> {
    let mut csv = String::from("name,old desk,new desk\n");
    for (name, old, new) in DESKS {
        csv.push_str(&format!("{name},{old},{new}\n"));
    }
    write_all(root, &[("work/desks.csv", csv.as_bytes())])
}

fn memo_grade(g: &Graded) -> Result<(), String> {
    let text = g.office_text("work/memo.docx")?;
    let plain = squash(&text);
    ensure(
        mentions(&plain, "12 March") || mentions(&plain, "March 12"),
        "memo.docx does not give the move date, 12 March",
    )?;
    // The reader writes each table row as `| a | b | c |`.
    for (name, _, new) in DESKS {
        ensure(
            text.lines()
                .any(|l| l.starts_with('|') && l.contains(name) && l.contains(new)),
            format!("no table row in memo.docx gives {name}'s new desk {new}"),
        )?;
    }
    Ok(())
}

fn memo_reference() -> serde_json::Value {
    let rows: Vec<serde_json::Value> = DESKS
        .iter()
        .map(|(name, old, new)| json!([name, old, new]))
        .collect();
    json!([
        call("read_file", json!({"path": "desks.csv"})),
        call(
            "create_document",
            json!({"path": "memo.docx", "blocks": [
                {"type": "heading", "text": "Office move on 12 March"},
                {"type": "paragraph", "text": "To: the team. We move to the third floor on **12 March**. Please pack your desk by the evening of 11 March; the movers take labelled crates overnight."},
                {"type": "paragraph", "text": "Your new desk:"},
                {"type": "table", "header": ["Name", "Old desk", "New desk"], "rows": rows},
                {"type": "paragraph", "text": "Questions go to the office manager."}
            ]})
        ),
        finish(
            "memo.docx announces the move on 12 March with a table of the five new desks.",
            &["memo.docx"]
        )
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use errand_office::blocks::DocumentSpec;

    fn grade_docx(
        setup: fn(&Path) -> std::io::Result<()>,
        rel: &str,
        blocks: serde_json::Value,
        grade: fn(&Graded) -> Result<(), String>,
    ) -> Result<(), String> {
        let dir = tempfile::tempdir().expect("dir");
        setup(dir.path()).expect("fixture");
        let before = crate::grade::tree(dir.path());
        let spec: DocumentSpec = serde_json::from_value(json!({"blocks": blocks})).expect("spec");
        let bytes =
            errand_office::docx::build(&spec, &errand_office::media::NoImages).expect("docx");
        std::fs::write(dir.path().join(rel), bytes).expect("write");
        let view = errand_core::TaskView::default();
        grade(&Graded {
            root: dir.path(),
            before: &before,
            view: &view,
            events: &[],
        })
    }

    #[test]
    fn section_titles_as_plain_paragraphs_are_not_headings() {
        let notes = notes_markdown(MEETING_HEADING, MEETING);
        let blocks: Vec<serde_json::Value> = notes
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| json!({"type": "paragraph", "text": l.trim_start_matches('#').trim()}))
            .collect();
        let result = grade_docx(
            docx_setup,
            "work/meeting-notes.docx",
            json!(blocks),
            docx_grade,
        );
        assert!(
            result.as_ref().is_err_and(|e| e.contains("Decisions")),
            "{result:?}"
        );
    }

    #[test]
    fn a_memo_listing_old_desks_as_new_fails() {
        let rows: Vec<Vec<&str>> = DESKS.iter().map(|(n, old, _)| vec![*n, *old]).collect();
        let result = grade_docx(
            memo_setup,
            "work/memo.docx",
            json!([
                {"type": "paragraph", "text": "We move on 12 March."},
                {"type": "table", "header": ["Name", "Desk"], "rows": rows}
            ]),
            memo_grade,
        );
        assert!(
            result.as_ref().is_err_and(|e| e.contains("Amira")),
            "{result:?}"
        );
    }
}
