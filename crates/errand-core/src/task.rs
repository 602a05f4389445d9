//! A task's state as a fold over its events.
use crate::event::{Event, EventKind, PlanStep};
use crate::grant::{Grant, Mode};
use crate::model::{Message, ToolCall, Usage};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    #[default]
    Created,
    Running,
    /// Stopped for an approval or an answer.
    Waiting,
    /// Held by the person (`errand pause`) until `errand continue`.
    Paused,
    Done,
    Failed,
    Cancelled,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Created => "created",
            TaskState::Running => "running",
            TaskState::Waiting => "waiting",
            TaskState::Paused => "paused",
            TaskState::Done => "done",
            TaskState::Failed => "failed",
            TaskState::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "created" => TaskState::Created,
            "running" => TaskState::Running,
            "waiting" => TaskState::Waiting,
            "paused" => TaskState::Paused,
            "done" => TaskState::Done,
            "failed" => TaskState::Failed,
            "cancelled" => TaskState::Cancelled,
            _ => return None,
        })
    }
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskState::Done | TaskState::Failed | TaskState::Cancelled
        )
    }
}

/// Everything known about a task, rebuilt from its log: as its own agent sees it, or as
/// one of its sub-agents does (`agent`), whose conversation is its own events only.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TaskView {
    pub id: String,
    /// The sub-agent this view belongs to; `None` for the task's own agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    pub outcome: String,
    pub grants: Vec<Grant>,
    pub mode: Mode,
    pub model: String,
    pub state: TaskState,
    pub state_reason: Option<String>,
    pub plan: Vec<PlanStep>,
    /// Tokens the whole task spent, its sub-agents included: what budgets count.
    pub usage: Usage,
    /// Tokens this view's agent spent.
    #[serde(skip)]
    pub own_usage: Usage,
    pub summary: Option<String>,
    pub deliverables: Vec<String>,
    pub model_turns: usize,
    pub max_tokens_total: Option<u64>,
    pub commands: crate::grant::CommandGrant,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_seq: i64,
    #[serde(skip)]
    pub messages: Vec<Message>,
    /// Calls of the latest model turn that have no result yet, in order.
    #[serde(skip)]
    /// Ids only: the calls themselves live once, in the latest assistant message.
    pub pending_calls: Vec<String>,
    #[serde(skip)]
    pub started: HashSet<String>,
    #[serde(skip)]
    pub approvals: HashMap<String, bool>,
    /// Approval requests not yet answered: call id → (tool, summary, preview).
    pub waiting_for: Vec<PendingApproval>,
    #[serde(skip)]
    pub always_allowed: HashSet<String>,
    pub plan_approved: bool,
    /// The person's instructions and memory, read as the task started.
    pub instructions: Vec<crate::event::Instruction>,
    /// The project the task was started in, if any.
    pub project: Option<String>,
    /// How often the conversation was compacted; earlier tool results are gone from it.
    pub compactions: usize,
    /// Every tool call id the task ever used, compacted or not.
    #[serde(skip)]
    pub call_ids: HashSet<String>,
    /// An `ask_user` question waiting for its answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<PendingQuestion>,
    #[serde(skip)]
    pub answers: HashMap<String, String>,
    /// Steering messages that came while calls were owed results: a tool result must
    /// follow its call directly, so they join the conversation after the last result.
    #[serde(skip)]
    pub queued_messages: Vec<Message>,
    /// The agent ended with `finish` or a final answer.
    #[serde(skip)]
    pub finished: bool,
    /// Every sub-agent the task started (the task's own view only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subagents: Vec<SubagentStatus>,
    /// What a sub-agent's view was started with.
    #[serde(skip)]
    pub brief: Option<SubagentBrief>,
    /// Tool of every approval request in the task, for "always" answers given to any agent.
    #[serde(skip)]
    approval_tools: HashMap<String, String>,
    /// Model turns in a row, up to the latest, that called no tool.
    #[serde(skip)]
    pub quiet_turns: usize,
    /// How many times in a row, up to the latest, the same call with the same input came.
    #[serde(skip)]
    pub repeat_streak: usize,
    /// Model turns so far when that streak began.
    #[serde(skip)]
    pub repeat_since: usize,
    #[serde(skip)]
    last_call: Option<(String, String)>,
    /// Errand's reminders to the model: (reason, model turns so far when it was given).
    #[serde(skip)]
    pub nudges: Vec<(String, usize)>,
    /// What the latest result check found; empty when it passed or has not run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
    /// The result check ran after the latest `finish`.
    #[serde(skip)]
    pub checked: bool,
    /// Result checks that found problems.
    #[serde(skip)]
    pub failed_checks: usize,
    /// The agent stopped without calling `finish`; its last words became the summary.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ended_without_finish: bool,
    /// Tool groups whose schemas are sent, in the order they were loaded.
    #[serde(skip)]
    pub loaded_groups: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PendingQuestion {
    pub call_id: String,
    pub question: String,
}

