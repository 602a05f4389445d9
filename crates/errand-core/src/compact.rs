//! Compaction: when a conversation nears the model's context window, its older turns are
//! replaced by a summary the model writes, with the plan and the files changed so far
//! attached by Errand (so they are exact, whatever the summary says). Recorded as one
//! `Compacted` event, so every later fold of the task sees the same conversation.
use crate::agent::{Agent, AgentError};
use crate::event::EventKind;
use crate::model::{Message, ModelRequest, Usage};
use crate::task::TaskView;
use crate::tool::ToolSpec;

/// Compact when a request would fill more than this share of the window (in percent).
pub const COMPACT_AT_PERCENT: u64 = 75;
/// The recent part kept verbatim may use up to this share of the window (in percent).
const KEEP_PERCENT: u64 = 25;
/// Each older tool result is clipped to this many bytes in the summarising request.
const SUMMARY_RESULT_BYTES: usize = 2_000;
/// Providers clip tool results to about this much before sending (see errand-model).
const SENT_RESULT_BYTES: usize = 24_500;
/// Files listed by name in the summary; the rest are counted.
const LISTED_FILES: usize = 200;

const INSTRUCTION: &str = "The conversation is about to be shortened to fit your context. \
Summarise the work so far for yourself, in under 400 words: what was asked, what you found \
(names, figures and facts you will need), what you did, what failed and why, and what \
remains. Do not call tools; answer with the summary only.";

/// A rough token count of a request: about four bytes per token for English and JSON.
pub fn estimate_tokens(system: &str, messages: &[Message], tools: &[ToolSpec]) -> u64 {
    let tool_bytes: usize = tools
        .iter()
        .map(|t| t.name.len() + t.description.len() + t.input_schema.to_string().len())
        .sum();
    let message_bytes: usize = messages.iter().map(message_bytes).sum();
    ((system.len() + tool_bytes + message_bytes) / 4) as u64
}

fn message_bytes(message: &Message) -> usize {
    match message {
        Message::User { text } => text.len() + 8,
        Message::Assistant { text, tool_calls } => {
            text.len()
                + tool_calls
                    .iter()
                    .map(|c| c.id.len() + c.name.len() + c.input.to_string().len() + 16)
                    .sum::<usize>()
        }
        Message::ToolResult {
            call_id,
            content,
            images,
            ..
        } => {
            // A picture costs about a token per 750 pixels; four bytes count as one token.
            let pictures: usize = images
                .iter()
                .map(|i| (i.width as usize * i.height as usize).div_ceil(750) * 4)
                .sum();
            call_id.len() + content.len().min(SENT_RESULT_BYTES) + 16 + pictures
        }
    }
}

/// Where the verbatim tail starts: an assistant message (so no tool result is parted from
/// its call) after the first message, keeping the tail within `budget` tokens but always
/// keeping the latest turn. `None` when there is nothing older to summarise.
pub fn cut_point(messages: &[Message], budget: u64) -> Option<usize> {
    let mut kept_bytes = 0usize;
    let mut cut = None;
    for (i, message) in messages.iter().enumerate().rev() {
        kept_bytes += message_bytes(message);
        if i == 0 {
            break;
        }
        if matches!(message, Message::Assistant { .. }) {
            if cut.is_some() && (kept_bytes / 4) as u64 > budget {
                break;
            }
            cut = Some(i);
        }
    }
    cut.filter(|&i| i > 1)
}

/// The older messages as the summarising call sees them: large results clipped.
fn summary_messages(older: &[Message]) -> Vec<Message> {
    let mut out: Vec<Message> = older
        .iter()
        .map(|m| match m {
            // Pictures are left out: the summary is words, and the text names them.
            Message::ToolResult {
                call_id,
                content,
                is_error,
                ..
            } => {
                let mut end = SUMMARY_RESULT_BYTES.min(content.len());
                while !content.is_char_boundary(end) {
                    end -= 1;
                }
                let content = if end < content.len() {
                    format!(
                        "{}\n[… {} more bytes]",
                        &content[..end],
                        content.len() - end
                    )
                } else {
                    content.clone()
                };
                Message::ToolResult {
                    call_id: call_id.clone(),
                    content,
                    is_error: *is_error,
                    images: Vec::new(),
                }
            }
            other => other.clone(),
        })
        .collect();
    out.push(Message::User {
        text: INSTRUCTION.to_string(),
    });
    out
}

/// A summary made without the model, when the summarising call fails: one line per call.
fn mechanical_summary(older: &[Message]) -> String {
    let mut lines = Vec::new();
    let mut results = std::collections::HashMap::new();
    for m in older {
        if let Message::ToolResult {
            call_id,
            content,
            is_error,
            ..
        } = m
        {
            let first = content.lines().next().unwrap_or_default();
            let first: String = first.chars().take(160).collect();
            results.insert(call_id.as_str(), (first, *is_error));
        }
    }
    for m in older {
        if let Message::Assistant { tool_calls, .. } = m {
            for call in tool_calls {
                let input: String = call.input.to_string().chars().take(160).collect();
                let (result, failed) = results.get(call.id.as_str()).cloned().unwrap_or_default();
                let mark = if failed { "failed" } else { "ok" };
                lines.push(format!("- {}({input}) → {mark}: {result}", call.name));
            }
        }
    }
    format!("Calls made so far:\n{}", lines.join("\n"))
}

