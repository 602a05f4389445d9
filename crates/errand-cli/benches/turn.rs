//! Errand's own cost per model turn: the agent loop (fold, policy, tool, events written to
//! SQLite, request built and serialized, stream parsed) driving each provider against a loopback server that answers at once, minus the bare HTTP exchange of the same
//! bytes made with reqwest alone. Both run in this one command, on the same server.
//!
//! `cargo bench -p errand --bench turn`
use errand_core::{Agent, Event, EventKind, Grant, Mode, Observer, Policy, RunOutcome, Store};
use errand_model::anthropic::Anthropic;
use errand_model::openai::OpenAiCompatible;
use errand_store::SqliteStore;
use errand_testkit::wire::{Block, TurnUsage, anthropic_turn, openai_turn};
use errand_testkit::{ReplayServer, Reply};
use errand_tools::{Workspace, builtin_tools};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TURNS: usize = 200;

/// Records when each model turn was logged.
#[derive(Default)]
struct Clock(Mutex<Vec<Instant>>);
impl Observer for Clock {
    fn event(&self, event: &Event) {
        if matches!(event.kind, EventKind::ModelTurn { .. })
            && let Ok(mut times) = self.0.lock()
        {
            times.push(Instant::now());
        }
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Turn i: a short remark and one cheap tool call, as in a task's middle.
fn turn(provider: Provider, i: usize) -> String {
    let blocks = if i + 1 == TURNS {
        vec![Block::tool(
            &format!("toolu_{i:04}"),
            "finish",
            &json!({"summary": "done"}),
        )]
    } else {
        vec![
            Block::text("Noting progress on the checklist."),
            Block::tool(
                &format!("toolu_{i:04}"),
                "update_plan",
                &json!({"steps":[{"title":"Survey","status":"done"},{"title":format!("Step {i}"),"status":"in_progress"}]}),
            ),
        ]
    };
    let usage = TurnUsage {
        input: 20,
        output: 30,
        cache_read: 1500,
        cache_write: 40,
    };
    match provider {
        Provider::Anthropic => anthropic_turn(&format!("msg_{i:04}"), &blocks, usage),
        Provider::OpenAi => openai_turn(&format!("chatcmpl-{i:04}"), &blocks, usage),
    }
}

/// The same turns decoded in-process: the loop without any HTTP.
struct InProcess(Vec<String>);

#[async_trait::async_trait]
impl errand_core::Model for InProcess {
    fn spec(&self) -> String {
        "in-process".into()
    }
    async fn complete(
        &self,
        request: &errand_core::ModelRequest<'_>,
    ) -> Result<errand_core::ModelResponse, errand_core::ModelError> {
        let body = self
            .0
            .get(request.turn)
            .map(String::as_bytes)
            .unwrap_or_default();
        errand_model::anthropic::decode_recorded(body, 4096)
            .or_else(|_| errand_model::openai::decode_recorded(body, 4096))
    }
}

/// The turn durations, and the request bodies the server received.
async fn agent_turns(
    bodies: &[String],
    provider: Option<Provider>,
) -> (Vec<Duration>, Vec<String>) {
    let server = ReplayServer::start(bodies.iter().map(|b| Reply::sse(b, 8)).collect()).await;
    let home = tempfile::tempdir().expect("home");
    let folder = tempfile::tempdir().expect("folder");
    let store = Arc::new(SqliteStore::open(home.path()).expect("store"));
    let grants = vec![Grant {
        name: "work".into(),
        path: folder.path().to_path_buf(),
        writable: true,
    }];
    let id = errand_core::new_id();
    store
        .create_task(
            &id,
            EventKind::TaskCreated {
                outcome: "keep the checklist current".into(),
                grants: grants.clone(),
                mode: Mode::Auto,
                model: "anthropic:claude-sonnet-4-5".into(),
                max_tokens_total: None,
                commands: Default::default(),
            },
        )
        .expect("task");
    let clock = Arc::new(Clock::default());
    let agent = Agent {
        store: store.clone(),
        tools: builtin_tools(Arc::new(Workspace::open(&grants).expect("ws"))),
        model: match provider {
            Some(Provider::Anthropic) => Arc::new(Anthropic::new(
                "claude-sonnet-4-5",
                "sk-ant-bench-00000000".into(),
                Some(server.url.clone()),
            )),
            Some(Provider::OpenAi) => Arc::new(OpenAiCompatible::openai(
                "gpt-4.1",
                "sk-bench-00000000".into(),
                Some(format!("{}/v1", server.url)),
            )),
            None => Arc::new(InProcess(bodies.to_vec())),
        },
        policy: Policy::new(Mode::Auto, Vec::new()),
        observer: clock.clone(),
        approver: None,
        max_turns: TURNS + 1,
        // Every turn only updates the plan: what is timed is the loop, not its stall guard.
        stall_turns: usize::MAX,
        interrupt: Arc::default(),
        who: None,
        hold: false,
        delegation: None,
        leases: Default::default(),
        checker: None,
        hooks: None,
    };
    let outcome = agent.run(&id).await.expect("run");
    assert_eq!(outcome, RunOutcome::Done);
    let times = clock.0.lock().map(|t| t.clone()).unwrap_or_default();
    assert_eq!(times.len(), TURNS);
    let sent = server.requests().into_iter().map(|r| r.body).collect();
    (times.windows(2).map(|w| w[1] - w[0]).collect(), sent)
}

/// The same exchanges with reqwest alone: each request body the agent sent, POSTed, and
/// the same reply read whole.
async fn bare_exchanges(bodies: &[String], requests: &[String], path: &str) -> Vec<Duration> {
    let server = ReplayServer::start(bodies.iter().map(|b| Reply::sse(b, 8)).collect()).await;
    let client = reqwest::Client::new();
    let mut samples = Vec::with_capacity(bodies.len());
    for request in requests {
        let start = Instant::now();
        let response = client
            .post(format!("{}{path}", server.url))
            .header("content-type", "application/json")
            .body(request.clone())
            .send()
            .await
            .expect("send");
        let bytes = response.bytes().await.expect("body");
        std::hint::black_box(bytes);
        samples.push(start.elapsed());
    }
    samples
}

#[derive(Clone, Copy)]
enum Provider {
    Anthropic,
    OpenAi,
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    println!("Per model turn, median of {TURNS} turns against a zero-latency loopback server:");
    for (name, provider, path) in [
        ("anthropic", Provider::Anthropic, "/v1/messages"),
        ("openai", Provider::OpenAi, "/v1/chat/completions"),
    ] {
        let bodies: Vec<String> = (0..TURNS).map(|i| turn(provider, i)).collect();
        let (full, sent) = rt.block_on(agent_turns(&bodies, Some(provider)));
        let full = median(full);
        let bare = median(rt.block_on(bare_exchanges(&bodies, &sent, path)));
        let local = median(rt.block_on(agent_turns(&bodies, None)).0);
        println!("  {name}:");
        println!("    bare HTTP exchange of the same bytes (reqwest alone): {bare:?}");
        println!("    full agent turn (loop, tool, SQLite, provider, HTTP): {full:?}");
        println!("    agent turn with the reply decoded in-process (no HTTP): {local:?}");
        println!(
            "    Errand's overhead per turn (full - bare): {:?} (target < 1 ms)",
            full.saturating_sub(bare)
        );
    }
}
