//! The chat-completions streamed reply, assembled into one turn, tolerant of the ways
//! servers that claim the format differ from it.
use crate::http::append_note;
use crate::http::{Assembler, StreamError};
use crate::retry::retryable_status;
use crate::sse::SseEvent;
use errand_core::{ModelResponse, ToolCall, Usage};
use serde_json::{Value, json};

/// Appended when the server stopped at its token limit, so the next turn knows why.
pub(crate) const CUT_OFF_NOTE: &str = "[the reply was cut off at the length limit]";
const FILTERED_NOTE: &str = "[the reply was stopped by the provider's content filter]";

/// One tool call as its fragments arrive.
#[derive(Debug, Default)]
struct PartialCall {
    index: Option<u64>,
    id: String,
    name: String,
    /// String fragments, concatenated.
    arguments: String,
    /// Set when a server sends the arguments already parsed, as an object.
    parsed: Option<Value>,
}

impl PartialCall {
    /// The call's input, or the raw text when it is not JSON.
    fn input(&self) -> Result<Value, String> {
        if let Some(value) = &self.parsed {
            return Ok(unwrap_encoded(value.clone()));
        }
        let raw = self.arguments.trim();
        if raw.is_empty() {
            return Ok(json!({}));
        }
        serde_json::from_str(raw)
            .map(unwrap_encoded)
            .map_err(|_| self.arguments.clone())
    }

    fn complete(&self) -> bool {
        self.parsed.is_some() || serde_json::from_str::<Value>(self.arguments.trim()).is_ok()
    }
}

/// Arguments encoded twice (a JSON string holding the object) are taken as the object.
fn unwrap_encoded(value: Value) -> Value {
    match value {
        Value::String(s) => match serde_json::from_str::<Value>(&s) {
            Ok(inner @ Value::Object(_)) => inner,
            _ => Value::String(s),
        },
        other => other,
    }
}

/// Builds one response from `chat.completion.chunk` events.
#[derive(Debug, Default)]
pub(crate) struct ChatAssembler {
    text: String,
    calls: Vec<PartialCall>,
    finish_reason: Option<String>,
    usage: Usage,
    done: bool,
}

