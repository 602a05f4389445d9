//! The agent loop: model turn → tool calls → policy → execute → results → repeat.
//!
//! Every step is appended to the store before the next begins, so a run can stop anywhere
//! (crash, approval, cancel) and `run` picks up from the log.
use crate::compact::{COMPACT_AT_PERCENT, estimate_tokens};
use crate::event::{Event, EventKind};
use crate::model::{ImageRef, Model, ModelRequest, ToolCall};
use crate::policy::{Decision, Policy};
use crate::store::{Store, StoreError};
use crate::task::{TaskState, TaskView};
use crate::tool::{Assessment, ProgressSink, ToolContext, ToolRegistry};
use async_trait::async_trait;
use std::sync::Arc;

mod ask;
mod calls;
mod delegate;
mod ending;
mod groups;
mod hooks;
mod images;
mod lease;
mod prompt;
mod steer;

use calls::{drop_empty_optionals, unique_ids};
pub use prompt::{PROMPT_RULES, system_prompt};

pub use delegate::{
    ASK_USER, DELEGATE, Delegation, Role, SubagentFactory, register_agent_tools, subagent_prompt,
};
pub use ending::{ResultCheck, STALLED_TURNS_BEFORE_NUDGE};
pub use groups::{LOAD_TOOLS, group_lines};
pub use hooks::{HookChain, HookVerdict, Hooks, STOP_HOOK};
pub use lease::Leasing;

/// How often a waiting model call checks for Ctrl-C.
const STOP_POLL: std::time::Duration = std::time::Duration::from_millis(50);
/// Every this many polls it also asks the store whether another process cancelled the task.
const STORE_POLL_EVERY: u32 = 4;

/// Sees every event as it is appended, and transient progress (never stored).
pub trait Observer: Send + Sync {
    fn event(&self, event: &Event);
    fn progress(&self, _label: &str, _done: u64, _total: u64) {}
}

/// Answers approval requests on the spot, e.g. a terminal prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalAnswer {
    Yes,
    No,
    /// Yes, and for every later call of this tool in the task.
    Always,
}

#[async_trait]
pub trait Approver: Send + Sync {
    async fn approve(
        &self,
        view: &TaskView,
        tool: &str,
        reason: &str,
        assessment: &Assessment,
    ) -> ApprovalAnswer;

    /// Puts an `ask_user` question to the person; `None` when nobody can answer here.
    async fn ask(&self, _view: &TaskView, _question: &str) -> Option<String> {
        None
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    Done,
    Failed(String),
    /// Stopped for an approval nobody could give here; `errand approve` continues it.
    Waiting(String),
    Cancelled,
    /// Stopped by the person mid-run (Ctrl-C); the log keeps its place for `resume`.
    Interrupted,
}

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone)]
pub struct Agent {
    pub store: Arc<dyn Store>,
    pub tools: ToolRegistry,
    pub model: Arc<dyn Model>,
    pub policy: Policy,
    pub observer: Arc<dyn Observer>,
    pub approver: Option<Arc<dyn Approver>>,
    /// A task that needs more model turns than this fails instead of looping forever.
    pub max_turns: usize,
    /// Turns in a row without a new effect before a reminder; a few more fail the task.
    pub stall_turns: usize,
    /// Set from outside (Ctrl-C) to stop at the next step boundary or batch item.
    pub interrupt: Arc<std::sync::atomic::AtomicBool>,
    /// The sub-agent this loop runs; `None` for the task's own agent.
    pub who: Option<String>,
    /// Wait in place for approvals and answers (a background run) instead of stopping.
    pub hold: bool,
    /// How this agent may start sub-agents; `None`: it may not.
    pub delegation: Option<Arc<Delegation>>,
    pub leases: Leasing,
    /// Looks at the result after `finish`; `None`: no check (sub-agents, some tests).
    pub checker: Option<Arc<dyn ResultCheck>>,
    /// The person's hooks around calls and endings; `None`: none.
    pub hooks: Option<Arc<dyn Hooks>>,
}

