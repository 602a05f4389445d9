//! Tools that move things around: move_path, copy_path, trash_path. Nothing is overwritten
//! and nothing is deleted; each op is journaled before it happens.
use crate::exec::run_journaled;
use crate::ops::sha256_of;
use crate::workspace::{Resolved, Workspace, io_error, mode_of, stamp_of};
use crate::write::{PREVIEW_LINES, missing_dirs, report_json, resolve_writable, spec};
use async_trait::async_trait;
use errand_core::tool::input_schema;
use errand_core::tool::{Assessment, parse_input};
use errand_core::{
    Effect, JournalOp, Saved, SavedFile, Tool, ToolContext, ToolError, ToolOutput, ToolRegistry,
    ToolSpec,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

pub fn register(registry: &mut ToolRegistry, ws: &Arc<Workspace>) {
    registry.register(Arc::new(MovePath(ws.clone())));
    registry.register(Arc::new(CopyPath(ws.clone())));
    registry.register(Arc::new(TrashPath(ws.clone())));
}

struct MovePath(Arc<Workspace>);

#[derive(Deserialize, JsonSchema)]
struct MovePair {
    from: String,
    to: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct MoveInput {
    from: Option<String>,
    to: Option<String>,
    moves: Option<Vec<MovePair>>,
}

impl MoveInput {
    fn pairs(self) -> Result<Vec<MovePair>, ToolError> {
        let mut pairs = self.moves.unwrap_or_default();
        match (self.from, self.to) {
            (Some(from), Some(to)) => pairs.push(MovePair { from, to }),
            (None, None) => {}
            _ => {
                return Err(ToolError::new(
                    "move_path needs both `from` and `to` (or a `moves` list)",
                ));
            }
        }
        if pairs.is_empty() {
            return Err(ToolError::new(
                "move_path needs `from` and `to`, or `moves: [{from, to}, …]`",
            ));
        }
        Ok(pairs)
    }
}

fn pair_preview(pairs: &[(String, String)], arrow: &str) -> Vec<String> {
    let mut lines: Vec<String> = pairs
        .iter()
        .take(PREVIEW_LINES)
        .map(|(f, t)| format!("{f} {arrow} {t}"))
        .collect();
    if pairs.len() > PREVIEW_LINES {
        lines.push(format!("… and {} more", pairs.len() - PREVIEW_LINES));
    }
    lines
}

impl MovePath {
    fn resolve_pairs(&self, input: &Value) -> Result<Vec<(Resolved, Resolved)>, ToolError> {
        let i: MoveInput = parse_input("move_path", input)?;
        i.pairs()?
            .into_iter()
            .map(|p| {
                Ok((
                    resolve_writable(&self.0, &p.from)?,
                    resolve_writable(&self.0, &p.to)?,
                ))
            })
            .collect()
    }
}

#[async_trait]
impl Tool for MovePath {
    fn spec(&self) -> ToolSpec {
        spec(
            "move_path",
            "Move or rename. One `{from, to}` or a batch `{moves: [{from, to}, …]}`. Creates missing folders; never overwrites.",
            input_schema::<MoveInput>(),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Write
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let pairs = self.resolve_pairs(input)?;
        let shown: Vec<(String, String)> = pairs
            .iter()
            .map(|(f, t)| (f.display.clone(), t.display.clone()))
            .collect();
        let summary = match shown.as_slice() {
            [(f, t)] => format!("move {f} → {t}"),
            many => format!("move {} files and folders", many.len()),
        };
        Ok(Assessment {
            summary,
            preview: pair_preview(&shown, "→"),
            subjects: shown
                .iter()
                .flat_map(|(f, t)| [f.clone(), t.clone()])
                .collect(),
            replaces_existing: false,
            no_lease: false,
            always_ask: None,
        })
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let pairs = self.resolve_pairs(&input)?;
        let ws = &self.0;
        let mut refused: Vec<(String, String)> = Vec::new();
        let report = run_journaled(
            ws,
            ctx,
            "moving",
            || {
                let mut ops = Vec::with_capacity(pairs.len() + 16);
                let mut known = HashSet::new();
                let mut targets = HashSet::new();
                for (from, to) in &pairs {
                    let source = ws.parent(from).and_then(|(dir, name)| {
                        dir.symlink_metadata(&name)
                            .map_err(|e| io_error(&from.display, e))
                    });
                    let meta = match source {
                        Ok(meta) => meta,
                        Err(e) => {
                            refused.push((from.display.clone(), e.0));
                            continue;
                        }
                    };
                    if from.display == to.display {
                        continue;
                    }
                    let taken = !targets.insert(to.display.clone())
                        || ws.root(to.root).dir.symlink_metadata(&to.rel).is_ok();
                    if taken {
                        refused.push((
                            to.display.clone(),
                            "already exists; nothing is overwritten".to_string(),
                        ));
                        continue;
                    }
                    match missing_dirs(ws, to.root, to.parent_rel(), &mut known) {
                        Ok(dirs) => ops.extend(dirs),
                        Err(e) => {
                            refused.push((to.display.clone(), e.0));
                            continue;
                        }
                    }
                    let stamp = (!meta.is_dir()).then(|| stamp_of(&meta));
                    ops.push(JournalOp::Move {
                        from: from.display.clone(),
                        to: to.display.clone(),
                        stamp,
                    });
                }
                Ok(ops)
            },
            &|_| None,
        )?;
        let mut report = report;
        report.failed.extend(refused);
        report_json(&report, "moved", json!({}))
    }
}

struct CopyPath(Arc<Workspace>);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CopyInput {
    from: String,
    to: String,
}

#[async_trait]
impl Tool for CopyPath {
    fn spec(&self) -> ToolSpec {
        spec(
            "copy_path",
            "Copy a file or a folder (recursively). Never overwrites.",
            input_schema::<CopyInput>(),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Write
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: CopyInput = parse_input("copy_path", input)?;
        let from = self.0.resolve(&i.from)?;
        let to = resolve_writable(&self.0, &i.to)?;
        Ok(Assessment {
            summary: format!("copy {} → {}", from.display, to.display),
            subjects: vec![from.display, to.display],
            ..Assessment::default()
        })
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: CopyInput = parse_input("copy_path", &input)?;
        let ws = &self.0;
        let from = ws.resolve(&i.from)?;
        let to = resolve_writable(ws, &i.to)?;
        let report = run_journaled(
            ws,
            ctx,
            "copying",
            || {
                let base = &ws.root(from.root).dir;
                let meta = base
                    .symlink_metadata(&from.rel)
                    .map_err(|e| io_error(&from.display, e))?;
                if ws.root(to.root).dir.symlink_metadata(&to.rel).is_ok() {
                    return Err(ToolError(format!(
                        "`{}` already exists; nothing is overwritten",
                        to.display
                    )));
                }
                let mut known = HashSet::new();
                let mut ops = missing_dirs(ws, to.root, to.parent_rel(), &mut known)?;
                let mut files: Vec<std::path::PathBuf> = Vec::new();
                if meta.is_dir() {
                    ops.push(JournalOp::CreateDir {
                        path: to.display.clone(),
                    });
                    collect_tree(
                        base,
                        &from.rel,
                        std::path::Path::new(""),
                        &mut files,
                        &mut ops,
                        ws,
                        &to,
                    )?;
                } else if meta.is_file() {
                    files.push(std::path::PathBuf::new());
                } else {
                    return Err(ToolError(format!(
                        "`{}` is not a file or folder; not copied",
                        from.display
                    )));
                }
                for sub in files {
                    let src_rel = if sub.as_os_str().is_empty() {
                        from.rel.clone()
                    } else {
                        from.rel.join(&sub)
                    };
                    let dst_rel = if sub.as_os_str().is_empty() {
                        to.rel.clone()
                    } else {
                        to.rel.join(&sub)
                    };
                    let src_display = ws.display(from.root, &src_rel);
                    let (dir, name) = ws.parent(&ws.resolve(&src_display)?)?;
                    let sha = sha256_of(&dir, &name)
                        .map_err(|e| io_error(&src_display, e))?
                        .unwrap_or_default();
                    ops.push(JournalOp::Copy {
                        from: src_display,
                        to: ws.display(to.root, &dst_rel),
                        after_sha256: sha,
                    });
                }
                Ok(ops)
            },
            &|_| None,
        )?;
        report_json(&report, "copied", json!({"to": to.display}))
    }
}

/// Lists a folder tree for copying: folders as CreateDir ops, files as paths relative to it.
fn collect_tree(
    base: &cap_std::fs::Dir,
    root_rel: &Path,
    sub: &Path,
    files: &mut Vec<std::path::PathBuf>,
    ops: &mut Vec<JournalOp>,
    ws: &Workspace,
    to: &Resolved,
) -> Result<(), ToolError> {
    let here = root_rel.join(sub);
    let display = ws.display(0, &here);
    let dir = base.open_dir(&here).map_err(|e| io_error(&display, e))?;
    let mut entries: Vec<_> = dir
        .entries()
        .map_err(|e| io_error(&display, e))?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let child = sub.join(entry.file_name());
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            ops.push(JournalOp::CreateDir {
                path: ws.display(to.root, &to.rel.join(&child)),
            });
            collect_tree(base, root_rel, &child, files, ops, ws, to)?;
        } else if ft.is_file() {
            files.push(child);
        }
    }
    Ok(())
}

struct TrashPath(Arc<Workspace>);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct TrashInput {
    path: Option<String>,
    paths: Option<Vec<String>>,
}

impl TrashPath {
    fn resolve_all(&self, input: &Value) -> Result<Vec<Resolved>, ToolError> {
        let i: TrashInput = parse_input("trash_path", input)?;
        let mut all: Vec<String> = i.path.into_iter().collect();
        all.extend(i.paths.unwrap_or_default());
        if all.is_empty() {
            return Err(ToolError::new("trash_path needs `path` (or `paths`)"));
        }
        all.iter().map(|p| resolve_writable(&self.0, p)).collect()
    }
}

#[async_trait]
impl Tool for TrashPath {
    fn spec(&self) -> ToolSpec {
        spec(
            "trash_path",
            "Move a file or folder to the task's trash (restorable; nothing is deleted). Always asks.",
            input_schema::<TrashInput>(),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Delete
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let all = self.resolve_all(input)?;
        // Check each path resolves to something real inside the grant before asking anyone.
        for r in &all {
            let (dir, name) = self.0.parent(r)?;
            dir.symlink_metadata(&name)
                .map_err(|e| io_error(&r.display, e))?;
        }
        let subjects: Vec<String> = all.iter().map(|r| r.display.clone()).collect();
        let mut preview: Vec<String> = subjects.iter().take(PREVIEW_LINES).cloned().collect();
        if subjects.len() > PREVIEW_LINES {
            preview.push(format!("… and {} more", subjects.len() - PREVIEW_LINES));
        }
        Ok(Assessment {
            summary: format!(
                "move {} to the trash",
                if subjects.len() == 1 {
                    subjects[0].clone()
                } else {
                    format!("{} items", subjects.len())
                }
            ),
            preview,
            subjects,
            replaces_existing: false,
            no_lease: false,
            always_ask: None,
        })
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let all = self.resolve_all(&input)?;
        let ws = &self.0;
        let report = run_journaled(
            ws,
            ctx,
            "trashing",
            || {
                let mut ops = Vec::new();
                for (n, r) in all.iter().enumerate() {
                    let (dir, name) = ws.parent(r)?;
                    let meta = dir
                        .symlink_metadata(&name)
                        .map_err(|e| io_error(&r.display, e))?;
                    let entry = format!("{}-{n}-{}", ctx.call_id, name.to_string_lossy());
                    ops.push(JournalOp::Trash {
                        path: r.display.clone(),
                        saved: SavedFile {
                            saved: Saved::Trash {
                                rel: format!("{}/{entry}", ctx.task_id),
                            },
                            stamp: stamp_of(&meta),
                            mode: mode_of(&meta),
                        },
                    });
                }
                Ok(ops)
            },
            &|_| None,
        )?;
        report_json(
            &report,
            "trashed",
            json!({"restore": "errand trash restore ID, or errand undo TASK"}),
        )
    }
}
