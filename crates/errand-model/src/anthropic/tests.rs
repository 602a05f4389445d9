//! The provider against a loopback server replaying streams in the Messages API's own
//! wire format, split into many chunks.
use super::request::{MISSING_RESULT, request_body};
use super::wire::{CUT_OFF_NOTE, MessagesAssembler};
use super::*;
use crate::http::{Assembler, StreamError};
use crate::sse::SseParser;
use errand_core::{Message, ToolCall, ToolSpec, Usage};
use errand_testkit::{Recorded, ReplayServer, Reply};
use serde_json::{Value, json};

const KEY: &str = "sk-ant-api03-test-9f3Kq2xLm7Rb4TzW";

/// A thinking block, text, and two parallel tool calls whose input arrives in small
/// fragments (one splitting a `\u00e9` escape), with pings between.
const TURN: &str = r#"event: message_start
data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":1536,"cache_read_input_tokens":9210,"output_tokens":2}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants the downloads sorted"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":" by the plan; list first, then read it."}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds4Ej2EEW"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"I'll list your "}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"downloads and read the plan — "}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"both at once."}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: content_block_start
data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"list_files","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"pa"}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"th\": \"Dow"}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"nloads\", \"recur"}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"sive\": tr"}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"ue, \"glob\": \"*.p"}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"df\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":2}

event: content_block_start
data: {"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_01BXrUq4ekvJ9zSmgQwE7d2N","name":"read_file","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{\"path\""}}

event: content_block_delta
data: {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":": \"notes/caf\\u00"}}

event: content_block_delta
data: {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"e9 plan.md\", "}}

event: content_block_delta
data: {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"\"limit\": 2"}}

event: content_block_delta
data: {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"00}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":3}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":156}}

event: message_stop
data: {"type":"message_stop"}

"#;

/// Text, then a tool call whose input the token limit cut off mid-string.
const CUT_OFF: &str = r##"event: message_start
data: {"type":"message_start","message":{"id":"msg_01Hq8ZpV3cD2bWn5","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2048,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Writing the report now."}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01Nz4","name":"write_file","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"path\": \"report.md\", \"content\": \"# Q3\\n\\nRevenue gr"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":8192}}

event: message_stop
data: {"type":"message_stop"}

"##;

/// The start of a turn, then an overload reported in the stream itself.
const OVERLOADED: &str = r#"event: message_start
data: {"type":"message_start","message":{"id":"msg_01Ov","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5-20250929","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":1}}}

event: ping
data: {"type": "ping"}

event: error
data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}

"#;

fn tools() -> Vec<ToolSpec> {
    ["list_files", "read_file", "file_info"]
        .iter()
        .map(|name| ToolSpec {
            name: name.to_string(),
            description: format!("{name} in a granted folder"),
            input_schema: json!({"type": "object", "properties": {"path": {"type": "string"}}}),
        })
        .collect()
}

/// A conversation ending in two results and a steering message that came after them.
fn history() -> Vec<Message> {
    vec![
        Message::User {
            text: "Sort my downloads by the plan".into(),
        },
        Message::Assistant {
            text: "Looking first.".into(),
            tool_calls: vec![
                ToolCall {
                    id: "toolu_A".into(),
                    name: "list_files".into(),
                    input: json!({"path": "Downloads"}),
                },
                ToolCall {
                    id: "toolu_B".into(),
                    name: "file_info".into(),
                    input: Value::Null,
                },
            ],
        },
        Message::ToolResult {
            call_id: "toolu_A".into(),
            content: "a.pdf\nb.jpg".into(),
            is_error: false,
            images: Vec::new(),
        },
        Message::ToolResult {
            call_id: "toolu_B".into(),
            content: "no such file".into(),
            is_error: true,
            images: Vec::new(),
        },
        Message::User {
            text: "Skip the photos.".into(),
        },
    ]
}

async fn run(replies: Vec<Reply>) -> (Result<ModelResponse, ModelError>, Vec<Recorded>) {
    let server = ReplayServer::start(replies).await;
    let model = Anthropic::new("claude-sonnet-4-5", KEY.into(), Some(server.url.clone()))
        .with_retry(RetryPolicy::fast());
    let (messages, tools) = (history(), tools());
    let request = ModelRequest {
        turn: 0,
        system: "You are Errand.",
        messages: &messages,
        tools: &tools,
        images: &errand_core::NoImages,
    };
    let result = model.complete(&request).await;
    (result, server.requests())
}

/// What `TURN` assembles to.
fn assert_turn(response: &ModelResponse) {
    assert_eq!(
        response.text,
        "I'll list your downloads and read the plan — both at once."
    );
    assert_eq!(
        response.tool_calls,
        vec![
            ToolCall {
                id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6".into(),
                name: "list_files".into(),
                input: json!({"path": "Downloads", "recursive": true, "glob": "*.pdf"}),
            },
            ToolCall {
                id: "toolu_01BXrUq4ekvJ9zSmgQwE7d2N".into(),
                name: "read_file".into(),
                input: json!({"path": "notes/café plan.md", "limit": 200}),
            },
        ]
    );
    assert_eq!(
        response.usage,
        Usage {
            input_tokens: 472,
            output_tokens: 156,
            cache_read_tokens: 9210,
            cache_write_tokens: 1536,
        }
    );
}