/// How a call the loop itself carries out (`delegate`, `ask_user`) went.
pub(crate) enum Flow {
    /// The call's result for the model: content, and whether it is an error.
    Result(String, bool),
    /// The run must stop here; the call stays open and is finished on resume.
    Stop(RunOutcome),
}

impl Agent {
    /// Runs (or resumes) a task, or one sub-agent of it, until it ends or must wait.
    /// Boxed: a run may start sub-agent runs, and a recursive future needs a fixed type.
    pub fn run<'a>(
        &'a self,
        task_id: &'a str,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<RunOutcome, AgentError>> + Send + 'a>> {
        Box::pin(self.run_and_release(task_id))
    }

    async fn run_and_release(&self, task_id: &str) -> Result<RunOutcome, AgentError> {
        let main = self.who.is_none();
        if main && self.leases.enabled {
            // This process holds the task's run lock, so any lease the task still has is
            // left from a run that died.
            self.store.lease_release(task_id, None)?;
        }
        let outcome = self.run_loop(task_id).await?;
        if main
            && self.leases.enabled
            && matches!(
                outcome,
                RunOutcome::Done | RunOutcome::Failed(_) | RunOutcome::Cancelled
            )
        {
            self.store.lease_release(task_id, None)?;
        }
        Ok(outcome)
    }

    async fn run_loop(&self, task_id: &str) -> Result<RunOutcome, AgentError> {
        let mut view = TaskView::fold_for(&self.log(task_id, 0)?, self.who.as_deref());
        if view.state.is_terminal() {
            return Ok(outcome_of(&view));
        }
        if self.who.is_some() {
            if view.finished {
                return Ok(RunOutcome::Done);
            }
        } else if view.state != TaskState::Running {
            self.append(
                &mut view,
                EventKind::StateChanged {
                    state: TaskState::Running,
                    reason: None,
                },
            )?;
        }
        loop {
            if self.interrupt.load(std::sync::atomic::Ordering::Relaxed) {
                return Ok(RunOutcome::Interrupted);
            }
            // Another process may have paused or cancelled the task between steps.
            if let Some(stop) = self.steer(task_id).await? {
                return Ok(stop);
            }
            // Pick up steering messages and approvals appended by other processes.
            self.catch_up(&mut view)?;
            if view.state.is_terminal() {
                return Ok(outcome_of(&view));
            }
            if self.who.is_none() && view.finished {
                // Finished before a crash, not yet concluded: the check runs now.
                match self.conclude(&mut view).await? {
                    Some(outcome) => return Ok(outcome),
                    None => continue,
                }
            }
            if let Some(call) = view.next_pending_call().cloned() {
                if let Some(outcome) = self.handle_call(&mut view, call).await? {
                    return Ok(outcome);
                }
                continue;
            }
            if view.model_turns >= self.max_turns {
                let reason = format!(
                    "stopped after {} model turns without finishing",
                    self.max_turns
                );
                return self.fail(&mut view, reason);
            }
            let used = self.tokens_spent(&view);
            if let Some(budget) = view.max_tokens_total.filter(|b| used >= *b) {
                let reason = format!(
                    "the token budget of {budget} is spent ({used} used); nothing more was sent to the model"
                );
                return self.fail(&mut view, reason);
            }
            if let Some(stop) = self.stalled(&mut view)? {
                return Ok(stop);
            }
            let system = match &view.brief {
                Some(brief) => subagent_prompt(&view, brief),
                None => system_prompt(&view, self.prompt_groups()),
            };
            let tools = &self.request_tools(&view)[..];
            if let Some(window) = self.model.context_window()
                && estimate_tokens(&system, &view.messages, tools)
                    > window * COMPACT_AT_PERCENT / 100
                && self.compact(&mut view, &system, tools, window).await?
            {
                // Budgets and stop requests are checked again before the next call.
                continue;
            }
            let request = ModelRequest {
                turn: view.model_turns + view.compactions,
                system: &system,
                messages: &view.messages,
                tools,
                images: &images::StoreImages(&*self.store),
            };
            // A model call can stream for minutes; a stop must not wait for it to end.
            // Dropping the call closes its connection; nothing of it was recorded.
            let response = tokio::select! {
                response = self.model.complete(&request) => response,
                stop = self.stop_requested(task_id) => return Ok(stop),
            };
            let response = match response {
                Ok(response) => response,
                Err(e) => return self.fail(&mut view, e.to_string()),
            };
            let tool_calls = unique_ids(&view, response.tool_calls);
            let ends = tool_calls.is_empty();
            let text = response.text;
            self.append(
                &mut view,
                EventKind::ModelTurn {
                    text: text.clone(),
                    tool_calls,
                    usage: response.usage,
                },
            )?;
            if ends {
                match self.quiet_turn(&mut view, text).await? {
                    ending::Quiet::Nudged | ending::Quiet::Concluded(None) => continue,
                    ending::Quiet::Stop(outcome) | ending::Quiet::Concluded(Some(outcome)) => {
                        return Ok(outcome);
                    }
                }
            }
            if let Some(stop) = self.repeated_calls(&mut view)? {
                return Ok(stop);
            }
        }
    }

