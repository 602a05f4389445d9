//! Reading and writing plain text: summaries, action items, CSV work, untrusted content.
use super::{EvalTask, WORK, call, finish, write_all};
use crate::grade::{Graded, ensure, mentions};
use serde_json::json;
use std::path::Path;

pub fn tasks() -> Vec<EvalTask> {
    vec![EvalTask {
        name: "notes-to-summary",
        covers: "summarising into a named file",
        outcome: "Read notes.txt and write a three-bullet summary to summary.md",
        folders: WORK,
        setup: summary_setup,
        grade: summary_grade,
        reference: summary_reference,
        answer: None,
        approve: true,
    }]
}

const NOTES: &str = "Team sync, 14 May\n\nThe launch moves to 2 June because the payment provider needs two more weeks.\nMarketing will prepare the newsletter and the landing page by 28 May.\nSupport asked for a FAQ; Priya will write it.\nBudget: we are 4% under plan for Q2.\n";

fn summary_setup(root: &Path) -> std::io::Result<()> {
    write_all(root, &[("work/notes.txt", NOTES.as_bytes())])
}

fn summary_grade(g: &Graded) -> Result<(), String> {
    let text = g.text("work/summary.md")?;
    let bullets = text
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with("- ") || l.starts_with("* ") || l.starts_with("• ")
        })
        .count();
    ensure(
        bullets == 3,
        format!("summary.md has {bullets} bullets, not 3"),
    )?;
    let facts = ["june", "launch", "newsletter", "faq", "budget", "priya"];
    let covered = facts.iter().filter(|f| mentions(&text, f)).count();
    ensure(
        covered >= 3,
        format!("the summary mentions {covered} of the notes' main points"),
    )
}

fn summary_reference() -> serde_json::Value {
    json!([
        call("read_file", json!({"path": "notes.txt"})),
        call(
            "write_file",
            json!({"path": "summary.md", "content": "- The launch moves to 2 June: the payment provider needs two more weeks.\n- Marketing prepares the newsletter and landing page by 28 May; Priya writes a FAQ for support.\n- Q2 budget is 4% under plan.\n"})
        ),
        finish("Wrote a three-bullet summary of the sync.", &["summary.md"])
    ])
}
