//! The offline planner: built-in recipes chosen from the request, driven through the same
//! tools, policy and journal as any model. It is a `Model` that reads the conversation and
//! answers with the recipe's next tool calls, so a resumed task continues where it stopped.
mod csv_report;
mod notes;
mod organize;
mod receipts;
mod rename;
mod survey;

use async_trait::async_trait;
use errand_core::{Message, Model, ModelError, ModelRequest, ModelResponse, ToolCall};
use serde_json::Value;

pub use organize::Layout;
pub use rename::RenamePattern;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipe {
    Organize(Layout),
    Rename(RenamePattern),
    /// Markdown or text notes into one Word document.
    NotesToDocument,
    /// Markdown or text notes into one deck.
    NotesToDeck,
    /// Receipts and bank exports into an expense report workbook.
    ExpenseReport,
    /// A CSV into a report workbook and a one-page PDF.
    CsvReport,
}

impl Recipe {
    pub fn title(&self) -> String {
        match self {
            Recipe::Organize(layout) => format!("organize by {}", layout.describe()),
            Recipe::Rename(pattern) => format!("rename to `{}`", pattern.template),
            Recipe::NotesToDocument => "notes into a Word document".to_string(),
            Recipe::NotesToDeck => "notes into a slide deck".to_string(),
            Recipe::ExpenseReport => "receipts into an expense report".to_string(),
            Recipe::CsvReport => "a CSV into a report".to_string(),
        }
    }
}

/// The built-in recipes as commands, listed beside skills (`errand skills`) and run the same
/// way (`/organize by month`): (name, what it does, the request it starts from; the
/// command's words are added to it).
pub const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "organize",
        "Sort a folder's files into folders by type and date (add: by type, by date, by month...)",
        "Organize this folder",
    ),
    (
        "rename",
        "Rename files to a pattern, e.g. YYYY-MM-DD name.ext",
        "Rename the files to",
    ),
    (
        "notes-to-document",
        "Turn Markdown or text notes into one Word document",
        "Make a Word document from my notes",
    ),
    (
        "notes-to-deck",
        "Turn Markdown or text notes into a slide deck",
        "Make a presentation deck from my notes",
    ),
    (
        "expense-report",
        "Turn receipts and a bank export into an expense report workbook with formulas",
        "Turn these receipts into an expense report",
    ),
    (
        "csv-report",
        "Turn a CSV into a report workbook with a chart and a one-page PDF",
        "Make a report from the CSV",
    ),
];

/// Picks the recipe a request asks for; `None` when no recipe fits.
pub fn select(request: &str) -> Option<Recipe> {
    let text = request.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if has(&["receipt", "expense"]) {
        return Some(Recipe::ExpenseReport);
    }
    if has(&["csv"]) && has(&["report", "summar", "analy", "statistic", "overview"]) {
        return Some(Recipe::CsvReport);
    }
    if has(&["note", "markdown", ".md"])
        && has(&["deck", "presentation", "slides", "pptx", "powerpoint"])
    {
        return Some(Recipe::NotesToDeck);
    }
    if has(&["note", "markdown", ".md"]) && has(&["document", "docx", "word", "report", "write-up"])
    {
        return Some(Recipe::NotesToDocument);
    }
    if has(&["rename"]) {
        return Some(Recipe::Rename(RenamePattern::from_request(request, &text)));
    }
    if has(&[
        "organize",
        "organise",
        "sort ",
        "sort my",
        "tidy",
        "clean up",
        "cleanup",
        "declutter",
        "arrange",
        "file away",
    ]) {
        return Some(Recipe::Organize(Layout::from_request(&text)));
    }
    None
}

