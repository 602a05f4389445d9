//! A whole task (organize a folder, write a summary) driven through each real provider's
//! wire format from the CLI, against a loopback server that replays streams split into many
//! chunks, injects the faults real APIs produce, and checks what Errand sends.
mod common;

use common::*;
use errand_testkit::wire::{
    Block, TurnUsage, anthropic_error_event, anthropic_turn, openai_error_chunk, openai_turn,
};
use errand_testkit::{Recorded, ReplayServer, Reply};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::path::Path;

const ANTHROPIC_KEY: &str = "sk-ant-api03-e2e-Qm4T7vX2pL9sR1wZ";
const OPENAI_KEY: &str = "sk-proj-e2e-8Hn3Jd6Kq1Vz5Yb0";

#[derive(Clone, Copy, PartialEq)]
enum Provider {
    Anthropic,
    OpenAi,
}

impl Provider {
    fn turn(self, id: &str, blocks: &[Block], usage: TurnUsage) -> String {
        match self {
            Provider::Anthropic => anthropic_turn(id, blocks, usage),
            Provider::OpenAi => openai_turn(id, blocks, usage),
        }
    }

    /// The first events of `turn`, then the API's own overload error mid-stream.
    fn broken_by_error(self, turn: &str) -> String {
        let head: Vec<&str> = turn.split("\n\n").take(6).collect();
        let error = match self {
            Provider::Anthropic => anthropic_error_event("overloaded_error", "Overloaded"),
            Provider::OpenAi => openai_error_chunk(
                "server_error",
                "The server had an error while processing your request. Sorry about that!",
            ),
        };
        format!("{}\n\n{error}", head.join("\n\n"))
    }

    fn overloaded(self) -> Reply {
        match self {
            Provider::Anthropic => Reply::error(
                529,
                r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
            ),
            Provider::OpenAi => Reply::error(
                503,
                r#"{"error":{"message":"The engine is currently overloaded, please try again later","type":"server_error","param":null,"code":null}}"#,
            ),
        }
    }

    fn rate_limited(self) -> Reply {
        let body = match self {
            Provider::Anthropic => {
                r#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"}}"#
            }
            Provider::OpenAi => {
                r#"{"error":{"message":"Rate limit reached for gpt-4.1 on tokens per min (TPM): Limit 30000, Used 29804, Requested 1290.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}"#
            }
        };
        Reply::error(429, body).header("retry-after", "0")
    }

    fn key(self) -> &'static str {
        match self {
            Provider::Anthropic => ANTHROPIC_KEY,
            Provider::OpenAi => OPENAI_KEY,
        }
    }

    /// `errand run` against `url`, with the provider's key in the environment.
    fn command(self, env: &Env, url: &str) -> std::process::Command {
        let mut cmd = env.cmd();
        cmd.env("RUST_LOG", "debug");
        match self {
            Provider::Anthropic => cmd
                .env("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
                .env("ANTHROPIC_BASE_URL", url)
                .args(["--json", "run", "--model", "anthropic:claude-sonnet-4-5"]),
            Provider::OpenAi => cmd
                .env("OPENAI_API_KEY", OPENAI_KEY)
                .env("OPENAI_BASE_URL", format!("{url}/v1"))
                .args(["--json", "run", "--model", "openai:gpt-4.1"]),
        };
        cmd
    }
}

fn messy_downloads(env: &Env) -> std::path::PathBuf {
    let dir = env.dir("Downloads");
    std::fs::write(
        dir.join("report.pdf"),
        b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n",
    )
    .expect("pdf");
    std::fs::write(
        dir.join("beach.jpg"),
        [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 0xFF, 0xD9,
        ],
    )
    .expect("jpg");
    std::fs::write(dir.join("song.mp3"), b"ID3\x04\x00\x00\x00\x00\x00\x00tune").expect("mp3");
    std::fs::write(dir.join("notes.txt"), "call the bank\n").expect("txt");
    dir
}

const SUMMARY: &str = "# Downloads, sorted\n\n- Documents: report.pdf, notes.txt\n- Images: beach.jpg\n- Audio: song.mp3\n";

