//! What a waiting request would change, worked out for a person to judge: a line diff for
//! a file write or edit, a table of moves, the files a trash would take, the command with
//! its folder and network grant. Built from the call's own input and the disk as it is now.
use crate::{Runtime, RuntimeError};
use errand_core::{Event, EventKind, Network, Store, TaskView, ToolCall};
use errand_tools::Workspace;
use serde::Serialize;
use serde_json::Value;
use std::io::Read;

/// Longest text diffed; past it, the request's own preview lines stand in.
const DIFF_MAX_BYTES: u64 = 2 * 1024 * 1024;
/// Lines of a diff shown; the rest is summarised.
const DIFF_MAX_LINES: usize = 400;
/// Files listed under a folder about to be trashed.
const TRASH_MAX_FILES: usize = 200;

#[derive(Debug, Clone, Serialize)]
pub struct ApprovalPreview {
    pub call_id: String,
    pub agent: Option<String>,
    pub tool: String,
    pub summary: String,
    pub detail: PreviewDetail,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DiffLine {
    /// " " unchanged, "-" removed, "+" added, "…" lines left out.
    pub op: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MoveRow {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TrashFile {
    pub path: String,
    pub size: Option<u64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PreviewDetail {
    Diff {
        path: String,
        new_file: bool,
        lines: Vec<DiffLine>,
    },
    Moves {
        rows: Vec<MoveRow>,
    },
    Trash {
        files: Vec<TrashFile>,
    },
    Command {
        command: String,
        cwd: String,
        network: Value,
    },
    Plan {
        steps: Value,
    },
    Lines {
        lines: Vec<String>,
    },
    /// A page the task would download: its address and the site, which the task was not
    /// given (a granted one does not ask).
    Fetch {
        url: String,
        site: String,
    },
}

impl Runtime {
    /// Every request the task waits on, with a preview of its change.
    pub fn approvals(&self, task: &str) -> Result<Vec<ApprovalPreview>, RuntimeError> {
        let row = self.task(task)?;
        let events = self.store.events(&row.id)?;
        let view = TaskView::fold(&events);
        let workspace = Workspace::open(&view.grants).ok();
        Ok(view
            .waiting_for
            .iter()
            .map(|pending| {
                let call = find_call(&events, &pending.call_id);
                let detail = match (call, &workspace) {
                    (Some(call), Some(ws)) => detail(ws, &view, call),
                    _ => None,
                };
                ApprovalPreview {
                    call_id: pending.call_id.clone(),
                    agent: pending.agent.clone(),
                    tool: pending.tool.clone(),
                    summary: pending.summary.clone(),
                    detail: detail.unwrap_or_else(|| PreviewDetail::Lines {
                        lines: pending.preview.clone(),
                    }),
                }
            })
            .collect())
    }
}

/// The call with this id in the latest turns of any agent of the task.
fn find_call<'a>(events: &'a [Event], call_id: &str) -> Option<&'a ToolCall> {
    events.iter().rev().find_map(|e| match &e.kind {
        EventKind::ModelTurn { tool_calls, .. } => tool_calls.iter().find(|c| c.id == call_id),
        _ => None,
    })
}

fn text<'a>(input: &'a Value, key: &str) -> Option<&'a str> {
    input.get(key).and_then(Value::as_str)
}

/// The preview for one call; `None` when its input does not fit (the tool will say why).
fn detail(ws: &Workspace, view: &TaskView, call: &ToolCall) -> Option<PreviewDetail> {
    let input = &call.input;
    match call.name.as_str() {
        "write_file" => {
            let path = text(input, "path")?;
            let before = read_text(ws, path);
            Some(diff(path, before.as_deref(), text(input, "content")?))
        }
        "edit_file" => {
            let path = text(input, "path")?;
            let (old, new) = (text(input, "old")?, text(input, "new")?);
            let current = read_text(ws, path)?;
            let all = input.get("replace_all").and_then(Value::as_bool) == Some(true);
            let edited = if all {
                current.replace(old, new)
            } else {
                current.replacen(old, new, 1)
            };
            Some(diff(path, Some(&current), &edited))
        }
        "move_path" | "copy_path" => {
            let mut rows = Vec::new();
            if let (Some(from), Some(to)) = (text(input, "from"), text(input, "to")) {
                rows.push(MoveRow {
                    from: from.into(),
                    to: to.into(),
                });
            }
            for pair in input
                .get("moves")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let (Some(from), Some(to)) = (text(pair, "from"), text(pair, "to")) {
                    rows.push(MoveRow {
                        from: from.into(),
                        to: to.into(),
                    });
                }
            }
            Some(PreviewDetail::Moves { rows })
        }
        "trash_path" => {
            let mut paths: Vec<&str> = text(input, "path").into_iter().collect();
            paths.extend(
                input
                    .get("paths")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str),
            );
            let mut files = Vec::new();
            for path in paths {
                trash_files(ws, path, &mut files);
            }
            Some(PreviewDetail::Trash { files })
        }
        "run_command" => {
            let cwd = text(input, "cwd").unwrap_or(".");
            // The real folder it runs in; the call's own words when it does not resolve
            // (the tool will refuse it and say why).
            let folder = match ws.resolve(cwd) {
                Ok(r) => ws
                    .root(r.root)
                    .grant
                    .path
                    .join(&r.rel)
                    .display()
                    .to_string(),
                Err(_) => cwd.to_string(),
            };
            let network = match &view.commands.network {
                Network::Off => Value::from("off"),
                Network::All => Value::from("all"),
                Network::Hosts(hosts) => Value::from(hosts.clone()),
            };
            Some(PreviewDetail::Command {
                command: text(input, "command")?.into(),
                cwd: folder,
                network,
            })
        }
        "web_fetch" => {
            let url = text(input, "url")?;
            let site = url
                .split_once("://")
                .map(|(_, rest)| rest)
                .unwrap_or(url)
                .split(['/', '?', '#'])
                .next()
                .unwrap_or(url);
            Some(PreviewDetail::Fetch {
                url: url.into(),
                site: site.into(),
            })
        }
        "update_plan" => Some(PreviewDetail::Plan {
            steps: input.get("steps")?.clone(),
        }),
        _ => None,
    }
}

