//! Recipe: Markdown or text notes in a folder → one Word document or one deck, through
//! the Markdown input of `create_document` / `create_presentation`: each note a section,
//! in name order.
use super::survey::{free_name, listed};
use super::{History, Turn, strip_read_notes};
use errand_core::ModelError;
use serde_json::json;
use std::collections::HashSet;

/// Notes read into one document at most; more would make an unreadable document anyway.
const MAX_NOTES: usize = 200;

fn is_note(name: &str) -> bool {
    let lower = name.to_lowercase();
    [".md", ".markdown", ".txt"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// What the notes become.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotesOutput {
    Document,
    Deck,
}

impl NotesOutput {
    fn tool(self) -> &'static str {
        match self {
            NotesOutput::Document => "create_document",
            NotesOutput::Deck => "create_presentation",
        }
    }
}

pub(super) fn next(history: &History, output: NotesOutput) -> Result<Turn, ModelError> {
    let survey = match listed(
        history,
        match output {
            NotesOutput::Document => "Turning your notes into a document. First, the notes.",
            NotesOutput::Deck => "Turning your notes into a deck. First, the notes.",
        },
    )? {
        Ok(survey) => survey,
        Err(first) => return Ok(first),
    };
    let mut notes: Vec<String> = survey
        .files
        .iter()
        .filter(|f| !f.hidden && is_note(&f.name))
        .map(|f| f.path.clone())
        .collect();
    notes.sort();
    notes.truncate(MAX_NOTES);
    if notes.is_empty() {
        return Ok(Turn::new(
            "",
            vec![(
                "finish",
                json!({"summary": "No notes here: the recipe reads .md, .markdown and .txt files. Nothing was written."}),
            )],
        ));
    }
    let reads = history.results("read_file");
    if reads.is_empty() {
        let calls = notes
            .iter()
            .map(|path| ("read_file", json!({"path": path, "limit": 100_000})))
            .collect();
        return Ok(Turn::new(format!("Reading {} notes.", notes.len()), calls));
    }
    if let Some((result, is_error)) = history.last(output.tool()) {
        let what = match output {
            NotesOutput::Document => "document",
            NotesOutput::Deck => "deck",
        };
        let summary = if is_error {
            format!("The {what} could not be written: {result}")
        } else {
            format!(
                "Wrote one {what} from {} notes, each note a section. {result}",
                notes.len()
            )
        };
        let deliverables: Vec<String> = history
            .inputs(output.tool())
            .last()
            .and_then(|i| i["path"].as_str().map(str::to_string))
            .filter(|_| !is_error)
            .into_iter()
            .collect();
        return Ok(Turn::new(
            "",
            vec![(
                "finish",
                json!({"summary": summary, "deliverables": deliverables}),
            )],
        ));
    }
    let mut markdown = String::new();
    for (input, (content, is_error)) in reads {
        if is_error {
            continue;
        }
        let path = input["path"].as_str().unwrap_or_default();
        let stem = path
            .rsplit('/')
            .next()
            .unwrap_or(path)
            .rsplit_once('.')
            .map_or(path, |(s, _)| s);
        let body = strip_read_notes(content);
        // A note without its own heading gets its name as one.
        if !body.trim_start().starts_with("# ") {
            let mut chars = stem.chars();
            let title: String = chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default();
            markdown.push_str(&format!("# {title}\n\n"));
        }
        markdown.push_str(&body);
        markdown.push_str("\n\n");
    }
    let mut taken: HashSet<String> = survey.files.iter().map(|f| f.path.clone()).collect();
    let subtitle = format!(
        "{} note{}",
        notes.len(),
        if notes.len() == 1 { "" } else { "s" }
    );
    let (path, call) = match output {
        NotesOutput::Document => {
            let (path, _) = free_name("Notes.docx", &mut taken);
            let call =
                json!({"path": path, "title": "Notes", "subtitle": subtitle, "markdown": markdown});
            (path, call)
        }
        NotesOutput::Deck => {
            let (path, _) = free_name("Notes.pptx", &mut taken);
            let call = json!({"path": path, "title": "Notes",
                "slides": [{"type": "title", "title": "Notes", "subtitle": subtitle}],
                "markdown": markdown});
            (path, call)
        }
    };
    Ok(Turn::new(
        format!("Writing {path}."),
        vec![(output.tool(), call)],
    ))
}