    /// Applies events other processes (and sibling sub-agents) appended since the view's
    /// last; shows only this agent's own, as the others show theirs.
    pub(crate) fn catch_up(&self, view: &mut TaskView) -> Result<(), AgentError> {
        for event in self.events_since(view)? {
            if event.agent == self.who {
                self.observer.event(&event);
            }
            view.apply(&event);
        }
        Ok(())
    }

    /// The events after the view's place that this agent needs. Sub-agents skip their
    /// siblings' turns and results, which would cost each of N sub-agents reading all N.
    fn events_since(&self, view: &TaskView) -> Result<Vec<Event>, AgentError> {
        self.log(&view.id, view.last_seq)
    }

    /// The task's events after `seq`, as much of them as this agent folds.
    pub(crate) fn log(&self, task_id: &str, seq: i64) -> Result<Vec<Event>, AgentError> {
        Ok(match &self.who {
            Some(agent) => self.store.events_after_for(task_id, seq, agent)?,
            None => self.store.events_after(task_id, seq)?,
        })
    }

    /// The agent finished; the task is done when it is the task's own agent.
    fn done(&self, view: &mut TaskView) -> Result<RunOutcome, AgentError> {
        if self.who.is_none() {
            self.append(
                view,
                EventKind::StateChanged {
                    state: TaskState::Done,
                    reason: None,
                },
            )?;
        }
        Ok(RunOutcome::Done)
    }

    /// Resolves when the person stops the task: Ctrl-C here, or `errand cancel` from any
    /// process (seen in the store). Polls, because the store has no notifications.
    async fn stop_requested(&self, task_id: &str) -> RunOutcome {
        let mut ticks: u32 = 0;
        loop {
            tokio::time::sleep(STOP_POLL).await;
            if self.interrupt.load(std::sync::atomic::Ordering::Relaxed) {
                return RunOutcome::Interrupted;
            }
            ticks += 1;
            if ticks.is_multiple_of(STORE_POLL_EVERY)
                && self
                    .store
                    .resolve_task(task_id)
                    .is_ok_and(|row| row.state == TaskState::Cancelled)
            {
                return RunOutcome::Cancelled;
            }
        }
    }

