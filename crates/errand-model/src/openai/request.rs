//! The chat-completions request body, as typed, borrowed structs serialized once (a tree
//! of `serde_json::Value`s rebuilt each turn cost more than the HTTP exchange itself).
use crate::context::{MAX_TOOL_RESULT_BYTES, clip_tool_result};
use errand_core::{Message, ModelRequest, ToolSpec};
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;

#[derive(Debug, Serialize)]
#[serde(tag = "role", rename_all = "snake_case")]
enum Out<'a> {
    System {
        content: &'a str,
    },
    User {
        content: &'a str,
    },
    Assistant {
        /// Always a string, "" beside tool calls: llama.cpp-style chat templates join
        /// contents as strings and fail on null, and OpenAI, vLLM and Ollama accept "".
        content: &'a str,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<CallOut<'a>>,
    },
    Tool {
        tool_call_id: &'a str,
        content: Cow<'a, str>,
    },
}

#[derive(Debug, Serialize)]
struct CallOut<'a> {
    id: &'a str,
    r#type: &'static str,
    function: FunctionOut<'a>,
}

#[derive(Debug, Serialize)]
struct FunctionOut<'a> {
    name: &'a str,
    /// The API carries arguments as a JSON document inside a string.
    arguments: String,
}

#[derive(Debug, Serialize)]
struct ToolOut<'a> {
    r#type: &'static str,
    function: ToolFunction<'a>,
}

#[derive(Debug, Serialize)]
struct ToolFunction<'a> {
    name: &'a str,
    description: &'a str,
    parameters: Cow<'a, Value>,
}

#[derive(Debug, Serialize)]
struct StreamOptions {
    include_usage: bool,
}

/// `{model, stream, stream_options, messages, tools}` for one turn.
#[derive(Debug, Serialize)]
pub(crate) struct Body<'a> {
    model: &'a str,
    stream: bool,
    /// Without this the stream carries no token counts at all.
    stream_options: StreamOptions,
    messages: Vec<Out<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<ToolOut<'a>>,
}

pub(crate) fn request_body<'a>(model: &'a str, request: &ModelRequest<'a>) -> Body<'a> {
    let mut messages = Vec::with_capacity(request.messages.len() + 1);
    if !request.system.is_empty() {
        messages.push(Out::System {
            content: request.system,
        });
    }
    messages.extend(request.messages.iter().map(message));
    Body {
        model,
        stream: true,
        stream_options: StreamOptions {
            include_usage: true,
        },
        messages,
        tools: request.tools.iter().map(tool).collect(),
    }
}

fn message(message: &Message) -> Out<'_> {
    match message {
        Message::User { text } => Out::User { content: text },
        Message::Assistant { text, tool_calls } => Out::Assistant {
            content: text,
            tool_calls: tool_calls
                .iter()
                .map(|c| CallOut {
                    id: &c.id,
                    r#type: "function",
                    function: FunctionOut {
                        name: &c.name,
                        arguments: c.input.to_string(),
                    },
                })
                .collect(),
        },
        Message::ToolResult {
            call_id,
            content,
            is_error,
        } => {
            let content = clip_tool_result(content, MAX_TOOL_RESULT_BYTES);
            // The role has no error flag; the prefix tells the model the call failed.
            let content = if *is_error {
                Cow::Owned(format!("ERROR: {content}"))
            } else {
                content
            };
            Out::Tool {
                tool_call_id: call_id,
                content,
            }
        }
    }
}

fn tool(spec: &ToolSpec) -> ToolOut<'_> {
    ToolOut {
        r#type: "function",
        function: ToolFunction {
            name: &spec.name,
            description: &spec.description,
            parameters: crate::context::object_schema(spec),
        },
    }
}
