//! The Messages API's streamed reply, assembled from its events into one turn.
use crate::http::append_note;
use crate::http::{Assembler, StreamError};
use crate::sse::SseEvent;
use errand_core::{ModelResponse, ToolCall, Usage};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Appended when the reply hit `max_tokens`, so the next turn knows why and works in
/// smaller steps.
pub(crate) const CUT_OFF_NOTE: &str = "[the reply was cut off at max_tokens]";
const REFUSAL_NOTE: &str = "[the model declined to continue this reply]";
/// One content block as its deltas arrive.
#[derive(Debug)]
enum Block {
    Text(String),
    Tool {
        id: String,
        name: String,
        /// `input_json_delta` fragments, concatenated; parsed only when the block ends.
        json: String,
        /// The block's own `input` at its start (`{}` in practice).
        initial: Value,
        input: Option<Result<Value, String>>,
    },
    /// Thinking, redacted thinking, server tools: not part of the answer.
    Other,
}

/// Builds one response from the Messages API's stream events.
#[derive(Debug, Default)]
pub(crate) struct MessagesAssembler {
    blocks: BTreeMap<u64, Block>,
    usage: Usage,
    stop_reason: Option<String>,
    stopped: bool,
}

impl Assembler for MessagesAssembler {
    fn event(&mut self, event: SseEvent) -> Result<(), StreamError> {
        if self.stopped || event.data.trim().is_empty() {
            return Ok(());
        }
        // Half an event is what a connection that ended mid-line leaves: worth a retry.
        let data: Value = serde_json::from_str(&event.data).map_err(|e| {
            StreamError::Transient(format!("an unreadable event in the stream ({e})"))
        })?;
        let kind = data["type"].as_str().unwrap_or(event.event.as_str());
        let index = data["index"].as_u64().unwrap_or(0);
        match kind {
            "message_start" => self.count(&data["message"]["usage"]),
            "content_block_start" => {
                let block = &data["content_block"];
                let block = match block["type"].as_str() {
                    Some("text") => Block::Text(block["text"].as_str().unwrap_or("").to_string()),
                    Some("tool_use") => Block::Tool {
                        id: block["id"].as_str().unwrap_or("").to_string(),
                        name: block["name"].as_str().unwrap_or("").to_string(),
                        json: String::new(),
                        initial: block["input"].clone(),
                        input: None,
                    },
                    _ => Block::Other,
                };
                self.blocks.insert(index, block);
            }
            "content_block_delta" => self.delta(index, &data["delta"]),
            "content_block_stop" => {
                if let Some(Block::Tool {
                    json,
                    initial,
                    input,
                    ..
                }) = self.blocks.get_mut(&index)
                {
                    *input = Some(parse_input(json, initial));
                }
            }
            "message_delta" => {
                if let Some(reason) = data["delta"]["stop_reason"].as_str() {
                    self.stop_reason = Some(reason.to_string());
                }
                self.count(&data["usage"]);
            }
            "message_stop" => self.stopped = true,
            "error" => return Err(stream_error(&data["error"])),
            _ => {} // `ping`, and event types added after this was written
        }
        Ok(())
    }

    fn finish(self) -> Result<ModelResponse, StreamError> {
        if !self.stopped {
            return Err(StreamError::Transient(
                "the stream ended before message_stop".to_string(),
            ));
        }
        let cut_off = self.stop_reason.as_deref() == Some("max_tokens");
        let mut text = String::new();
        let mut tool_calls = Vec::new();
        for block in self.blocks.into_values() {
            let (id, name, input) = match block {
                Block::Text(piece) => {
                    text.push_str(&piece);
                    continue;
                }
                Block::Other => continue,
                Block::Tool {
                    id,
                    name,
                    json,
                    initial,
                    input,
                } => (
                    id,
                    name,
                    input.unwrap_or_else(|| parse_input(&json, &initial)),
                ),
            };
            let input = match input {
                Ok(input) => input,
                // Its arguments were cut short: running it would act on half a request.
                Err(_) if cut_off => {
                    tracing::warn!(%name, "dropping a tool call cut off at max_tokens");
                    continue;
                }
                // Kept, so the tool answers with a clear error the model can correct.
                Err(raw) => json!({ errand_core::tool::INVALID_JSON_KEY: raw }),
            };
            tool_calls.push(ToolCall { id, name, input });
        }
        let note = match self.stop_reason.as_deref() {
            Some("max_tokens") => Some(CUT_OFF_NOTE),
            Some("refusal") => Some(REFUSAL_NOTE),
            _ => None,
        };
        if let Some(note) = note {
            append_note(&mut text, note);
        }
        Ok(ModelResponse {
            text,
            tool_calls,
            usage: self.usage,
        })
    }
}

impl MessagesAssembler {
    fn delta(&mut self, index: u64, delta: &Value) {
        match (delta["type"].as_str(), self.blocks.get_mut(&index)) {
            (Some("text_delta"), Some(Block::Text(text))) => {
                text.push_str(delta["text"].as_str().unwrap_or(""));
            }
            // A delta for a block never started: kept rather than lose the words.
            (Some("text_delta"), None) => {
                let text = delta["text"].as_str().unwrap_or("").to_string();
                self.blocks.insert(index, Block::Text(text));
            }
            (Some("input_json_delta"), Some(Block::Tool { json, .. })) => {
                json.push_str(delta["partial_json"].as_str().unwrap_or(""));
            }
            // thinking_delta, signature_delta, citations_delta: not part of the answer.
            _ => {}
        }
    }

    /// Counts in `message_start` and `message_delta` are cumulative, so the largest seen is
    /// the turn's.
    fn count(&mut self, usage: &Value) {
        let fields = [
            ("input_tokens", &mut self.usage.input_tokens),
            ("output_tokens", &mut self.usage.output_tokens),
            ("cache_read_input_tokens", &mut self.usage.cache_read_tokens),
            (
                "cache_creation_input_tokens",
                &mut self.usage.cache_write_tokens,
            ),
        ];
        for (field, slot) in fields {
            if let Some(n) = usage[field].as_u64() {
                *slot = (*slot).max(n);
            }
        }
    }
}

/// A tool's input from its concatenated fragments, or the raw text when it is not JSON.
fn parse_input(json: &str, initial: &Value) -> Result<Value, String> {
    let raw = json.trim();
    if raw.is_empty() {
        // No fragments: a call without arguments.
        return Ok(if initial.is_object() {
            initial.clone()
        } else {
            json!({})
        });
    }
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::Null) => Ok(json!({})),
        Ok(value) => Ok(value),
        Err(_) => Err(json.to_string()),
    }
}

/// An `error` event: worth retrying only when waiting can fix it.
fn stream_error(error: &Value) -> StreamError {
    let kind = error["type"].as_str().unwrap_or("error");
    let message = error["message"].as_str().unwrap_or("no details");
    let why = format!("the API reported {kind} mid-stream: {message}");
    match kind {
        "overloaded_error" | "api_error" | "rate_limit_error" => StreamError::Transient(why),
        _ => StreamError::Fatal(why),
    }
}
