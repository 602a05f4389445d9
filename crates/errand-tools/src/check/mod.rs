//! The result check that runs after `finish`, before a person is told "Done": every
//! deliverable exists, office files open, workbooks recalculate without error values, text
//! files are not empty, and files the request names are there. It reads only; what it finds
//! goes back to the model once, then to the person (exit code 5).
use crate::workspace::Workspace;
use errand_core::agent::ResultCheck;
use errand_core::{EventKind, JournalOp, JournalState, Store, TaskView};
pub use request::{
    AskedKind, EachFile, asked_kinds, asks_for_changes, asks_for_formulas, asks_to_organize,
    each_file, named_files,
};
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

mod citations;
mod request;

/// Larger files are checked for existence only.
const MAX_CHECKED_BYTES: u64 = 64 * 1024 * 1024;
/// How far the search for a file the request names looks.
const MAX_WALK_DEPTH: usize = 6;
const MAX_WALK_ENTRIES: usize = 20_000;

pub struct ResultChecker {
    workspace: Arc<Workspace>,
    store: Arc<dyn Store>,
}

impl ResultChecker {
    pub fn new(workspace: Arc<Workspace>, store: Arc<dyn Store>) -> Self {
        ResultChecker { workspace, store }
    }
}

#[async_trait::async_trait]
impl ResultCheck for ResultChecker {
    async fn check(&self, view: &TaskView) -> Vec<String> {
        let workspace = self.workspace.clone();
        let store = self.store.clone();
        let view = view.clone();
        tokio::task::spawn_blocking(move || problems(&workspace, store.as_ref(), &view))
            .await
            .unwrap_or_else(|e| vec![format!("the result check could not run: {e}")])
    }
}

/// Every call the task's agents made, in order.
fn calls(store: &dyn Store, task_id: &str) -> Vec<errand_core::ToolCall> {
    let Ok(events) = store.events(task_id) else {
        return Vec::new();
    };
    events
        .into_iter()
        .filter_map(|event| match event.kind {
            EventKind::ModelTurn { tool_calls, .. } => Some(tool_calls),
            _ => None,
        })
        .flatten()
        .collect()
}

/// Every path (and command line) the calls named: what they opened, listed, moved or ran.
/// Contents they wrote are left out: a document that says "from notes.txt" has not opened
/// notes.txt.
fn call_paths(calls: &[errand_core::ToolCall]) -> Vec<String> {
    let mut paths = Vec::new();
    for call in calls {
        collect_paths(&call.input, &mut paths);
    }
    paths
}

const PATH_KEYS: &[&str] = &["path", "from", "to", "paths", "command", "cwd", "glob"];

