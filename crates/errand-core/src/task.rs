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

/// Everything known about a task, rebuilt from its log.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TaskView {
    pub id: String,
    pub outcome: String,
    pub grants: Vec<Grant>,
    pub mode: Mode,
    pub model: String,
    pub state: TaskState,
    pub state_reason: Option<String>,
    pub plan: Vec<PlanStep>,
    pub usage: Usage,
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
    /// How often the conversation was compacted; earlier tool results are gone from it.
    pub compactions: usize,
    /// Every tool call id the task ever used, compacted or not.
    #[serde(skip)]
    pub call_ids: HashSet<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PendingApproval {
    pub call_id: String,
    pub tool: String,
    pub summary: String,
    pub preview: Vec<String>,
}

impl TaskView {
    pub fn fold(events: &[Event]) -> TaskView {
        let mut view = TaskView::default();
        for event in events {
            view.apply(event);
        }
        view
    }

    pub fn apply(&mut self, event: &Event) {
        self.last_seq = event.seq;
        self.updated_at = event.at;
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
            EventKind::ModelTurn {
                text,
                tool_calls,
                usage,
            } => {
                self.model_turns += 1;
                self.usage.add(usage);
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
            } => {
                self.waiting_for.retain(|p| &p.call_id != call_id);
                self.waiting_for.push(PendingApproval {
                    call_id: call_id.clone(),
                    tool: tool.clone(),
                    summary: summary.clone(),
                    preview: preview.clone(),
                });
            }
            EventKind::ApprovalResolved {
                call_id,
                approved,
                always,
            } => {
                self.waiting_for.retain(|p| &p.call_id != call_id);
                self.approvals.insert(call_id.clone(), *approved);
                let tool = self.latest_call(call_id).map(|c| c.name.clone());
                if let (Some(tool), true) = (tool, *approved) {
                    self.plan_approved |= tool == "update_plan";
                    if *always {
                        self.always_allowed.insert(tool);
                    }
                }
            }
            EventKind::ToolStarted { call_id, .. } => {
                self.started.insert(call_id.clone());
            }
            EventKind::ToolFinished {
                call_id,
                output,
                is_error,
                ..
            } => {
                self.pending_calls.retain(|id| id != call_id);
                self.messages.push(Message::ToolResult {
                    call_id: call_id.clone(),
                    content: output.clone(),
                    is_error: *is_error,
                });
            }
            EventKind::PlanUpdated { steps } => self.plan = steps.clone(),
            EventKind::UserMessage { text } => {
                self.messages.push(Message::User { text: text.clone() })
            }
            EventKind::StateChanged { state, reason } => {
                self.state = *state;
                self.state_reason = reason.clone();
            }
            EventKind::Finished {
                summary,
                deliverables,
            } => {
                self.summary = Some(summary.clone());
                self.deliverables = deliverables.clone();
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
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(seq: i64, kind: EventKind) -> Event {
        Event {
            task_id: "t".into(),
            seq,
            at: seq * 10,
            kind,
        }
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
}
