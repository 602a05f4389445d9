//! OpenTelemetry, end to end: a loopback OTLP receiver decodes what Errand exports with the
//! official opentelemetry-proto Python package (tests/otlp_receiver.py). A task asks for an
//! approval, is approved, then delegates to two sub-agents: the spans form the tree (task →
//! delegate call → sub-agents → their turns and calls), the approval is a `tool_decision`
//! event, and the outcome's words are not exported without OTEL_LOG_USER_PROMPTS=1.
mod common;

use common::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Receiver {
    child: Child,
    port: u16,
    out: std::path::PathBuf,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn receiver(env: &Env) -> Receiver {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/otlp_receiver.py");
    let out = env.work.path().join("otlp.jsonl");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs the receiver");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the port");
    let port = line.trim().parse().unwrap_or_else(|_| {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        panic!("the receiver did not start (pip install opentelemetry-proto, or .ci/run): {err}")
    });
    Receiver { child, port, out }
}

fn received(receiver: &Receiver) -> Vec<Value> {
    std::fs::read_to_string(&receiver.out)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn a_task_with_an_approval_and_two_subagents_is_one_span_tree_with_its_events() {
    let env = Env::new();
    let folder = env.dir("notes");
    std::fs::write(folder.join("old.txt"), "old\n").expect("old");
    let receiver = receiver(&env);
    let writer = |path: &str| {
        json!({"turns": [
            {"tool_calls": [{"name": "write_file", "input": {"path": path, "content": "part\n"}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": format!("wrote {path}"), "deliverables": [path]}}]}
        ]})
    };
    let script = env.work.path().join("team.json");
    std::fs::write(
        &script,
        json!({
            "turns": [
                {"tool_calls": [{"name": "trash_path", "input": {"path": "old.txt"}}]},
                {"tool_calls": [{"name": "delegate", "input": {"agents": [
                    {"goal": "write part one"}, {"goal": "write part two"}]}}]},
                {"tool_calls": [{"name": "finish", "input": {"summary": "Both parts written.",
                    "deliverables": ["one.md", "two.md"]}}]}
            ],
            "subagents": [writer("one.md"), writer("two.md")]
        })
        .to_string(),
    )
    .expect("script");
    let model = format!("scripted:{}", script.display());
    let endpoint = format!("http://127.0.0.1:{}", receiver.port);
    let errand = |args: &[&str]| {
        env.cmd()
            .env("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)
            .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
            .env_remove("OTEL_LOG_USER_PROMPTS")
            .args(args)
            .output()
            .expect("errand")
    };
    let folder_arg = folder.display().to_string();
    let out = errand(&[
        "--json",
        "run",
        "Tidy the notes PRIVATE-WORDS",
        "--model",
        &model,
        "--mode",
        "auto",
        "--folder",
        &folder_arg,
    ]);
    assert_eq!(code(&out), 3, "the trash asks: {}", text(&out));
    let task = task_id(&out);
    let out = errand(&["approve", &task]);
    assert_eq!(code(&out), 0, "{}", text(&out));

    // The batch exporters flush at each run's end; allow the receiver a moment to write.
    let started = Instant::now();
    let all = loop {
        let all = received(&receiver);
        let done = all
            .iter()
            .any(|r| r["name"] == "errand.task" && r["attributes"]["errand.state"] == "done");
        if done || started.elapsed() > Duration::from_secs(15) {
            break all;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let spans: Vec<&Value> = all.iter().filter(|r| r["kind"] == "span").collect();
    let logs: Vec<&Value> = all.iter().filter(|r| r["kind"] == "log").collect();
    assert!(
        !serde_json::to_string(&all)
            .expect("json")
            .contains("PRIVATE-WORDS"),
        "the outcome's words are not exported"
    );
    assert!(spans.iter().all(|s| s["service"] == "errand"));

    // The first run ended waiting for the person.
    let waiting = spans
        .iter()
        .find(|s| s["name"] == "errand.task" && s["attributes"]["errand.state"] == "waiting")
        .expect("the first run's task span");
    assert_eq!(waiting["attributes"]["errand.task.id"], task.as_str());

    // The second run: one tree.
    let root = spans
        .iter()
        .find(|s| s["name"] == "errand.task" && s["attributes"]["errand.state"] == "done")
        .expect("the second run's task span");
    let trace = root["trace_id"].as_str().expect("trace");
    let in_trace: Vec<&&Value> = spans.iter().filter(|s| s["trace_id"] == trace).collect();
    let children = |parent: &Value| -> Vec<&&Value> {
        in_trace
            .iter()
            .filter(|s| s["parent_span_id"] == parent["span_id"])
            .copied()
            .collect()
    };
    let top = children(root);
    let tools: Vec<&str> = top
        .iter()
        .filter(|s| s["name"] == "errand.tool")
        .filter_map(|s| s["attributes"]["errand.tool"].as_str())
        .collect();
    assert_eq!(tools, ["trash_path", "delegate", "finish"], "{top:#?}");
    assert!(
        top.iter()
            .filter(|s| s["name"] == "errand.model_turn")
            .count()
            >= 2
    );
    let delegate = top
        .iter()
        .find(|s| s["attributes"]["errand.tool"] == "delegate")
        .expect("delegate");
    let subagents = children(delegate);
    assert_eq!(subagents.len(), 2, "{subagents:#?}");
    for sub in subagents {
        assert_eq!(sub["name"], "errand.subagent");
        assert_eq!(sub["attributes"]["errand.success"], true);
        let own = children(sub);
        let calls: Vec<&str> = own
            .iter()
            .filter_map(|s| s["attributes"]["errand.tool"].as_str())
            .collect();
        assert_eq!(calls, ["write_file", "finish"], "{own:#?}");
        assert_eq!(
            own.iter()
                .filter(|s| s["name"] == "errand.model_turn")
                .count(),
            2
        );
        // Children start no earlier than their parent and end no later.
        for child in own {
            assert!(child["start"].as_u64() >= sub["start"].as_u64());
            assert!(child["end"].as_u64() <= sub["end"].as_u64());
        }
    }

    // The events, named as the desktop apps name them.
    let named =
        |name: &str| -> Vec<&&Value> { logs.iter().filter(|l| l["event_name"] == name).collect() };
    let prompt = named("user_prompt");
    assert_eq!(prompt.len(), 2, "one per run");
    assert_eq!(prompt[0]["attributes"]["prompt_length"], 28);
    assert!(prompt[0]["attributes"].get("prompt").is_none());
    let decisions = named("tool_decision");
    let by_person = decisions
        .iter()
        .find(|d| d["attributes"]["source"] == "user")
        .expect("the person's decision");
    assert_eq!(by_person["attributes"]["tool_name"], "trash_path");
    assert_eq!(by_person["attributes"]["decision"], "accept");
    assert!(
        decisions
            .iter()
            .any(|d| d["attributes"]["tool_name"] == "write_file"
                && d["attributes"]["source"] == "policy"),
        "{decisions:#?}"
    );
    let results = named("tool_result");
    assert!(results.iter().all(|r| r["attributes"]["success"] == true));
    assert!(
        results
            .iter()
            .any(|r| r["attributes"]["errand.agent"].is_string()),
        "sub-agents' calls say whose they are"
    );
    let requests = named("api_request");
    // The first run: the turn that asked; the second: two turns and two per sub-agent.
    assert_eq!(requests.len(), 1 + 2 + 4, "every model turn: {requests:#?}");
    assert!(
        requests
            .iter()
            .all(|r| r["attributes"]["model"].is_string())
    );
    assert!(named("api_error").is_empty());
    assert!(
        logs.iter()
            .filter(|l| l["event_name"] != "user_prompt")
            .all(|l| l["trace_id"].as_str().is_some_and(|t| t.len() == 32)),
        "events carry their run's trace"
    );

    // Off unless asked: the same kind of run without the variables exports nothing.
    let before = received(&receiver).len();
    let quiet = env.script(
        "quiet.json",
        json!([{"tool_calls": [{"name": "finish", "input": {"summary": "Nothing."}}]}]),
    );
    let out = env
        .cmd()
        .args([
            "run",
            "What is in the notes?",
            "--model",
            &quiet,
            "--mode",
            "auto",
            "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    // With OTEL_LOG_USER_PROMPTS=1 (and JSON this time) the prompt is sent.
    let out = env
        .cmd()
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
        .env("OTEL_LOG_USER_PROMPTS", "1")
        .args([
            "run",
            "Summarise PRIVATE-WORDS",
            "--model",
            &quiet,
            "--mode",
            "auto",
            "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let after = received(&receiver);
    assert!(after.len() > before, "the JSON run was exported");
    assert!(
        after[before..]
            .iter()
            .any(|r| r["event_name"] == "user_prompt"
                && r["attributes"]["prompt"] == "Summarise PRIVATE-WORDS"),
        "{:#?}",
        &after[before..]
    );
    assert!(
        !after[before..]
            .iter()
            .any(
                |r| r["attributes"]["errand.outcome"] == "What is in the notes?"
                    || r["attributes"]["prompt"] == "What is in the notes?"
            ),
        "the run without the variables sent nothing"
    );
}
