//! The file journal: every mutation is written here, with what undoes it, before it happens.
use serde::{Deserialize, Serialize};

/// Size and modification time, enough to tell whether someone changed a file since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    pub size: u64,
    /// Nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

/// A file's former content kept for undo: moved into the task's trash or copied into a blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Saved {
    /// A path under the data dir's `trash/`.
    Trash { rel: String },
    /// A content-addressed blob (sha256 hex).
    Blob { sha256: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFile {
    pub saved: Saved,
    pub stamp: FileStamp,
    pub mode: u32,
}

/// One reversible mutation. Paths are tool paths (grant-prefixed when a task has several).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum JournalOp {
    CreateDir {
        path: String,
    },
    /// `stamp` is the moved file's (rename keeps it); `None` for a directory.
    Move {
        from: String,
        to: String,
        stamp: Option<FileStamp>,
    },
    /// A write that created (`before: None`) or replaced a file.
    Write {
        path: String,
        before: Option<SavedFile>,
        after_sha256: String,
    },
    Copy {
        from: String,
        to: String,
        after_sha256: String,
    },
    Trash {
        path: String,
        saved: SavedFile,
    },
    /// A folder's modification time before the task first changed something in it. Not a
    /// change itself: undo sets it back after reversing everything inside.
    DirTimes {
        path: String,
        mtime_ns: i64,
    },
}

impl JournalOp {
    pub fn kind(&self) -> &'static str {
        match self {
            JournalOp::CreateDir { .. } => "create_dir",
            JournalOp::Move { .. } => "move",
            JournalOp::Write { .. } => "write",
            JournalOp::Copy { .. } => "copy",
            JournalOp::Trash { .. } => "trash",
            JournalOp::DirTimes { .. } => "dir_times",
        }
    }

    /// False for records that only help undo (folder times), true for real changes.
    pub fn is_change(&self) -> bool {
        !matches!(self, JournalOp::DirTimes { .. })
    }

    /// Every path whose folder the op changes.
    pub fn changed_paths(&self) -> Vec<&str> {
        match self {
            JournalOp::Move { from, to, .. } => vec![from, to],
            other => vec![other.subject()],
        }
    }

    /// The path a person would recognise this change by.
    pub fn subject(&self) -> &str {
        match self {
            JournalOp::CreateDir { path }
            | JournalOp::Write { path, .. }
            | JournalOp::Trash { path, .. }
            | JournalOp::DirTimes { path, .. } => path,
            JournalOp::Move { to, .. } | JournalOp::Copy { to, .. } => to,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalState {
    /// Written before the mutation; the disk says whether it happened.
    Planned,
    Done,
    /// Planned but found impossible (e.g. the source vanished); nothing changed.
    Skipped,
    Undone,
    /// A trashed or replaced file put back by `errand trash restore`.
    Restored,
}

impl JournalState {
    pub fn as_str(self) -> &'static str {
        match self {
            JournalState::Planned => "planned",
            JournalState::Done => "done",
            JournalState::Skipped => "skipped",
            JournalState::Undone => "undone",
            JournalState::Restored => "restored",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "planned" => JournalState::Planned,
            "done" => JournalState::Done,
            "skipped" => JournalState::Skipped,
            "undone" => JournalState::Undone,
            "restored" => JournalState::Restored,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRecord {
    pub id: i64,
    pub task_id: String,
    pub call_id: String,
    pub op: JournalOp,
    pub state: JournalState,
    pub at: i64,
}
