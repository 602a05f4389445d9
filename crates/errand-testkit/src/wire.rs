//! Builds model turns in the providers' streaming wire formats, event for event as the APIs
//! send them, with tool arguments split into small fragments the way models stream them.
use serde_json::{Value, json};

/// One piece of an assistant turn.
#[derive(Debug, Clone)]
pub enum Block {
    Text(String),
    /// A tool call; `arguments` is sent verbatim, so a test can send JSON that does not parse.
    Tool {
        id: String,
        name: String,
        arguments: String,
    },
}

impl Block {
    pub fn text(text: &str) -> Block {
        Block::Text(text.to_string())
    }

    pub fn tool(id: &str, name: &str, input: &Value) -> Block {
        Block::Tool {
            id: id.to_string(),
            name: name.to_string(),
            arguments: input.to_string(),
        }
    }

    pub fn raw_tool(id: &str, name: &str, arguments: &str) -> Block {
        Block::Tool {
            id: id.to_string(),
            name: name.to_string(),
            arguments: arguments.to_string(),
        }
    }
}

/// Token counts a turn reports.
#[derive(Debug, Clone, Copy, Default)]
pub struct TurnUsage {
    pub input: u64,
    pub output: u64,
    pub cache_read: u64,
    pub cache_write: u64,
}

/// Splits `s` into pieces of about `size` bytes, on character boundaries.
pub fn fragments(s: &str, size: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < s.len() {
        let mut end = (start + size.max(1)).min(s.len());
        while !s.is_char_boundary(end) {
            end += 1;
        }
        out.push(&s[start..end]);
        start = end;
    }
    out
}