/// A sub-agent as its parent task shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SubagentStatus {
    pub id: String,
    pub call_id: String,
    pub index: usize,
    pub goal: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// queued (waiting for a free slot), running, done or failed.
    pub state: &'static str,
    pub turns: usize,
    pub usage: Usage,
    /// The tool it called last, while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activity: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub summary: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
}

/// What a sub-agent was given when it started.
#[derive(Debug, Clone)]
pub struct SubagentBrief {
    pub call_id: String,
    pub index: usize,
    pub role: Option<String>,
    pub instructions: String,
    pub folders: Vec<String>,
    pub tools: Vec<String>,
    pub max_turns: usize,
    pub model: String,
    pub depth: usize,
}

impl SubagentBrief {
    /// The brief a `SubagentStarted` event records.
    pub fn of(kind: &EventKind) -> Option<SubagentBrief> {
        let EventKind::SubagentStarted {
            call_id,
            index,
            role,
            instructions,
            folders,
            tools,
            max_turns,
            model,
            depth,
            ..
        } = kind
        else {
            return None;
        };
        Some(SubagentBrief {
            call_id: call_id.clone(),
            index: *index,
            role: role.clone(),
            instructions: instructions.clone(),
            folders: folders.clone(),
            tools: tools.clone(),
            max_turns: *max_turns,
            model: model.clone(),
            depth: *depth,
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PendingApproval {
    pub call_id: String,
    /// The sub-agent that asked; `None` for the task's own agent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    pub tool: String,
    pub summary: String,
    pub preview: Vec<String>,
}

impl TaskView {
    /// The task as its own agent sees it.
    pub fn fold(events: &[Event]) -> TaskView {
        Self::fold_for(events, None)
    }

    /// The task as `agent` (a sub-agent id, or `None` for the task's own agent) sees it.
    pub fn fold_for(events: &[Event], agent: Option<&str>) -> TaskView {
        let mut view = TaskView {
            agent: agent.map(str::to_string),
            ..TaskView::default()
        };
        for event in events {
            view.apply(event);
        }
        view
    }

    pub fn apply(&mut self, event: &Event) {
        self.last_seq = event.seq;
        self.updated_at = event.at;
        if event.agent != self.agent {
            self.apply_other(event);
            return;
        }
        match &event.kind {
            EventKind::TaskCreated {
                outcome,
                grants,
                mode,
                model,
                max_tokens_total,
                commands,
            } => {
                self.max_tokens_total = *max_tokens_total;
                self.commands = commands.clone();
                self.id = event.task_id.clone();
                self.created_at = event.at;
                self.outcome = outcome.clone();
                self.grants = grants.clone();
                self.mode = *mode;
                self.model = model.clone();
                self.messages.push(Message::User {
                    text: outcome.clone(),
                });
            }
            EventKind::SubagentStarted { goal, .. } => {
                self.outcome = goal.clone();
                self.created_at = event.at;
                self.messages.push(Message::User { text: goal.clone() });
                self.brief = SubagentBrief::of(&event.kind);
            }
            EventKind::SubagentFinished { .. } => self.finished = true,
            EventKind::QuestionAsked { call_id, question } => {
                self.question = Some(PendingQuestion {
                    call_id: call_id.clone(),
                    question: question.clone(),
                });
            }
            EventKind::QuestionAnswered { call_id, answer } => {
                self.question = None;
                self.answers.insert(call_id.clone(), answer.clone());
            }
            EventKind::ModelTurn {
                text,
                tool_calls,
                usage,
            } => {
                self.model_turns += 1;
                self.usage.add(usage);
                self.own_usage.add(usage);
                self.count_repeats(tool_calls);
                self.pending_calls = tool_calls.iter().map(|c| c.id.clone()).collect();
                self.call_ids
                    .extend(tool_calls.iter().map(|c| c.id.clone()));
                self.messages.push(Message::Assistant {
                    text: text.clone(),
                    tool_calls: tool_calls.clone(),
                });
            }
            EventKind::ApprovalRequested {
                call_id,
                tool,
                summary,
                preview,
            } => self.request_approval(event, call_id, tool, summary, preview),
            EventKind::ApprovalResolved {
                call_id,
                approved,
                always,
            } => {
                self.approvals.insert(call_id.clone(), *approved);
                let tool = self.latest_call(call_id).map(|c| c.name.clone());
                self.resolve_approval(call_id, tool, *approved, *always);
            }
            EventKind::ToolStarted { call_id, .. } => {
                self.started.insert(call_id.clone());
            }
            EventKind::ToolFinished {
                call_id,
                tool,
                output,
                is_error,
                images,
            } => {
                self.pending_calls.retain(|id| id != call_id);
                let content = if crate::fence::carries_outside_text(tool) {
                    crate::fence::fenced(tool, output)
                } else {
                    output.clone()
                };
                self.messages.push(Message::ToolResult {
                    call_id: call_id.clone(),
                    content,
                    is_error: *is_error,
                    images: images.clone(),
                });
                if self.pending_calls.is_empty() {
                    self.messages.append(&mut self.queued_messages);
                }
            }
            EventKind::PlanUpdated { steps } => self.plan = steps.clone(),
            EventKind::InstructionsRead { sources, project } => {
                self.instructions = sources.clone();
                self.project = project.clone();
            }
            EventKind::UserMessage { text } if !self.pending_calls.is_empty() => {
                self.queued_messages.push(steering(text))
            }
            EventKind::UserMessage { text } => self.messages.push(steering(text)),
            EventKind::StateChanged { state, reason } => {
                self.state = *state;
                self.state_reason = reason.clone();
            }
            EventKind::Finished {
                summary,
                deliverables,
                without_finish,
            } => {
                self.summary = Some(summary.clone());
                self.deliverables = deliverables.clone();
                self.finished = true;
                self.checked = false;
                self.ended_without_finish = *without_finish;
            }
            EventKind::Nudged { reason, text } => {
                // A nudge means the agent goes on, even after a `finish` whose check failed.
                self.finished = false;
                self.nudges.push((reason.clone(), self.model_turns));
                if self.pending_calls.is_empty() {
                    self.messages.push(Message::User { text: text.clone() });
                } else {
                    self.queued_messages
                        .push(Message::User { text: text.clone() });
                }
            }
            EventKind::Checked { problems } => {
                self.checked = true;
                self.failed_checks += usize::from(!problems.is_empty());
                self.problems = problems.clone();
            }
            EventKind::ToolsLoaded { groups } => {
                for group in groups {
                    if !self.loaded_groups.contains(group) {
                        self.loaded_groups.push(group.clone());
                    }
                }
            }
            EventKind::Undone { .. } => {}
            EventKind::Compacted {
                summary,
                kept,
                usage,
            } => {
                let keep_from = self.messages.len().saturating_sub(*kept);
                let kept = self.messages.split_off(keep_from);
                self.messages = vec![Message::User {
                    text: format!("{}\n\n{summary}", self.outcome),
                }];
                self.messages.extend(kept);
                self.compactions += 1;
                self.usage.add(usage);
                self.own_usage.add(usage);
            }
        }
    }

    /// An event another agent of the task logged: only what is task-wide applies.
    fn apply_other(&mut self, event: &Event) {
        let sub = event.agent.as_deref();
        fn status<'v>(view: &'v mut TaskView, sub: Option<&str>) -> Option<&'v mut SubagentStatus> {
            let id = sub?;
            view.subagents.iter_mut().find(|s| s.id == id)
        }
        match &event.kind {
            // The task's setting (folders, mode, budgets) holds for every agent in it.
            EventKind::TaskCreated {
                grants,
                mode,
                model,
                max_tokens_total,
                commands,
                ..
            } => {
                self.id = event.task_id.clone();
                self.grants = grants.clone();
                self.mode = *mode;
                self.model = model.clone();
                self.max_tokens_total = *max_tokens_total;
                self.commands = commands.clone();
            }
            EventKind::StateChanged { state, reason } if event.agent.is_none() => {
                self.state = *state;
                self.state_reason = reason.clone();
            }
            // The person's instructions hold for every agent working on their task.
            EventKind::InstructionsRead { sources, project } if event.agent.is_none() => {
                self.instructions = sources.clone();
                self.project = project.clone();
            }
            EventKind::ModelTurn { usage, .. } => {
                self.usage.add(usage);
                if let Some(s) = status(self, sub) {
                    s.turns += 1;
                    s.usage.add(usage);
                    s.state = "running";
                }
            }
            EventKind::Compacted { usage, .. } => self.usage.add(usage),
            EventKind::ToolStarted { tool, .. } => {
                if let Some(s) = status(self, sub) {
                    s.activity = Some(tool.clone());
                    s.state = "running";
                }
            }
            EventKind::ApprovalRequested {
                call_id,
                tool,
                summary,
                preview,
            } => self.request_approval(event, call_id, tool, summary, preview),
            EventKind::ApprovalResolved {
                call_id,
                approved,
                always,
            } => self.resolve_approval(call_id, None, *approved, *always),
            EventKind::SubagentStarted {
                call_id,
                index,
                goal,
                role,
                ..
            } if self.agent.is_none() => {
                if let Some(id) = sub {
                    self.subagents.push(SubagentStatus {
                        id: id.to_string(),
                        call_id: call_id.clone(),
                        index: *index,
                        goal: goal.clone(),
                        role: role.clone(),
                        state: "queued",
                        turns: 0,
                        usage: Usage::default(),
                        activity: None,
                        summary: String::new(),
                        files: Vec::new(),
                    });
                }
            }
            EventKind::SubagentFinished {
                ok, summary, files, ..
            } => {
                if let Some(s) = status(self, sub) {
                    s.state = if *ok { "done" } else { "failed" };
                    s.summary = summary.clone();
                    s.files = files.clone();
                    s.activity = None;
                }
            }
            _ => {}
        }
    }

    /// Records an approval request. The task's own view lists every agent's, attributed, so
    /// sub-agents' approvals surface on the task; a sub-agent's view lists only its own.
    fn request_approval(
        &mut self,
        event: &Event,
        call_id: &str,
        tool: &str,
        summary: &str,
        preview: &[String],
    ) {
        self.approval_tools
            .insert(call_id.to_string(), tool.to_string());
        if self.agent.is_some() && event.agent != self.agent {
            return;
        }
        self.waiting_for.retain(|p| p.call_id != call_id);
        self.waiting_for.push(PendingApproval {
            call_id: call_id.to_string(),
            agent: event.agent.clone(),
            tool: tool.to_string(),
            summary: summary.to_string(),
            preview: preview.to_vec(),
        });
    }

    /// Records an approval answer: it ends the wait, and "always" covers the whole task.
    fn resolve_approval(
        &mut self,
        call_id: &str,
        tool: Option<String>,
        approved: bool,
        always: bool,
    ) {
        self.waiting_for.retain(|p| p.call_id != call_id);
        let tool = tool.or_else(|| self.approval_tools.get(call_id).cloned());
        if let (Some(tool), true) = (tool, approved) {
            self.plan_approved |= tool == "update_plan";
            if always {
                self.always_allowed.insert(tool);
            }
        }
    }

    /// Who this view's agent is, as people read it: "sub-agent a2 (goal…)".
    pub fn agent_label(&self) -> Option<String> {
        let id = self.agent.as_deref()?;
        let goal: String = self.outcome.chars().take(60).collect();
        let more = if self.outcome.chars().count() > 60 {
            "…"
        } else {
            ""
        };
        Some(format!("sub-agent {id} ({goal}{more})"))
    }

    /// The next call of the latest turn still owed a result.
    pub fn next_pending_call(&self) -> Option<&ToolCall> {
        self.latest_call(self.pending_calls.first()?)
    }

    /// A call of the latest model turn, by id.
    fn latest_call(&self, call_id: &str) -> Option<&ToolCall> {
        self.messages
            .iter()
            .rev()
            .find_map(|m| match m {
                Message::Assistant { tool_calls, .. } => Some(tool_calls),
                _ => None,
            })?
            .iter()
            .find(|c| c.id == call_id)
    }
}

impl TaskView {
    /// Counts the same call with the same input coming again and again, across turns.
    fn count_repeats(&mut self, calls: &[ToolCall]) {
        for call in calls {
            let key = (call.name.clone(), call.input.to_string());
            if self.last_call.as_ref() == Some(&key) {
                self.repeat_streak += 1;
            } else {
                self.repeat_streak = 1;
                self.repeat_since = self.model_turns;
                self.last_call = Some(key);
            }
        }
        if calls.is_empty() {
            self.quiet_turns += 1;
        } else {
            self.quiet_turns = 0;
        }
    }

    /// The latest call's tool and input (as JSON text).
    pub fn last_call(&self) -> Option<(&str, &str)> {
        self.last_call
            .as_ref()
            .map(|(name, input)| (name.as_str(), input.as_str()))
    }

    /// The latest nudge given for `reason`, as model turns so far when it was given.
    pub fn last_nudge(&self, reason: &str) -> Option<usize> {
        self.nudges
            .iter()
            .rev()
            .find(|(r, _)| r == reason)
            .map(|(_, turn)| *turn)
    }
}

/// A steering message as the model reads it.
fn steering(text: &str) -> Message {
    Message::User {
        text: format!("Message from the person while you work: {text}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(seq: i64, kind: EventKind) -> Event {
        Event {
            task_id: "t".into(),
            seq,
            at: seq * 10,
            agent: None,
            kind,
        }
    }

    #[test]
    fn the_persons_instructions_reach_sub_agents_too() {
        let rule = crate::event::Instruction {
            label: "context.md in reports".into(),
            path: "/r/context.md".into(),
            text: "Always write reports as PDF.".into(),
            clipped: false,
        };
        let events = vec![event(
            1,
            EventKind::InstructionsRead {
                sources: vec![rule.clone()],
                project: Some("q3".into()),
            },
        )];
        let sub = TaskView::fold_for(&events, Some("a1"));
        assert_eq!(sub.instructions, [rule]);
        assert_eq!(sub.project.as_deref(), Some("q3"));
        let brief = SubagentBrief {
            call_id: "c1".into(),
            index: 1,
            role: None,
            instructions: String::new(),
            folders: Vec::new(),
            tools: Vec::new(),
            max_turns: 10,
            model: "scripted".into(),
            depth: 1,
        };
        let prompt = crate::agent::subagent_prompt(&sub, &brief);
        assert!(
            prompt.ends_with(
                "<instructions from=\"context.md in reports\">\nAlways write reports as PDF.\n</instructions>"
            ),
            "{prompt}"
        );
    }

    fn call(id: &str, name: &str) -> ToolCall {
        ToolCall {
            id: id.into(),
            name: name.into(),
            input: json!({}),
        }
    }

    #[test]
    fn the_fold_tracks_the_conversation_pending_calls_and_approvals() {
        let events = vec![
            event(
                1,
                EventKind::TaskCreated {
                    outcome: "tidy".into(),
                    grants: vec![],
                    mode: Mode::Ask,
                    model: "offline".into(),
                    max_tokens_total: None,
                    commands: Default::default(),
                },
            ),
            event(
                2,
                EventKind::StateChanged {
                    state: TaskState::Running,
                    reason: None,
                },
            ),
            event(
                3,
                EventKind::ModelTurn {
                    text: "plan".into(),
                    tool_calls: vec![call("a", "update_plan"), call("b", "move_path")],
                    usage: Usage {
                        input_tokens: 5,
                        ..Usage::default()
                    },
                },
            ),
            event(
                4,
                EventKind::ApprovalRequested {
                    call_id: "a".into(),
                    tool: "update_plan".into(),
                    summary: "s".into(),
                    preview: vec![],
                },
            ),
            event(
                5,
                EventKind::ApprovalResolved {
                    call_id: "a".into(),
                    approved: true,
                    always: false,
                },
            ),
            event(
                6,
                EventKind::ToolStarted {
                    call_id: "a".into(),
                    tool: "update_plan".into(),
                },
            ),
            event(
                7,
                EventKind::ToolFinished {
                    call_id: "a".into(),
                    tool: "update_plan".into(),
                    output: "ok".into(),
                    is_error: false,
                    images: Vec::new(),
                },
            ),
            event(
                8,
                EventKind::ApprovalResolved {
                    call_id: "b".into(),
                    approved: true,
                    always: true,
                },
            ),
        ];
        let view = TaskView::fold(&events);
        assert_eq!(view.outcome, "tidy");
        assert_eq!(view.state, TaskState::Running);
        assert_eq!(view.usage.input_tokens, 5);
        assert!(
            view.plan_approved,
            "approving an update_plan call approves the plan"
        );
        assert!(view.waiting_for.is_empty());
        assert!(view.always_allowed.contains("move_path"));
        assert_eq!(view.next_pending_call().map(|c| c.id.as_str()), Some("b"));
        assert_eq!(
            view.messages.len(),
            3,
            "request, assistant turn, one tool result"
        );
        assert!(matches!(&view.messages[2], Message::ToolResult { call_id, .. } if call_id == "a"));
        assert_eq!(view.last_seq, 8);
    }

    #[test]
    fn events_round_trip_through_json_with_their_type_tag() {
        let e = event(
            3,
            EventKind::Finished {
                summary: "done".into(),
                deliverables: vec!["a.xlsx".into()],
                without_finish: false,
            },
        );
        let text = serde_json::to_string(&e).expect("json");
        assert!(text.contains("\"type\":\"finished\""), "{text}");
        let back: Event = serde_json::from_str(&text).expect("parse");
        assert!(
            matches!(back.kind, EventKind::Finished { ref deliverables, .. } if deliverables == &["a.xlsx"])
        );
    }

    #[test]
    fn a_compaction_replays_the_same_conversation_in_every_fold() {
        let created = EventKind::TaskCreated {
            outcome: "sum up".into(),
            grants: vec![],
            mode: Mode::Auto,
            model: "m".into(),
            max_tokens_total: None,
            commands: Default::default(),
        };
        let turn = |id: &str| EventKind::ModelTurn {
            text: String::new(),
            tool_calls: vec![call(id, "read_file")],
            usage: Usage::default(),
        };
        let result = |id: &str| EventKind::ToolFinished {
            call_id: id.into(),
            tool: "read_file".into(),
            output: format!("content of {id}"),
            is_error: false,
            images: Vec::new(),
        };
        let kinds = vec![
            created,
            turn("a"),
            result("a"),
            turn("b"),
            result("b"),
            EventKind::Compacted {
                summary: "read a".into(),
                kept: 2,
                usage: Usage {
                    output_tokens: 30,
                    ..Usage::default()
                },
            },
            turn("c"),
        ];
        let events: Vec<Event> = kinds
            .into_iter()
            .enumerate()
            .map(|(i, k)| event(i as i64 + 1, k))
            .collect();
        let view = TaskView::fold(&events);
        assert_eq!(view.compactions, 1);
        assert_eq!(view.usage.output_tokens, 30);
        assert_eq!(view.messages.len(), 4);
        assert_eq!(
            view.messages[0],
            Message::User {
                text: "sum up\n\nread a".into()
            }
        );
        assert!(matches!(&view.messages[2], Message::ToolResult { call_id, .. } if call_id == "b"));
        // Ids from before the compaction are still known, so none is handed out again.
        assert!(view.call_ids.contains("a") && view.call_ids.contains("c"));
        assert_eq!(view.next_pending_call().map(|c| c.id.as_str()), Some("c"));
    }

    #[test]
    fn sub_agents_fold_their_own_conversation_and_surface_on_the_task() {
        let tagged = |seq: i64, agent: Option<&str>, kind: EventKind| Event {
            agent: agent.map(str::to_string),
            ..event(seq, kind)
        };
        let turn = |id: &str, tokens: u64| EventKind::ModelTurn {
            text: String::new(),
            tool_calls: vec![call(id, if id == "d" { "delegate" } else { "write_file" })],
            usage: Usage {
                input_tokens: tokens,
                ..Usage::default()
            },
        };
        let result = |id: &str| EventKind::ToolFinished {
            call_id: id.into(),
            tool: "t".into(),
            output: format!("result of {id}"),
            is_error: false,
            images: Vec::new(),
        };
        let events = vec![
            tagged(
                1,
                None,
                EventKind::TaskCreated {
                    outcome: "summarise".into(),
                    grants: vec![],
                    mode: Mode::Ask,
                    model: "m".into(),
                    max_tokens_total: Some(500),
                    commands: Default::default(),
                },
            ),
            tagged(2, None, turn("d", 5)),
            tagged(
                3,
                Some("a1"),
                EventKind::SubagentStarted {
                    call_id: "d".into(),
                    index: 0,
                    goal: "summarise acme".into(),
                    role: None,
                    instructions: String::new(),
                    folders: vec!["acme".into()],
                    tools: vec!["write_file".into()],
                    max_turns: 5,
                    model: "m".into(),
                    depth: 1,
                },
            ),
            tagged(4, Some("a1"), turn("a1:x", 10)),
            // The person speaks while the delegate call is open: it waits for the result.
            tagged(
                5,
                None,
                EventKind::UserMessage {
                    text: "skip March".into(),
                },
            ),
            tagged(
                6,
                Some("a1"),
                EventKind::ApprovalRequested {
                    call_id: "a1:x".into(),
                    tool: "write_file".into(),
                    summary: "sub-agent a1 (summarise acme): create acme.md".into(),
                    preview: vec![],
                },
            ),
            tagged(
                7,
                Some("a1"),
                EventKind::ApprovalResolved {
                    call_id: "a1:x".into(),
                    approved: true,
                    always: true,
                },
            ),
            tagged(8, Some("a1"), result("a1:x")),
            tagged(9, None, result("d")),
        ];
        let task = TaskView::fold(&events);
        assert_eq!(
            task.usage.input_tokens, 15,
            "the task counts its sub-agents' tokens"
        );
        assert_eq!(task.own_usage.input_tokens, 5);
        assert_eq!(task.model_turns, 1);
        assert_eq!(task.subagents.len(), 1);
        assert_eq!(
            (task.subagents[0].state, task.subagents[0].turns),
            ("running", 1)
        );
        assert!(
            task.always_allowed.contains("write_file"),
            "always holds task-wide"
        );
        assert_eq!(task.messages.len(), 4, "{:?}", task.messages);
        assert!(matches!(&task.messages[2], Message::ToolResult { call_id, .. } if call_id == "d"));
        assert_eq!(
            task.messages[3],
            Message::User {
                text: "Message from the person while you work: skip March".into()
            }
        );
        let partial = TaskView::fold(&events[..6]);
        assert_eq!(partial.waiting_for[0].agent.as_deref(), Some("a1"));

        let sub = TaskView::fold_for(&events, Some("a1"));
        assert_eq!(sub.outcome, "summarise acme");
        assert_eq!(
            sub.brief.as_ref().map(|b| b.folders.clone()),
            Some(vec!["acme".into()])
        );
        assert_eq!(
            sub.max_tokens_total,
            Some(500),
            "the task's budget holds for it"
        );
        assert_eq!(sub.own_usage.input_tokens, 10);
        assert_eq!(sub.model_turns, 1);
        assert_eq!(sub.approvals.get("a1:x"), Some(&true));
        assert_eq!(
            sub.messages,
            vec![
                Message::User {
                    text: "summarise acme".into()
                },
                Message::Assistant {
                    text: String::new(),
                    tool_calls: vec![call("a1:x", "write_file")]
                },
                Message::ToolResult {
                    call_id: "a1:x".into(),
                    content: "result of a1:x".into(),
                    is_error: false,
                    images: Vec::new(),
                },
            ]
        );
        assert_eq!(
            sub.agent_label().as_deref(),
            Some("sub-agent a1 (summarise acme)")
        );
    }
}
