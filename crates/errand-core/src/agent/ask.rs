//! A question put to the person in the middle of a call (an MCP server's elicitation). On a
//! terminal it is asked there. A run that waits in place (the workspace, a background run)
//! logs it as a question, marks the task waiting and waits for the answer any door can give,
//! then marks it running again; the call goes on the whole time. A run that cannot wait
//! (a script's `--no-input`) answers nothing, and the server is told the person declined.
use crate::agent::Approver;
use crate::event::EventKind;
use crate::store::Store;
use crate::task::{TaskState, TaskView};
use crate::tool::Asker;
use async_trait::async_trait;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

pub(crate) struct CallAsker {
    pub store: Arc<dyn Store>,
    pub task_id: String,
    pub call_id: String,
    pub agent: Option<String>,
    pub approver: Option<Arc<dyn Approver>>,
    pub hold: bool,
    pub interrupt: Arc<AtomicBool>,
    /// Questions asked in this call, so each gets its own id.
    pub asked: AtomicUsize,
}

/// How often the log is read for the answer.
const POLL: Duration = Duration::from_millis(200);

#[async_trait]
impl Asker for CallAsker {
    async fn ask(&self, question: &str) -> Option<String> {
        if let Some(approver) = &self.approver
            && let Some(answer) = approver.ask(&TaskView::default(), question).await
        {
            return Some(answer);
        }
        if !self.hold {
            return None;
        }
        let n = self.asked.fetch_add(1, Ordering::Relaxed) + 1;
        let id = format!("{}~ask{n}", self.call_id);
        let agent = self.agent.as_deref();
        let asked = EventKind::QuestionAsked {
            call_id: id.clone(),
            question: question.to_string(),
        };
        let waiting = EventKind::StateChanged {
            state: TaskState::Waiting,
            reason: Some(format!("a question for you: {question}")),
        };
        if let Err(e) = self
            .store
            .append_as(&self.task_id, agent, asked)
            .and_then(|_| self.store.append_as(&self.task_id, None, waiting))
        {
            tracing::warn!(error = %e, "cannot log a question for the person");
            return None;
        }
        let answer = self.wait_for(&id).await;
        // Cancelled or interrupted meanwhile: that state stands.
        if answer.is_some() {
            let running = EventKind::StateChanged {
                state: TaskState::Running,
                reason: None,
            };
            if let Err(e) = self.store.append_as(&self.task_id, None, running) {
                tracing::warn!(error = %e, "cannot mark the task running again");
            }
        }
        answer
    }
}

impl CallAsker {
    /// The answer to question `id`, or `None` if the task is cancelled or interrupted first.
    /// Each look reads only the events logged since the last one.
    async fn wait_for(&self, id: &str) -> Option<String> {
        let mut last_seq = 0;
        loop {
            if self.interrupt.load(Ordering::Relaxed) {
                return None;
            }
            let events = self.store.events_after(&self.task_id, last_seq).ok()?;
            for event in &events {
                match &event.kind {
                    EventKind::QuestionAnswered { call_id, answer } if call_id == id => {
                        return Some(answer.clone());
                    }
                    EventKind::StateChanged {
                        state: TaskState::Cancelled,
                        ..
                    } => return None,
                    _ => {}
                }
            }
            last_seq = events.last().map_or(last_seq, |e| e.seq);
            tokio::time::sleep(POLL).await;
        }
    }
}
