//! Tools that change files: every change is journaled first and reversible by `errand undo`.
use crate::exec::{BatchReport, run_journaled};
use crate::ops::{sha256_hex, sha256_of};
use crate::workspace::{Resolved, Workspace, io_error, mode_of, stamp_of};
use async_trait::async_trait;
use errand_core::tool::{Assessment, parse_input};
use errand_core::{
    Effect, JournalOp, JournalState, Saved, SavedFile, Tool, ToolContext, ToolError, ToolOutput,
    ToolRegistry, ToolSpec,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

pub fn register(registry: &mut ToolRegistry, ws: &Arc<Workspace>) {
    registry.register(Arc::new(WriteFile(ws.clone())));
    registry.register(Arc::new(EditFile(ws.clone())));
    registry.register(Arc::new(MakeDir(ws.clone())));
    registry.register(Arc::new(MovePath(ws.clone())));
    registry.register(Arc::new(CopyPath(ws.clone())));
    registry.register(Arc::new(TrashPath(ws.clone())));
}

const PREVIEW_LINES: usize = 8;

fn spec(name: &str, description: &str, schema: Value) -> ToolSpec {
    ToolSpec {
        name: name.into(),
        description: description.into(),
        input_schema: schema,
    }
}

fn resolve_writable(ws: &Workspace, path: &str) -> Result<Resolved, ToolError> {
    let r = ws.resolve(path)?;
    ws.writable(&r)?;
    if r.rel.as_os_str().is_empty() {
        return Err(ToolError(format!(
            "`{path}` is a granted folder itself; name something inside it"
        )));
    }
    Ok(r)
}

/// Folders that must be created, outermost first, for `rel_dir` to exist. `known` caches
/// folders already seen or planned within one call.
fn missing_dirs(
    ws: &Workspace,
    root: usize,
    rel_dir: &Path,
    known: &mut HashSet<(usize, std::path::PathBuf)>,
) -> Result<Vec<JournalOp>, ToolError> {
    let mut ops = Vec::new();
    let mut current = std::path::PathBuf::new();
    let base = &ws.root(root).dir;
    for part in rel_dir.components() {
        current.push(part);
        if known.contains(&(root, current.clone())) {
            continue;
        }
        let display = ws.display(root, &current);
        // Following links is safe here: the handle refuses any that lead outside.
        match base.metadata(&current) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(ToolError(format!("`{display}` exists and is not a folder"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                ops.push(JournalOp::CreateDir { path: display });
            }
            Err(e) => return Err(io_error(&display, e)),
        }
        known.insert((root, current.clone()));
    }
    Ok(ops)
}

/// True when this task created or moved the file at `display` (so replacing it is not
/// replacing someone else's work).
fn made_by_task(ctx: &ToolContext, display: &str) -> bool {
    ctx.store.journal(&ctx.task_id).is_ok_and(|records| {
        records.iter().any(|r| {
            r.state == JournalState::Done
                && match &r.op {
                    JournalOp::Write {
                        path, before: None, ..
                    } => path == display,
                    JournalOp::Copy { to, .. } => to == display,
                    _ => false,
                }
        })
    })
}

fn preview_text(content: &str) -> Vec<String> {
    let mut lines: Vec<String> = content
        .lines()
        .take(PREVIEW_LINES)
        .map(|l| l.chars().take(160).collect())
        .collect();
    let total = content.lines().count();
    if total > PREVIEW_LINES {
        lines.push(format!("… {} more lines", total - PREVIEW_LINES));
    }
    lines
}

/// The journal op a tool's verb counts.
fn verb_op(verb: &str) -> &'static str {
    match verb {
        "moved" => "move",
        "copied" => "copy",
        "trashed" => "trash",
        _ => "write",
    }
}

fn report_json(report: &BatchReport, verb: &str, extra: Value) -> Result<ToolOutput, ToolError> {
    let failed = report.failure_lines(50);
    if report.done() == 0 && !failed.is_empty() {
        return Err(ToolError(format!(
            "nothing was {verb}:\n{}",
            failed.join("\n")
        )));
    }
    let mut out = json!({
        verb: report.count(verb_op(verb)),
        "folders_created": report.count("create_dir"),
        "failed": failed,
    });
    if let (Some(out), Value::Object(extra)) = (out.as_object_mut(), extra) {
        out.extend(extra);
    }
    Ok(ToolOutput::text(out.to_string()))
}

/// Saves the current content of a file as a blob so a later undo can put it back.
fn save_before(
    ws: &Workspace,
    ctx: &ToolContext,
    r: &Resolved,
) -> Result<Option<SavedFile>, ToolError> {
    let absent = ws.root(r.root).dir.symlink_metadata(&r.rel);
    if absent.is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return Ok(None); // a new file, perhaps in a folder still to be made
    }
    let (dir, name) = ws.parent(r)?;
    let meta = match dir.symlink_metadata(&name) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(&r.display, e)),
    };
    if !meta.is_file() {
        return Err(ToolError(format!(
            "`{}` is not a regular file; it cannot be replaced",
            r.display
        )));
    }
    let mut bytes = Vec::new();
    dir.open(&name)
        .and_then(|f| f.into_std().read_to_end(&mut bytes))
        .map_err(|e| io_error(&r.display, e))?;
    let sha256 = ctx
        .store
        .put_blob(&bytes)
        .map_err(|e| ToolError(format!("cannot save the old content: {e}")))?;
    Ok(Some(SavedFile {
        saved: Saved::Blob { sha256 },
        stamp: stamp_of(&meta),
        mode: mode_of(&meta),
    }))
}