/// The model's side of the task, turn by turn.
fn turns() -> Vec<Vec<Block>> {
    vec![
        vec![
            Block::text("I'll look at what is in the folder first."),
            Block::tool("call_list_1", "list_files", &json!({})),
        ],
        vec![
            Block::text("Four files. Plan, then sort the three with clear types."),
            Block::tool(
                "call_plan_2",
                "update_plan",
                &json!({"steps":[{"title":"Sort by type","status":"in_progress"},{"title":"Write a summary","status":"pending"}]}),
            ),
            Block::tool(
                "call_move_2",
                "move_path",
                &json!({"moves":[{"from":"report.pdf","to":"Documents/report.pdf"},
                    {"from":"beach.jpg","to":"Images/beach.jpg"},{"from":"song.mp3","to":"Audio/song.mp3"}]}),
            ),
        ],
        vec![
            Block::raw_tool("call_bad_3", "move_path", r#"{"from": "notes.txt", "to": "#),
            Block::tool(
                "call_unknown_3",
                "shred_files",
                &json!({"path":"notes.txt"}),
            ),
        ],
        vec![
            Block::text("Fixing that call, and writing the summary."),
            Block::tool(
                "call_move_4",
                "move_path",
                &json!({"from":"notes.txt","to":"Documents/notes.txt"}),
            ),
            Block::tool(
                "call_write_4",
                "write_file",
                &json!({"path":"summary.md","content":SUMMARY}),
            ),
        ],
        vec![Block::tool(
            "call_finish_5",
            "finish",
            &json!({"summary":"Sorted 4 files into Documents, Images and Audio; wrote summary.md.","deliverables":["summary.md"]}),
        )],
    ]
}

fn usage(turn: u64) -> TurnUsage {
    TurnUsage {
        input: 100 + turn,
        output: 40 + turn,
        cache_read: 900 * turn,
        cache_write: if turn == 0 { 1200 } else { 150 },
    }
}

/// Each turn as the server sends it, with a fault before or inside most of them.
fn replies(provider: Provider) -> Vec<Reply> {
    let bodies: Vec<String> = turns()
        .iter()
        .enumerate()
        .map(|(i, blocks)| provider.turn(&format!("msg_e2e_{i}"), blocks, usage(i as u64)))
        .collect();
    let whole = |i: usize| Reply::sse(&bodies[i], 40);
    vec![
        provider.rate_limited(),
        whole(0),
        // The connection drops in the middle of the tool calls' arguments.
        Reply::sse(&bodies[1], 40).dropping_after(25),
        whole(1),
        Reply::sse(&provider.broken_by_error(&bodies[2]), 10),
        whole(2),
        provider.overloaded(),
        whole(3),
        whole(4),
    ]
}

fn run_full_task(provider: Provider) {
    let env = Env::new();
    let downloads = messy_downloads(&env);
    let before = tree(&downloads);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(ReplayServer::start(replies(provider)));
    let out = provider
        .command(&env, &server.url)
        .args([
            "organize my downloads and write a summary",
            "--mode",
            "auto",
        ])
        .arg("--folder")
        .arg(&downloads)
        .output()
        .expect("run errand");
    let all = text(&out);
    assert_eq!(code(&out), 0, "{all}");

    // The folder ends as the model asked, each file once.
    let after = tree(&downloads);
    let names: Vec<&str> = after.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "Audio/song.mp3",
            "Documents/notes.txt",
            "Documents/report.pdf",
            "Images/beach.jpg",
            "summary.md"
        ]
    );
    assert_eq!(
        std::fs::read_to_string(downloads.join("summary.md")).expect("summary"),
        SUMMARY
    );

    // Each tool call ran once, though three of its turns were sent twice.
    let events = events(&out);
    let mut started: HashMap<String, usize> = HashMap::new();
    for e in events.iter().filter(|e| e["type"] == "tool_started") {
        *started
            .entry(e["call_id"].as_str().unwrap_or_default().to_string())
            .or_default() += 1;
    }
    for id in ["call_list_1", "call_move_2", "call_move_4", "call_write_4"] {
        assert_eq!(
            started.get(id),
            Some(&1),
            "{id} ran {:?} times",
            started.get(id)
        );
    }
    assert!(
        started.values().all(|n| *n == 1),
        "a call ran twice: {started:?}"
    );
    let turns_logged = events.iter().filter(|e| e["type"] == "model_turn").count();
    assert_eq!(
        turns_logged, 5,
        "a retried stream must not log a turn twice"
    );

    // The broken arguments and the unknown tool came back to the model as tool errors.
    let bad = tool_result(&events, "call_bad_3");
    assert_eq!(bad["is_error"], true);
    assert!(
        bad["output"]
            .as_str()
            .is_some_and(|o| o.contains("not valid JSON")),
        "{bad}"
    );
    let unknown = tool_result(&events, "call_unknown_3");
    assert!(
        unknown["output"]
            .as_str()
            .is_some_and(|o| o.contains("unknown tool `shred_files`")),
        "{unknown}"
    );

    // Usage is the sum of the five turns that completed, not of the broken attempts.
    let spent: u64 = events
        .iter()
        .filter(|e| e["type"] == "model_turn")
        .map(|e| e["usage"]["output_tokens"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(spent, (0..5).map(|i| usage(i).output).sum::<u64>());

    let requests = server.requests();
    assert_eq!(requests.len(), 9, "one request per reply");
    for request in &requests {
        check_request(provider, request);
    }
    let last = requests.last().expect("requests");
    let results = tool_results(provider, &last.json());
    assert_eq!(
        results.len(),
        7,
        "every call's result is in the last request"
    );

    // No secret anywhere: output, logs, or the store.
    assert!(!all.contains(provider.key()), "the key leaked into output");
    for file in walk(env.home.path()) {
        let bytes = std::fs::read(&file).expect("read store file");
        let needle = provider.key().as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "the key is stored in {}",
            file.display()
        );
    }

    // The journal holds each effect once: undo puts the folder back exactly.
    let task = task_id(&out);
    let show = env.run(&["show", &task]);
    assert!(
        text(&show).contains("5 model turns") && text(&show).contains("cache read"),
        "{}",
        text(&show)
    );
    let undo = env.run(&["undo", &task]);
    assert_eq!(code(&undo), 0, "{}", text(&undo));
    assert_eq!(tree(&downloads), before);
    assert!(folders(&downloads).is_empty(), "{:?}", folders(&downloads));
}

