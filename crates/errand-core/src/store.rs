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

/// One line of a task's shared work list (`tasks_list`, `task_claim`, `task_update`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkItem {
    pub id: i64,
    pub title: String,
    pub status: WorkStatus,
    /// Who claimed it: a sub-agent's id, or `main` for the task's own agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkStatus {
    Pending,
    Claimed,
    Done,
    Failed,
}

impl WorkStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkStatus::Pending => "pending",
            WorkStatus::Claimed => "claimed",
            WorkStatus::Done => "done",
            WorkStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => WorkStatus::Pending,
            "claimed" => WorkStatus::Claimed,
            "done" => WorkStatus::Done,
            "failed" => WorkStatus::Failed,
            _ => return None,
        })
    }
}

/// How a claim went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    Claimed(WorkItem),
    /// Someone else has it, or it is finished.
    Taken(WorkItem),
    NoSuchItem(i64),
    /// Nothing pending is left.
    NothingPending,
}

/// Who holds a lease on a path another writer wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseHolder {
    pub path: String,
    pub task_id: String,
    /// `None` for the task's own agent.
    pub agent: Option<String>,
}

/// Proof that this process runs a task; dropping it releases the task.
pub trait TaskLock: Send + Sync {}

pub trait Store: Send + Sync {
    /// The data directory (blobs and trash live under it).
    fn home(&self) -> &Path;

    /// Creates the task with its first event, `TaskCreated`.
    fn create_task(&self, id: &str, created: EventKind) -> Result<Event, StoreError>;
    /// Appends one event of the task's own agent; a `StateChanged` also updates the
    /// task's listed state.
    fn append(&self, task_id: &str, kind: EventKind) -> Result<Event, StoreError> {
        self.append_as(task_id, None, kind)
    }
    /// Appends one event logged by `agent` (a sub-agent's id), or by the task's own agent.
    fn append_as(
        &self,
        task_id: &str,
        agent: Option<&str>,
        kind: EventKind,
    ) -> Result<Event, StoreError>;
    /// Appends the answer to a waiting call (`ApprovalResolved`, `QuestionAnswered`) unless
    /// that call was answered already, by anyone: `None` then. A store shared by several
    /// processes makes the check and the append one step.
    fn append_answer(
        &self,
        task_id: &str,
        agent: Option<&str>,
        kind: EventKind,
    ) -> Result<Option<Event>, StoreError> {
        let Some(call_id) = kind.answered_call() else {
            return self.append_as(task_id, agent, kind).map(Some);
        };
        let answered = self
            .events(task_id)?
            .iter()
            .any(|e| e.kind.answered_call() == Some(call_id));
        if answered {
            return Ok(None);
        }
        self.append_as(task_id, agent, kind).map(Some)
    }
    fn events(&self, task_id: &str) -> Result<Vec<Event>, StoreError>;
    fn events_after(&self, task_id: &str, seq: i64) -> Result<Vec<Event>, StoreError>;
    /// What a sub-agent needs of the events after `seq`: its own, the task-wide ones and
    /// approvals. A store may return more; views ignore what is not theirs.
    fn events_after_for(
        &self,
        task_id: &str,
        seq: i64,
        _agent: &str,
    ) -> Result<Vec<Event>, StoreError> {
        self.events_after(task_id, seq)
    }
    /// Finds a task by its id or a unique prefix of it.
    fn resolve_task(&self, id_or_prefix: &str) -> Result<TaskRow, StoreError>;
    fn tasks(&self) -> Result<Vec<TaskRow>, StoreError>;
    /// One page of tasks, newest first, whose outcome contains `query` or whose id starts
    /// with it (an empty query matches all), and how many match in all.
    fn tasks_page(
        &self,
        query: &str,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<TaskRow>, usize), StoreError> {
        let needle = query.trim().to_lowercase();
        let all: Vec<TaskRow> = self
            .tasks()?
            .into_iter()
            .filter(|t| {
                needle.is_empty()
                    || t.outcome.to_lowercase().contains(&needle)
                    || t.id.starts_with(&needle)
            })
            .collect();
        let total = all.len();
        Ok((all.into_iter().skip(offset).take(limit).collect(), total))
    }
    /// Takes the cross-process run lock of a task; `None` if another live process holds it.
    fn lock_task(&self, task_id: &str) -> Result<Option<Box<dyn TaskLock>>, StoreError>;

    /// Whether a process (this one included) holds the task's run lock. Unlike taking the
    /// lock, asking never makes a run that starts at the same moment think it is taken.
    fn task_running(&self, task_id: &str) -> Result<bool, StoreError>;

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

    /// Adds items to the task's work list, in order.
    fn work_add(&self, task_id: &str, titles: &[String]) -> Result<Vec<WorkItem>, StoreError>;
    fn work_items(&self, task_id: &str) -> Result<Vec<WorkItem>, StoreError>;
    /// Claims item `id`, or the first pending one, for `owner`: atomically, so two
    /// workers never both get it. Claiming one's own item again succeeds.
    fn work_claim(&self, task_id: &str, id: Option<i64>, owner: &str) -> Result<Claim, StoreError>;
    /// Sets an item's status and/or note; `None` when there is no such item.
    fn work_update(
        &self,
        task_id: &str,
        id: i64,
        status: Option<WorkStatus>,
        note: Option<&str>,
    ) -> Result<Option<WorkItem>, StoreError>;
    /// Puts `owner`'s unfinished claims back to pending (its worker ended without them).
    fn work_release(&self, task_id: &str, owner: &str) -> Result<usize, StoreError>;

    /// Takes leases on every path (absolute) for the task's `agent`, all or none. A path
    /// held by a live writer of another task, or by a sibling sub-agent, is refused with
    /// its holder. Leases of a task no process runs any more are dead and are taken over.
    fn lease_acquire(
        &self,
        task_id: &str,
        agent: Option<&str>,
        paths: &[String],
    ) -> Result<Option<LeaseHolder>, StoreError>;
    /// Drops the leases of one sub-agent, or (`None`) every lease of the task.
    fn lease_release(&self, task_id: &str, agent: Option<&str>) -> Result<(), StoreError>;

    /// Saves bytes as a content-addressed blob; returns the sha256 hex.
    fn put_blob(&self, bytes: &[u8]) -> Result<String, StoreError>;
    fn blob_path(&self, sha256: &str) -> PathBuf;
    /// The folder holding a task's trashed files.
    fn trash_dir(&self, task_id: &str) -> PathBuf {
        self.home().join("trash").join(task_id)
    }
}
