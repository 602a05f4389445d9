//! What a 30-step task costs in input tokens, with and without read deduplication and
//! prompt caching: the same scripted turns run through the real agent loop, tools and
//! Anthropic provider against a loopback server, and every request Errand sends is measured.
//!
//! Tokens are estimated as bytes / 4 of each request's JSON. Cache reads and writes follow
//! the Messages API: a request re-reads the prefix the previous request cached (its whole
//! prompt, given a breakpoint at its end) and writes the rest. The figures print with
//! `cargo test -p errand --test tokens -- --nocapture`.
use errand_core::{Agent, Event, EventKind, Grant, Mode, Observer, Policy, RunOutcome, Store};
use errand_model::anthropic::Anthropic;
use errand_store::SqliteStore;
use errand_testkit::wire::{Block, TurnUsage, anthropic_turn};
use errand_testkit::{ReplayServer, Reply};
use errand_tools::{ToolOptions, Workspace, builtin_tools_with};
use serde_json::{Value, json};
use std::sync::Arc;

struct Quiet;
impl Observer for Quiet {
    fn event(&self, _event: &Event) {}
}

const NOTES: [&str; 5] = ["monday", "tuesday", "wednesday", "thursday", "friday"];

fn note(day: &str) -> String {
    (0..60)
        .map(|i| {
            format!("{day} standup, item {i:02}: shipped the invoice export, fixed two bugs\n")
        })
        .collect()
}

/// Thirty turns: survey, plan, read five notes, write a report, then ten rounds of
/// re-reading a note and adding a section, a last look at the report, finish.
fn turns() -> Vec<Vec<Block>> {
    let mut turns = vec![
        vec![Block::tool("t00", "list_files", &json!({}))],
        vec![Block::tool(
            "t01",
            "update_plan",
            &json!({"steps":["Read the notes","Write the weekly report"]}),
        )],
    ];
    for (i, day) in NOTES.iter().enumerate() {
        turns.push(vec![Block::tool(
            &format!("t{:02}", i + 2),
            "read_file",
            &json!({"path": format!("{day}.md")}),
        )]);
    }
    turns.push(vec![Block::tool(
        "t07",
        "write_file",
        &json!({"path":"report.md","content":"# Weekly report\n\n<!-- next -->\n"}),
    )]);
    for round in 0..10 {
        let day = NOTES[round % NOTES.len()];
        let step = 8 + round * 2;
        turns.push(vec![
            Block::text(&format!("Checking {day} again before writing its section.")),
            Block::tool(
                &format!("t{step:02}"),
                "read_file",
                &json!({"path": format!("{day}.md")}),
            ),
        ]);
        turns.push(vec![Block::tool(
            &format!("t{:02}", step + 1),
            "edit_file",
            &json!({"path":"report.md","old":"<!-- next -->",
                "new": format!("## {day}, part {round}\nShipped the invoice export.\n\n<!-- next -->")}),
        )]);
    }
    turns.push(vec![Block::tool(
        "t28",
        "read_file",
        &json!({"path":"report.md"}),
    )]);
    turns.push(vec![Block::tool(
        "t29",
        "finish",
        &json!({"summary":"Wrote the weekly report.","deliverables":["report.md"]}),
    )]);
    turns
}

#[derive(Debug, Default)]
struct Spent {
    requests: usize,
    /// Every input token sent, as if nothing were cached.
    input: u64,
    cache_read: u64,
    cache_write: u64,
}

impl Spent {
    /// Input tokens at the price of uncached ones: writes cost 1.25×, reads 0.1×.
    fn billed(&self, caching: bool) -> u64 {
        if caching {
            let uncached = self.input - self.cache_read - self.cache_write;
            uncached + self.cache_write * 5 / 4 + self.cache_read / 10
        } else {
            self.input
        }
    }
}

fn tokens(bytes: usize) -> u64 {
    (bytes / 4) as u64
}