fn collect_paths(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(fields) => {
            for (key, value) in fields {
                match value {
                    serde_json::Value::String(text) if PATH_KEYS.contains(&key.as_str()) => {
                        out.push(text.clone());
                    }
                    serde_json::Value::Array(items) if PATH_KEYS.contains(&key.as_str()) => {
                        out.extend(items.iter().filter_map(|i| i.as_str().map(str::to_string)));
                    }
                    _ => collect_paths(value, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| collect_paths(i, out)),
        _ => {}
    }
}

/// Whether a call may have read every file at once: a command, a search, a wildcard.
fn went_through_all(calls: &[errand_core::ToolCall]) -> bool {
    calls.iter().any(|call| {
        matches!(call.name.as_str(), "run_command" | "search_files")
            || call.input.to_string().contains('*')
    })
}

/// A request to go through each file of a kind, and files of that kind at the top of the
/// folders that no call ever named: whatever was made for "each file" left them out.
fn files_never_opened(
    workspace: &Workspace,
    touched: &Touched,
    opened: &[String],
    each: &EachFile,
) -> Vec<String> {
    let mut missed = Vec::new();
    for root in workspace.roots() {
        let Ok(entries) = root.dir.entries() else {
            continue;
        };
        for entry in entries.flatten() {
            if !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let name = entry.file_name().to_string_lossy().to_string();
            let ext = Path::new(&name)
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default()
                .to_ascii_lowercase();
            let of_kind = each.extensions.is_empty() || each.extensions.contains(&ext.as_str());
            let made = touched
                .written
                .iter()
                .any(|w| base_name(w).eq_ignore_ascii_case(&name));
            if name.starts_with('.') || !of_kind || made {
                continue;
            }
            if !opened.iter().any(|path| path.contains(&name)) {
                missed.push(name);
            }
        }
    }
    if missed.is_empty() {
        return Vec::new();
    }
    missed.sort();
    let count = missed.len();
    missed.truncate(8);
    vec![format!(
        "the request asks about each {}, but the task never opened {count} of them: {}",
        each.described,
        missed.join(", ")
    )]
}

/// What the task changed, from its journal: files it wrote, and paths it moved or trashed
/// away (a request may name a file the task was asked to move or remove).
#[derive(Default)]
struct Touched {
    written: Vec<String>,
    gone: HashSet<String>,
    /// Changes of any kind the task made.
    changes: usize,
}

fn touched(store: &dyn Store, task_id: &str) -> Touched {
    let mut touched = Touched::default();
    let Ok(journal) = store.journal(task_id) else {
        return touched;
    };
    for record in journal.iter().filter(|r| r.state == JournalState::Done) {
        touched.changes += usize::from(record.op.is_change());
        match &record.op {
            JournalOp::Write { path, .. } | JournalOp::Copy { to: path, .. }
                if !touched.written.contains(path) =>
            {
                touched.written.push(path.clone());
            }
            JournalOp::Move { from, .. } => {
                touched.gone.insert(base_name(from).to_lowercase());
            }
            JournalOp::Trash { path, .. } => {
                touched.gone.insert(base_name(path).to_lowercase());
            }
            _ => {}
        }
    }
    touched
}

pub fn problems(workspace: &Workspace, store: &dyn Store, view: &TaskView) -> Vec<String> {
    let touched = touched(store, &view.id);
    let mut problems = made_file_problems(workspace, view, &touched);
    // A person who refused some of the task's calls chose that the request is not met in
    // full, and plan mode changes nothing by design: what was asked is theirs to judge.
    let refused = view.approvals.values().any(|approved| !approved);
    if !refused && view.mode != errand_core::Mode::Plan {
        problems.extend(outcome_problems(workspace, store, view, &touched));
    }
    problems
}

/// Deliverables and the files the task wrote: there, opening, without error values.
fn made_file_problems(workspace: &Workspace, view: &TaskView, touched: &Touched) -> Vec<String> {
    let mut problems = Vec::new();
    let mut checked = HashSet::new();
    for deliverable in &view.deliverables {
        match find(workspace, deliverable) {
            Some(Found::File(path)) => {
                if checked.insert(path.clone()) {
                    problems.extend(one_file_problems(workspace, &path));
                }
            }
            Some(Found::Folder) => {}
            None => problems.push(format!(
                "the deliverable `{deliverable}` does not exist in the folder"
            )),
        }
    }
    // Files the task wrote but did not list are still its work; ones since moved are not
    // there to check.
    for path in &touched.written {
        if let Some(Found::File(path)) = find(workspace, path)
            && checked.insert(path.clone())
        {
            problems.extend(one_file_problems(workspace, &path));
        }
    }
    problems
}

/// What the request's own words ask for: the files it names, the kinds it wants, formulas,
/// a change at all, an organized folder.
fn outcome_problems(
    workspace: &Workspace,
    store: &dyn Store,
    view: &TaskView,
    touched: &Touched,
) -> Vec<String> {
    let mut problems = Vec::new();
    let made: Vec<&str> = view
        .deliverables
        .iter()
        .chain(&touched.written)
        .map(String::as_str)
        .collect();
    let calls = calls(store, &view.id);
    let opened = call_paths(&calls);
    for name in named_files(&view.outcome) {
        let lower = name.to_lowercase();
        let base = base_name(&name);
        if made.iter().any(|m| base_name(m).eq_ignore_ascii_case(base)) {
            continue;
        }
        if touched.gone.contains(&lower) || touched.gone.contains(base_name(&lower)) {
            continue;
        }
        if find(workspace, &name).is_none() && !exists_anywhere(workspace, base) {
            problems.push(format!(
                "the request names `{name}`, but no such file is in the folder"
            ));
            continue;
        }
        // An input the request names that no call ever touched: whatever was made "from
        // notes.txt" was made without it.
        if !opened.iter().any(|path| path.contains(base)) {
            problems.push(format!(
                "the request names `{name}`, but the task never opened it"
            ));
        }
    }
    if let Some(each) = each_file(&view.outcome)
        && !went_through_all(&calls)
    {
        problems.extend(files_never_opened(workspace, touched, &opened, &each));
    }
    if asks_for_formulas(&view.outcome) {
        problems.extend(formulas_missing(workspace, &made));
    }
    if touched.changes == 0 && asks_for_changes(&view.outcome) {
        problems.push("the request asks for a change, but the task changed no file".into());
    }
    // Whatever moved the files (move_path, a command), what counts is what is left.
    if asks_to_organize(&view.outcome) {
        problems.extend(loose_files(workspace, touched));
    }
    let mut seen = HashSet::new();
    let cited: Vec<(String, String)> = made
        .iter()
        .filter(|path| citations::cites_in(path) && seen.insert(**path))
        .filter_map(|path| {
            let bytes = read_capped(workspace, path).ok().flatten()?;
            let ext = Path::new(path).extension()?.to_str()?.to_ascii_lowercase();
            let text = match errand_office::read::extract(&ext, &bytes) {
                Some(extracted) => extracted.ok()?,
                None => String::from_utf8_lossy(&bytes).into_owned(),
            };
            Some((path.to_string(), text))
        })
        .collect();
    problems.extend(citations::unfetched_citations(store, view, &cited));
    for kind in asked_kinds(&view.outcome) {
        if !made.iter().any(|m| kind.matches(m)) {
            problems.push(format!(
                "the request asks for {}, but the task wrote none",
                kind.described
            ));
        }
    }
    problems
}

enum Found {
    File(String),
    Folder,
}

/// A path as the model gave it, also tried without a leading `./` or the folder's own name
/// (models often write `Downloads/report.xlsx` for a task with one folder).
fn find(workspace: &Workspace, path: &str) -> Option<Found> {
    let trimmed = path.trim().trim_start_matches("./");
    let mut tries = vec![trimmed.to_string()];
    if workspace.roots().len() == 1 {
        let name = &workspace.root(0).grant.name;
        if let Some(rest) = trimmed.strip_prefix(&format!("{name}/")) {
            tries.push(rest.to_string());
        }
    }
    for attempt in tries {
        let Ok(resolved) = workspace.resolve(&attempt) else {
            continue;
        };
        let dir = &workspace.root(resolved.root).dir;
        let meta = if resolved.rel.as_os_str().is_empty() {
            dir.dir_metadata()
        } else {
            dir.metadata(&resolved.rel)
        };
        match meta {
            Ok(meta) if meta.is_dir() => return Some(Found::Folder),
            Ok(_) => return Some(Found::File(attempt)),
            Err(_) => {}
        }
    }
    None
}

/// A file's bytes; `None` when it is too large to check.
fn read_capped(workspace: &Workspace, path: &str) -> std::io::Result<Option<Vec<u8>>> {
    let resolved = workspace
        .resolve(path)
        .map_err(|e| std::io::Error::other(e.0))?;
    let mut bytes = Vec::new();
    workspace
        .root(resolved.root)
        .dir
        .open(&resolved.rel)?
        .take(MAX_CHECKED_BYTES + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= MAX_CHECKED_BYTES).then_some(bytes))
}

/// What is wrong with one file, if anything.
fn one_file_problems(workspace: &Workspace, path: &str) -> Vec<String> {
    let bytes = match read_capped(workspace, path) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Vec::new(),
        Err(e) => return vec![format!("`{path}` cannot be read: {e}")],
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return vec![format!("`{path}` is empty")];
    }
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    // A workbook is parsed once: recalculating it also says whether it opens.
    if matches!(ext.as_str(), "xlsx" | "xlsm" | "ods" | "xls" | "xlsb") {
        return match errand_office::recheck::workbook_errors(&bytes) {
            Ok(errors) => errors
                .into_iter()
                .map(|e| format!("`{path}` has an error value: {e}"))
                .collect(),
            Err(e) => vec![format!("`{path}` does not open as a .{ext} file: {e}")],
        };
    }
    if let Some(Err(e)) = errand_office::read::extract(&ext, &bytes) {
        return vec![format!("`{path}` does not open as a .{ext} file: {e}")];
    }
    Vec::new()
}