impl Assembler for ChatAssembler {
    fn event(&mut self, event: SseEvent) -> Result<(), StreamError> {
        let data = event.data.trim();
        if self.done || data.is_empty() {
            return Ok(());
        }
        if data == "[DONE]" {
            self.done = true;
            return Ok(());
        }
        if !data.starts_with('{') {
            if event.event == "error" {
                return Err(stream_error(&Value::String(data.to_string())));
            }
            // Keep-alives some proxies send as data; nothing to assemble.
            tracing::debug!(data, "skipping a non-JSON event");
            return Ok(());
        }
        let chunk: Value = serde_json::from_str(data).map_err(|e| {
            StreamError::Transient(format!("a malformed chunk in the stream ({e})"))
        })?;
        if let Some(error) = chunk.get("error").filter(|e| !e.is_null()) {
            return Err(stream_error(error));
        }
        // OpenAI sends `"usage": null` in every chunk but the last; some servers repeat a
        // running total. The last object seen is the turn's count.
        if let Some(usage) = chunk.get("usage").filter(|u| u.is_object()) {
            self.usage = usage_of(usage);
        }
        for choice in chunk["choices"].as_array().into_iter().flatten() {
            // Only one choice is asked for; a server that sends others is ignored for them.
            if choice["index"].as_u64().unwrap_or(0) != 0 {
                continue;
            }
            let delta = &choice["delta"];
            // `reasoning_content` (thinking models on vLLM, llama.cpp, DeepSeek) is left out.
            if let Some(text) = delta["content"].as_str() {
                self.text.push_str(text);
            }
            for fragment in delta["tool_calls"].as_array().into_iter().flatten() {
                self.tool_fragment(fragment);
            }
            if let Some(reason) = choice["finish_reason"].as_str() {
                self.finish_reason = Some(reason.to_string());
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<ModelResponse, StreamError> {
        // `[DONE]` or a finish reason proves the turn ended; servers differ in which they send.
        if !self.done && self.finish_reason.is_none() {
            return Err(StreamError::Transient(
                "the stream ended before the reply was complete".to_string(),
            ));
        }
        let cut_off = self.finish_reason.as_deref() == Some("length");
        let mut text = self.text;
        let mut tool_calls = Vec::with_capacity(self.calls.len());
        for call in self.calls {
            if call.name.is_empty() {
                tracing::warn!(id = %call.id, "dropping a tool call without a name");
                continue;
            }
            let input = match call.input() {
                // Cut off before its arguments began: running it with defaults would be wrong.
                Ok(_) if cut_off && call.parsed.is_none() && call.arguments.trim().is_empty() => {
                    tracing::warn!(name = %call.name, "dropping a tool call cut off at the length limit");
                    continue;
                }
                Ok(input) => input,
                Err(_) if cut_off => {
                    tracing::warn!(name = %call.name, "dropping a tool call cut off at the length limit");
                    continue;
                }
                // Kept, so the tool answers with a clear error the model can correct.
                Err(raw) => json!({ errand_core::tool::INVALID_JSON_KEY: raw }),
            };
            let id = if call.id.is_empty() {
                format!("call_{}", tool_calls.len())
            } else {
                call.id
            };
            tool_calls.push(ToolCall {
                id,
                name: call.name,
                input,
            });
        }
        let note = match self.finish_reason.as_deref() {
            Some("length") => Some(CUT_OFF_NOTE),
            Some("content_filter") => Some(FILTERED_NOTE),
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

impl ChatAssembler {
    fn tool_fragment(&mut self, fragment: &Value) {
        let index = fragment["index"].as_u64();
        let id = fragment["id"].as_str().filter(|s| !s.is_empty());
        let function = &fragment["function"];
        let name = function["name"].as_str().filter(|s| !s.is_empty());
        let at = self.slot(index, id, name);
        let call = &mut self.calls[at];
        if let (true, Some(id)) = (call.id.is_empty(), id) {
            call.id = id.to_string();
        }
        if let (true, Some(name)) = (call.name.is_empty(), name) {
            call.name = name.to_string();
        }
        match &function["arguments"] {
            Value::String(piece) => call.arguments.push_str(piece),
            Value::Null => {}
            parsed => call.parsed = Some(parsed.clone()),
        }
    }

    /// Which call a fragment continues, or a new one. Fragments are matched by `index`;
    /// servers that omit it are matched by id, else continue the last call.
    fn slot(&mut self, index: Option<u64>, id: Option<&str>, name: Option<&str>) -> usize {
        let candidate = match (index, id) {
            (Some(i), _) => self.calls.iter().rposition(|c| c.index == Some(i)),
            (None, Some(id)) => self.calls.iter().rposition(|c| c.id == id),
            (None, None) => self.calls.len().checked_sub(1),
        };
        // Some servers number every call 0 or leave index out; a different id or name, or
        // a new name after complete arguments, then starts another call.
        let starts_another = |c: &PartialCall| {
            id.is_some_and(|id| !c.id.is_empty() && c.id != id)
                || name.is_some_and(|n| {
                    !c.name.is_empty()
                        && (c.name != n || (index.is_none() && id.is_none() && c.complete()))
                })
        };
        match candidate {
            Some(at) if !starts_another(&self.calls[at]) => at,
            _ => {
                self.calls.push(PartialCall {
                    index,
                    ..PartialCall::default()
                });
                self.calls.len() - 1
            }
        }
    }
}

/// `usage` in OpenAI's shape; `prompt_tokens` includes the cached part, counted apart here.
fn usage_of(usage: &Value) -> Usage {
    let prompt = usage["prompt_tokens"].as_u64().unwrap_or(0);
    let cached = usage["prompt_tokens_details"]["cached_tokens"]
        .as_u64()
        .unwrap_or(0)
        .min(prompt);
    Usage {
        input_tokens: prompt - cached,
        output_tokens: usage["completion_tokens"].as_u64().unwrap_or(0),
        cache_read_tokens: cached,
        cache_write_tokens: 0,
    }
}

/// An error object sent as a data event: worth retrying only when waiting can fix it.
fn stream_error(error: &Value) -> StreamError {
    let message = error["message"]
        .as_str()
        .or(error.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| error.to_string());
    let all = error.to_string().to_lowercase();
    let transient = [
        "overload",
        "rate limit",
        "rate_limit",
        "ratelimit",
        "too many requests",
        "capacity",
        "server_error",
        "try again",
    ]
    .iter()
    .any(|word| all.contains(word))
        || error["code"]
            .as_u64()
            .and_then(|c| u16::try_from(c).ok())
            .is_some_and(retryable_status);
    let why = format!("the API reported an error mid-stream: {message}");
    if transient {
        StreamError::Transient(why)
    } else {
        StreamError::Fatal(why)
    }
}