/// What every request must carry: the endpoint, the credentials, streaming, and a
/// conversation in which each tool result answers a call the model made.
fn check_request(provider: Provider, request: &Recorded) {
    let body = request.json();
    assert_eq!(request.method, "POST");
    assert_eq!(body["stream"], true);
    match provider {
        Provider::Anthropic => {
            assert_eq!(request.path, "/v1/messages");
            assert_eq!(request.header("x-api-key"), Some(ANTHROPIC_KEY));
            assert_eq!(request.header("anthropic-version"), Some("2023-06-01"));
            assert_eq!(request.header("authorization"), None);
            // The stable prefix is cached: the system prompt, the tools, the conversation.
            let system = body["system"].as_array().expect("system blocks");
            assert!(
                system
                    .last()
                    .is_some_and(|b| b["cache_control"]["type"] == "ephemeral")
            );
            let tools = body["tools"].as_array().expect("tools");
            assert!(
                tools
                    .last()
                    .is_some_and(|t| t["cache_control"]["type"] == "ephemeral")
            );
            let messages = body["messages"].as_array().expect("messages");
            let last_block = messages
                .last()
                .and_then(|m| m["content"].as_array())
                .and_then(|c| c.last())
                .expect("a last content block");
            assert_eq!(last_block["cache_control"]["type"], "ephemeral");
            assert!(request.body.matches("cache_control").count() <= 4);
        }
        Provider::OpenAi => {
            assert_eq!(request.path, "/v1/chat/completions");
            let bearer = format!("Bearer {OPENAI_KEY}");
            assert_eq!(request.header("authorization"), Some(bearer.as_str()));
            assert_eq!(body["stream_options"]["include_usage"], true);
        }
    }
    let calls = tool_calls(provider, &body);
    let results = tool_results(provider, &body);
    for id in &results {
        assert!(
            calls.contains(id),
            "a tool result for {id}, which no call has"
        );
    }
    assert_eq!(
        calls.len(),
        results.len(),
        "every call is answered before the next turn"
    );
}

fn tool_calls(provider: Provider, body: &Value) -> HashSet<String> {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let mut ids = HashSet::new();
    for m in messages.iter().filter(|m| m["role"] == "assistant") {
        let found: Vec<&Value> = match provider {
            Provider::Anthropic => m["content"]
                .as_array()
                .map(|c| c.iter().filter(|b| b["type"] == "tool_use").collect())
                .unwrap_or_default(),
            Provider::OpenAi => m["tool_calls"]
                .as_array()
                .map(|c| c.iter().collect())
                .unwrap_or_default(),
        };
        ids.extend(
            found
                .into_iter()
                .filter_map(|c| c["id"].as_str().map(str::to_string)),
        );
    }
    ids
}