    /// Runs one pending call through the policy; `Some` when the run must stop here.
    async fn handle_call(
        &self,
        view: &mut TaskView,
        mut call: ToolCall,
    ) -> Result<Option<RunOutcome>, AgentError> {
        let Some(tool) = self.tools.get(&call.name) else {
            let message = match self.tools.absent_reason(&call.name) {
                Some(why) => format!("{} is not available: {why}", call.name),
                None => format!(
                    "unknown tool `{}`; the tools are: {}",
                    call.name,
                    self.tools.names().join(", ")
                ),
            };
            self.finish_call(view, &call, message, true)?;
            return Ok(None);
        };
        if let Some(spec) = self.tools.specs().iter().find(|s| s.name == call.name) {
            drop_empty_optionals(&spec.input_schema, &mut call.input);
        }
        let resuming = view.started.contains(&call.id);
        let ctx = self.context(view, &call, resuming);
        if !resuming {
            self.load_group_of(view, &call.name)?;
            let assessment = match tool.assess(&ctx, &call.input) {
                Ok(a) => a,
                Err(e) => {
                    self.finish_call(view, &call, e.0, true)?;
                    return Ok(None);
                }
            };
            match self
                .policy
                .decide(&call.name, tool.effect(), &assessment, view)
            {
                Decision::Allow => {}
                Decision::Deny(reason) => {
                    self.finish_call(view, &call, format!("refused: {reason}"), true)?;
                    return Ok(None);
                }
                Decision::Ask(reason) => match view.approvals.get(&call.id) {
                    Some(true) => {}
                    Some(false) => {
                        let msg = "the person declined this call; do not retry it, adjust the plan or finish";
                        self.finish_call(view, &call, msg.to_string(), true)?;
                        return Ok(None);
                    }
                    None => {
                        let mut assessment = assessment;
                        if let Some(label) = view.agent_label() {
                            // Sub-agents' approvals surface on the task: say whose it is.
                            assessment.summary = format!("{label}: {}", assessment.summary);
                        }
                        if let Some(approver) = &self.approver {
                            let answer = approver
                                .approve(view, &call.name, &reason, &assessment)
                                .await;
                            use crate::agent::ApprovalAnswer::*;
                            self.append(
                                view,
                                EventKind::ApprovalResolved {
                                    call_id: call.id.clone(),
                                    approved: answer != No,
                                    always: answer == Always,
                                },
                            )?;
                            return Ok(None);
                        }
                        if !view.waiting_for.iter().any(|p| p.call_id == call.id) {
                            self.append(
                                view,
                                EventKind::ApprovalRequested {
                                    call_id: call.id.clone(),
                                    tool: call.name.clone(),
                                    summary: assessment.summary.clone(),
                                    preview: assessment.preview.clone(),
                                },
                            )?;
                        }
                        let why = format!("{}: {}", reason, assessment.summary);
                        let id = call.id.clone();
                        return self
                            .wait_for_person(view, why, move |v| v.approvals.contains_key(&id))
                            .await;
                    }
                },
            }
            if let hooks::HookVerdict::Block(reason) = self.hook_before(view, &call).await {
                self.finish_call(view, &call, format!("blocked by a hook: {reason}"), true)?;
                return Ok(None);
            }
            if let Some(refusal) = self.lease(view, tool.effect(), &assessment).await? {
                match refusal {
                    lease::Refusal::Held(message) => {
                        self.finish_call(view, &call, message, true)?;
                        return Ok(None);
                    }
                    lease::Refusal::Stop(outcome) => return Ok(Some(outcome)),
                }
            }
            self.append(
                view,
                EventKind::ToolStarted {
                    call_id: call.id.clone(),
                    tool: call.name.clone(),
                },
            )?;
        }
        let flow = match call.name.as_str() {
            DELEGATE => Some(self.delegate(view, &call).await?),
            ASK_USER => Some(self.ask_user(view, &call).await?),
            LOAD_TOOLS => Some(self.load_tools(view, &call)?),
            _ => None,
        };
        let result = match flow {
            Some(Flow::Stop(outcome)) => return Ok(Some(outcome)),
            Some(Flow::Result(content, false)) => Ok(crate::tool::ToolOutput::text(content)),
            Some(Flow::Result(content, true)) => Err(crate::tool::ToolError(content)),
            None => tool.call(&ctx, std::mem::take(&mut call.input)).await,
        };
        if ctx.interrupted() {
            // No result is recorded: the call stays started, and resume finishes it from the journal.
            return Ok(Some(RunOutcome::Interrupted));
        }
        match result {
            Ok(mut output) => {
                self.hook_after(view, &call, &mut output.content, false)
                    .await;
                let images = images::keep(&*self.store, std::mem::take(&mut output.images));
                self.record_result(view, &call, output.content, false, images)?;
                let mut ended = false;
                for event in output.events {
                    ended |= matches!(event, EventKind::Finished { .. });
                    self.append(view, event)?;
                }
                if ended {
                    return self.conclude(view).await;
                }
            }
            Err(mut e) => {
                self.hook_after(view, &call, &mut e.0, true).await;
                self.finish_call(view, &call, e.0, true)?
            }
        }
        Ok(None)
    }