fn assemble(body: &str) -> Result<ModelResponse, StreamError> {
    let mut parser = SseParser::new();
    let mut assembler = MessagesAssembler::default();
    for event in parser
        .push(body.as_bytes())
        .into_iter()
        .chain(parser.finish())
    {
        assembler.event(event)?;
    }
    assembler.finish()
}

#[tokio::test]
async fn a_streamed_turn_is_assembled_and_the_request_is_the_api_s() {
    let (result, requests) = run(vec![Reply::sse(TURN, 40)]).await;
    assert_turn(&result.expect("a response"));
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("POST", "/v1/messages")
    );
    assert_eq!(sent.header("x-api-key"), Some(KEY));
    assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    let body = sent.json();
    assert_eq!(body["model"], "claude-sonnet-4-5");
    assert_eq!(body["max_tokens"], 8192);
    assert_eq!(body["stream"], true);
    let cache = json!({"type": "ephemeral"});
    assert_eq!(
        body["system"],
        json!([{"type": "text", "text": "You are Errand.", "cache_control": cache}])
    );
    let tools = body["tools"].as_array().expect("tools");
    assert_eq!(tools.len(), 3);
    assert_eq!(tools[0]["name"], "list_files");
    assert!(tools[0]["input_schema"].is_object() && tools[0].get("cache_control").is_none());
    assert_eq!(
        tools[2]["cache_control"], cache,
        "the last tool ends the cached prefix"
    );
    // Both results in one user message, first, then the steering message after them.
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": [
                {"type": "text", "text": "Sort my downloads by the plan", "cache_control": cache},
            ]},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Looking first."},
                {"type": "tool_use", "id": "toolu_A", "name": "list_files", "input": {"path": "Downloads"}},
                {"type": "tool_use", "id": "toolu_B", "name": "file_info", "input": {}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_A", "content": "a.pdf\nb.jpg"},
                {"type": "tool_result", "tool_use_id": "toolu_B", "content": "no such file", "is_error": true},
                {"type": "text", "text": "Skip the photos.", "cache_control": cache},
            ]},
        ])
    );
    assert!(!sent.body.contains("__invalid_json"));
}

/// Every way a first attempt can fail that waiting fixes: the second attempt's response is
/// exactly the clean one, with nothing duplicated.
async fn assert_retried(first: Reply) {
    let (result, requests) = run(vec![first, Reply::sse(TURN, 40)]).await;
    assert_turn(&result.expect("a response after one retry"));
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].body, requests[1].body, "the same request again");
}

#[tokio::test]
async fn overloaded_is_retried() {
    let body = r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    assert_retried(Reply::error(529, body).header("retry-after", "0")).await;
}

#[tokio::test]
async fn rate_limited_is_retried() {
    let body = r#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#;
    assert_retried(Reply::error(429, body).header("retry-after", "0")).await;
}

#[tokio::test]
async fn a_stream_cut_off_mid_message_is_retried_whole() {
    assert_retried(Reply::sse(TURN, 40).dropping_after(22)).await;
}

#[tokio::test]
async fn an_overload_reported_in_the_stream_is_retried() {
    assert_retried(Reply::sse(OVERLOADED, 5)).await;
}

#[tokio::test]
async fn what_waiting_cannot_fix_fails_at_once_naming_the_cause() {
    let cases = [
        (
            401,
            // Echoing the key, as a misconfigured proxy might.
            format!(
                r#"{{"type":"error","error":{{"type":"authentication_error","message":"invalid x-api-key {KEY}"}}}}"#
            ),
            "API key was refused",
        ),
        (
            404,
            r#"{"type":"error","error":{"type":"not_found_error","message":"model: claude-sonnet-4-5"}}"#.into(),
            "unknown model",
        ),
        (
            400,
            r#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 208301 tokens > 200000 maximum"}}"#.into(),
            "context window",
        ),
    ];
    for (status, body, cause) in cases {
        let (result, requests) = run(vec![Reply::error(status, &body), Reply::sse(TURN, 4)]).await;
        let message = result.expect_err("an error").to_string();
        assert_eq!(requests.len(), 1, "{status} is not retried");
        assert!(message.contains(cause), "{status}: {message}");
        assert!(!message.contains(KEY), "{status} leaks the key: {message}");
    }
}

