//! The events a task is made of. Everything else about a task is a fold over them.
use crate::grant::{Grant, Mode};
use crate::model::{ToolCall, Usage};
use crate::task::TaskState;
use serde::{Deserialize, Serialize};

/// One entry of a task's append-only log.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Event {
    pub task_id: String,
    pub seq: i64,
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    TaskCreated {
        outcome: String,
        grants: Vec<Grant>,
        mode: Mode,
        model: String,
        /// Stop the task once its model calls have used this many tokens in all.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_tokens_total: Option<u64>,
        /// What the person allowed `run_command`: network, or running unconfined.
        #[serde(
            default,
            skip_serializing_if = "crate::grant::CommandGrant::is_default"
        )]
        commands: crate::grant::CommandGrant,
    },
    ModelTurn {
        text: String,
        tool_calls: Vec<ToolCall>,
        usage: Usage,
    },
    ApprovalRequested {
        call_id: String,
        tool: String,
        summary: String,
        preview: Vec<String>,
    },
    ApprovalResolved {
        call_id: String,
        approved: bool,
        /// Approve every later call of this tool in the task too.
        #[serde(default)]
        always: bool,
    },
    ToolStarted {
        call_id: String,
        tool: String,
    },
    ToolFinished {
        call_id: String,
        tool: String,
        output: String,
        is_error: bool,
    },
    PlanUpdated {
        steps: Vec<PlanStep>,
    },
    UserMessage {
        text: String,
    },
    StateChanged {
        state: TaskState,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    Finished {
        summary: String,
        deliverables: Vec<String>,
    },
    Undone {
        restored: usize,
        refused: Vec<String>,
    },
    /// The conversation neared the model's context window: all but its last `kept` messages
    /// were replaced by `summary` (the task's outcome stays first). The fold reproduces it.
    Compacted {
        summary: String,
        kept: usize,
        /// Tokens the summarising call spent.
        #[serde(default)]
        usage: crate::model::Usage,
    },
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::TaskCreated { .. } => "task_created",
            EventKind::ModelTurn { .. } => "model_turn",
            EventKind::ApprovalRequested { .. } => "approval_requested",
            EventKind::ApprovalResolved { .. } => "approval_resolved",
            EventKind::ToolStarted { .. } => "tool_started",
            EventKind::ToolFinished { .. } => "tool_finished",
            EventKind::PlanUpdated { .. } => "plan_updated",
            EventKind::UserMessage { .. } => "user_message",
            EventKind::StateChanged { .. } => "state_changed",
            EventKind::Finished { .. } => "finished",
            EventKind::Undone { .. } => "undone",
            EventKind::Compacted { .. } => "compacted",
        }
    }
}

/// One line of the visible checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PlanStep {
    pub title: String,
    #[serde(default)]
    pub status: StepStatus,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    #[default]
    Pending,
    InProgress,
    Done,
    Skipped,
}
