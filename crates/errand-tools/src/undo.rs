//! Reversing a task: walk its journal backwards and put every file back, unless someone
//! changed it since, in which case that file is left alone and named.
use crate::exec::trash_entry_name;
use crate::ops::{self, exists, sha256_of};
use crate::workspace::{Workspace, stamp_of};
use cap_std::ambient_authority;
use cap_std::fs::Dir;
use errand_core::{JournalOp, JournalRecord, JournalState, Saved, SavedFile, Store, ToolError};
use serde::Serialize;

#[derive(Debug, Default, Serialize)]
pub struct UndoReport {
    pub restored: usize,
    /// Paths left alone, each with the reason.
    pub refused: Vec<String>,
    /// Folders the task made that still hold other files, so they stay.
    pub kept_folders: Vec<String>,
}

/// Reverses every done (or interrupted) mutation of a task, newest first.
pub fn undo_task(
    store: &dyn Store,
    ws: &Workspace,
    task_id: &str,
) -> Result<UndoReport, ToolError> {
    let records = store
        .journal(task_id)
        .map_err(|e| ToolError(format!("cannot read the journal: {e}")))?;
    let trash = open_trash(store, task_id);
    let mut report = UndoReport::default();
    let mut undone = Vec::new();
    let mut skipped = Vec::new();
    for record in records.iter().rev() {
        let happened = match record.state {
            JournalState::Done => true,
            // Interrupted mid-call: the disk says whether the step took place.
            JournalState::Planned => applied_on_disk(ws, trash.as_ref(), &record.op),
            _ => false,
        };
        if !happened {
            if record.state == JournalState::Planned {
                skipped.push(record.id);
            }
            continue;
        }
        match reverse(store, ws, trash.as_ref(), &record.op) {
            Ok(Reversed::Restored) => {
                report.restored += 1;
                undone.push(record.id);
            }
            Ok(Reversed::KeptFolder) => report.kept_folders.push(record.op.subject().to_string()),
            Ok(Reversed::Record) => undone.push(record.id),
            Err(why) => report
                .refused
                .push(format!("{}: {}", record.op.subject(), why.0)),
        }
    }
    store
        .journal_set(&undone, JournalState::Undone)
        .map_err(|e| ToolError(e.to_string()))?;
    store
        .journal_set(&skipped, JournalState::Skipped)
        .map_err(|e| ToolError(e.to_string()))?;
    Ok(report)
}

enum Reversed {
    Restored,
    KeptFolder,
    /// A folder's time put back; not counted as a change.
    Record,
}

fn open_trash(store: &dyn Store, task_id: &str) -> Option<Dir> {
    Dir::open_ambient_dir(store.trash_dir(task_id), ambient_authority()).ok()
}

fn parent_of(ws: &Workspace, path: &str) -> Result<(Dir, std::ffi::OsString), ToolError> {
    ws.parent(&ws.resolve(path)?)
}

fn applied_on_disk(ws: &Workspace, trash: Option<&Dir>, op: &JournalOp) -> bool {
    let present =
        |path: &str| parent_of(ws, path).is_ok_and(|(d, n)| exists(&d, &n).unwrap_or(false));
    let sha = |path: &str| {
        parent_of(ws, path)
            .ok()
            .and_then(|(d, n)| sha256_of(&d, &n).ok().flatten())
    };
    match op {
        JournalOp::DirTimes { .. } => true,
        JournalOp::CreateDir { path } => present(path),
        JournalOp::Move { from, to, .. } => !present(from) && present(to),
        JournalOp::Write {
            path, after_sha256, ..
        } => sha(path).as_deref() == Some(after_sha256),
        JournalOp::Copy {
            to, after_sha256, ..
        } => sha(to).as_deref() == Some(after_sha256),
        JournalOp::Trash { path, saved } => {
            let in_trash = match (&saved.saved, trash) {
                (Saved::Trash { rel }, Some(t)) => {
                    exists(t, &trash_entry_name(rel)).unwrap_or(false)
                }
                _ => false,
            };
            !present(path) && in_trash
        }
    }
}