#[tokio::test]
async fn errors_never_carry_the_key() {
    let body = format!(
        r#"{{"type":"error","error":{{"type":"overloaded_error","message":"Overloaded for {KEY}"}}}}"#
    );
    let replies = (0..4).map(|_| Reply::error(529, &body).header("retry-after", "0"));
    let (result, requests) = run(replies.collect()).await;
    assert_eq!(requests.len(), 4, "attempts run out");
    let message = result.expect_err("an error").to_string();
    assert!(
        message.contains("overloaded") && !message.contains(KEY),
        "{message}"
    );
    let debug = format!("{:?}", Anthropic::new("m", KEY.into(), None));
    assert!(!debug.contains(KEY), "{debug}");
}

#[tokio::test]
async fn a_call_cut_off_at_max_tokens_is_dropped_with_a_note() {
    let (result, _) = run(vec![Reply::sse(CUT_OFF, 40)]).await;
    let response = result.expect("a response");
    assert!(response.tool_calls.is_empty(), "{:?}", response.tool_calls);
    assert_eq!(
        response.text,
        format!("Writing the report now.\n{CUT_OFF_NOTE}")
    );
    assert_eq!(response.usage.output_tokens, 8192);
}

#[test]
fn unreadable_input_is_kept_for_the_tool_to_refuse_and_empty_input_is_an_empty_object() {
    let body = TURN
        .replace(r#""partial_json":"df\"}""#, r##""partial_json":"df\"""##)
        .replace(r#""partial_json":"{\"path\"""#, r#""partial_json":"""#)
        .replace(
            r#""partial_json":": \"notes/caf\\u00""#,
            r#""partial_json":"""#,
        )
        .replace(r#""partial_json":"e9 plan.md\", ""#, r#""partial_json":"""#)
        .replace(r#""partial_json":"\"limit\": 2""#, r#""partial_json":"""#)
        .replace(r#""partial_json":"00}""#, r#""partial_json":"""#);
    let response = assemble(&body).expect("a response");
    let raw = r#"{"path": "Downloads", "recursive": true, "glob": "*.pdf""#;
    assert_eq!(response.tool_calls[0].input, json!({"__invalid_json": raw}));
    assert_eq!(response.tool_calls[1].input, json!({}));
    assert!(!response.text.contains(CUT_OFF_NOTE));
}

#[test]
fn stream_errors_are_transient_only_when_waiting_helps() {
    let cut = TURN
        .split("event: message_delta")
        .next()
        .unwrap_or_default();
    assert!(matches!(assemble(cut), Err(StreamError::Transient(_))));
    // Half an event, as a connection closed mid-line leaves it.
    let half = &TURN[..TURN.find("\"cache_read").unwrap_or_default()];
    assert!(matches!(assemble(half), Err(StreamError::Transient(_))));
    assert!(matches!(
        assemble(OVERLOADED),
        Err(StreamError::Transient(_))
    ));
    let invalid = OVERLOADED
        .replace("overloaded_error", "invalid_request_error")
        .replace(
            "Overloaded",
            "messages: text content blocks must be non-empty",
        );
    match assemble(&invalid) {
        Err(StreamError::Fatal(why)) => assert!(why.contains("must be non-empty"), "{why}"),
        other => panic!("expected a fatal error, got {other:?}"),
    }
}

#[test]
fn every_call_gets_exactly_one_result_and_strays_become_text() {
    let messages = vec![
        Message::ToolResult {
            call_id: "toolu_gone".into(),
            content: "from a trimmed turn".into(),
            is_error: false,
            images: Vec::new(),
        },
        Message::User {
            text: "go on".into(),
        },
        Message::Assistant {
            text: String::new(),
            tool_calls: vec![ToolCall {
                id: "toolu_X".into(),
                name: "list_files".into(),
                input: json!({}),
            }],
        },
    ];
    let request = ModelRequest {
        turn: 0,
        system: "",
        messages: &messages,
        tools: &[],
        images: &errand_core::NoImages,
    };
    let body = serde_json::to_value(request_body("m", 100, &request, true, true)).expect("json");
    assert!(body.get("system").is_none() && body.get("tools").is_none());
    let cache = json!({"type": "ephemeral"});
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": [
                {"type": "text", "text": "[result of call toolu_gone]\nfrom a trimmed turn"},
                {"type": "text", "text": "go on", "cache_control": cache},
            ]},
            {"role": "assistant", "content": [
                {"type": "tool_use", "id": "toolu_X", "name": "list_files", "input": {}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_X", "content": MISSING_RESULT, "is_error": true, "cache_control": cache},
            ]},
        ])
    );
}

#[test]
fn spec_and_base_url() {
    let model = Anthropic::new("claude-opus-4-1", KEY.into(), None);
    assert_eq!(model.spec(), "anthropic:claude-opus-4-1");
    assert_eq!(model.endpoint(), "https://api.anthropic.com/v1/messages");
    let proxied = Anthropic::new(
        "m",
        KEY.into(),
        Some("http://gw.local/anthropic/v1/".into()),
    );
    assert_eq!(proxied.endpoint(), "http://gw.local/anthropic/v1/messages");
}