impl Agent {
    /// Replaces the older part of the conversation with a summary, if there is an older
    /// part; returns whether it did.
    pub(crate) async fn compact(
        &self,
        view: &mut TaskView,
        system: &str,
        tools: &[ToolSpec],
        window: u64,
    ) -> Result<bool, AgentError> {
        let Some(cut) = cut_point(&view.messages, window * KEEP_PERCENT / 100) else {
            return Ok(false);
        };
        // The first message is the outcome, kept anyway; summarise what follows it.
        let older = summary_messages(&view.messages[1..cut]);
        let mut asked = vec![view.messages[0].clone()];
        asked.extend(older);
        let request = ModelRequest {
            turn: view.model_turns + view.compactions,
            system,
            messages: &asked,
            tools,
            images: &crate::model::NoImages,
        };
        let (written, usage) = match self.model.complete(&request).await {
            Ok(response) if !response.text.trim().is_empty() => {
                (response.text.trim().to_string(), response.usage)
            }
            Ok(response) => (mechanical_summary(&view.messages[1..cut]), response.usage),
            Err(e) => {
                tracing::warn!(error = %e, "the summarising call failed; summarising mechanically");
                (mechanical_summary(&view.messages[1..cut]), Usage::default())
            }
        };
        let summary = format!(
            "[Earlier work was summarised to fit the context; re-read a file if you need its \
             exact content.]\n{written}{}{}",
            plan_text(view),
            self.changed_files_text(&view.id)?
        );
        let kept = view.messages.len() - cut;
        self.append(
            view,
            EventKind::Compacted {
                summary,
                kept,
                usage,
            },
        )?;
        Ok(true)
    }

    fn changed_files_text(&self, task_id: &str) -> Result<String, AgentError> {
        let mut files: Vec<String> = Vec::new();
        for record in self.store.journal(task_id)? {
            if record.state == crate::journal::JournalState::Done && record.op.is_change() {
                let subject = record.op.subject().to_string();
                if !files.contains(&subject) {
                    files.push(subject);
                }
            }
        }
        if files.is_empty() {
            return Ok(String::new());
        }
        let listed = files.len().min(LISTED_FILES);
        let mut text = format!("\n\nFiles changed so far ({}):", files.len());
        for file in &files[..listed] {
            text.push_str(&format!("\n- {file}"));
        }
        if files.len() > listed {
            text.push_str(&format!("\n- … and {} more", files.len() - listed));
        }
        Ok(text)
    }
}

fn plan_text(view: &TaskView) -> String {
    if view.plan.is_empty() {
        return String::new();
    }
    let mut text = String::from("\n\nPlan:");
    for step in &view.plan {
        let status = serde_json::to_value(step.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        text.push_str(&format!("\n- [{status}] {}", step.title));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ToolCall;
    use serde_json::json;

    fn turn(id: &str, result_bytes: usize) -> [Message; 2] {
        [
            Message::Assistant {
                text: String::new(),
                tool_calls: vec![ToolCall {
                    id: id.into(),
                    name: "read_file".into(),
                    input: json!({"path": format!("{id}.txt")}),
                }],
            },
            Message::ToolResult {
                call_id: id.into(),
                content: "x".repeat(result_bytes),
                is_error: false,
                images: Vec::new(),
            },
        ]
    }

    #[test]
    fn the_cut_keeps_whole_turns_within_budget_and_always_the_latest() {
        let mut messages = vec![Message::User {
            text: "sum up the notes".into(),
        }];
        for i in 0..6 {
            messages.extend(turn(&format!("c{i}"), 4_000));
        }
        // Each turn is ~1,000 tokens: a 2,500-token tail keeps the last two turns.
        let cut = cut_point(&messages, 2_500).expect("a cut");
        assert_eq!(cut, messages.len() - 4);
        assert!(matches!(messages[cut], Message::Assistant { .. }));
        // A tiny budget still keeps the latest turn.
        assert_eq!(cut_point(&messages, 1), Some(messages.len() - 2));
        // Only one turn: nothing older to summarise.
        assert_eq!(cut_point(&messages[..3], 1), None);
    }

    #[test]
    fn the_mechanical_summary_names_each_call_and_its_outcome() {
        let mut older: Vec<Message> = turn("c1", 10).into();
        older.extend(turn("c2", 10));
        if let Some(Message::ToolResult { is_error, .. }) = older.last_mut() {
            *is_error = true;
        }
        let text = mechanical_summary(&older);
        assert!(
            text.contains("read_file({\"path\":\"c1.txt\"}) → ok"),
            "{text}"
        );
        assert!(text.contains("c2.txt\"}) → failed"), "{text}");
    }
}
