//! The chat-completions request body, as typed, borrowed structs serialized once (a tree
//! of `serde_json::Value`s rebuilt each turn cost more than the HTTP exchange itself).
use crate::context::{MAX_TOOL_RESULT_BYTES, clip_tool_result};
use crate::pictures::{Picture, PictureBudget, Pictures, pictures};
use errand_core::{ImageSource, Message, ModelRequest, ToolSpec};
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
    /// The pictures of the tool results just before it: the tool role takes only text.
    #[serde(rename = "user")]
    UserParts {
        content: Vec<Part>,
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
#[serde(tag = "type", rename_all = "snake_case")]
enum Part {
    Text { text: String },
    ImageUrl { image_url: ImageUrl },
}

#[derive(Debug, Serialize)]
struct ImageUrl {
    url: String,
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

pub(crate) fn request_body<'a>(
    model: &'a str,
    request: &ModelRequest<'a>,
    reads_images: bool,
) -> Body<'a> {
    let mut messages = Vec::with_capacity(request.messages.len() + 1);
    if !request.system.is_empty() {
        messages.push(Out::System {
            content: request.system,
        });
    }
    let mut shown: Vec<(&str, Vec<Picture>)> = Vec::new();
    let mut budget = PictureBudget::for_conversation(request.messages);
    for m in request.messages {
        if !matches!(m, Message::ToolResult { .. }) {
            show_pictures(&mut messages, &mut shown);
        }
        let pictures_of = Sent {
            images: request.images,
            reads_images,
            budget: &mut budget,
        };
        messages.push(message(m, pictures_of, &mut shown));
    }
    show_pictures(&mut messages, &mut shown);
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

/// One user message after a run of tool results, holding their pictures in call order.
fn show_pictures(messages: &mut Vec<Out<'_>>, shown: &mut Vec<(&str, Vec<Picture>)>) {
    if shown.is_empty() {
        return;
    }
    let mut content = Vec::new();
    for (call_id, sent) in shown.drain(..) {
        content.push(Part::Text {
            text: format!("Pictures returned by call {call_id}:"),
        });
        content.extend(sent.iter().map(|p| Part::ImageUrl {
            image_url: ImageUrl { url: p.data_url() },
        }));
    }
    messages.push(Out::UserParts { content });
}

/// What decides which of a result's pictures go with it.
struct Sent<'s> {
    images: &'s dyn ImageSource,
    reads_images: bool,
    budget: &'s mut PictureBudget,
}

fn message<'a>(
    message: &'a Message,
    pictures_of: Sent<'_>,
    shown: &mut Vec<(&'a str, Vec<Picture>)>,
) -> Out<'a> {
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
            images: refs,
        } => {
            let mut content = clip_tool_result(content, MAX_TOOL_RESULT_BYTES);
            let Pictures { sent, note } = pictures(
                refs,
                pictures_of.images,
                pictures_of.reads_images,
                pictures_of.budget,
            );
            if let Some(note) = note {
                content = Cow::Owned(format!("{content}\n{note}"));
            }
            if !sent.is_empty() {
                content = Cow::Owned(format!(
                    "{content}\n[{} in the next message]",
                    if sent.len() == 1 {
                        "its picture is"
                    } else {
                        "its pictures are"
                    }
                ));
                shown.push((call_id, sent));
            }
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
