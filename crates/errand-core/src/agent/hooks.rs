//! Hooks: the person's own commands run around the loop (plugins' `hooks.json`). They see
//! each call before and after it runs, and the end of a run. A hook may refuse what the
//! policy allowed, or send the agent back to work; it can never allow what the policy
//! refused or asks about, since it runs only after the policy and the person said yes.
use super::{Agent, AgentError};
use crate::model::ToolCall;
use crate::task::TaskView;
use async_trait::async_trait;

pub const STOP_HOOK: &str = "stop_hook";

/// How many times hooks may send an ending run back to work, so two disagreeing hooks (or a
/// hook that always objects) cannot keep a task alive forever.
const STOP_HOOK_LIMIT: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookVerdict {
    Proceed,
    /// The call does not run; the model gets this reason as the call's error.
    Block(String),
}

#[async_trait]
pub trait Hooks: Send + Sync {
    /// Before a call the policy (and, where asked, the person) allowed.
    async fn before_tool(&self, view: &TaskView, call: &ToolCall) -> HookVerdict;
    /// After a call: text for the model beside the call's result, if any.
    async fn after_tool(
        &self,
        view: &TaskView,
        call: &ToolCall,
        output: &str,
        is_error: bool,
    ) -> Option<String>;
    /// A run is about to end (the task's agent after `finish`, or a sub-agent): a reason to
    /// go on instead, if any.
    async fn stopping(&self, view: &TaskView) -> Option<String>;
}

impl Agent {
    pub(crate) async fn hook_before(&self, view: &TaskView, call: &ToolCall) -> HookVerdict {
        match &self.hooks {
            Some(hooks) => hooks.before_tool(view, call).await,
            None => HookVerdict::Proceed,
        }
    }

    pub(crate) async fn hook_after(
        &self,
        view: &TaskView,
        call: &ToolCall,
        output: &mut String,
        is_error: bool,
    ) {
        if let Some(hooks) = &self.hooks
            && let Some(note) = hooks.after_tool(view, call, output, is_error).await
        {
            output.push_str(&format!("\n[a hook of this task says] {note}"));
        }
    }

    /// `true` when a hook sent the run back to work (a nudge with its reason is logged).
    pub(crate) async fn hook_stop(&self, view: &mut TaskView) -> Result<bool, AgentError> {
        let Some(hooks) = &self.hooks else {
            return Ok(false);
        };
        let sent_back = view.nudges.iter().filter(|(r, _)| r == STOP_HOOK).count();
        if sent_back >= STOP_HOOK_LIMIT {
            return Ok(false);
        }
        match hooks.stopping(view).await {
            Some(reason) => {
                self.append(
                    view,
                    crate::EventKind::Nudged {
                        reason: STOP_HOOK.into(),
                        text: format!("Not done yet, a hook of this task says: {reason}"),
                    },
                )?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Several hooks as one: the first refusal wins, notes are joined.
pub struct HookChain(pub Vec<std::sync::Arc<dyn Hooks>>);

#[async_trait]
impl Hooks for HookChain {
    async fn before_tool(&self, view: &TaskView, call: &ToolCall) -> HookVerdict {
        for hooks in &self.0 {
            if let HookVerdict::Block(reason) = hooks.before_tool(view, call).await {
                return HookVerdict::Block(reason);
            }
        }
        HookVerdict::Proceed
    }

    async fn after_tool(
        &self,
        view: &TaskView,
        call: &ToolCall,
        output: &str,
        is_error: bool,
    ) -> Option<String> {
        let mut notes = Vec::new();
        for hooks in &self.0 {
            if let Some(note) = hooks.after_tool(view, call, output, is_error).await {
                notes.push(note);
            }
        }
        (!notes.is_empty()).then(|| notes.join("\n"))
    }

    async fn stopping(&self, view: &TaskView) -> Option<String> {
        for hooks in &self.0 {
            if let Some(reason) = hooks.stopping(view).await {
                return Some(reason);
            }
        }
        None
    }
}
