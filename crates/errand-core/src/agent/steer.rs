//! The person steering a run from any process: pause, continue, cancel, answers to
//! approvals and questions. The store has no notifications, so the loop polls it.
use super::{Agent, AgentError, Flow, RunOutcome};
use crate::event::EventKind;
use crate::model::ToolCall;
use crate::task::{TaskState, TaskView};
use crate::tool::parse_input;
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How often a paused or waiting run looks for the person's word.
const WAIT_POLL: Duration = Duration::from_millis(200);

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AskInput {
    /// One clear question; say what you will do with each likely answer.
    pub question: String,
}

impl Agent {
    /// Between steps: `Some` when the task was cancelled; while it is paused, waits here.
    pub(crate) async fn steer(&self, task_id: &str) -> Result<Option<RunOutcome>, AgentError> {
        loop {
            match self.store.resolve_task(task_id)?.state {
                TaskState::Cancelled => return Ok(Some(RunOutcome::Cancelled)),
                TaskState::Paused => {
                    tokio::time::sleep(WAIT_POLL).await;
                    if self.interrupt.load(Ordering::Relaxed) {
                        return Ok(Some(RunOutcome::Interrupted));
                    }
                }
                _ => return Ok(None),
            }
        }
    }

    /// The task needs the person (an approval, an answer): marks it waiting, then either
    /// stops the run (exit 3; `errand approve` / `answer` continue it) or, in a background
    /// run, waits here until `answered` holds. `None`: answered, go on.
    pub(crate) async fn wait_for_person(
        &self,
        view: &mut TaskView,
        why: String,
        answered: impl Fn(&TaskView) -> bool,
    ) -> Result<Option<RunOutcome>, AgentError> {
        self.set_task_state(view, TaskState::Waiting, Some(why.clone()))?;
        if !self.hold {
            return Ok(Some(RunOutcome::Waiting(why)));
        }
        loop {
            tokio::time::sleep(WAIT_POLL).await;
            if self.interrupt.load(Ordering::Relaxed) {
                return Ok(Some(RunOutcome::Interrupted));
            }
            self.catch_up(view)?;
            if view.state == TaskState::Cancelled {
                return Ok(Some(RunOutcome::Cancelled));
            }
            if answered(view) {
                self.set_task_state(view, TaskState::Running, None)?;
                return Ok(None);
            }
        }
    }

    /// A task-wide state change, whichever agent of the task notices it.
    fn set_task_state(
        &self,
        view: &mut TaskView,
        state: TaskState,
        reason: Option<String>,
    ) -> Result<(), AgentError> {
        let event =
            self.store
                .append_as(&view.id, None, EventKind::StateChanged { state, reason })?;
        self.take_in(view, event)
    }

    /// `ask_user`: the answer when there is one; else asks on the terminal, or waits.
    pub(crate) async fn ask_user(
        &self,
        view: &mut TaskView,
        call: &ToolCall,
    ) -> Result<Flow, AgentError> {
        let input: AskInput = match parse_input(super::ASK_USER, &call.input) {
            Ok(input) => input,
            Err(e) => return Ok(Flow::Result(e.0, true)),
        };
        if let Some(answer) = view.answers.get(&call.id) {
            return Ok(Flow::Result(
                format!("The person answered: {answer}"),
                false,
            ));
        }
        if let Some(approver) = &self.approver
            && let Some(answer) = approver.ask(view, &input.question).await
        {
            self.append(
                view,
                EventKind::QuestionAnswered {
                    call_id: call.id.clone(),
                    answer: answer.clone(),
                },
            )?;
            return Ok(Flow::Result(
                format!("The person answered: {answer}"),
                false,
            ));
        }
        if view.question.is_none() {
            self.append(
                view,
                EventKind::QuestionAsked {
                    call_id: call.id.clone(),
                    question: input.question.clone(),
                },
            )?;
        }
        let id = call.id.clone();
        let why = format!("a question for you: {}", input.question);
        match self
            .wait_for_person(view, why, move |v| v.answers.contains_key(&id))
            .await?
        {
            Some(stop) => Ok(Flow::Stop(stop)),
            None => match view.answers.get(&call.id) {
                Some(answer) => Ok(Flow::Result(
                    format!("The person answered: {answer}"),
                    false,
                )),
                None => Ok(Flow::Result("no answer came".into(), true)),
            },
        }
    }
}