/// Whether a file of this name is anywhere in the granted folders (a bounded walk).
fn exists_anywhere(workspace: &Workspace, name: &str) -> bool {
    let mut budget = MAX_WALK_ENTRIES;
    workspace
        .roots()
        .iter()
        .any(|root| walk_finds(&root.dir, name, 0, &mut budget))
}

fn walk_finds(dir: &cap_std::fs::Dir, name: &str, depth: usize, budget: &mut usize) -> bool {
    let Ok(entries) = dir.entries() else {
        return false;
    };
    for entry in entries.flatten() {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        let entry_name = entry.file_name();
        let entry_name = entry_name.to_string_lossy();
        if entry_name.eq_ignore_ascii_case(name) {
            return true;
        }
        if depth < MAX_WALK_DEPTH
            && entry.file_type().is_ok_and(|t| t.is_dir())
            && let Ok(sub) = entry.open_dir()
            && walk_finds(&sub, name, depth + 1, budget)
        {
            return true;
        }
    }
    false
}

/// A request asking for formulas is not met by workbooks of typed-in numbers.
fn formulas_missing(workspace: &Workspace, made: &[&str]) -> Vec<String> {
    let mut books = Vec::new();
    for path in made {
        let lower = path.to_ascii_lowercase();
        if !(lower.ends_with(".xlsx") || lower.ends_with(".xlsm") || lower.ends_with(".ods")) {
            continue;
        }
        let Some(Found::File(path)) = find(workspace, path) else {
            continue;
        };
        let Ok(Some(bytes)) = read_capped(workspace, &path) else {
            continue;
        };
        match errand_office::recheck::formula_count(&bytes) {
            Ok(0) => books.push(path),
            // One workbook with formulas meets the request.
            Ok(_) => return Vec::new(),
            // A workbook that does not open is named by the deliverable check.
            Err(_) => {}
        }
    }
    books
        .into_iter()
        .map(|b| {
            format!("the request asks for formulas, but `{b}` has none: its numbers are typed in")
        })
        .collect()
}

