//! The Messages API request body, with its prompt-caching breakpoints. Built as typed,
//! borrowed structs and serialized once: a long conversation is rebuilt every turn, and a
//! tree of `serde_json::Value`s cost a millisecond per turn in allocations alone.
use crate::context::{MAX_TOOL_RESULT_BYTES, clip_tool_result};
use crate::pictures::{Picture, PictureBudget, Pictures, pictures};
use errand_core::{ImageSource, Message, ModelRequest, ToolSpec};
use serde::Serialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashSet;

/// Stands in for a result the log never recorded (a call cut short by a crash): the API
/// refuses a `tool_use` not answered by a `tool_result` in the next message.
pub(crate) const MISSING_RESULT: &str =
    "no result was recorded for this call; run it again if it is still needed";

#[derive(Debug, Clone, Copy, Serialize)]
struct Ephemeral {
    r#type: &'static str,
}

const EPHEMERAL: Option<Ephemeral> = Some(Ephemeral {
    r#type: "ephemeral",
});

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Content<'a> {
    Text {
        text: Cow<'a, str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<Ephemeral>,
    },
    ToolUse {
        id: &'a str,
        name: &'a str,
        input: Cow<'a, Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<Ephemeral>,
    },
    ToolResult {
        tool_use_id: Cow<'a, str>,
        /// Optional in the API; an empty string is left out rather than risk a refusal.
        #[serde(skip_serializing_if = "Option::is_none")]
        content: Option<ResultContent<'a>>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        is_error: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        cache_control: Option<Ephemeral>,
    },
}

/// A result's text alone, or its text followed by its pictures.
#[derive(Debug, Serialize)]
#[serde(untagged)]
enum ResultContent<'a> {
    Text(Cow<'a, str>),
    Blocks(Vec<ResultBlock<'a>>),
}

#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ResultBlock<'a> {
    Text { text: Cow<'a, str> },
    Image { source: Base64Source },
}

#[derive(Debug, Serialize)]
struct Base64Source {
    r#type: &'static str,
    media_type: String,
    data: String,
}

impl ResultContent<'_> {
    /// The words alone (a stray result is sent as text, without its pictures).
    fn text(&self) -> &str {
        match self {
            ResultContent::Text(text) => text,
            ResultContent::Blocks(blocks) => blocks
                .iter()
                .find_map(|b| match b {
                    ResultBlock::Text { text } => Some(text.as_ref()),
                    ResultBlock::Image { .. } => None,
                })
                .unwrap_or_default(),
        }
    }
}

impl Content<'_> {
    fn mark_for_cache(&mut self) {
        match self {
            Content::Text { cache_control, .. }
            | Content::ToolUse { cache_control, .. }
            | Content::ToolResult { cache_control, .. } => *cache_control = EPHEMERAL,
        }
    }

    fn is_result(&self) -> bool {
        matches!(self, Content::ToolResult { .. })
    }
}

/// One message being built: the API wants user and assistant strictly alternating.
#[derive(Debug, Serialize)]
struct Turn<'a> {
    role: &'static str,
    content: Vec<Content<'a>>,
}

#[derive(Debug, Serialize)]
struct Tool<'a> {
    name: &'a str,
    description: &'a str,
    input_schema: Cow<'a, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cache_control: Option<Ephemeral>,
}

/// `{model, max_tokens, stream, system, tools, messages}` for one turn.
#[derive(Debug, Serialize)]
pub(crate) struct Body<'a> {
    model: &'a str,
    max_tokens: u32,
    stream: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    system: Vec<Content<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<Tool<'a>>,
    messages: Vec<Turn<'a>>,
}