fn tool_results(provider: Provider, body: &Value) -> Vec<String> {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    match provider {
        Provider::Anthropic => messages
            .iter()
            .filter(|m| m["role"] == "user")
            .filter_map(|m| m["content"].as_array())
            .flatten()
            .filter(|b| b["type"] == "tool_result")
            .filter_map(|b| b["tool_use_id"].as_str().map(str::to_string))
            .collect(),
        Provider::OpenAi => messages
            .iter()
            .filter(|m| m["role"] == "tool")
            .filter_map(|m| m["tool_call_id"].as_str().map(str::to_string))
            .collect(),
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn a_full_task_through_anthropic_survives_every_fault() {
    run_full_task(Provider::Anthropic);
}

#[test]
fn a_full_task_through_openai_survives_every_fault() {
    run_full_task(Provider::OpenAi);
}

/// A refusal that waiting cannot fix fails the task at once, naming the cause.
#[test]
fn fatal_errors_fail_the_task_with_their_cause() {
    let cases = [
        (
            Provider::Anthropic,
            Reply::error(
                401,
                r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#,
            ),
            "API key was refused",
        ),
        (
            Provider::Anthropic,
            Reply::error(
                400,
                r#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 212000 tokens > 200000 maximum"}}"#,
            ),
            "longer than the model's context window",
        ),
        (
            Provider::OpenAi,
            Reply::error(
                404,
                r#"{"error":{"message":"The model `gpt-4.1` does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}"#,
            ),
            "unknown model",
        ),
    ];
    for (provider, reply, cause) in cases {
        let env = Env::new();
        let downloads = messy_downloads(&env);
        let before = tree(&downloads);
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        let server = rt.block_on(ReplayServer::start(vec![reply]));
        let out = provider
            .command(&env, &server.url)
            .args(["organize my downloads", "--mode", "auto", "--folder"])
            .arg(&downloads)
            .output()
            .expect("run errand");
        assert_eq!(code(&out), 1, "{}", text(&out));
        assert!(text(&out).contains(cause), "{cause}: {}", text(&out));
        assert_eq!(server.requests().len(), 1, "not retried");
        assert_eq!(tree(&downloads), before);
        assert!(!text(&out).contains(provider.key()));
    }
}

/// A reply that would take a minute to stream: a stop must not wait for it.
fn endless_turn(provider: Provider) -> Reply {
    let blocks = [Block::text(
        &"Thinking about your folder at length. ".repeat(40),
    )];
    let mut reply = Reply::sse(&provider.turn("msg_slow", &blocks, usage(0)), 120);
    reply.chunk_delay = std::time::Duration::from_millis(500);
    reply
}

/// Starts a run against a slow stream and returns once the request is in flight.
fn start_streaming(
    provider: Provider,
    env: &Env,
    server: &ReplayServer,
) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let downloads = messy_downloads(env);
    let mut child = provider
        .command(env, &server.url)
        .args(["organize my downloads", "--mode", "auto", "--folder"])
        .arg(&downloads)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn errand");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    let id = lines
        .find_map(|l| {
            let e: Value = serde_json::from_str(&l).ok()?;
            e["task_id"].as_str().map(str::to_string)
        })
        .expect("a task id");
    // Drain the rest so the child never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while server.requests().is_empty() {
        assert!(std::time::Instant::now() < deadline, "no request arrived");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Let a few chunks of the answer arrive, so the stop lands mid-stream.
    std::thread::sleep(std::time::Duration::from_millis(1200));
    (child, id)
}

/// Waits for the child, failing if it outlives a stream that still had ~a minute to go.
fn wait_briefly(child: &mut std::process::Child) -> Option<i32> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status.code();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the run did not stop while its model call was streaming");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn ctrl_c_and_cancel_stop_a_streaming_call() {
    for provider in [Provider::Anthropic, Provider::OpenAi] {
        let rt = tokio::runtime::Runtime::new().expect("runtime");

        // Ctrl-C: the run stops, keeping its place; nothing of the half-read turn is logged.
        let env = Env::new();
        let server = rt.block_on(ReplayServer::start(vec![endless_turn(provider)]));
        let (mut child, id) = start_streaming(provider, &env, &server);
        let sent = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
        assert_eq!(wait_briefly(&mut child), Some(4));
        let show = env.run(&["show", &id, "--json"]);
        let shown: Value = serde_json::from_slice(&show.stdout).expect("show --json");
        assert_eq!(shown["task"]["model_turns"], 0, "{shown}");
        assert_eq!(
            shown["task"]["state"], "running",
            "kept for resume: {shown}"
        );

        // errand cancel from another process.
        let env = Env::new();
        let server = rt.block_on(ReplayServer::start(vec![endless_turn(provider)]));
        let (mut child, id) = start_streaming(provider, &env, &server);
        let cancel = env.run(&["cancel", &id]);
        assert_eq!(code(&cancel), 4, "{}", text(&cancel));
        assert_eq!(wait_briefly(&mut child), Some(4));
        let tasks = text(&env.run(&["tasks"]));
        assert!(tasks.contains("cancelled"), "{tasks}");
    }
}