/// Files still at the top of a read-write folder after organizing it: each was to be put
/// somewhere. Files the task wrote itself (an index, a report) and hidden ones are fine.
fn loose_files(workspace: &Workspace, touched: &Touched) -> Vec<String> {
    let mut problems = Vec::new();
    for (index, root) in workspace.roots().iter().enumerate() {
        if !root.grant.writable {
            continue;
        }
        let Ok(entries) = root.dir.entries() else {
            continue;
        };
        let mut loose: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|name| !name.starts_with('.'))
            .filter(|name| {
                let shown = workspace.display(index, Path::new(name));
                !touched.written.contains(&shown)
            })
            .collect();
        if loose.is_empty() {
            continue;
        }
        loose.sort();
        let count = loose.len();
        loose.truncate(8);
        problems.push(format!(
            "the request asks to organize the folder, but {count} file(s) are still loose at the top of {}: {}",
            root.grant.name,
            loose.join(", ")
        ));
    }
    problems
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_what_calls_name_not_what_they_write() {
        let mut paths = Vec::new();
        let input = serde_json::json!({"path": "report.docx", "markdown": "from notes.txt",
            "moves": [{"from": "a.pdf", "to": "Docs/a.pdf"}], "command": "cat b.txt"});
        collect_paths(&input, &mut paths);
        paths.sort();
        assert_eq!(paths, ["Docs/a.pdf", "a.pdf", "cat b.txt", "report.docx"]);
    }
}
