//! Runs a call's mutations through the journal: plan every op first (one transaction), then
//! apply each. Applying checks the disk first, so a call resumed after a crash finishes what
//! was planned and never does a step twice.
use crate::ops::{self, exists, sha256_of};
use crate::workspace::{Workspace, io_error, stamp_of};
use cap_std::ambient_authority;
use cap_std::fs::Dir;
use errand_core::{JournalOp, JournalRecord, JournalState, Saved, ToolContext, ToolError};
use std::collections::HashSet;
use std::ffi::OsString;

/// How many applied ops are marked done per store transaction.
const MARK_BATCH: usize = 256;

/// Supplies bytes for ops that write content (`Write`); the journal holds only their hash.
pub type Payload<'a> = &'a dyn Fn(&JournalOp) -> Option<Vec<u8>>;

#[derive(Debug, Default)]
pub struct BatchReport {
    pub applied: usize,
    /// Ops found already done on resume.
    pub already_done: usize,
    /// (path, why) for each op that could not be done.
    pub failed: Vec<(String, String)>,
    /// Ops done (now or before a crash) by kind, e.g. `move`, `create_dir`.
    pub done_by_kind: std::collections::BTreeMap<&'static str, usize>,
}

impl BatchReport {
    pub fn done(&self) -> usize {
        self.applied + self.already_done
    }

    pub fn count(&self, kind: &str) -> usize {
        self.done_by_kind.get(kind).copied().unwrap_or(0)
    }

    /// The lines about failures, at most `limit` of them.
    pub fn failure_lines(&self, limit: usize) -> Vec<String> {
        let mut lines: Vec<String> = self
            .failed
            .iter()
            .take(limit)
            .map(|(path, why)| format!("{path}: {why}"))
            .collect();
        if self.failed.len() > limit {
            lines.push(format!("… and {} more failures", self.failed.len() - limit));
        }
        lines
    }
}

enum Applied {
    Now,
    Already,
    /// A record for undo only (folder times); not a change to count.
    Record,
}

/// Plans (or, on resume, reloads) a call's ops and applies those not yet done.
pub fn run_journaled(
    ws: &Workspace,
    ctx: &ToolContext,
    label: &str,
    plan: impl FnOnce() -> Result<Vec<JournalOp>, ToolError>,
    payload: Payload<'_>,
) -> Result<BatchReport, ToolError> {
    let store_err = |e: errand_core::StoreError| ToolError(format!("journal unavailable: {e}"));
    let mut records: Vec<JournalRecord> = if ctx.resuming {
        ctx.store
            .journal_for_call(&ctx.task_id, &ctx.call_id)
            .map_err(store_err)?
    } else {
        Vec::new()
    };
    if records.is_empty() {
        let ops = with_folder_times(ws, ctx, plan()?);
        let ids = ctx
            .store
            .journal_plan(&ctx.task_id, &ctx.call_id, &ops)
            .map_err(store_err)?;
        records = ids
            .into_iter()
            .zip(ops)
            .map(|(id, op)| JournalRecord {
                id,
                task_id: ctx.task_id.clone(),
                call_id: ctx.call_id.clone(),
                op,
                state: JournalState::Planned,
                at: 0,
            })
            .collect();
    }
    let total = records.len() as u64;
    let mut report = BatchReport::default();
    let mut trash: Option<Dir> = None;
    let mut done_ids = Vec::with_capacity(MARK_BATCH);
    let mut skipped_ids = Vec::new();
    for (index, record) in records.iter().enumerate() {
        if ctx.interrupted() {
            break;
        }
        match record.state {
            JournalState::Planned => match apply(ws, ctx, &mut trash, &record.op, payload) {
                Ok(applied) => {
                    match applied {
                        Applied::Now => report.applied += 1,
                        Applied::Already => report.already_done += 1,
                        Applied::Record => {}
                    }
                    if record.op.is_change() {
                        *report.done_by_kind.entry(record.op.kind()).or_default() += 1;
                    }
                    done_ids.push(record.id);
                }
                Err(e) => {
                    skipped_ids.push(record.id);
                    report.failed.push((record.op.subject().to_string(), e.0));
                }
            },
            JournalState::Skipped => report
                .failed
                .push((record.op.subject().to_string(), "skipped earlier".into())),
            _ if record.op.is_change() => {
                report.already_done += 1;
                *report.done_by_kind.entry(record.op.kind()).or_default() += 1;
            }
            _ => {}
        }
        if done_ids.len() >= MARK_BATCH {
            ctx.store
                .journal_set(&done_ids, JournalState::Done)
                .map_err(store_err)?;
            done_ids.clear();
        }
        if index % 64 == 63 || index as u64 + 1 == total {
            ctx.progress(label, index as u64 + 1, total);
        }
    }
    ctx.store
        .journal_set(&done_ids, JournalState::Done)
        .map_err(store_err)?;
    ctx.store
        .journal_set(&skipped_ids, JournalState::Skipped)
        .map_err(store_err)?;
    Ok(report)
}

