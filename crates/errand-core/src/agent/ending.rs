//! How a run ends honestly. Real models stop early, repeat themselves and forget `finish`;
//! a person who trusts "Done" must not be misled by that. So:
//! - a turn with no tool call gets one reminder; a second empty one fails the task, a second
//!   one with words is taken as the summary and marked "ended without finish";
//! - the same call three times in a row, or many turns with no new effect, get a reminder,
//!   and the task fails if it goes on;
//! - after `finish`, the result check looks at the files; problems go back to the model once,
//!   and if they remain the task ends "done with problems" (CLI exit code 5).
use super::{Agent, AgentError, RunOutcome};
use crate::event::EventKind;
use crate::model::Message;
use crate::task::{TaskState, TaskView};
use crate::tool::Effect;
use async_trait::async_trait;
use std::collections::{HashMap, HashSet};

/// The same call with the same input this many times in a row earns a reminder…
pub const REPEATS_BEFORE_NUDGE: usize = 3;
/// …and once more after it fails the task.
pub const REPEATS_BEFORE_FAIL: usize = REPEATS_BEFORE_NUDGE + 1;
/// Model turns in a row without a new effect before a reminder (`Agent::stall_turns`)…
pub const STALLED_TURNS_BEFORE_NUDGE: usize = 8;
/// …and this many more after it before the task fails.
pub const STALLED_TURNS_AFTER_NUDGE: usize = 4;

pub const NO_TOOL_CALL: &str = "no_tool_call";
pub const REPEATED_CALL: &str = "repeated_call";
pub const NO_PROGRESS: &str = "no_progress";
pub const CHECK: &str = "check";

/// Looks at a finished task's result before the person is told it is done.
#[async_trait]
pub trait ResultCheck: Send + Sync {
    /// Problems with the result, each in words a person can act on; empty when it holds.
    async fn check(&self, view: &TaskView) -> Vec<String>;
}

/// What the loop does after a model turn without tool calls.
pub(crate) enum Quiet {
    /// The model was reminded; ask it again.
    Nudged,
    /// The run ends here.
    Stop(RunOutcome),
    /// Its words were taken as the summary; conclude the task.
    Concluded(Option<RunOutcome>),
}

impl Agent {
    /// A model turn with no tool call: never success by itself.
    pub(crate) async fn quiet_turn(
        &self,
        view: &mut TaskView,
        text: String,
    ) -> Result<Quiet, AgentError> {
        if self.who.is_some() {
            // A sub-agent's last words are its report to its parent, which reads them.
            self.append(view, finished(text, false))?;
            return Ok(Quiet::Stop(self.done(view)?));
        }
        if view.quiet_turns < 2 {
            let text = "You ended your turn without calling a tool. If the work is complete, \
                        call finish with a short summary and the deliverables' paths; \
                        otherwise continue with the next tool call.";
            self.nudge(view, NO_TOOL_CALL, text)?;
            return Ok(Quiet::Nudged);
        }
        if text.trim().is_empty() {
            let reason = "the model ended its turn twice with no tool call and no words, so \
                          there is no result to accept; nothing claims the outcome was met \
                          (a model that cannot call tools reliably may need a larger one)";
            return Ok(Quiet::Stop(self.fail(view, reason.to_string())?));
        }
        self.append(view, finished(text, true))?;
        Ok(Quiet::Concluded(self.conclude(view).await?))
    }

    /// After a model turn with calls: a loop gets a reminder, then fails the task.
    pub(crate) fn repeated_calls(
        &self,
        view: &mut TaskView,
    ) -> Result<Option<RunOutcome>, AgentError> {
        if view.repeat_streak < REPEATS_BEFORE_NUDGE {
            return Ok(None);
        }
        let name = view
            .last_call()
            .map(|(name, _)| name.to_string())
            .unwrap_or_default();
        let reminded = view
            .last_nudge(REPEATED_CALL)
            .is_some_and(|turn| turn >= view.repeat_since);
        if !reminded {
            let text = format!(
                "You have called {name} with the same input {} times in a row; its result \
                 will not change. Do something different: the next step, ask_user if you \
                 are stuck, or finish and say what is missing.",
                view.repeat_streak
            );
            self.nudge(view, REPEATED_CALL, &text)?;
            return Ok(None);
        }
        if view.repeat_streak >= REPEATS_BEFORE_FAIL {
            let reason = format!(
                "stopped a loop: the model called {name} with the same input {} times in a \
                 row, even after a reminder",
                view.repeat_streak
            );
            return self.fail(view, reason).map(Some);
        }
        Ok(None)
    }

