//! The task runtime: everything that starts and drives tasks — start, resume, approve or
//! deny, answer, say, pause, continue, cancel, undo, trash — in one place that the CLI and
//! the web server both call. It never prints: a front end passes an [`Observer`] (and, if it
//! can ask a person on the spot, an [`Approver`]) and translates results into its own words.
//!
//! Every action is an event appended to the task's log, so a task started by one process
//! can be steered from any other; [`Runtime::store_changes`] tells a long-lived front end when
//! the store changed, in this process or another.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod config;
mod cost;
mod drive;
mod error;
mod files;
mod hooks;
pub mod instructions;
mod manage;
pub mod mcp;
mod models;
pub mod plugins;
mod preview;
pub mod projects;
mod roles;
mod schedule_tool;
pub mod schedules;
mod skill_save;
mod start;
mod steer;
mod team;
mod telemetry;

pub use config::{Config, config_path, data_dir};
pub use cost::Cost;
pub use drive::Driver;
pub use errand_core::{Approver, Observer, RunOutcome};
pub use error::{ErrorKind, RuntimeError};
pub use files::{Deliverable, FileKind};
pub use manage::{Change, TrashItem, UndoReport};
pub use models::{ModelEntry, ModelList};
pub use preview::{ApprovalPreview, DiffLine, PreviewDetail};
pub use schedules::{ScheduleRequest, ScheduleSummary, StoreBook};
pub use skill_save::{Draft, reviewed_skill};
pub use start::{Created, FolderRequest, TaskRequest, check_under_roots};
pub use steer::{Resolved, Steered};

use errand_core::{Grant, Store, TaskRow, TaskState, TaskView};
use errand_store::SqliteStore;
use std::sync::Arc;
use std::time::Duration;

/// The task's folders as the tools see them; a folder gone since the task started says so.
pub(crate) fn open_folders(grants: &[Grant]) -> Result<errand_tools::Workspace, RuntimeError> {
    errand_tools::Workspace::open(grants)
        .map_err(|e| RuntimeError::invalid(format!("cannot open the task's folders: {}", e.0)))
}

/// Transient progress of a long batch in a task this process runs (never stored);
/// serialized as `{"type": "progress", …}`, beside the stored events.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "type", rename = "progress")]
pub struct Progress {
    pub task_id: String,
    pub label: String,
    pub done: u64,
    pub total: u64,
}

/// The one runtime of a process: its store, and the signal that the store changed.
pub struct Runtime {
    store: Arc<SqliteStore>,
    /// Bumped after every append this process makes, and when another process's shows.
    changed: Arc<tokio::sync::watch::Sender<u64>>,
    progress: tokio::sync::broadcast::Sender<Progress>,
}

impl Runtime {
    /// Opens Errand's data folder (`ERRAND_HOME`, else the XDG data folder).
    pub fn open() -> Result<Runtime, RuntimeError> {
        let home = data_dir().map_err(RuntimeError::config)?;
        Self::open_at(&home)
    }

    pub fn open_at(home: &std::path::Path) -> Result<Runtime, RuntimeError> {
        let store = SqliteStore::open(home).map_err(|e| {
            RuntimeError::internal(format!(
                "cannot open Errand's data in {}: {e}",
                home.display()
            ))
        })?;
        let (changed, _) = tokio::sync::watch::channel(0u64);
        let changed = Arc::new(changed);
        let bump = changed.clone();
        store.set_listener(Box::new(move |_event| bump.send_modify(|n| *n += 1)));
        let (progress, _) = tokio::sync::broadcast::channel(256);
        Ok(Runtime {
            store: Arc::new(store),
            changed,
            progress,
        })
    }

    pub fn store(&self) -> &Arc<SqliteStore> {
        &self.store
    }

    /// A receiver that wakes whenever the store may hold new events.
    pub fn store_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// Progress of long batches in tasks this process runs.
    pub fn progress(&self) -> tokio::sync::broadcast::Receiver<Progress> {
        self.progress.subscribe()
    }

    /// Watches for appends made by other processes (a CLI run, `errand approve`) and
    /// signals them through [`Runtime::store_changes`]. Polls SQLite's `data_version`, which
    /// costs a few microseconds, every `every`.
    pub fn watch_other_processes(self: &Arc<Self>, every: Duration) -> tokio::task::JoinHandle<()> {
        let runtime = self.clone();
        tokio::spawn(async move {
            let mut seen = runtime.store.data_version().unwrap_or_default();
            loop {
                tokio::time::sleep(every).await;
                match runtime.store.data_version() {
                    Ok(version) if version != seen => {
                        seen = version;
                        runtime.changed.send_modify(|n| *n += 1);
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot poll the store for changes"),
                }
            }
        })
    }

    /// The task a full id or a unique prefix names.
    pub fn task(&self, id_or_prefix: &str) -> Result<TaskRow, RuntimeError> {
        Ok(self.store.resolve_task(id_or_prefix)?)
    }

    /// The task as its log folds: state, plan, summary, problems the check found.
    pub fn task_view(&self, id_or_prefix: &str) -> Result<TaskView, RuntimeError> {
        let row = self.task(id_or_prefix)?;
        Ok(TaskView::fold(&self.store.events(&row.id)?))
    }

    /// Every task, newest first.
    pub fn tasks(&self) -> Result<Vec<TaskRow>, RuntimeError> {
        Ok(self.store.tasks()?)
    }

    /// One page of tasks matching `query`, newest first, and the count of all matches.
    pub fn tasks_page(
        &self,
        query: &str,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<TaskRow>, usize), RuntimeError> {
        Ok(self.store.tasks_page(query, offset, limit)?)
    }

    /// Whether some process (this one included) runs the task now.
    pub fn is_running(&self, task_id: &str) -> Result<bool, RuntimeError> {
        Ok(self.store.task_running(task_id)?)
    }

    /// Tasks whose process died mid-run: running or created, and nobody holds them.
    pub fn interrupted(&self) -> Result<Vec<TaskRow>, RuntimeError> {
        let mut found = Vec::new();
        for row in self.store.tasks()? {
            if matches!(row.state, TaskState::Running | TaskState::Created)
                && !self.is_running(&row.id)?
            {
                found.push(row);
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn progress_is_sent_as_a_progress_event() {
        let progress = super::Progress {
            task_id: "t1".into(),
            label: "move".into(),
            done: 512,
            total: 1200,
        };
        assert_eq!(
            serde_json::to_value(&progress).expect("json"),
            serde_json::json!({"type": "progress", "task_id": "t1", "label": "move", "done": 512, "total": 1200})
        );
    }
}