fn event(name: &str, data: &Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

/// A Messages API stream: message_start, each block's start/deltas/stop with pings between,
/// message_delta with the stop reason and output tokens, message_stop.
pub fn anthropic_turn(message_id: &str, blocks: &[Block], usage: TurnUsage) -> String {
    let mut out = event(
        "message_start",
        &json!({"type":"message_start","message":{"id":message_id,"type":"message","role":"assistant",
            "content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,
            "usage":{"input_tokens":usage.input,"cache_creation_input_tokens":usage.cache_write,
                "cache_read_input_tokens":usage.cache_read,"output_tokens":1}}}),
    );
    out.push_str(&event("ping", &json!({"type":"ping"})));
    let mut uses_tools = false;
    for (index, block) in blocks.iter().enumerate() {
        match block {
            Block::Text(text) => {
                out.push_str(&event("content_block_start", &json!({"type":"content_block_start","index":index,"content_block":{"type":"text","text":""}})));
                for piece in fragments(text, 12) {
                    out.push_str(&event("content_block_delta", &json!({"type":"content_block_delta","index":index,"delta":{"type":"text_delta","text":piece}})));
                }
            }
            Block::Tool {
                id,
                name,
                arguments,
            } => {
                uses_tools = true;
                out.push_str(&event("content_block_start", &json!({"type":"content_block_start","index":index,"content_block":{"type":"tool_use","id":id,"name":name,"input":{}}})));
                out.push_str(&event("content_block_delta", &json!({"type":"content_block_delta","index":index,"delta":{"type":"input_json_delta","partial_json":""}})));
                for (i, piece) in fragments(arguments, 7).into_iter().enumerate() {
                    if i % 5 == 4 {
                        out.push_str(&event("ping", &json!({"type":"ping"})));
                    }
                    out.push_str(&event("content_block_delta", &json!({"type":"content_block_delta","index":index,"delta":{"type":"input_json_delta","partial_json":piece}})));
                }
            }
        }
        out.push_str(&event(
            "content_block_stop",
            &json!({"type":"content_block_stop","index":index}),
        ));
    }
    let stop = if uses_tools { "tool_use" } else { "end_turn" };
    out.push_str(&event("message_delta", &json!({"type":"message_delta","delta":{"stop_reason":stop,"stop_sequence":null},"usage":{"output_tokens":usage.output}})));
    out.push_str(&event("message_stop", &json!({"type":"message_stop"})));
    out
}

/// An `error` event as the Messages API sends it mid-stream.
pub fn anthropic_error_event(kind: &str, message: &str) -> String {
    event(
        "error",
        &json!({"type":"error","error":{"type":kind,"message":message}}),
    )
}

fn chunk(id: &str, choices: Value, usage: Value) -> String {
    let body = json!({"id":id,"object":"chat.completion.chunk","created":1_763_700_000,
        "model":"gpt-4.1-2025-04-14","system_fingerprint":"fp_b2a9f3c1d0","choices":choices,"usage":usage});
    format!("data: {body}\n\n")
}

/// A chat-completions stream: the role chunk, content pieces, each call's id and name then
/// its argument fragments (interleaved between parallel calls), the finish reason, a final
/// usage chunk (`stream_options.include_usage`) and `[DONE]`.
pub fn openai_turn(chunk_id: &str, blocks: &[Block], usage: TurnUsage) -> String {
    let delta = |d: Value| json!([{"index":0,"delta":d,"logprobs":null,"finish_reason":null}]);
    let mut out = chunk(
        chunk_id,
        delta(json!({"role":"assistant","content":"","refusal":null})),
        Value::Null,
    );
    let mut calls: Vec<(usize, Vec<&str>)> = Vec::new();
    for block in blocks {
        match block {
            Block::Text(text) => {
                for piece in fragments(text, 12) {
                    out.push_str(&chunk(
                        chunk_id,
                        delta(json!({"content":piece})),
                        Value::Null,
                    ));
                }
            }
            Block::Tool {
                id,
                name,
                arguments,
            } => {
                let index = calls.len();
                out.push_str(&chunk(chunk_id, delta(json!({"tool_calls":[{"index":index,"id":id,"type":"function","function":{"name":name,"arguments":""}}]})), Value::Null));
                calls.push((index, fragments(arguments, 7)));
            }
        }
    }
    // Parallel calls' fragments arrive interleaved by index.
    let longest = calls.iter().map(|(_, f)| f.len()).max().unwrap_or(0);
    for step in 0..longest {
        for (index, pieces) in &calls {
            if let Some(piece) = pieces.get(step) {
                out.push_str(&chunk(
                    chunk_id,
                    delta(json!({"tool_calls":[{"index":index,"function":{"arguments":piece}}]})),
                    Value::Null,
                ));
            }
        }
    }
    let finish = if calls.is_empty() {
        "stop"
    } else {
        "tool_calls"
    };
    out.push_str(&chunk(
        chunk_id,
        json!([{"index":0,"delta":{},"logprobs":null,"finish_reason":finish}]),
        Value::Null,
    ));
    out.push_str(&chunk(
        chunk_id,
        json!([]),
        json!({"prompt_tokens":usage.input + usage.cache_read,"completion_tokens":usage.output,
            "total_tokens":usage.input + usage.cache_read + usage.output,
            "prompt_tokens_details":{"cached_tokens":usage.cache_read,"audio_tokens":0},
            "completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,
                "accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}),
    ));
    out.push_str("data: [DONE]\n\n");
    out
}

/// An error object sent as a data chunk mid-stream, as OpenAI-compatible servers do.
pub fn openai_error_chunk(kind: &str, message: &str) -> String {
    format!(
        "data: {}\n\n",
        json!({"error":{"message":message,"type":kind,"param":null,"code":null}})
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_rejoin_and_respect_characters() {
        let s = "{\"path\":\"Café/été.txt\"}";
        let pieces = fragments(s, 3);
        assert!(pieces.len() > 5);
        assert_eq!(pieces.concat(), s);
    }

    #[test]
    fn turns_carry_every_argument_fragment() {
        let blocks = [
            Block::text("Moving."),
            Block::tool(
                "toolu_1",
                "move_path",
                &json!({"from":"a.pdf","to":"Documents/a.pdf"}),
            ),
        ];
        let anthropic = anthropic_turn("msg_1", &blocks, TurnUsage::default());
        assert!(anthropic.contains("\"stop_reason\":\"tool_use\""));
        assert!(anthropic.matches("input_json_delta").count() > 5);
        let openai = openai_turn("chatcmpl-1", &blocks, TurnUsage::default());
        assert!(openai.contains("\"finish_reason\":\"tool_calls\""));
        assert!(openai.ends_with("data: [DONE]\n\n"));
    }
}