    fn context(&self, view: &TaskView, call: &ToolCall, resuming: bool) -> ToolContext {
        let observer = self.observer.clone();
        let progress: ProgressSink =
            Arc::new(move |label, done, total| observer.progress(label, done, total));
        ToolContext {
            task_id: view.id.clone(),
            call_id: call.id.clone(),
            store: self.store.clone(),
            resuming,
            progress,
            interrupt: self.interrupt.clone(),
            conversation_epoch: view.compactions,
            agent: self.who.clone(),
            asker: Some(Arc::new(ask::CallAsker {
                store: self.store.clone(),
                task_id: view.id.clone(),
                call_id: call.id.clone(),
                agent: self.who.clone(),
                approver: self.approver.clone(),
                hold: self.hold,
                interrupt: self.interrupt.clone(),
                asked: Default::default(),
            })),
            reads_images: self.model.reads_images(),
            person_approved: view.approvals.get(&call.id) == Some(&true),
        }
    }

    fn finish_call(
        &self,
        view: &mut TaskView,
        call: &ToolCall,
        output: String,
        is_error: bool,
    ) -> Result<(), AgentError> {
        self.record_result(view, call, output, is_error, Vec::new())
    }

    fn record_result(
        &self,
        view: &mut TaskView,
        call: &ToolCall,
        output: String,
        is_error: bool,
        images: Vec<ImageRef>,
    ) -> Result<(), AgentError> {
        self.append(
            view,
            EventKind::ToolFinished {
                call_id: call.id.clone(),
                tool: call.name.clone(),
                output,
                is_error,
                images,
            },
        )
    }

    fn fail(&self, view: &mut TaskView, reason: String) -> Result<RunOutcome, AgentError> {
        if self.who.is_some() {
            // A sub-agent's failure is its parent's result to read, not the task's end.
            return Ok(RunOutcome::Failed(reason));
        }
        self.append(
            view,
            EventKind::StateChanged {
                state: TaskState::Failed,
                reason: Some(reason.clone()),
            },
        )?;
        Ok(RunOutcome::Failed(reason))
    }

    /// Tokens the task has spent: a sub-agent asks the running total its siblings share.
    fn tokens_spent(&self, view: &TaskView) -> u64 {
        match (&self.who, &self.delegation) {
            (Some(_), Some(d)) => d
                .spent
                .load(std::sync::atomic::Ordering::Relaxed)
                .max(view.usage.total()),
            _ => view.usage.total(),
        }
    }

    pub(crate) fn append(&self, view: &mut TaskView, kind: EventKind) -> Result<(), AgentError> {
        if let (Some(d), EventKind::ModelTurn { usage, .. } | EventKind::Compacted { usage, .. }) =
            (&self.delegation, &kind)
        {
            d.spent
                .fetch_add(usage.total(), std::sync::atomic::Ordering::Relaxed);
        }
        let event = self.store.append_as(&view.id, self.who.as_deref(), kind)?;
        self.take_in(view, event)
    }

    /// Applies an event this agent just appended, after any that other processes or
    /// sibling sub-agents appended before it: skipping those would lose them from the view
    /// (a steering message, an approval), since the view's place moves past them.
    pub(crate) fn take_in(&self, view: &mut TaskView, event: Event) -> Result<(), AgentError> {
        if event.seq > view.last_seq + 1 {
            for earlier in self.events_since(view)? {
                if earlier.seq >= event.seq {
                    break;
                }
                if earlier.agent == self.who {
                    self.observer.event(&earlier);
                }
                view.apply(&earlier);
            }
        }
        self.observer.event(&event);
        view.apply(&event);
        Ok(())
    }
}

fn outcome_of(view: &TaskView) -> RunOutcome {
    match view.state {
        TaskState::Failed => RunOutcome::Failed(view.state_reason.clone().unwrap_or_default()),
        TaskState::Cancelled => RunOutcome::Cancelled,
        TaskState::Waiting => RunOutcome::Waiting(view.state_reason.clone().unwrap_or_default()),
        _ => RunOutcome::Done,
    }
}