fn apply(
    ws: &Workspace,
    ctx: &ToolContext,
    trash: &mut Option<Dir>,
    op: &JournalOp,
    payload: Payload<'_>,
) -> Result<Applied, ToolError> {
    match op {
        JournalOp::DirTimes { .. } => Ok(Applied::Record),
        JournalOp::CreateDir { path } => {
            let r = ws.resolve(path)?;
            let (parent, name) = ws.parent(&r)?;
            match parent.symlink_metadata(&name) {
                Ok(meta) if meta.is_dir() => Ok(Applied::Already),
                Ok(_) => Err(ToolError(format!("`{path}` exists and is not a folder"))),
                Err(_) => parent
                    .create_dir(&name)
                    .map(|_| Applied::Now)
                    .map_err(|e| io_error(path, e)),
            }
        }
        JournalOp::Move { from, to, .. } => {
            let (from_dir, from_name) = ws.parent(&ws.resolve(from)?)?;
            let (to_dir, to_name) = ws.parent(&ws.resolve(to)?)?;
            let source = exists(&from_dir, &from_name).map_err(|e| io_error(from, e))?;
            let target = exists(&to_dir, &to_name).map_err(|e| io_error(to, e))?;
            match (source, target) {
                (true, false) => ops::move_file(&from_dir, &from_name, &to_dir, &to_name)
                    .map(|_| Applied::Now)
                    .map_err(|e| io_error(to, e)),
                (false, true) => Ok(Applied::Already),
                (true, true) => Err(ToolError(format!(
                    "`{to}` already exists; nothing is overwritten"
                ))),
                (false, false) => Err(ToolError(format!("no such file or folder: `{from}`"))),
            }
        }
        JournalOp::Write {
            path,
            after_sha256,
            before,
        } => {
            let (dir, name) = ws.parent(&ws.resolve(path)?)?;
            if sha256_of(&dir, &name)
                .map_err(|e| io_error(path, e))?
                .as_deref()
                == Some(after_sha256)
            {
                return Ok(Applied::Already);
            }
            let bytes =
                payload(op).ok_or_else(|| ToolError(format!("no content to write to `{path}`")))?;
            let mode = before.as_ref().map(|b| b.mode);
            ops::write_atomic(&dir, &name, &bytes, mode, None).map_err(|e| io_error(path, e))?;
            Ok(Applied::Now)
        }
        JournalOp::Copy {
            from,
            to,
            after_sha256,
        } => {
            let (from_dir, from_name) = ws.parent(&ws.resolve(from)?)?;
            let (to_dir, to_name) = ws.parent(&ws.resolve(to)?)?;
            match sha256_of(&to_dir, &to_name).map_err(|e| io_error(to, e))? {
                Some(sha) if &sha == after_sha256 => return Ok(Applied::Already),
                Some(_) => {
                    return Err(ToolError(format!(
                        "`{to}` already exists; nothing is overwritten"
                    )));
                }
                None if exists(&to_dir, &to_name).unwrap_or(false) => {
                    return Err(ToolError(format!(
                        "`{to}` already exists; nothing is overwritten"
                    )));
                }
                None => {}
            }
            ops::copy_file_noreplace(&from_dir, &from_name, &to_dir, &to_name)
                .map(|_| Applied::Now)
                .map_err(|e| io_error(to, e))
        }
        JournalOp::Trash { path, saved } => {
            let Saved::Trash { rel } = &saved.saved else {
                return Err(ToolError(format!(
                    "journal entry for `{path}` has no trash location"
                )));
            };
            let (dir, name) = ws.parent(&ws.resolve(path)?)?;
            let trash_dir = trash_handle(ctx, trash)?;
            let trash_name = trash_entry_name(rel);
            let present = exists(&dir, &name).map_err(|e| io_error(path, e))?;
            let in_trash = exists(trash_dir, &trash_name).unwrap_or(false);
            match (present, in_trash) {
                (true, false) => ops::move_file(&dir, &name, trash_dir, &trash_name)
                    .map(|_| Applied::Now)
                    .map_err(|e| io_error(path, e)),
                (false, true) => Ok(Applied::Already),
                (true, true) => Err(ToolError(format!("trash slot for `{path}` is taken"))),
                (false, false) => Err(ToolError(format!("no such file or folder: `{path}`"))),
            }
        }
    }
}