/// The request's bytes up to and including its messages, with the caching marks removed:
/// what the API's cache key covers.
fn prompt_without_marks(body: &Value) -> Vec<String> {
    let mut body = body.clone();
    strip(&mut body);
    let mut parts = vec![body["system"].to_string(), body["tools"].to_string()];
    parts.extend(
        body["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .map(Value::to_string),
    );
    parts
}

fn strip(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("cache_control");
            map.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

fn run(dedup_reads: bool, prompt_caching: bool) -> Spent {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let home = tempfile::tempdir().expect("home");
        let folder = tempfile::tempdir().expect("folder");
        for day in NOTES {
            std::fs::write(folder.path().join(format!("{day}.md")), note(day)).expect("note");
        }
        let replies = turns()
            .iter()
            .enumerate()
            .map(|(i, blocks)| {
                Reply::sse(
                    &anthropic_turn(&format!("msg_{i}"), blocks, TurnUsage::default()),
                    4,
                )
            })
            .collect();
        let server = ReplayServer::start(replies).await;
        let store = Arc::new(SqliteStore::open(home.path()).expect("store"));
        let grants = vec![Grant {
            name: "notes".into(),
            path: folder.path().to_path_buf(),
            writable: true,
        }];
        let workspace = Arc::new(Workspace::open(&grants).expect("workspace"));
        let model = Anthropic::new(
            "claude-sonnet-4-5",
            "sk-ant-test-tokens-0000".into(),
            Some(server.url.clone()),
        )
        .with_prompt_caching(prompt_caching);
        let id = errand_core::new_id();
        store
            .create_task(
                &id,
                EventKind::TaskCreated {
                    outcome: "write this week's report from my standup notes".into(),
                    grants,
                    mode: Mode::Auto,
                    model: "anthropic:claude-sonnet-4-5".into(),
                    max_tokens_total: None,
                    commands: Default::default(),
                },
            )
            .expect("task");
        let agent = Agent {
            store: store.clone(),
            tools: builtin_tools_with(
                workspace,
                ToolOptions {
                    dedup_reads,
                    ..ToolOptions::default()
                },
            ),
            model: Arc::new(model),
            policy: Policy::new(Mode::Auto, Vec::new()),
            observer: Arc::new(Quiet),
            approver: None,
            max_turns: 40,
            stall_turns: 8,
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
        let report = std::fs::read_to_string(folder.path().join("report.md")).expect("report");
        assert_eq!(report.matches("## ").count(), 10);

        let requests = server.requests();
        assert_eq!(requests.len(), 30);
        let mut spent = Spent {
            requests: requests.len(),
            ..Spent::default()
        };
        let mut previous: Option<Vec<String>> = None;
        for request in &requests {
            let body = request.json();
            let marks = request.body.matches("cache_control").count();
            assert_eq!(
                marks > 0,
                prompt_caching,
                "breakpoints only when caching is on"
            );
            let parts = prompt_without_marks(&body);
            let size: usize = parts.iter().map(String::len).sum();
            spent.input += tokens(size);
            if !prompt_caching {
                continue;
            }
            let read = match &previous {
                // The conversation only grows: the last prompt is a prefix of this one
                // (the final message of the last request may have gained blocks since).
                Some(last) => {
                    let stable = last.len() - 1;
                    assert_eq!(
                        parts[..stable],
                        last[..stable],
                        "an earlier part of the prompt changed, so the cache would miss"
                    );
                    tokens(last.iter().map(String::len).sum())
                }
                None => 0,
            };
            spent.cache_read += read.min(tokens(size));
            spent.cache_write += tokens(size).saturating_sub(read);
            previous = Some(parts);
        }
        spent
    })
}

#[test]
fn a_thirty_step_task_costs_less_with_dedup_and_caching() {
    let plain = run(false, false);
    let dedup = run(true, false);
    let cached = run(false, true);
    let both = run(true, true);
    eprintln!(
        "30-step task, input tokens (bytes/4), {} requests each:",
        plain.requests
    );
    eprintln!("  neither:            {:>7}", plain.billed(false));
    eprintln!("  read dedup:         {:>7}", dedup.billed(false));
    eprintln!(
        "  caching:            {:>7} sent; {} cache reads, {} cache writes → {} at uncached prices",
        cached.input,
        cached.cache_read,
        cached.cache_write,
        cached.billed(true)
    );
    eprintln!(
        "  dedup + caching:    {:>7} sent; {} cache reads, {} cache writes → {} at uncached prices",
        both.input,
        both.cache_read,
        both.cache_write,
        both.billed(true)
    );
    // Ten re-reads of unchanged notes, each re-sent with every later request.
    assert!(
        dedup.input * 10 < plain.input * 8,
        "dedup saves over 20%: {dedup:?} vs {plain:?}"
    );
    assert_eq!(
        cached.input, plain.input,
        "caching changes the price, not the size"
    );
    assert!(
        both.billed(true) * 4 < dedup.billed(false),
        "caching cuts the price of what is sent by more than 4x"
    );
}
