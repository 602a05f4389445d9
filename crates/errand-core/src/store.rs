//! The store contract: tasks, their append-only events, the file journal and blobs.
use crate::event::{Event, EventKind};
use crate::journal::{JournalOp, JournalRecord, JournalState};
use crate::task::TaskState;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(String),
    #[error("i/o error on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no task matches `{0}`")]
    NoSuchTask(String),
    #[error("`{0}` matches several tasks; give more of the id")]
    Ambiguous(String),
    #[error("corrupt record: {0}")]
    Corrupt(String),
}

/// A task as listed: the columns kept beside the log for quick listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRow {
    pub id: String,
    pub outcome: String,
    pub state: TaskState,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Proof that this process runs a task; dropping it releases the task.
pub trait TaskLock: Send + Sync {}

pub trait Store: Send + Sync {
    /// The data directory (blobs and trash live under it).
    fn home(&self) -> &Path;

    /// Creates the task with its first event, `TaskCreated`.
    fn create_task(&self, id: &str, created: EventKind) -> Result<Event, StoreError>;
    /// Appends one event; a `StateChanged` also updates the task's listed state.
    fn append(&self, task_id: &str, kind: EventKind) -> Result<Event, StoreError>;
    fn events(&self, task_id: &str) -> Result<Vec<Event>, StoreError>;
    fn events_after(&self, task_id: &str, seq: i64) -> Result<Vec<Event>, StoreError>;
    /// Finds a task by its id or a unique prefix of it.
    fn resolve_task(&self, id_or_prefix: &str) -> Result<TaskRow, StoreError>;
    fn tasks(&self) -> Result<Vec<TaskRow>, StoreError>;
    /// Takes the cross-process run lock of a task; `None` if another live process holds it.
    fn lock_task(&self, task_id: &str) -> Result<Option<Box<dyn TaskLock>>, StoreError>;

    /// Records mutations as planned, in one transaction, before any of them happens.
    fn journal_plan(
        &self,
        task_id: &str,
        call_id: &str,
        ops: &[JournalOp],
    ) -> Result<Vec<i64>, StoreError>;
    fn journal_set(&self, ids: &[i64], state: JournalState) -> Result<(), StoreError>;
    fn journal(&self, task_id: &str) -> Result<Vec<JournalRecord>, StoreError>;
    fn journal_for_call(
        &self,
        task_id: &str,
        call_id: &str,
    ) -> Result<Vec<JournalRecord>, StoreError>;
    /// Every journal entry, all tasks, that holds a file in the trash or a blob.
    fn journal_all(&self) -> Result<Vec<JournalRecord>, StoreError>;

    /// Saves bytes as a content-addressed blob; returns the sha256 hex.
    fn put_blob(&self, bytes: &[u8]) -> Result<String, StoreError>;
    fn blob_path(&self, sha256: &str) -> PathBuf;
    /// The folder holding a task's trashed files.
    fn trash_dir(&self, task_id: &str) -> PathBuf {
        self.home().join("trash").join(task_id)
    }
}