/// Puts, before a call's ops, the modification time of each existing folder they change
/// that this task has not recorded yet, so undo can restore folders' times too.
fn with_folder_times(ws: &Workspace, ctx: &ToolContext, ops: Vec<JournalOp>) -> Vec<JournalOp> {
    let recorded: HashSet<String> = ctx
        .store
        .journal(&ctx.task_id)
        .map(|records| {
            records
                .into_iter()
                .filter_map(|r| match r.op {
                    JournalOp::DirTimes { path, .. } => Some(path),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut seen = HashSet::new();
    let mut stamped = Vec::new();
    for path in ops.iter().flat_map(|op| op.changed_paths()) {
        let Ok(r) = ws.resolve(path) else { continue };
        let folder = ws.display(r.root, r.parent_rel());
        if recorded.contains(&folder) || !seen.insert(folder.clone()) {
            continue;
        }
        // Folders the call will create have no time to keep.
        let Ok(dir) = ws.open_dir_rel(r.root, r.parent_rel(), &folder) else {
            continue;
        };
        if let Ok(meta) = dir.dir_metadata() {
            stamped.push(JournalOp::DirTimes {
                path: folder,
                mtime_ns: stamp_of(&meta).mtime_ns,
            });
        }
    }
    stamped.extend(ops);
    stamped
}

/// The task's trash folder, created on first use.
fn trash_handle<'a>(ctx: &ToolContext, trash: &'a mut Option<Dir>) -> Result<&'a Dir, ToolError> {
    if trash.is_none() {
        let path = ctx.store.trash_dir(&ctx.task_id);
        std::fs::create_dir_all(&path).map_err(|e| {
            ToolError(format!(
                "cannot create the trash folder {}: {e}",
                path.display()
            ))
        })?;
        let dir = Dir::open_ambient_dir(&path, ambient_authority()).map_err(|e| {
            ToolError(format!(
                "cannot open the trash folder {}: {e}",
                path.display()
            ))
        })?;
        *trash = Some(dir);
    }
    trash
        .as_ref()
        .ok_or_else(|| ToolError::new("trash folder unavailable"))
}

/// `rel` is `TASK/ENTRY`; the entry's name inside the task's trash folder.
pub fn trash_entry_name(rel: &str) -> OsString {
    OsString::from(rel.rsplit('/').next().unwrap_or(rel))
}
