//! The provider against a loopback server replaying streams in the wire format OpenAI and
//! the compatible servers really send.
use super::*;
use errand_core::{Message, ToolCall, ToolSpec, Usage};
use errand_testkit::{Recorded, ReplayServer, Reply};
use serde_json::json;

const KEY: &str = "sk-test-4f9a2c7e1b8d";

/// Text, then two parallel calls whose arguments arrive in small fragments interleaved by
/// index, the finish reason, the usage chunk and `[DONE]`.
const TURN: &str = r#"data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"content":"I'll list"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"content":" the reports"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"content":" and read the notes."},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_Xq3pL0aB7","type":"function","function":{"name":"list_files","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_Vt8kR2mC4","type":"function","function":{"name":"read_file","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"path"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"path"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\":\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"\":\"notes"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"reports"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"/q3"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\",\"recursive"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":".md\""}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\":true"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}],"usage":null}

data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[],"usage":{"prompt_tokens":1200,"completion_tokens":48,"total_tokens":1248,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

data: [DONE]

"#;

/// A plain text answer, as after the tool results came back.
const TEXT_TURN: &str = r#"data: {"id":"chatcmpl-AJ5mQ4rT9","object":"chat.completion.chunk","created":1729000004,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mQ4rT9","object":"chat.completion.chunk","created":1729000004,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"content":"Three reports"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mQ4rT9","object":"chat.completion.chunk","created":1729000004,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{"content":" are ready."},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5mQ4rT9","object":"chat.completion.chunk","created":1729000004,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

data: {"id":"chatcmpl-AJ5mQ4rT9","object":"chat.completion.chunk","created":1729000004,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[],"usage":{"prompt_tokens":1400,"completion_tokens":6,"total_tokens":1406,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

data: [DONE]

"#;

/// Ollama's shape: reasoning in the deltas, each call whole in one chunk without an id
/// (the second with its arguments as an object), finish reason `stop`, no usage chunk.
const OLLAMA_TURN: &str = r#"data: {"id":"chatcmpl-417","object":"chat.completion.chunk","created":1729000100,"model":"qwen3:8b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning_content":"The user wants the files listed."},"finish_reason":null}]}

data: {"id":"chatcmpl-417","object":"chat.completion.chunk","created":1729000100,"model":"qwen3:8b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"Looking now."},"finish_reason":null}]}

data: {"id":"chatcmpl-417","object":"chat.completion.chunk","created":1729000100,"model":"qwen3:8b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"","tool_calls":[{"index":0,"type":"function","function":{"name":"list_files","arguments":"{\"path\":\"reports\",\"recursive\":true}"}}]},"finish_reason":null}]}

data: {"id":"chatcmpl-417","object":"chat.completion.chunk","created":1729000100,"model":"qwen3:8b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"","tool_calls":[{"index":1,"type":"function","function":{"name":"read_file","arguments":{"path":"notes/q3.md"}}}]},"finish_reason":null}]}

data: {"id":"chatcmpl-417","object":"chat.completion.chunk","created":1729000100,"model":"qwen3:8b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop"}]}

data: [DONE]

"#;

/// Stopped at the token limit in the middle of the second call's arguments.
const CUT_OFF_TURN: &str = r#"data: {"id":"chatcmpl-AJ5n","object":"chat.completion.chunk","created":1729000200,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":"Writing both files."},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5n","object":"chat.completion.chunk","created":1729000200,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a1","type":"function","function":{"name":"make_dir","arguments":"{\"path\":\"out\"}"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5n","object":"chat.completion.chunk","created":1729000200,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b2","type":"function","function":{"name":"write_file","arguments":"{\"path\":\"out/a.md\",\"content\":\"Report for Q"}}]},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"id":"chatcmpl-AJ5n","object":"chat.completion.chunk","created":1729000200,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"length"}],"usage":null}