fn reverse(
    store: &dyn Store,
    ws: &Workspace,
    trash: Option<&Dir>,
    op: &JournalOp,
) -> Result<Reversed, ToolError> {
    match op {
        JournalOp::DirTimes { path, mtime_ns } => {
            // A folder removed since has no time to restore.
            let r = ws.resolve(path)?;
            if let Ok(dir) = ws.open_dir_rel(r.root, &r.rel, path) {
                ops::set_folder_mtime(&dir, *mtime_ns).map_err(io(path))?;
            }
            Ok(Reversed::Record)
        }
        JournalOp::CreateDir { path } => {
            let (dir, name) = parent_of(ws, path)?;
            match dir.remove_dir(&name) {
                Ok(()) => Ok(Reversed::Restored),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Reversed::Restored),
                // Not empty: it holds files the task did not put there (or could not take back).
                Err(_) => Ok(Reversed::KeptFolder),
            }
        }
        JournalOp::Move { from, to, stamp } => {
            let (to_dir, to_name) = parent_of(ws, to)?;
            let meta = to_dir
                .symlink_metadata(&to_name)
                .map_err(|_| ToolError::new("it is no longer where the task put it"))?;
            if stamp.is_some_and(|stamp| stamp_of(&meta) != stamp) {
                return Err(ToolError::new("it was changed after the task moved it"));
            }
            let from_r = ws.resolve(from)?;
            // The original folder may be gone if someone removed it; recreate it.
            ws.root(from_r.root)
                .dir
                .create_dir_all(from_r.parent_rel())
                .map_err(io(from))?;
            let (from_dir, from_name) = ws.parent(&from_r)?;
            if exists(&from_dir, &from_name).unwrap_or(false) {
                return Err(ToolError(format!(
                    "something new is at its original place `{from}`"
                )));
            }
            ops::move_file(&to_dir, &to_name, &from_dir, &from_name).map_err(io(from))?;
            Ok(Reversed::Restored)
        }
        JournalOp::Write {
            path,
            before,
            after_sha256,
        } => {
            let (dir, name) = parent_of(ws, path)?;
            let current = sha256_of(&dir, &name).map_err(io(path))?;
            if current.as_deref() != Some(after_sha256) {
                return Err(ToolError::new("it was changed after the task wrote it"));
            }
            match before {
                Some(saved) => {
                    put_back(store, trash, &dir, &name, saved, true).map_err(io(path))?
                }
                None => {
                    // The task created it; keep a copy in the blob store before removing it.
                    let bytes = dir.read(&name).map_err(io(path))?;
                    store
                        .put_blob(&bytes)
                        .map_err(|e| ToolError(e.to_string()))?;
                    dir.remove_file(&name).map_err(io(path))?;
                }
            }
            Ok(Reversed::Restored)
        }
        JournalOp::Copy {
            to, after_sha256, ..
        } => {
            let (dir, name) = parent_of(ws, to)?;
            if sha256_of(&dir, &name).map_err(io(to))?.as_deref() != Some(after_sha256) {
                return Err(ToolError::new(
                    "the copy was changed after the task made it",
                ));
            }
            dir.remove_file(&name).map_err(io(to))?;
            Ok(Reversed::Restored)
        }
        JournalOp::Trash { path, saved } => {
            let r = ws.resolve(path)?;
            ws.root(r.root)
                .dir
                .create_dir_all(r.parent_rel())
                .map_err(io(path))?;
            let (dir, name) = ws.parent(&r)?;
            if exists(&dir, &name).unwrap_or(false) {
                return Err(ToolError(format!("something new is at `{path}`")));
            }
            put_back(store, trash, &dir, &name, saved, false).map_err(io(path))?;
            Ok(Reversed::Restored)
        }
    }
}

/// Puts saved content back at `dir/name` with its original mode and modification time.
fn io(path: &str) -> impl Fn(std::io::Error) -> ToolError + '_ {
    move |e| crate::workspace::io_error(path, e)
}

fn put_back(
    store: &dyn Store,
    trash: Option<&Dir>,
    dir: &Dir,
    name: &std::ffi::OsStr,
    saved: &SavedFile,
    replace: bool,
) -> std::io::Result<()> {
    match &saved.saved {
        Saved::Blob { sha256 } => {
            let bytes = std::fs::read(store.blob_path(sha256))?;
            if !replace && exists(dir, name)? {
                return Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists));
            }
            ops::write_atomic(
                dir,
                name,
                &bytes,
                Some(saved.mode),
                Some(saved.stamp.mtime_ns),
            )
        }
        Saved::Trash { rel } => {
            let trash =
                trash.ok_or_else(|| std::io::Error::other("the task's trash folder is missing"))?;
            ops::move_file(trash, &trash_entry_name(rel), dir, name)
        }
    }
}

/// One restorable item for `errand trash`.
#[derive(Debug, Clone, Serialize)]
pub struct TrashItem {
    pub id: i64,
    pub task_id: String,
    pub path: String,
    /// `trashed` or `replaced`.
    pub reason: &'static str,
    pub size: u64,
    pub at: i64,
}

pub fn trash_items(store: &dyn Store) -> Result<Vec<TrashItem>, ToolError> {
    let records = store.journal_all().map_err(|e| ToolError(e.to_string()))?;
    Ok(records
        .iter()
        .filter(|r| r.state == JournalState::Done)
        .filter_map(item_of)
        .collect())
}

fn item_of(record: &JournalRecord) -> Option<TrashItem> {
    let (path, saved, reason) = match &record.op {
        JournalOp::Trash { path, saved } => (path, saved, "trashed"),
        JournalOp::Write {
            path,
            before: Some(saved),
            ..
        } => (path, saved, "replaced"),
        _ => return None,
    };
    Some(TrashItem {
        id: record.id,
        task_id: record.task_id.clone(),
        path: path.clone(),
        reason,
        size: saved.stamp.size,
        at: record.at,
    })
}

/// Restores one trashed or replaced file to where it was.
pub fn restore_item(
    store: &dyn Store,
    ws: &Workspace,
    record: &JournalRecord,
) -> Result<String, ToolError> {
    if record.state != JournalState::Done {
        return Err(ToolError(format!(
            "item {} is not in the trash (it is {})",
            record.id,
            record.state.as_str()
        )));
    }
    let trash = open_trash(store, &record.task_id);
    match &record.op {
        JournalOp::Trash { path, .. }
        | JournalOp::Write {
            path,
            before: Some(_),
            ..
        } => {
            reverse(store, ws, trash.as_ref(), &record.op)
                .map_err(|e| ToolError(format!("{path}: {}", e.0)))?;
            store
                .journal_set(&[record.id], JournalState::Restored)
                .map_err(|e| ToolError(e.to_string()))?;
            Ok(path.clone())
        }
        _ => Err(ToolError(format!(
            "item {} is not a trashed or replaced file",
            record.id
        ))),
    }
}