    /// Before a model call: many turns without a new effect get a reminder, then fail.
    pub(crate) fn stalled(&self, view: &mut TaskView) -> Result<Option<RunOutcome>, AgentError> {
        let since = self.turns_without_progress(view);
        if since < self.stall_turns.max(1) {
            return Ok(None);
        }
        let progress_at = view.model_turns - since;
        match view.last_nudge(NO_PROGRESS).filter(|t| *t >= progress_at) {
            None => {
                let text = format!(
                    "{since} turns have brought nothing new (repeated reads, failing or \
                     refused calls). Change approach: take the next concrete step, ask_user \
                     if you are blocked, or finish and say what is missing."
                );
                self.nudge(view, NO_PROGRESS, &text)?;
                Ok(None)
            }
            Some(at) if view.model_turns - at >= STALLED_TURNS_AFTER_NUDGE => {
                let reason = format!(
                    "stopped: {since} model turns in a row brought no new effect, even after \
                     a reminder"
                );
                self.fail(view, reason).map(Some)
            }
            Some(_) => Ok(None),
        }
    }

    /// Model turns, counted back from the latest, since a call had a new effect: it
    /// succeeded, it is not bookkeeping (plan, questions), and the same call with the same
    /// input never came before.
    fn turns_without_progress(&self, view: &TaskView) -> usize {
        let mut calls: HashMap<&str, (&str, String)> = HashMap::new();
        let mut seen: HashSet<(&str, String)> = HashSet::new();
        let mut since = 0;
        for message in &view.messages {
            match message {
                Message::Assistant { tool_calls, .. } => {
                    since += 1;
                    for call in tool_calls {
                        calls.insert(&call.id, (&call.name, call.input.to_string()));
                    }
                }
                Message::ToolResult {
                    call_id,
                    is_error: false,
                    ..
                } => {
                    let Some((name, input)) = calls.remove(call_id.as_str()) else {
                        continue;
                    };
                    let bookkeeping = self
                        .tools
                        .get(name)
                        .is_none_or(|t| t.effect() == Effect::State);
                    if seen.insert((name, input)) && !bookkeeping {
                        since = 0;
                    }
                }
                _ => {}
            }
        }
        since
    }

    /// The agent finished: the result check, then done, a second chance, or done with
    /// problems. `None`: the model was sent back to fix what the check found.
    pub(crate) async fn conclude(
        &self,
        view: &mut TaskView,
    ) -> Result<Option<RunOutcome>, AgentError> {
        if self.hook_stop(view).await? {
            return Ok(None);
        }
        if self.who.is_some() {
            return self.done(view).map(Some);
        }
        if !view.checked {
            let problems = match &self.checker {
                Some(checker) => checker.check(view).await,
                None => Vec::new(),
            };
            self.append(view, EventKind::Checked { problems })?;
        }
        if view.problems.is_empty() {
            return self.done(view).map(Some);
        }
        // An offline recipe cannot fix its result: it ends with the problems named.
        if view.failed_checks < 2 && view.model != "offline" {
            let list: Vec<String> = view.problems.iter().map(|p| format!("- {p}")).collect();
            let text = format!(
                "Before telling the person the task is done, Errand checked the result and \
                 found problems:\n{}\nFix them, check again, then call finish.",
                list.join("\n")
            );
            self.nudge(view, CHECK, &text)?;
            return Ok(None);
        }
        let reason = format!("done with problems: {}", view.problems.join("; "));
        self.append(
            view,
            EventKind::StateChanged {
                state: TaskState::Done,
                reason: Some(reason),
            },
        )?;
        Ok(Some(RunOutcome::Done))
    }

    fn nudge(&self, view: &mut TaskView, reason: &str, text: &str) -> Result<(), AgentError> {
        self.append(
            view,
            EventKind::Nudged {
                reason: reason.into(),
                text: text.into(),
            },
        )
    }
}

fn finished(summary: String, without_finish: bool) -> EventKind {
    EventKind::Finished {
        summary,
        deliverables: Vec::new(),
        without_finish,
    }
}