data: {"id":"chatcmpl-AJ5n","object":"chat.completion.chunk","created":1729000200,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":900,"completion_tokens":4096,"total_tokens":4996}}

data: [DONE]

"#;

/// A complete stream whose one call carries arguments that are not JSON.
const INVALID_ARGS_TURN: &str = r#"data: {"id":"chatcmpl-AJ5p","object":"chat.completion.chunk","created":1729000300,"model":"llama-3.1-8b","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_z9","type":"function","function":{"name":"read_file","arguments":"{path: notes.md}"}}]},"finish_reason":null}]}

data: {"id":"chatcmpl-AJ5p","object":"chat.completion.chunk","created":1729000300,"model":"llama-3.1-8b","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}

data: [DONE]

"#;

const OVERLOADED_MID_STREAM: &str = r#"data: {"id":"chatcmpl-AJ5q","object":"chat.completion.chunk","created":1729000400,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":"Three"},"logprobs":null,"finish_reason":null}],"usage":null}

data: {"error":{"message":"The server is overloaded, please try again later.","type":"server_error","param":null,"code":null}}

"#;

const REFUSED_MID_STREAM: &str = r#"data: {"error":{"message":"This model's maximum context length was exceeded.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}

"#;

fn openai(server: &ReplayServer) -> OpenAiCompatible {
    OpenAiCompatible::openai(
        "gpt-4o-mini",
        KEY.into(),
        Some(format!("{}/v1/", server.url)),
    )
    .with_retry(RetryPolicy::fast())
}

fn tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec {
            name: "list_files".into(),
            description: "List a folder.".into(),
            input_schema: json!({"type":"object","properties":{"path":{"type":"string"},"recursive":{"type":"boolean"}}}),
        },
        ToolSpec {
            name: "read_file".into(),
            description: "Read a file.".into(),
            input_schema: json!({"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}),
        },
    ]
}

fn first_turn() -> Vec<Message> {
    vec![Message::User {
        text: "Summarize the Q3 reports.".into(),
    }]
}

async fn ask(model: &OpenAiCompatible, messages: &[Message]) -> Result<ModelResponse, ModelError> {
    let tools = tools();
    model
        .complete(&ModelRequest {
            turn: 0,
            system: "You are Errand.",
            messages,
            tools: &tools,
            images: &errand_core::NoImages,
        })
        .await
}

fn expected_calls() -> Vec<ToolCall> {
    vec![
        ToolCall {
            id: "call_Xq3pL0aB7".into(),
            name: "list_files".into(),
            input: json!({"path":"reports","recursive":true}),
        },
        ToolCall {
            id: "call_Vt8kR2mC4".into(),
            name: "read_file".into(),
            input: json!({"path":"notes/q3.md"}),
        },
    ]
}

fn assert_clean_turn(response: &ModelResponse) {
    assert_eq!(response.text, "I'll list the reports and read the notes.");
    assert_eq!(response.tool_calls, expected_calls());
    assert_eq!(
        response.usage,
        Usage {
            input_tokens: 176,
            output_tokens: 48,
            cache_read_tokens: 1024,
            cache_write_tokens: 0,
        }
    );
}

fn assert_chat_request(request: &Recorded) {
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/chat/completions");
    let body = request.json();
    assert_eq!(body["model"], "gpt-4o-mini");
    assert_eq!(body["stream"], true);
    assert_eq!(body["stream_options"]["include_usage"], true);
}

fn error_text(result: Result<ModelResponse, ModelError>) -> String {
    let message = result.expect_err("the request should fail").to_string();
    assert!(!message.contains(KEY), "the key leaked: {message}");
    message
}

#[tokio::test]
async fn assembles_text_and_parallel_calls_from_fragments() {
    let server = ReplayServer::start(vec![Reply::sse(TURN, 40)]).await;
    let response = ask(&openai(&server), &first_turn()).await.unwrap();
    assert_clean_turn(&response);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_chat_request(request);
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    let body = request.json();
    assert_eq!(
        body["messages"],
        json!([
            {"role":"system","content":"You are Errand."},
            {"role":"user","content":"Summarize the Q3 reports."},
        ])
    );
    assert_eq!(body["tools"][0]["type"], "function");
    assert_eq!(body["tools"][0]["function"]["name"], "list_files");
    assert_eq!(
        body["tools"][0]["function"]["description"],
        "List a folder."
    );
    assert_eq!(
        body["tools"][1]["function"]["parameters"]["required"],
        json!(["path"])
    );
}

#[tokio::test]
async fn a_follow_up_sends_the_calls_and_their_results_by_id() {
    let server = ReplayServer::start(vec![Reply::sse(TURN, 40), Reply::sse(TEXT_TURN, 7)]).await;
    let model = openai(&server);
    let mut messages = first_turn();
    let first = ask(&model, &messages).await.unwrap();
    messages.push(Message::Assistant {
        text: first.text.clone(),
        tool_calls: first.tool_calls.clone(),
    });
    messages.push(Message::ToolResult {
        call_id: first.tool_calls[0].id.clone(),
        content: "a.md\nb.md\nc.md".into(),
        is_error: false,
        images: Vec::new(),
    });
    messages.push(Message::ToolResult {
        call_id: first.tool_calls[1].id.clone(),
        content: "no such file".into(),
        is_error: true,
        images: Vec::new(),
    });
    let second = ask(&model, &messages).await.unwrap();
    assert_eq!(second.text, "Three reports are ready.");
    assert!(second.tool_calls.is_empty());
    assert_eq!(second.usage.input_tokens, 1400);

    let body = server.requests()[1].json();
    let sent = body["messages"].as_array().unwrap();
    assert_eq!(sent.len(), 5);
    let assistant = &sent[2];
    assert_eq!(assistant["role"], "assistant");
    assert_eq!(
        assistant["content"],
        "I'll list the reports and read the notes."
    );
    let calls = assistant["tool_calls"].as_array().unwrap();
    for (sent_call, call) in calls.iter().zip(expected_calls()) {
        assert_eq!(sent_call["id"], call.id.as_str());
        assert_eq!(sent_call["type"], "function");
        assert_eq!(sent_call["function"]["name"], call.name.as_str());
        let arguments = sent_call["function"]["arguments"].as_str().unwrap();
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(arguments).unwrap(),
            call.input
        );
    }
    assert_eq!(
        sent[3],
        json!({"role":"tool","tool_call_id":calls[0]["id"],"content":"a.md\nb.md\nc.md"})
    );
    assert_eq!(
        sent[4],
        json!({"role":"tool","tool_call_id":calls[1]["id"],"content":"ERROR: no such file"})
    );
}

#[tokio::test]
async fn ollama_quirks_are_tolerated_and_no_key_is_sent() {
    let server = ReplayServer::start(vec![Reply::sse(OLLAMA_TURN, 40)]).await;
    let model = OllamaHost::of(&server).with_retry(RetryPolicy::fast());
    assert_eq!(model.spec(), "ollama:qwen3:8b");
    let response = ask(&model, &first_turn()).await.unwrap();
    assert_eq!(response.text, "Looking now.");
    assert_eq!(
        response.tool_calls,
        vec![
            ToolCall {
                id: "call_0".into(),
                name: "list_files".into(),
                input: json!({"path":"reports","recursive":true}),
            },
            ToolCall {
                id: "call_1".into(),
                name: "read_file".into(),
                input: json!({"path":"notes/q3.md"}),
            },
        ]
    );
    assert_eq!(response.usage, Usage::default());
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/v1/chat/completions");
    assert_eq!(requests[0].header("authorization"), None);
    assert_eq!(requests[0].json()["model"], "qwen3:8b");
}

/// Ollama's host given as `OLLAMA_HOST` is: without a scheme.
struct OllamaHost;

impl OllamaHost {
    fn of(server: &ReplayServer) -> OpenAiCompatible {
        let host = server.url.trim_start_matches("http://").to_string();
        OpenAiCompatible::ollama("qwen3:8b", Some(host))
    }
}

#[tokio::test]
async fn waitable_statuses_are_retried_once_each() {
    for (status, body) in [
        (
            429,
            r#"{"error":{"message":"Rate limit reached for gpt-4o-mini","type":"requests","code":"rate_limit_exceeded"}}"#,
        ),
        (
            503,
            r#"{"error":{"message":"The engine is currently overloaded, please try again later","type":"server_error"}}"#,
        ),
        (
            500,
            r#"{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}"#,
        ),
    ] {
        let server = ReplayServer::start(vec![
            Reply::error(status, body).header("retry-after", "0"),
            Reply::sse(TURN, 40),
        ])
        .await;
        let response = ask(&openai(&server), &first_turn()).await.unwrap();
        assert_clean_turn(&response);
        let requests = server.requests();
        assert_eq!(requests.len(), 2, "HTTP {status}");
        assert_eq!(requests[0].body, requests[1].body, "HTTP {status}");
    }
}

#[tokio::test]
async fn a_stream_dropped_mid_message_is_replayed_whole() {
    let server = ReplayServer::start(vec![
        Reply::sse(TURN, 40).dropping_after(17),
        Reply::sse(TURN, 40),
    ])
    .await;
    let response = ask(&openai(&server), &first_turn()).await.unwrap();
    assert_clean_turn(&response);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_stream_ending_without_done_or_finish_reason_is_retried() {
    let cut = TURN.find(r#"data: {"id":"chatcmpl-AJ5mN8xQ2","object":"chat.completion.chunk","created":1729000000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_e2bde53e6e","choices":[{"index":0,"delta":{},"#).unwrap();
    let server = ReplayServer::start(vec![Reply::sse(&TURN[..cut], 9), Reply::sse(TURN, 40)]).await;
    let response = ask(&openai(&server), &first_turn()).await.unwrap();
    assert_clean_turn(&response);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn refusals_are_not_retried_and_name_their_cause() {
    for (status, body, cause) in [
        (401, format!(r#"{{"error":{{"message":"Incorrect API key provided: {KEY}.","type":"invalid_request_error","code":"invalid_api_key"}}}}"#), "API key was refused"),
        (404, r#"{"error":{"message":"The model `gpt-9` does not exist or you do not have access to it.","type":"invalid_request_error","code":"model_not_found"}}"#.to_string(), "unknown model"),
        (400, r#"{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.","type":"invalid_request_error","code":"context_length_exceeded"}}"#.to_string(), "context window"),
    ] {
        let server = ReplayServer::start(vec![Reply::error(status, &body), Reply::sse(TURN, 4)]).await;
        let message = error_text(ask(&openai(&server), &first_turn()).await);
        assert!(message.contains(cause), "HTTP {status}: {message}");
        assert!(message.contains(&format!("HTTP {status}")), "{message}");
        assert!(message.starts_with("model request failed: openai:"), "{message}");
        assert_eq!(server.requests().len(), 1, "HTTP {status} was retried");
    }
}

#[tokio::test]
async fn retries_run_out_with_the_last_cause() {
    let overloaded = r#"{"error":{"message":"overloaded","type":"server_error"}}"#;
    let server = ReplayServer::start(vec![Reply::error(503, overloaded); 5]).await;
    let message = error_text(ask(&openai(&server), &first_turn()).await);
    assert!(
        message.contains("overloaded") && message.contains("HTTP 503"),
        "{message}"
    );
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn errors_inside_the_stream_are_retried_only_when_waiting_helps() {
    let server = ReplayServer::start(vec![
        Reply::sse(OVERLOADED_MID_STREAM, 5),
        Reply::sse(TURN, 40),
    ])
    .await;
    assert_clean_turn(&ask(&openai(&server), &first_turn()).await.unwrap());
    assert_eq!(server.requests().len(), 2);

    let server = ReplayServer::start(vec![
        Reply::sse(REFUSED_MID_STREAM, 3),
        Reply::sse(TURN, 40),
    ])
    .await;
    let message = error_text(ask(&openai(&server), &first_turn()).await);
    assert!(message.contains("maximum context length"), "{message}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_call_cut_off_at_the_length_limit_is_dropped_with_a_note() {
    let server = ReplayServer::start(vec![Reply::sse(CUT_OFF_TURN, 11)]).await;
    let response = ask(&openai(&server), &first_turn()).await.unwrap();
    assert_eq!(
        response.tool_calls,
        vec![ToolCall {
            id: "call_a1".into(),
            name: "make_dir".into(),
            input: json!({"path":"out"}),
        }]
    );
    assert_eq!(
        response.text,
        "Writing both files.\n[the reply was cut off at the length limit]"
    );
    assert_eq!(response.usage.output_tokens, 4096);
    assert_eq!(response.usage.input_tokens, 900);
}

#[tokio::test]
async fn invalid_arguments_reach_the_tool_as_raw_text() {
    let server = ReplayServer::start(vec![Reply::sse(INVALID_ARGS_TURN, 6)]).await;
    let model = OpenAiCompatible::compatible("llama-3.1-8b", format!("{}/v1", server.url), None)
        .with_retry(RetryPolicy::fast());
    assert_eq!(
        model.spec(),
        format!("openai-compatible:llama-3.1-8b@{}/v1", server.url)
    );
    let response = ask(&model, &first_turn()).await.unwrap();
    assert_eq!(
        response.tool_calls,
        vec![ToolCall {
            id: "call_z9".into(),
            name: "read_file".into(),
            input: json!({"__invalid_json": "{path: notes.md}"}),
        }]
    );
    assert_eq!(server.requests()[0].header("authorization"), None);
}

#[test]
fn specs_urls_and_debug_output() {
    let model = OpenAiCompatible::openai("gpt-4o", KEY.into(), None);
    assert_eq!(model.spec(), "openai:gpt-4o");
    assert_eq!(
        model.endpoint(),
        "https://api.openai.com/v1/chat/completions"
    );
    assert!(!format!("{model:?}").contains(KEY));
    let model = OpenAiCompatible::openai("gpt-4o", KEY.into(), Some(String::new()));
    assert_eq!(
        model.endpoint(),
        "https://api.openai.com/v1/chat/completions"
    );
    let model = OpenAiCompatible::ollama("llama3.2", None);
    assert_eq!(
        model.endpoint(),
        "http://127.0.0.1:11434/v1/chat/completions"
    );
    let model = OpenAiCompatible::ollama("llama3.2", Some("http://gpu-box:11434/v1/".into()));
    assert_eq!(model.endpoint(), "http://gpu-box:11434/v1/chat/completions");
}

#[test]
fn an_assistant_turn_of_only_calls_sends_empty_string_content_never_null() {
    let messages = [Message::Assistant {
        text: String::new(),
        tool_calls: expected_calls(),
    }];
    let body = serde_json::to_value(request::request_body(
        "m",
        &ModelRequest {
            turn: 0,
            system: "",
            messages: &messages,
            tools: &[],
            images: &errand_core::NoImages,
        },
        true,
    ))
    .expect("json");
    // llama-cpp-python's server refuses null content here; every server takes "".
    assert_eq!(body["messages"][0]["content"], "");
    assert_eq!(
        body["messages"][0]["tool_calls"][1]["function"]["arguments"],
        r#"{"path":"notes/q3.md"}"#
    );
    assert!(body.get("tools").is_none(), "no tools, no `tools`");
}

fn assemble(data: &[&str]) -> Result<ModelResponse, crate::http::StreamError> {
    use crate::http::Assembler;
    let mut assembler = wire::ChatAssembler::default();
    for d in data {
        assembler.event(crate::sse::SseEvent {
            event: String::new(),
            data: d.to_string(),
        })?;
    }
    assembler.finish()
}

#[test]
fn calls_without_distinct_indexes_are_told_apart_by_id_and_name() {
    // Some servers number every call 0, or leave the index out.
    let response = assemble(&[
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"read_file","arguments":"{\"path\":\"x\"}"}},{"index":0,"id":"b","function":{"name":"read_file","arguments":"{\"path\":\"y\"}"}}]},"finish_reason":null}]}"#,
        r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"name":"list_files","arguments":"{\"path\":"}},{"function":{"arguments":"\"z\"}"}}]},"finish_reason":"tool_calls"}]}"#,
    ])
    .unwrap();
    let calls: Vec<(String, String, serde_json::Value)> = response
        .tool_calls
        .into_iter()
        .map(|c| (c.id, c.name, c.input))
        .collect();
    assert_eq!(
        calls,
        vec![
            ("a".into(), "read_file".into(), json!({"path":"x"})),
            ("b".into(), "read_file".into(), json!({"path":"y"})),
            ("call_2".into(), "list_files".into(), json!({"path":"z"})),
        ]
    );
}

