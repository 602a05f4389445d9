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
    /// The sub-agent that logged it; `None` for the task's own agent. Sub-agents log into
    /// their parent task's log, each folding only its own events into its conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
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
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        images: Vec<crate::model::ImageRef>,
    },
    PlanUpdated {
        steps: Vec<PlanStep>,
    },
    /// What the person told Errand to follow, read as the task started: their instructions
    /// and memory, and the instruction files at the top of each granted folder.
    InstructionsRead {
        sources: Vec<Instruction>,
        /// The project the task belongs to: its memory is the one `remember` adds to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project: Option<String>,
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
        /// The model stopped without calling `finish`; its last words were taken as the summary.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        without_finish: bool,
    },
    /// Errand's own word to the model: it stopped without finishing, repeated itself, or its
    /// result failed the check. Joins the conversation as a user message.
    Nudged {
        /// `no_tool_call`, `repeated_call`, `no_progress` or `check`.
        reason: String,
        text: String,
    },
    /// The result check after `finish`: the problems it found, none when the result holds.
    Checked {
        problems: Vec<String>,
    },
    /// Tool groups whose schemas are sent from now on (`load_tools`, or a call by name).
    ToolsLoaded {
        groups: Vec<String>,
    },
    Undone {
        restored: usize,
        refused: Vec<String>,
    },
    /// `ask_user`: the task waits for the person's answer.
    QuestionAsked {
        call_id: String,
        question: String,
    },
    QuestionAnswered {
        call_id: String,
        answer: String,
    },
    /// A sub-agent began, logged under its own id (`Event::agent`). What it may touch is
    /// fixed here, so a resumed sub-agent gets exactly the same tools and folders.
    SubagentStarted {
        /// The parent's `delegate` call.
        call_id: String,
        /// Its position in that call, from 0.
        index: usize,
        goal: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<String>,
        /// The role's instructions, sent as the sub-agent's system prompt.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        instructions: String,
        /// Tool paths the sub-agent is confined to; empty means the task's folders.
        folders: Vec<String>,
        tools: Vec<String>,
        max_turns: usize,
        model: String,
        depth: usize,
    },
    /// A sub-agent ended; its result as the parent sees it.
    SubagentFinished {
        ok: bool,
        summary: String,
        /// Paths it created or changed.
        files: Vec<String>,
        turns: usize,
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
    /// The waiting call this event answers, for an approval or a reply to a question.
    pub fn answered_call(&self) -> Option<&str> {
        match self {
            EventKind::ApprovalResolved { call_id, .. }
            | EventKind::QuestionAnswered { call_id, .. } => Some(call_id),
            _ => None,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            EventKind::TaskCreated { .. } => "task_created",
            EventKind::InstructionsRead { .. } => "instructions_read",
            EventKind::ModelTurn { .. } => "model_turn",
            EventKind::ApprovalRequested { .. } => "approval_requested",
            EventKind::ApprovalResolved { .. } => "approval_resolved",
            EventKind::ToolStarted { .. } => "tool_started",
            EventKind::ToolFinished { .. } => "tool_finished",
            EventKind::PlanUpdated { .. } => "plan_updated",
            EventKind::UserMessage { .. } => "user_message",
            EventKind::StateChanged { .. } => "state_changed",
            EventKind::Finished { .. } => "finished",
            EventKind::Nudged { .. } => "nudged",
            EventKind::Checked { .. } => "checked",
            EventKind::ToolsLoaded { .. } => "tools_loaded",
            EventKind::Undone { .. } => "undone",
            EventKind::Compacted { .. } => "compacted",
            EventKind::QuestionAsked { .. } => "question_asked",
            EventKind::QuestionAnswered { .. } => "question_answered",
            EventKind::SubagentStarted { .. } => "subagent_started",
            EventKind::SubagentFinished { .. } => "subagent_finished",
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

/// One source of the person's instructions, as read when the task started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruction {
    /// In words: "your instructions", "your memory", "AGENTS.md in reports".
    pub label: String,
    pub path: std::path::PathBuf,
    pub text: String,
    /// Cut at the size budget; the rest was not read.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub clipped: bool,
}