/// The body for one turn. With `caching`, four breakpoints (the API's limit): the system
/// prompt, the last tool, the end of the previous user turn (where the last request's cache
/// was written, so it is hit however long the new turn is) and the end of the conversation
/// (written now, read by the next turn).
pub(crate) fn request_body<'a>(
    model: &'a str,
    max_tokens: u32,
    request: &ModelRequest<'a>,
    caching: bool,
    reads_images: bool,
) -> Body<'a> {
    let mark = if caching { EPHEMERAL } else { None };
    // The API refuses an empty text block, so an empty prompt is left out.
    let system = if request.system.is_empty() {
        Vec::new()
    } else {
        vec![Content::Text {
            text: Cow::Borrowed(request.system),
            cache_control: mark,
        }]
    };
    let mut tools: Vec<Tool<'a>> = request.tools.iter().map(tool).collect();
    if let Some(last) = tools.last_mut() {
        last.cache_control = mark;
    }
    let mut messages = messages(request.messages, request.images, reads_images);
    if caching {
        let last = messages.len().saturating_sub(1);
        let previous_user = messages[..last].iter().rposition(|t| t.role == "user");
        for at in [previous_user, messages.len().checked_sub(1)]
            .into_iter()
            .flatten()
        {
            if let Some(block) = messages[at].content.last_mut() {
                block.mark_for_cache();
            }
        }
    }
    Body {
        model,
        max_tokens,
        stream: true,
        system,
        tools,
        messages,
    }
}

fn tool(spec: &ToolSpec) -> Tool<'_> {
    Tool {
        name: &spec.name,
        description: &spec.description,
        input_schema: crate::context::object_schema(spec),
        cache_control: None,
    }
}

/// The API takes only an object; a call made without arguments is `{}`.
fn tool_input(input: &Value) -> Cow<'_, Value> {
    match input {
        Value::Object(_) => Cow::Borrowed(input),
        Value::Null => Cow::Owned(Value::Object(serde_json::Map::new())),
        other => Cow::Owned(serde_json::json!({ "input": other })),
    }
}

fn tool_result<'a>(call_id: Cow<'a, str>, content: Cow<'a, str>, is_error: bool) -> Content<'a> {
    Content::ToolResult {
        tool_use_id: call_id,
        content: (!content.is_empty()).then_some(ResultContent::Text(content)),
        is_error,
        cache_control: None,
    }
}

/// A result carrying pictures: its text, a note of any left out, then image blocks.
fn with_pictures<'a>(
    content: Cow<'a, str>,
    note: Option<String>,
    sent: Vec<Picture>,
) -> ResultContent<'a> {
    let content = match note {
        Some(note) => Cow::Owned(format!("{content}\n{note}")),
        None => content,
    };
    if sent.is_empty() {
        return ResultContent::Text(content);
    }
    let mut blocks = Vec::with_capacity(sent.len() + 1);
    if !content.is_empty() {
        blocks.push(ResultBlock::Text { text: content });
    }
    blocks.extend(sent.into_iter().map(|p| ResultBlock::Image {
        source: Base64Source {
            r#type: "base64",
            media_type: p.media_type,
            data: p.base64,
        },
    }));
    ResultContent::Blocks(blocks)
}