#[test]
fn either_done_or_a_finish_reason_ends_a_turn() {
    let text = r#"{"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}]}"#;
    let stop = r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#;
    assert_eq!(assemble(&[text, "[DONE]"]).unwrap().text, "hi");
    assert_eq!(assemble(&[text, stop]).unwrap().text, "hi");
    assert!(matches!(
        assemble(&[text]),
        Err(crate::http::StreamError::Transient(_))
    ));
    // Double-encoded arguments are taken as the object they hold.
    let encoded = r#"{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"make_dir","arguments":"\"{\\\"path\\\":\\\"out\\\"}\""}}]},"finish_reason":"tool_calls"}]}"#;
    assert_eq!(
        assemble(&[encoded]).unwrap().tool_calls[0].input,
        json!({"path":"out"})
    );
}

#[tokio::test]
async fn a_local_servers_own_context_window_is_asked_once_and_respected() {
    let props = r#"{"default_generation_settings":{"n_ctx":16384},"total_slots":1}"#;
    let server = ReplayServer::start_with_gets(
        vec![Reply::sse(TURN, 4), Reply::sse(TEXT_TURN, 4)],
        vec![("/props".into(), props.into())],
    )
    .await;
    let model = OpenAiCompatible::compatible("local-model", format!("{}/v1", server.url), None)
        .with_retry(RetryPolicy::fast());
    assert_eq!(
        model.context_window(),
        Some(32_768),
        "a modest default first"
    );
    ask(&model, &first_turn()).await.expect("turn");
    ask(&model, &first_turn()).await.expect("turn");
    assert_eq!(model.context_window(), Some(16_384), "the server's --ctx");
    assert_eq!(
        server.requests().len(),
        2,
        "two API calls; the probe is a GET aside"
    );
}

#[tokio::test]
async fn a_server_without_props_keeps_the_default_window() {
    let server = ReplayServer::start(vec![Reply::sse(TURN, 4)]).await;
    let model = OpenAiCompatible::compatible("m", format!("{}/v1", server.url), None)
        .with_retry(RetryPolicy::fast());
    ask(&model, &first_turn()).await.expect("turn");
    assert_eq!(model.context_window(), Some(32_768));
}