/// Journals and performs the replacement of one file's content.
fn write_content(
    ws: &Workspace,
    ctx: &ToolContext,
    path: &str,
    content: Vec<u8>,
) -> Result<ToolOutput, ToolError> {
    let r = resolve_writable(ws, path)?;
    let after = sha256_hex(&content);
    let report = run_journaled(
        ws,
        ctx,
        "write",
        || {
            let mut ops = missing_dirs(ws, r.root, r.parent_rel(), &mut HashSet::new())?;
            let before = save_before(ws, ctx, &r)?;
            ops.push(JournalOp::Write {
                path: r.display.clone(),
                before,
                after_sha256: after.clone(),
            });
            Ok(ops)
        },
        &|op| matches!(op, JournalOp::Write { .. }).then(|| content.clone()),
    )?;
    if let Some((_, why)) = report.failed.first() {
        return Err(ToolError(why.clone()));
    }
    Ok(ToolOutput::text(format!(
        "wrote {} bytes to {}",
        content.len(),
        r.display
    )))
}

struct WriteFile(Arc<Workspace>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WriteInput {
    path: String,
    content: String,
}

#[async_trait]
impl Tool for WriteFile {
    fn spec(&self) -> ToolSpec {
        spec(
            "write_file",
            "Create or replace a text file (a replaced file is kept for undo). Creates missing folders.",
            json!({"type":"object","required":["path","content"],"properties":{
                "path":{"type":"string"},"content":{"type":"string"}}}),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Write
    }
    fn assess(&self, ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: WriteInput = parse_input("write_file", input)?;
        let r = resolve_writable(&self.0, &i.path)?;
        let existing = self.0.root(r.root).dir.symlink_metadata(&r.rel).ok();
        if existing
            .as_ref()
            .is_some_and(|m| m.file_type().is_symlink())
        {
            return Err(ToolError(format!(
                "`{}` is a symlink; write_file does not write through links",
                r.display
            )));
        }
        let present = existing.is_some();
        let replaces = present && !made_by_task(ctx, &r.display);
        let verb = if present { "replace" } else { "create" };
        Ok(Assessment {
            summary: format!("{verb} {} ({} bytes)", r.display, i.content.len()),
            preview: preview_text(&i.content),
            subjects: vec![r.display],
            replaces_existing: replaces,
        })
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: WriteInput = parse_input("write_file", &input)?;
        write_content(&self.0, ctx, &i.path, i.content.into_bytes())
    }
}

struct EditFile(Arc<Workspace>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EditInput {
    path: String,
    old: String,
    new: String,
    #[serde(default)]
    replace_all: bool,
}

impl EditFile {
    fn edited(&self, i: &EditInput, current: &str) -> Result<String, ToolError> {
        if i.old.is_empty() {
            return Err(ToolError::new("edit_file needs a non-empty `old`"));
        }
        let count = current.matches(&i.old).count();
        match count {
            0 => Err(ToolError(format!(
                "`old` was not found in {}; read the file and copy the text exactly",
                i.path
            ))),
            n if n > 1 && !i.replace_all => Err(ToolError(format!(
                "`old` appears {n} times in {}; include more surrounding text, or set replace_all",
                i.path
            ))),
            _ => Ok(current.replace(&i.old, &i.new)),
        }
    }

    fn current(&self, i: &EditInput) -> Result<String, ToolError> {
        let r = resolve_writable(&self.0, &i.path)?;
        let (dir, name) = self.0.parent(&r)?;
        dir.read_to_string(&name)
            .map_err(|e| io_error(&r.display, e))
    }
}

#[async_trait]
impl Tool for EditFile {
    fn spec(&self) -> ToolSpec {
        spec(
            "edit_file",
            "Replace exact text in a file: `old` must appear once (or set replace_all).",
            json!({"type":"object","required":["path","old","new"],"properties":{
                "path":{"type":"string"},"old":{"type":"string"},"new":{"type":"string"},
                "replace_all":{"type":"boolean"}}}),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Write
    }
    fn assess(&self, ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: EditInput = parse_input("edit_file", input)?;
        let current = self.current(&i)?;
        self.edited(&i, &current)?;
        let r = self.0.resolve(&i.path)?;
        let mut preview: Vec<String> = preview_text(&i.old)
            .into_iter()
            .map(|l| format!("- {l}"))
            .collect();
        preview.extend(preview_text(&i.new).into_iter().map(|l| format!("+ {l}")));
        Ok(Assessment {
            summary: format!("edit {}", r.display),
            preview,
            replaces_existing: !made_by_task(ctx, &r.display),
            subjects: vec![r.display],
        })
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: EditInput = parse_input("edit_file", &input)?;
        // Resuming: the edit may already be on disk; the journal's hash decides, so rebuild
        // the intended content from the saved original rather than from the file.
        if ctx.resuming
            && let Some(sha256) = saved_original(ctx)
        {
            let original = std::fs::read_to_string(ctx.store.blob_path(&sha256))
                .map_err(|e| ToolError(format!("cannot read the saved original: {e}")))?;
            let content = self.edited(&i, &original)?;
            return write_content(&self.0, ctx, &i.path, content.into_bytes());
        }
        let content = self.edited(&i, &self.current(&i)?)?;
        write_content(&self.0, ctx, &i.path, content.into_bytes())
    }
}

/// The blob holding the file's content before this call's write, if the call journaled one.
fn saved_original(ctx: &ToolContext) -> Option<String> {
    let records = ctx
        .store
        .journal_for_call(&ctx.task_id, &ctx.call_id)
        .ok()?;
    records.into_iter().find_map(|r| match r.op {
        JournalOp::Write {
            before:
                Some(SavedFile {
                    saved: Saved::Blob { sha256 },
                    ..
                }),
            ..
        } => Some(sha256),
        _ => None,
    })
}

struct MakeDir(Arc<Workspace>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PathInput {
    path: String,
}

#[async_trait]
impl Tool for MakeDir {
    fn spec(&self) -> ToolSpec {
        spec(
            "make_dir",
            "Create a folder and any missing parents.",
            json!({"type":"object","required":["path"],"properties":{"path":{"type":"string"}}}),
        )
    }
    fn effect(&self) -> Effect {
        Effect::Write
    }
    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        let i: PathInput = parse_input("make_dir", input)?;
        let r = resolve_writable(&self.0, &i.path)?;
        Ok(Assessment {
            summary: format!("create folder {}", r.display),
            subjects: vec![r.display],
            ..Assessment::default()
        })
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: PathInput = parse_input("make_dir", &input)?;
        let r = resolve_writable(&self.0, &i.path)?;
        let report = run_journaled(
            &self.0,
            ctx,
            "make_dir",
            || missing_dirs(&self.0, r.root, &r.rel, &mut HashSet::new()),
            &|_| None,
        )?;
        if let Some((_, why)) = report.failed.first() {
            return Err(ToolError(why.clone()));
        }
        Ok(ToolOutput::text(match report.done() {
            0 => format!("{} already exists", r.display),
            n => format!("created {} ({n} new folders)", r.display),
        }))
    }
}

struct MovePath(Arc<Workspace>);

#[derive(Deserialize)]
struct MovePair {
    from: String,
    to: String,
}

#[derive(Deserialize)]
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
            json!({"type":"object","properties":{
                "from":{"type":"string"},"to":{"type":"string"},
                "moves":{"type":"array","items":{"type":"object","required":["from","to"],
                    "properties":{"from":{"type":"string"},"to":{"type":"string"}}}}}}),
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

#[derive(Deserialize)]
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
            json!({"type":"object","required":["from","to"],"properties":{"from":{"type":"string"},"to":{"type":"string"}}}),
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

#[derive(Deserialize)]
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
            json!({"type":"object","properties":{"path":{"type":"string"},"paths":{"type":"array","items":{"type":"string"}}}}),
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
