//! A conversation that outgrows the model's context window is compacted and the task goes
//! on: checked on the requests a loopback Anthropic server receives.
mod common;

use common::*;
use errand_testkit::wire::{Block, TurnUsage, anthropic_turn};
use errand_testkit::{ReplayServer, Reply};
use serde_json::{Value, json};

const KEY: &str = "sk-ant-api03-compact-Zt5Rw8Ny3Kp0";

/// A note whose every line carries `marker`, about 20 KB (~5,000 tokens): large next to
/// the fixed part of a request, so the test holds as tools are added.
fn note(marker: &str) -> String {
    (0..560)
        .map(|i| format!("{marker} line {i:03}: quarterly figures\n"))
        .collect()
}

fn turn(i: usize, blocks: &[Block]) -> Reply {
    let usage = TurnUsage {
        input: 50,
        output: 20,
        cache_read: 1_000,
        cache_write: 100,
    };
    Reply::sse(&anthropic_turn(&format!("msg_c{i}"), blocks, usage), 20)
}

fn read(id: &str, path: &str) -> Block {
    Block::tool(id, "read_file", &json!({ "path": path }))
}

#[test]
fn a_long_conversation_is_summarised_and_the_task_goes_on() {
    let env = Env::new();
    let notes = env.dir("notes");
    for (name, marker) in [("a.txt", "ALPHA"), ("b.txt", "BRAVO"), ("c.txt", "CHARLIE")] {
        std::fs::write(notes.join(name), note(marker)).expect("note");
    }
    std::fs::write(
        env.work.path().join("no-config.toml"),
        "[models.small]\nspec = \"anthropic:claude-sonnet-4-5\"\ncontext_window = 19000\n",
    )
    .expect("config");
    let replies = vec![
        turn(0, &[Block::tool("c_list", "list_files", &json!({}))]),
        turn(
            1,
            &[
                Block::tool(
                    "c_plan",
                    "update_plan",
                    &json!({"steps":["Read the notes","Write the digest"]}),
                ),
                Block::tool(
                    "c_write",
                    "write_file",
                    &json!({"path":"digest.md","content":"# Digest\n"}),
                ),
                read("c_read_a", "a.txt"),
            ],
        ),
        turn(2, &[read("c_read_b", "b.txt")]),
        turn(3, &[read("c_read_c", "c.txt")]),
        // The summarising call: the model answers with text only.
        turn(
            4,
            &[Block::text(
                "SUMMARY-MARKER: a.txt and b.txt hold quarterly figures; digest.md started.",
            )],
        ),
        turn(5, &[read("c_read_a_again", "a.txt")]),
        turn(
            6,
            &[Block::tool(
                "c_finish",
                "finish",
                &json!({"summary":"Read all three notes.","deliverables":["digest.md"]}),
            )],
        ),
    ];
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(ReplayServer::start(replies));
    let out = env
        .cmd()
        .env("ANTHROPIC_API_KEY", KEY)
        .env("ANTHROPIC_BASE_URL", &server.url)
        .args(["--json", "run", "summarise my notes", "--model", "small"])
        .args(["--mode", "auto", "--folder"])
        .arg(&notes)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);
    let compacted: Vec<&Value> = events.iter().filter(|e| e["type"] == "compacted").collect();
    assert_eq!(compacted.len(), 1, "compacted once");

    let requests = server.requests();
    assert_eq!(requests.len(), 7);
    let bodies: Vec<Value> = requests.iter().map(|r| r.json()).collect();
    // Before compaction the whole conversation was sent.
    assert!(requests[3].body.contains("ALPHA line") && requests[3].body.contains("BRAVO line"));
    // The summarising request asks for a summary of the older turns.
    assert!(requests[4].body.contains("about to be shortened"));
    // After it: the outcome, the summary with the plan and files attached, then the latest
    // turn verbatim; the older reads are gone.
    let after = &bodies[5]["messages"];
    let first = after[0]["content"].to_string();
    assert!(first.contains("summarise my notes"), "{first}");
    assert!(first.contains("SUMMARY-MARKER"), "{first}");
    assert!(
        first.contains("Read the notes") && first.contains("digest.md"),
        "{first}"
    );
    assert!(
        !requests[5].body.contains("ALPHA line"),
        "old reads dropped"
    );
    assert!(
        !requests[5].body.contains("BRAVO line"),
        "old reads dropped"
    );
    assert!(
        requests[5].body.contains("CHARLIE line"),
        "the latest turn kept"
    );
    assert!(requests[5].body.len() < requests[3].body.len());
    // Every tool result still answers a call in the same request.
    let uses: Vec<String> = after
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["content"].as_array())
        .flatten()
        .filter(|b| b["type"] == "tool_use")
        .filter_map(|b| b["id"].as_str().map(str::to_string))
        .collect();
    let results: Vec<String> = after
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["content"].as_array())
        .flatten()
        .filter(|b| b["type"] == "tool_result")
        .filter_map(|b| b["tool_use_id"].as_str().map(str::to_string))
        .collect();
    assert_eq!(uses, ["c_read_c"]);
    assert_eq!(results, ["c_read_c"]);
    // A re-read after compaction sends the content again: the earlier result is gone.
    let reread = tool_result(&events, "c_read_a_again");
    assert!(
        reread["output"]
            .as_str()
            .is_some_and(|o| o.contains("ALPHA line 000")),
        "{reread}"
    );

    // The summary's tokens count towards the task.
    let task = task_id(&out);
    let show = env.run(&["show", &task, "--json"]);
    let shown: Value = serde_json::from_slice(&show.stdout).expect("show json");
    assert_eq!(shown["task"]["compactions"], 1);
    assert_eq!(shown["usage"]["output_tokens"], 7 * 20);
}
