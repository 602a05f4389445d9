//! Tools that change file contents: write_file, edit_file, make_dir. Every change is
//! journaled first and reversible by `errand undo`; the helpers here serve `moves` too.
use crate::exec::{BatchReport, run_journaled};
use crate::ops::sha256_hex;
use crate::workspace::{Resolved, Workspace, io_error, mode_of, stamp_of};
use async_trait::async_trait;
use errand_core::tool::input_schema;
use errand_core::tool::{Assessment, parse_input};
use errand_core::{
    Effect, JournalOp, JournalState, Saved, SavedFile, Tool, ToolContext, ToolError, ToolOutput,
    ToolRegistry, ToolSpec,
};
use schemars::JsonSchema;
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
}

pub(crate) const PREVIEW_LINES: usize = 8;

pub(crate) fn spec(name: &str, description: &str, schema: Value) -> ToolSpec {
    ToolSpec {
        name: name.into(),
        description: description.into(),
        input_schema: schema,
    }
}

pub(crate) fn resolve_writable(ws: &Workspace, path: &str) -> Result<Resolved, ToolError> {
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
pub(crate) fn missing_dirs(
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
pub(crate) fn made_by_task(ctx: &ToolContext, display: &str) -> bool {
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

pub(crate) fn report_json(
    report: &BatchReport,
    verb: &str,
    extra: Value,
) -> Result<ToolOutput, ToolError> {
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
pub(crate) fn save_before(
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

/// Debug builds only: holds a write between saving the old content and replacing it, so a
/// test can make two writers overlap and show what file leases prevent.
fn pause_for_tests() {
    #[cfg(debug_assertions)]
    if let Some(ms) = std::env::var("ERRAND_TEST_WRITE_PAUSE_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// Journals and performs the replacement of one file's content.
pub(crate) fn write_content(
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
            pause_for_tests();
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

#[derive(Deserialize, JsonSchema)]
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
            input_schema::<WriteInput>(),
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
            no_lease: false,
            always_ask: None,
        })
    }
    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let i: WriteInput = parse_input("write_file", &input)?;
        write_content(&self.0, ctx, &i.path, i.content.into_bytes())
    }
}

struct EditFile(Arc<Workspace>);

#[derive(Deserialize, JsonSchema)]
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
            input_schema::<EditInput>(),
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
            no_lease: false,
            always_ask: None,
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

#[derive(Deserialize, JsonSchema)]
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
            input_schema::<PathInput>(),
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
            no_lease: true,
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
