//! The person's word to a task, from any process: approve or deny a request, answer a
//! question, say something, pause, continue, cancel. Each is one event in the log; the
//! process running the task reads it before its next step. None of these runs the task:
//! when [`Steered::running`] is false, a front end may [`Runtime::drive`] it.
use crate::{Runtime, RuntimeError};
use errand_core::{Event, EventKind, Store, TaskRow, TaskState, TaskView};

/// What a steering action did.
#[derive(Debug, Clone)]
pub struct Steered {
    pub id: String,
    /// The event it appended; `None` when there was nothing to change (already paused).
    pub event: Option<Event>,
    /// Whether a process runs the task now (it will read the event itself).
    pub running: bool,
}

/// An approval request answered.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub steered: Steered,
    /// The request, as the person saw it.
    pub summary: String,
    /// Requests still waiting after this one.
    pub more_waiting: usize,
}

impl Runtime {
    /// The task, if it can still be steered.
    fn live_task(&self, task: &str, verb: &str) -> Result<TaskRow, RuntimeError> {
        let row = self.task(task)?;
        if row.state.is_terminal() {
            return Err(RuntimeError::conflict(format!(
                "task {} is already {}; there is nothing to {verb} (start a new task instead)",
                row.id,
                row.state.as_str()
            )));
        }
        Ok(row)
    }

    fn steered(&self, id: String, event: Option<Event>) -> Result<Steered, RuntimeError> {
        let running = self.is_running(&id)?;
        Ok(Steered { id, event, running })
    }

    /// Approves (`approved`) or refuses the waiting request `call_id`, or the first one.
    /// A request someone already answered, here or in another process, is a `Conflict`.
    pub fn resolve(
        &self,
        task: &str,
        call_id: Option<&str>,
        approved: bool,
        always: bool,
    ) -> Result<Resolved, RuntimeError> {
        let row = self.task(task)?;
        let view = TaskView::fold(&self.store.events(&row.id)?);
        let pending = match call_id {
            Some(id) => view.waiting_for.iter().find(|p| p.call_id == id),
            None => view.waiting_for.first(),
        };
        let Some(pending) = pending else {
            return Err(RuntimeError::conflict(match call_id {
                Some(id) => format!(
                    "request {id} of task {} is not waiting: it was already answered (or never asked)",
                    row.id
                ),
                None => format!(
                    "task {} is not waiting for an approval (it is {})",
                    row.id,
                    row.state.as_str()
                ),
            }));
        };
        // The answer goes to whichever agent asked: a sub-agent's call is in its own log.
        let event = self.store.append_answer(
            &row.id,
            pending.agent.as_deref(),
            EventKind::ApprovalResolved {
                call_id: pending.call_id.clone(),
                approved,
                always,
            },
        )?;
        let Some(event) = event else {
            return Err(RuntimeError::conflict(format!(
                "request {} of task {} was already answered elsewhere",
                pending.call_id, row.id
            )));
        };
        Ok(Resolved {
            summary: pending.summary.clone(),
            more_waiting: view.waiting_for.len() - 1,
            steered: self.steered(row.id, Some(event))?,
        })
    }

    /// Answers the task's `ask_user` question.
    pub fn answer(&self, task: &str, answer: &str) -> Result<(Steered, String), RuntimeError> {
        if answer.trim().is_empty() {
            return Err(RuntimeError::invalid(
                "the answer is empty; write what the task asked for",
            ));
        }
        let row = self.live_task(task, "answer")?;
        let view = TaskView::fold(&self.store.events(&row.id)?);
        let Some(question) = &view.question else {
            return Err(RuntimeError::conflict(format!(
                "task {} has no question waiting for an answer (it is {})",
                row.id,
                row.state.as_str()
            )));
        };
        let event = self.store.append_answer(
            &row.id,
            None,
            EventKind::QuestionAnswered {
                call_id: question.call_id.clone(),
                answer: answer.to_string(),
            },
        )?;
        let Some(event) = event else {
            return Err(RuntimeError::conflict(format!(
                "the question of task {} was already answered elsewhere",
                row.id
            )));
        };
        Ok((
            self.steered(row.id, Some(event))?,
            question.question.clone(),
        ))
    }

    /// A message the task's agent reads before its next step.
    pub fn say(&self, task: &str, message: &str) -> Result<Steered, RuntimeError> {
        if message.trim().is_empty() {
            return Err(RuntimeError::invalid(
                "the message is empty; say what the task should know",
            ));
        }
        let row = self.live_task(task, "say")?;
        let event = self.store.append(
            &row.id,
            EventKind::UserMessage {
                text: message.to_string(),
            },
        )?;
        self.steered(row.id, Some(event))
    }

    /// Holds the task after its current step.
    pub fn pause(&self, task: &str) -> Result<Steered, RuntimeError> {
        let row = self.live_task(task, "pause")?;
        if row.state == TaskState::Paused {
            return self.steered(row.id, None);
        }
        let event = self.set_state(&row.id, TaskState::Paused, "paused by the person")?;
        self.steered(row.id, Some(event))
    }

    /// Lets a paused task go on.
    pub fn resume_paused(&self, task: &str) -> Result<Steered, RuntimeError> {
        let row = self.live_task(task, "continue")?;
        if row.state != TaskState::Paused {
            return Err(RuntimeError::conflict(format!(
                "task {} is not paused (it is {}){}",
                row.id,
                row.state.as_str(),
                if row.state == TaskState::Waiting {
                    "; answer what it waits for: approve, deny or answer"
                } else {
                    ""
                }
            )));
        }
        let event = self.set_state(&row.id, TaskState::Running, "continued by the person")?;
        self.steered(row.id, Some(event))
    }

    /// Stops the task, sub-agents included, at its next step.
    pub fn cancel(&self, task: &str) -> Result<Steered, RuntimeError> {
        let row = self.live_task(task, "cancel")?;
        let event = self.set_state(&row.id, TaskState::Cancelled, "cancelled by the person")?;
        self.steered(row.id, Some(event))
    }

    fn set_state(&self, id: &str, state: TaskState, reason: &str) -> Result<Event, RuntimeError> {
        Ok(self.store.append(
            id,
            EventKind::StateChanged {
                state,
                reason: Some(reason.into()),
            },
        )?)
    }
}
