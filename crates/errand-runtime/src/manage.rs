//! Looking at and reversing tasks: the task as `show` prints it, what undo would reverse,
//! undo itself, and the trash.
use crate::{Runtime, RuntimeError};
use errand_core::{EventKind, JournalOp, JournalState, Store, TaskState, TaskView};
use serde::Serialize;
use serde_json::{Value, json};

pub use errand_tools::undo::{TrashItem, UndoReport};

/// One change undo would reverse, as a person reads it.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    Move {
        from: String,
        to: String,
    },
    Copy {
        from: String,
        to: String,
    },
    /// `replaced`: the file existed before and comes back as it was; else it is removed.
    Write {
        path: String,
        replaced: bool,
    },
    Trash {
        path: String,
    },
    Mkdir {
        path: String,
    },
}

impl Runtime {
    /// The task as `errand show --json` prints it and `GET /api/tasks/ID` answers.
    pub fn show(&self, task: &str) -> Result<Value, RuntimeError> {
        let row = self.task(task)?;
        let view = TaskView::fold(&self.store.events(&row.id)?);
        let journal = self.store.journal(&row.id)?;
        let count = |state: JournalState| {
            journal
                .iter()
                .filter(|r| r.state == state && r.op.is_change())
                .count()
        };
        let work = self.store.work_items(&row.id)?;
        let cost = crate::cost::estimate(&view.model, &view.usage);
        Ok(json!({
            "task": view,
            "plan": view.plan,
            "usage": view.usage,
            "cost": cost,
            "deliverables": view.deliverables,
            "problems": view.problems,
            "ended_without_finish": view.ended_without_finish,
            "subagents": view.subagents,
            "work_items": work,
            "changes": {"done": count(JournalState::Done), "undone": count(JournalState::Undone),
                        "planned": count(JournalState::Planned), "skipped": count(JournalState::Skipped)},
            "running": self.is_running(&row.id)?,
            "instructions": view.instructions.iter().map(|i| json!({
                "label": i.label, "path": i.path, "bytes": i.text.len(), "clipped": i.clipped,
            })).collect::<Vec<_>>(),
        }))
    }

    /// What `undo` would reverse, newest first.
    pub fn changes(&self, task: &str) -> Result<Vec<Change>, RuntimeError> {
        let row = self.task(task)?;
        let journal = self.store.journal(&row.id)?;
        Ok(journal
            .iter()
            .rev()
            .filter(|r| matches!(r.state, JournalState::Done | JournalState::Planned))
            .filter_map(|r| match &r.op {
                JournalOp::Move { from, to, .. } => Some(Change::Move {
                    from: from.clone(),
                    to: to.clone(),
                }),
                JournalOp::Copy { from, to, .. } => Some(Change::Copy {
                    from: from.clone(),
                    to: to.clone(),
                }),
                JournalOp::Write { path, before, .. } => Some(Change::Write {
                    path: path.clone(),
                    replaced: before.is_some(),
                }),
                JournalOp::Trash { path, .. } => Some(Change::Trash { path: path.clone() }),
                JournalOp::CreateDir { path } => Some(Change::Mkdir { path: path.clone() }),
                JournalOp::DirTimes { .. } => None,
            })
            .collect())
    }

    /// Puts back everything the task changed that nobody changed since. A task some
    /// process runs must be cancelled first.
    pub fn undo(&self, task: &str) -> Result<UndoReport, RuntimeError> {
        let row = self.task(task)?;
        let Some(_lock) = self.store.lock_task(&row.id)? else {
            return Err(RuntimeError::conflict(format!(
                "task {} is running; cancel it first (errand cancel {})",
                row.id, row.id
            )));
        };
        let view = TaskView::fold(&self.store.events(&row.id)?);
        let workspace = crate::open_folders(&view.grants)?;
        let report = errand_tools::undo::undo_task(self.store.as_ref(), &workspace, &row.id)
            .map_err(|e| RuntimeError::internal(e.0))?;
        self.store.append(
            &row.id,
            EventKind::Undone {
                restored: report.restored,
                refused: report.refused.clone(),
            },
        )?;
        if !view.state.is_terminal() {
            self.store.append(
                &row.id,
                EventKind::StateChanged {
                    state: TaskState::Cancelled,
                    reason: Some("undone".into()),
                },
            )?;
        }
        Ok(report)
    }

    /// Files tasks trashed or replaced, that can be restored.
    pub fn trash(&self) -> Result<Vec<TrashItem>, RuntimeError> {
        errand_tools::undo::trash_items(self.store.as_ref())
            .map_err(|e| RuntimeError::internal(e.0))
    }

    /// Puts one trashed or replaced file back where it was; its path on success.
    pub fn restore(&self, id: i64) -> Result<String, RuntimeError> {
        let record = self
            .store
            .journal_all()?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| {
                RuntimeError::not_found(format!(
                    "no trash item {id}; list them with `errand trash`"
                ))
            })?;
        let view = TaskView::fold(&self.store.events(&record.task_id)?);
        let workspace = crate::open_folders(&view.grants)?;
        errand_tools::undo::restore_item(self.store.as_ref(), &workspace, &record)
            .map_err(|e| RuntimeError::conflict(e.0))
    }
}