/// `read_file` appends a note when a file continues past the lines read; it is not part
/// of the note.
pub(crate) fn strip_read_notes(content: &str) -> String {
    content
        .lines()
        .filter(|l| !(l.starts_with("[… ") && l.ends_with(']')))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The summary when the change step was refused: plan mode gets the plan, not an error.
fn not_done(verb: &str, why: &str) -> String {
    if why.contains("plan mode") {
        format!(
            "Plan only: nothing was {verb}, because this task ran in plan mode. \
             To carry the plan out, run the same request with --mode ask (or --mode auto)."
        )
    } else {
        format!("Nothing was {verb}: {why}")
    }
}

/// The message for a request no recipe fits.
pub fn no_recipe_message(request: &str) -> String {
    format!(
        "No built-in recipe fits \"{request}\".\n\
         Offline, Errand can: organize a folder by type and date (\"organize my downloads by type and date\"), \
         batch rename to a pattern (\"rename photos to YYYY-MM-DD name.ext\"), \
         turn notes into a document or a deck (\"make a Word document from my notes\", \"make a deck from these notes\"), \
         turn receipts into an expense report (\"make an expense report from these receipts\"), \
         and turn a CSV into a report (\"make a report from orders.csv\").\n\
         For anything else, configure a model: set ANTHROPIC_API_KEY, or OPENAI_API_KEY (+ OPENAI_BASE_URL), \
         or pass --model SPEC (e.g. ollama:llama3.1, openai-compatible:MODEL@URL) — or set ERRAND_MODEL."
    )
}

pub struct Offline;

#[async_trait]
impl Model for Offline {
    fn spec(&self) -> String {
        "offline".into()
    }

    async fn complete(&self, request: &ModelRequest<'_>) -> Result<ModelResponse, ModelError> {
        let Some(Message::User { text: outcome }) = request.messages.first() else {
            return Err(ModelError::Offline("the task has no request".into()));
        };
        let recipe =
            select(outcome).ok_or_else(|| ModelError::Offline(no_recipe_message(outcome)))?;
        let history = History::of(request.messages);
        let turn = match &recipe {
            Recipe::Organize(layout) => organize::next(layout, &history)?,
            Recipe::Rename(pattern) => rename::next(pattern, &history)?,
            Recipe::NotesToDocument => notes::next(&history, notes::NotesOutput::Document)?,
            Recipe::NotesToDeck => notes::next(&history, notes::NotesOutput::Deck)?,
            Recipe::ExpenseReport => receipts::next(&history)?,
            Recipe::CsvReport => csv_report::next(outcome, &history)?,
        };
        Ok(ModelResponse {
            text: turn.text,
            tool_calls: turn.calls,
            usage: Default::default(),
        })
    }
}

/// One planner turn: a line for the person and the calls to make.
pub(crate) struct Turn {
    pub text: String,
    pub calls: Vec<ToolCall>,
}

impl Turn {
    pub fn new(text: impl Into<String>, calls: Vec<(&str, Value)>) -> Turn {
        Turn {
            text: text.into(),
            calls: calls
                .into_iter()
                .map(|(name, input)| ToolCall {
                    id: String::new(),
                    name: name.into(),
                    input,
                })
                .collect(),
        }
    }
}

/// The calls made so far and their results, in order.
pub(crate) struct History<'a> {
    calls: Vec<(&'a ToolCall, Option<(&'a str, bool)>)>,
}

impl<'a> History<'a> {
    fn of(messages: &'a [Message]) -> History<'a> {
        let mut calls: Vec<(&ToolCall, Option<(&str, bool)>)> = Vec::new();
        for message in messages {
            match message {
                Message::Assistant { tool_calls, .. } => {
                    calls.extend(tool_calls.iter().map(|c| (c, None)))
                }
                Message::ToolResult {
                    call_id,
                    content,
                    is_error,
                    ..
                } => {
                    if let Some(slot) = calls.iter_mut().find(|(c, _)| &c.id == call_id) {
                        slot.1 = Some((errand_core::fence::unfenced(content), *is_error));
                    }
                }
                Message::User { .. } => {}
            }
        }
        History { calls }
    }

    /// The result of the latest call to `tool`: (content, is_error).
    pub fn last(&self, tool: &str) -> Option<(&'a str, bool)> {
        self.calls
            .iter()
            .rev()
            .find(|(c, _)| c.name == tool)
            .and_then(|(_, r)| *r)
    }

    pub fn count(&self, tool: &str) -> usize {
        self.calls.iter().filter(|(c, _)| c.name == tool).count()
    }

    /// Every finished call to `tool`: its input and (content, is_error).
    pub fn results(&self, tool: &str) -> Vec<(&'a Value, (&'a str, bool))> {
        self.calls
            .iter()
            .filter(|(c, _)| c.name == tool)
            .filter_map(|(c, r)| r.map(|r| (&c.input, r)))
            .collect()
    }

    /// The inputs of every call to `tool`, in order.
    pub fn inputs(&self, tool: &str) -> Vec<&'a Value> {
        self.calls
            .iter()
            .filter(|(c, _)| c.name == tool)
            .map(|(c, _)| &c.input)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_recipes_from_plain_words() {
        assert!(matches!(
            select("Organize my Downloads by type and date"),
            Some(Recipe::Organize(_))
        ));
        assert!(matches!(
            select("please tidy this folder"),
            Some(Recipe::Organize(_))
        ));
        assert!(matches!(
            select("rename photos to YYYY-MM-DD name.ext"),
            Some(Recipe::Rename(_))
        ));
        assert_eq!(
            select("make a Word document from my notes"),
            Some(Recipe::NotesToDocument)
        );
        assert_eq!(
            select("turn these receipts into an expense report"),
            Some(Recipe::ExpenseReport)
        );
        assert_eq!(
            select("make a deck from these notes"),
            Some(Recipe::NotesToDeck)
        );
        assert_eq!(
            select("make a report from orders.csv"),
            Some(Recipe::CsvReport)
        );
        assert_eq!(select("write me a poem"), None);
        assert!(no_recipe_message("write me a poem").contains("ANTHROPIC_API_KEY"));
    }
}
