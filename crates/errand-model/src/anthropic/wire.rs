//! The Messages API wire format both ways: the request body with its prompt-caching
//! breakpoints, and the assembly of a streamed reply from its events.
use crate::context::{MAX_TOOL_RESULT_BYTES, clip_tool_result};
use crate::http::append_note;
use crate::http::{Assembler, StreamError};
use crate::sse::SseEvent;
use errand_core::{Message, ModelRequest, ModelResponse, ToolCall, ToolSpec, Usage};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};

/// Appended when the reply hit `max_tokens`, so the next turn knows why and works in
/// smaller steps.
pub(crate) const CUT_OFF_NOTE: &str = "[the reply was cut off at max_tokens]";
const REFUSAL_NOTE: &str = "[the model declined to continue this reply]";
/// Stands in for a result the log never recorded (a call cut short by a crash): the API
/// refuses a `tool_use` not answered by a `tool_result` in the next message.
pub(crate) const MISSING_RESULT: &str =
    "no result was recorded for this call; run it again if it is still needed";

fn ephemeral() -> Value {
    json!({"type": "ephemeral"})
}

/// `{model, max_tokens, stream, system, tools, messages}` for one turn. Cache breakpoints
/// (the API allows 4): the system prompt, the last tool, the end of the previous user turn
/// (where the last request's cache was written, so it is hit however long the new turn is)
/// and the end of the conversation (written now, read by the next turn).
pub(crate) fn request_body(model: &str, max_tokens: u32, request: &ModelRequest<'_>) -> Value {
    let mut body = json!({
        "model": model,
        "max_tokens": max_tokens,
        "stream": true,
        "messages": messages(request.messages),
    });
    // The API refuses an empty text block, so an empty prompt is left out.
    if !request.system.is_empty() {
        body["system"] = json!([{
            "type": "text",
            "text": request.system,
            "cache_control": ephemeral(),
        }]);
    }
    if !request.tools.is_empty() {
        let mut tools: Vec<Value> = request.tools.iter().map(tool).collect();
        if let Some(last) = tools.last_mut() {
            last["cache_control"] = ephemeral();
        }
        body["tools"] = Value::Array(tools);
    }
    body
}

/// Removes every caching breakpoint from a request body.
pub(crate) fn strip_cache_control(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("cache_control");
            map.values_mut().for_each(strip_cache_control);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_cache_control),
        _ => {}
    }
}

fn tool(spec: &ToolSpec) -> Value {
    let input_schema = if spec.input_schema.is_object() {
        spec.input_schema.clone()
    } else {
        json!({"type": "object", "properties": {}})
    };
    json!({"name": spec.name, "description": spec.description, "input_schema": input_schema})
}

/// One message being built: the API wants user and assistant strictly alternating.
struct Turn {
    role: &'static str,
    content: Vec<Value>,
}

fn messages(history: &[Message]) -> Vec<Value> {
    let mut turns: Vec<Turn> = Vec::new();
    for message in history {
        match message {
            Message::User { text } => {
                if !text.is_empty() {
                    open(&mut turns, "user").push(json!({"type": "text", "text": text}));
                }
            }
            Message::Assistant { text, tool_calls } => {
                let mut blocks = Vec::with_capacity(tool_calls.len() + 1);
                if !text.is_empty() {
                    blocks.push(json!({"type": "text", "text": text}));
                }
                blocks.extend(tool_calls.iter().map(|c| {
                    let input = tool_input(&c.input);
                    json!({"type": "tool_use", "id": c.id, "name": c.name, "input": input})
                }));
                if !blocks.is_empty() {
                    open(&mut turns, "assistant").extend(blocks);
                }
            }
            Message::ToolResult {
                call_id,
                content,
                is_error,
            } => {
                let content = clip_tool_result(content, MAX_TOOL_RESULT_BYTES);
                let block = tool_result(call_id, &content, *is_error);
                let blocks = open(&mut turns, "user");
                // Results must lead their message: a steering message may have come first.
                let at = blocks.iter().take_while(|b| is_result(b)).count();
                blocks.insert(at, block);
            }
        }
    }
    pair_tool_results(&mut turns);
    let last = turns.len().saturating_sub(1);
    let previous_user = turns[..last].iter().rposition(|t| t.role == "user");
    for at in [previous_user, turns.len().checked_sub(1)]
        .into_iter()
        .flatten()
    {
        if let Some(block) = turns[at].content.last_mut() {
            block["cache_control"] = ephemeral();
        }
    }
    turns
        .into_iter()
        .map(|t| json!({"role": t.role, "content": t.content}))
        .collect()
}

/// The content of the last message if it has `role`, else of a new one.
fn open<'a>(turns: &'a mut Vec<Turn>, role: &'static str) -> &'a mut Vec<Value> {
    if turns.last().is_none_or(|t| t.role != role) {
        turns.push(Turn {
            role,
            content: Vec::new(),
        });
    }
    let at = turns.len() - 1;
    &mut turns[at].content
}

/// The API takes only an object; a call made without arguments is `{}`.
fn tool_input(input: &Value) -> Value {
    match input {
        Value::Null => json!({}),
        Value::Object(_) => input.clone(),
        other => json!({"input": other}),
    }
}

fn tool_result(call_id: &str, content: &str, is_error: bool) -> Value {
    let mut block = json!({"type": "tool_result", "tool_use_id": call_id});
    // `content` is optional; an empty string is left out rather than risk a refusal.
    if !content.is_empty() {
        block["content"] = json!(content);
    }
    if is_error {
        block["is_error"] = json!(true);
    }
    block
}

fn is_result(block: &Value) -> bool {
    block["type"] == "tool_result"
}

/// Makes every `tool_use` answered by exactly one `tool_result` in the next message, which
/// the API insists on: a result missing (a crash mid-call) is filled in as an error, and a
/// result with no call before it (history trimmed, a duplicate) becomes plain text.
fn pair_tool_results(turns: &mut Vec<Turn>) {
    let calls_of = |t: &Turn| -> Vec<String> {
        t.content
            .iter()
            .filter(|b| b["type"] == "tool_use")
            .filter_map(|b| b["id"].as_str().map(str::to_string))
            .collect()
    };
    if turns
        .last()
        .is_some_and(|t| t.role == "assistant" && !calls_of(t).is_empty())
    {
        turns.push(Turn {
            role: "user",
            content: Vec::new(),
        });
    }
    let mut expected: Vec<String> = Vec::new();
    for turn in turns.iter_mut() {
        if turn.role == "assistant" {
            expected = calls_of(turn);
            continue;
        }
        let (results, rest): (Vec<Value>, Vec<Value>) = std::mem::take(&mut turn.content)
            .into_iter()
            .partition(is_result);
        let mut answered: HashSet<String> = HashSet::new();
        let mut paired = Vec::with_capacity(expected.len());
        let mut strays = Vec::new();
        for result in results {
            let id = result["tool_use_id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if expected.contains(&id) && answered.insert(id.clone()) {
                paired.push(result);
            } else {
                tracing::warn!(call_id = %id, "sending a tool result without its call as text");
                let content = result["content"].as_str().unwrap_or_default();
                strays.push(
                    json!({"type": "text", "text": format!("[result of call {id}]\n{content}")}),
                );
            }
        }
        for id in expected.drain(..) {
            if !answered.contains(&id) {
                tracing::warn!(call_id = %id, "a tool call has no recorded result");
                paired.push(tool_result(&id, MISSING_RESULT, true));
            }
        }
        turn.content = paired.into_iter().chain(strays).chain(rest).collect();
    }
}

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