fn messages<'a>(
    history: &'a [Message],
    images: &dyn ImageSource,
    reads_images: bool,
) -> Vec<Turn<'a>> {
    let mut turns: Vec<Turn<'_>> = Vec::new();
    let mut budget = PictureBudget::for_conversation(history);
    for message in history {
        match message {
            Message::User { text } => {
                if !text.is_empty() {
                    open(&mut turns, "user").push(Content::Text {
                        text: Cow::Borrowed(text),
                        cache_control: None,
                    });
                }
            }
            Message::Assistant { text, tool_calls } => {
                let mut blocks = Vec::with_capacity(tool_calls.len() + 1);
                if !text.is_empty() {
                    blocks.push(Content::Text {
                        text: Cow::Borrowed(text),
                        cache_control: None,
                    });
                }
                blocks.extend(tool_calls.iter().map(|c| Content::ToolUse {
                    id: &c.id,
                    name: &c.name,
                    input: tool_input(&c.input),
                    cache_control: None,
                }));
                if !blocks.is_empty() {
                    open(&mut turns, "assistant").extend(blocks);
                }
            }
            Message::ToolResult {
                call_id,
                content,
                is_error,
                images: refs,
            } => {
                let content = clip_tool_result(content, MAX_TOOL_RESULT_BYTES);
                let block = if refs.is_empty() {
                    tool_result(Cow::Borrowed(call_id), content, *is_error)
                } else {
                    let Pictures { sent, note } = pictures(refs, images, reads_images, &mut budget);
                    Content::ToolResult {
                        tool_use_id: Cow::Borrowed(call_id),
                        content: Some(with_pictures(content, note, sent)),
                        is_error: *is_error,
                        cache_control: None,
                    }
                };
                let blocks = open(&mut turns, "user");
                // Results must lead their message: a steering message may have come first.
                let at = blocks.iter().take_while(|b| b.is_result()).count();
                blocks.insert(at, block);
            }
        }
    }
    pair_tool_results(&mut turns);
    turns
}

/// The content of the last message if it has `role`, else of a new one.
fn open<'t, 'a>(turns: &'t mut Vec<Turn<'a>>, role: &'static str) -> &'t mut Vec<Content<'a>> {
    if turns.last().is_none_or(|t| t.role != role) {
        turns.push(Turn {
            role,
            content: Vec::new(),
        });
    }
    let at = turns.len() - 1;
    &mut turns[at].content
}

/// Makes every `tool_use` answered by exactly one `tool_result` in the next message, which
/// the API insists on: a result missing (a crash mid-call) is filled in as an error, and a
/// result with no call before it (history trimmed, a duplicate) becomes plain text.
fn pair_tool_results(turns: &mut Vec<Turn<'_>>) {
    fn calls_of<'a>(turn: &Turn<'a>) -> Vec<&'a str> {
        turn.content
            .iter()
            .filter_map(|b| match b {
                Content::ToolUse { id, .. } => Some(*id),
                _ => None,
            })
            .collect()
    }
    if turns
        .last()
        .is_some_and(|t| t.role == "assistant" && !calls_of(t).is_empty())
    {
        turns.push(Turn {
            role: "user",
            content: Vec::new(),
        });
    }
    let mut expected: Vec<&str> = Vec::new();
    for turn in turns.iter_mut() {
        if turn.role == "assistant" {
            expected = calls_of(turn);
            continue;
        }
        let (results, rest): (Vec<Content<'_>>, Vec<Content<'_>>) =
            std::mem::take(&mut turn.content)
                .into_iter()
                .partition(Content::is_result);
        let mut answered: HashSet<&str> = HashSet::new();
        let mut paired = Vec::with_capacity(expected.len());
        let mut strays = Vec::new();
        for result in results {
            let Content::ToolResult {
                tool_use_id,
                content,
                ..
            } = &result
            else {
                continue;
            };
            let known = expected.iter().find(|id| **id == tool_use_id.as_ref());
            match known {
                Some(id) if answered.insert(*id) => paired.push(result),
                _ => {
                    tracing::warn!(call_id = %tool_use_id, "sending a tool result without its call as text");
                    let text = format!(
                        "[result of call {tool_use_id}]\n{}",
                        content
                            .as_ref()
                            .map(ResultContent::text)
                            .unwrap_or_default()
                    );
                    strays.push(Content::Text {
                        text: Cow::Owned(text),
                        cache_control: None,
                    });
                }
            }
        }
        for id in expected.drain(..) {
            if !answered.contains(id) {
                tracing::warn!(call_id = %id, "a tool call has no recorded result");
                paired.push(tool_result(
                    Cow::Borrowed(id),
                    Cow::Borrowed(MISSING_RESULT),
                    true,
                ));
            }
        }
        turn.content = paired.into_iter().chain(strays).chain(rest).collect();
    }
}