/// A file's text as it is now; `None` when it does not exist, is binary or too big.
fn read_text(ws: &Workspace, path: &str) -> Option<String> {
    let r = ws.resolve(path).ok()?;
    let file = ws.root(r.root).dir.open(&r.rel).ok()?;
    let mut bytes = Vec::new();
    file.take(DIFF_MAX_BYTES).read_to_end(&mut bytes).ok()?;
    String::from_utf8(bytes).ok()
}

/// Lines changed, with three lines of context around each change.
fn diff(path: &str, before: Option<&str>, after: &str) -> PreviewDetail {
    let old = before.unwrap_or("");
    let diff = similar::TextDiff::from_lines(old, after);
    let mut lines = Vec::new();
    for (n, group) in diff.grouped_ops(3).iter().enumerate() {
        if n > 0 {
            lines.push(DiffLine {
                op: "…",
                text: String::new(),
            });
        }
        for op in group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Equal => " ",
                    similar::ChangeTag::Delete => "-",
                    similar::ChangeTag::Insert => "+",
                };
                let text = change.value().trim_end_matches(['\n', '\r']).to_string();
                lines.push(DiffLine { op: sign, text });
            }
        }
    }
    if lines.len() > DIFF_MAX_LINES {
        let more = lines.len() - DIFF_MAX_LINES;
        lines.truncate(DIFF_MAX_LINES);
        lines.push(DiffLine {
            op: "…",
            text: format!("{more} more lines"),
        });
    }
    PreviewDetail::Diff {
        path: path.into(),
        new_file: before.is_none(),
        lines,
    }
}

/// The file at `path`, or every file under the folder at `path`, with sizes.
fn trash_files(ws: &Workspace, path: &str, out: &mut Vec<TrashFile>) {
    let Ok(r) = ws.resolve(path) else {
        out.push(TrashFile {
            path: path.into(),
            size: None,
        });
        return;
    };
    let dir = &ws.root(r.root).dir;
    let Ok(meta) = dir.symlink_metadata(&r.rel) else {
        out.push(TrashFile {
            path: r.display,
            size: None,
        });
        return;
    };
    if !meta.is_dir() {
        out.push(TrashFile {
            path: r.display,
            size: Some(meta.len()),
        });
        return;
    }
    let mut stack = vec![r.rel.clone()];
    while let Some(rel) = stack.pop() {
        let Ok(entries) = dir.read_dir(&rel) else {
            continue;
        };
        for entry in entries.flatten() {
            if out.len() >= TRASH_MAX_FILES {
                out.push(TrashFile {
                    path: format!("… and more under {}", r.display),
                    size: None,
                });
                return;
            }
            let child = rel.join(entry.file_name());
            match entry.metadata() {
                Ok(m) if m.is_dir() => stack.push(child),
                Ok(m) => out.push(TrashFile {
                    path: ws.display(r.root, &child),
                    size: Some(m.len()),
                }),
                Err(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_file_shows_removed_and_added_lines_with_context() {
        let PreviewDetail::Diff {
            lines, new_file, ..
        } = diff("a.md", Some("one\ntwo\nthree\n"), "one\n2\nthree\nfour\n")
        else {
            panic!("not a diff");
        };
        assert!(!new_file);
        let shown: Vec<String> = lines
            .iter()
            .map(|l| format!("{}{}", l.op, l.text))
            .collect();
        assert_eq!(shown, [" one", "-two", "+2", " three", "+four"]);
        let PreviewDetail::Diff {
            lines, new_file, ..
        } = diff("b.md", None, "hello\n")
        else {
            panic!("not a diff");
        };
        assert!(new_file);
        assert_eq!(
            lines,
            [DiffLine {
                op: "+",
                text: "hello".into()
            }]
        );
    }
}
