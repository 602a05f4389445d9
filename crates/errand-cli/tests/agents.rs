//! Sub-agents, the shared work list, file leases and steering, driven through the CLI with
//! scripted models, the way a person or a script would.
mod common;

use common::{Env, code, events, task_id, text};
use errand_core::{Event, EventKind, JournalOp, Saved, Store};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Writes a script whose sub-agents (in start order) get `subs`; returns its spec.
fn script_with_subs(env: &Env, name: &str, turns: Value, subs: Vec<Value>) -> String {
    let path = env.work.path().join(name);
    let subagents: Vec<Value> = subs.into_iter().map(|t| json!({ "turns": t })).collect();
    std::fs::write(
        &path,
        json!({ "turns": turns, "subagents": subagents }).to_string(),
    )
    .expect("script");
    format!("scripted:{}", path.display())
}

/// The config file every command of `env` reads.
fn configure(env: &Env, toml: &str) {
    std::fs::write(env.work.path().join("no-config.toml"), toml).expect("config");
}

fn store(env: &Env) -> errand_store::SqliteStore {
    errand_store::SqliteStore::open(env.home.path()).expect("store")
}

fn log(env: &Env, id: &str) -> Vec<Event> {
    store(env).events(id).expect("events")
}

fn of<'a>(log: &'a [Event], agent: &str) -> impl Iterator<Item = &'a Event> {
    log.iter()
        .filter(move |e| e.agent.as_deref() == Some(agent))
}

fn count(log: &[Event], agent: Option<&str>, kind: &str) -> usize {
    log.iter()
        .filter(|e| e.agent.as_deref() == agent && e.kind.name() == kind)
        .count()
}

/// The result the parent's `delegate` call got.
fn delegate_result(log: &[Event]) -> String {
    log.iter()
        .filter(|e| e.agent.is_none())
        .find_map(|e| match &e.kind {
            EventKind::ToolFinished { tool, output, .. } if tool == "delegate" => {
                Some(output.clone())
            }
            _ => None,
        })
        .expect("a delegate result")
}

/// Starts `errand run` in the background (JSON events on stdout).
fn spawn_run(env: &Env, model: &str, folder: &Path, extra: &[&str]) -> Child {
    env.cmd()
        .args(["--json", "run", "do the work", "--model", model, "--folder"])
        .arg(folder)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn errand")
}

/// Polls until `ready` holds for the only task's log, and returns the task id.
fn wait_for(env: &Env, what: &str, ready: impl Fn(&[Event]) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(s) = errand_store::SqliteStore::open(env.home.path())
            && let Ok(rows) = s.tasks()
            && let Some(row) = rows.first()
            && let Ok(log) = s.events(&row.id)
            && ready(&log)
        {
            return row.id.clone();
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `errand --no-input run`: nobody can answer here, so a question or approval exits 3.
fn run_without_input(
    env: &Env,
    outcome: &str,
    model: &str,
    mode: &str,
    folder: &Path,
) -> std::process::Output {
    env.cmd()
        .args([
            "--no-input",
            "run",
            outcome,
            "--model",
            model,
            "--mode",
            mode,
            "--folder",
        ])
        .arg(folder)
        .output()
        .expect("run")
}

fn finish(summary: &str) -> Value {
    json!({"tool_calls": [{"name": "finish", "input": {"summary": summary}}]})
}

/// A sub-agent that writes one file and finishes.
fn writer(path: &str, content: &str, delay_ms: u64) -> Value {
    json!([
        {"delay_ms": delay_ms, "tool_calls": [{"name": "write_file", "input": {"path": path, "content": content}}]},
        {"delay_ms": delay_ms, "tool_calls": [{"name": "finish", "input": {"summary": format!("wrote {path}"), "deliverables": [path]}}]}
    ])
}

#[test]
fn delegate_runs_subagents_at_most_the_limit_at_once_and_reports_each() {
    let env = Env::new();
    configure(&env, "[agents]\nconcurrency = 3\n");
    let folder = env.dir("work");
    let goals: Vec<Value> = (1..=8)
        .map(|k| json!({"goal": format!("write part {k}")}))
        .collect();
    let mut subs: Vec<Value> = (1..=8)
        .map(|k| writer(&format!("parts/part-{k}.md"), &format!("part {k}\n"), 30))
        .collect();
    // The sixth one's script runs out before it finishes: its failure is a result.
    subs[5] = json!([{"tool_calls": [{"name": "list_files", "input": {"path": "."}}]}]);
    let model = script_with_subs(
        &env,
        "parent.json",
        json!([
            {"tool_calls": [{"name": "delegate", "input": {"agents": goals}}]},
            {"expect_tool_result_contains": "8 sub-agents: 7 done, 1 failed", "tool_calls": [
                {"name": "finish", "input": {"summary": "all parts written"}}]}
        ]),
        subs,
    );
    let out = env.run_auto("write the parts", &model, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let id = task_id(&out);
    let log = log(&env, &id);
    for k in [1, 2, 3, 4, 5, 7, 8] {
        let part = std::fs::read_to_string(folder.join(format!("parts/part-{k}.md")))
            .expect("part written");
        assert_eq!(part, format!("part {k}\n"));
        let result = delegate_result(&log);
        assert!(
            result.contains(&format!(
                "a{k} (write part {k}): done — wrote parts/part-{k}.md"
            )),
            "{result}"
        );
        assert!(
            result.contains(&format!("files: parts/part-{k}.md")),
            "{result}"
        );
    }
    let result = delegate_result(&log);
    assert!(
        result.contains("a6 (write part 6): FAILED — ") && result.contains("ran out of turns"),
        "{result}"
    );
    // Every sub-agent logs into the parent's log under its own id, with its own calls.
    for k in 1..=8 {
        let agent = format!("a{k}");
        assert_eq!(count(&log, Some(&agent), "subagent_started"), 1);
        assert_eq!(count(&log, Some(&agent), "subagent_finished"), 1);
        for e in of(&log, &agent) {
            if let EventKind::ToolStarted { call_id, .. } = &e.kind {
                assert!(call_id.starts_with(&format!("{agent}:")), "{call_id}");
            }
        }
    }
    // How many ran at once, from the log: a sub-agent runs from its first model turn
    // (or tool) to its end.
    let mut running = std::collections::BTreeSet::new();
    let mut most = 0;
    for e in &log {
        let Some(agent) = &e.agent else { continue };
        match e.kind {
            EventKind::SubagentStarted { .. } => {}
            EventKind::SubagentFinished { .. } => {
                running.remove(agent);
            }
            _ => {
                running.insert(agent.clone());
                most = most.max(running.len());
            }
        }
    }
    assert_eq!(most, 3, "the concurrency limit is 3");
    // The parent's own conversation never saw a sub-agent's turns.
    assert_eq!(count(&log, None, "model_turn"), 2);
    let show = env.run(&["show", &id, "--json"]);
    let shown: Value = serde_json::from_slice(&show.stdout).expect("show json");
    assert_eq!(shown["subagents"].as_array().map(Vec::len), Some(8));
    assert_eq!(shown["subagents"][5]["state"], "failed");
    assert_eq!(shown["subagents"][0]["files"], json!(["parts/part-1.md"]));
}

#[test]
fn subagents_get_no_more_than_their_parent() {
    let env = Env::new();
    let folder = env.dir("work");
    std::fs::create_dir_all(folder.join("clients/acme")).expect("mkdir");
    std::fs::write(folder.join("secret.txt"), "not for the sub-agent").expect("write");
    let model = script_with_subs(
        &env,
        "parent.json",
        json!([
            {"tool_calls": [{"name": "delegate", "input": {"agents": [
                {"goal": "x", "tools": ["read_file", "mcp__evil__wipe"]}]}}]},
            {"expect_tool_result_contains": "`mcp__evil__wipe` is not one of this task's tools", "tool_calls": [
                {"name": "delegate", "input": {"agents": [{"goal": "x", "folders": ["../elsewhere"]}]}}]},
            {"expect_tool_result_contains": "uses `..`", "tool_calls": [
                {"name": "delegate", "input": {"agents": [{"goal": "x", "role": "nobody"}]}}]},
            {"expect_tool_result_contains": "there is no role `nobody`", "tool_calls": [
                {"name": "delegate", "input": {"agents": [
                    {"goal": "summarise acme", "folders": ["clients/acme"], "tools": ["read_file", "write_file"]}]}}]},
            {"expect_tool_result_contains": "1 done", "tool_calls": [
                {"name": "finish", "input": {"summary": "ok"}}]}
        ]),
        vec![json!([
            {"tool_calls": [{"name": "read_file", "input": {"path": "secret.txt"}}]},
            {"expect_tool_result_contains": "outside the folders this sub-agent may use: clients/acme",
             "tool_calls": [{"name": "delegate", "input": {"agents": [{"goal": "deeper"}]}}]},
            {"expect_tool_result_contains": "unknown tool `delegate`",
             "tool_calls": [{"name": "run_command", "input": {"command": "true"}}]},
            {"expect_tool_result_contains": "unknown tool `run_command`",
             "tool_calls": [{"name": "write_file", "input": {"path": "clients/acme/summary.md", "content": "fine"}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "summarised"}}]}
        ])],
    );
    let out = env.run_auto("summarise", &model, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(
        std::fs::read_to_string(folder.join("clients/acme/summary.md")).expect("summary"),
        "fine"
    );
    // Refused requests started nothing: only the last delegate made a sub-agent.
    let log = log(&env, &task_id(&out));
    assert_eq!(
        log.iter()
            .filter(|e| e.kind.name() == "subagent_started")
            .count(),
        1
    );
}

/// Three files every one of 8 writers replaces, each with its own large content.
fn overlapping_writers(env: &Env) -> (String, Vec<String>) {
    let contents: Vec<String> = (1..=8)
        .map(|k| format!("writer {k}\n").repeat(20_000))
        .collect();
    let subs: Vec<Value> = contents
        .iter()
        .map(|content| {
            json!([
                {"tool_calls": [{"name": "write_file", "input": {"path": "shared/a.md", "content": content}}]},
                {"tool_calls": [{"name": "write_file", "input": {"path": "shared/b.md", "content": content}}]},
                {"tool_calls": [{"name": "write_file", "input": {"path": "shared/c.md", "content": content}}]},
                {"tool_calls": [{"name": "finish", "input": {"summary": "wrote all three"}}]}
            ])
        })
        .collect();
    let goals: Vec<Value> = (1..=8)
        .map(|k| json!({"goal": format!("writer {k}")}))
        .collect();
    let model = script_with_subs(
        env,
        "writers.json",
        json!([
            {"tool_calls": [{"name": "delegate", "input": {"agents": goals}}]},
            finish("written")
        ]),
        subs,
    );
    (model, contents)
}

/// For each file, whether every replaced version was kept: each write's before-image is
/// the previous write's content. A broken link is a version nothing can bring back.
fn lost_versions(env: &Env, id: &str) -> (usize, usize) {
    let records = store(env).journal(id).expect("journal");
    let mut writes = 0;
    let mut lost = 0;
    for path in ["shared/a.md", "shared/b.md", "shared/c.md"] {
        let mut previous: Option<String> = None;
        for record in &records {
            let JournalOp::Write {
                path: p,
                before,
                after_sha256,
            } = &record.op
            else {
                continue;
            };
            if p != path {
                continue;
            }
            writes += 1;
            let kept = before.as_ref().map(|b| match &b.saved {
                Saved::Blob { sha256 } => sha256.clone(),
                Saved::Trash { rel } => rel.clone(),
            });
            if kept != previous {
                lost += 1;
            }
            previous = Some(after_sha256.clone());
        }
    }
    (writes, lost)
}

#[test]
fn with_leases_overlapping_writers_lose_nothing() {
    let env = Env::new();
    configure(&env, "[agents]\nconcurrency = 8\n");
    let folder = env.dir("work");
    let (model, contents) = overlapping_writers(&env);
    // Each write dwells between saving the old content and replacing it, as in the test
    // without leases below, so the two differ only in the leases.
    let out = env
        .cmd()
        .env("ERRAND_TEST_WRITE_PAUSE_MS", "200")
        .args([
            "--json", "run", "write", "--model", &model, "--mode", "auto", "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let id = task_id(&out);
    for name in ["a.md", "b.md", "c.md"] {
        let file = std::fs::read_to_string(folder.join("shared").join(name)).expect("file");
        assert!(
            contents.contains(&file),
            "{name} is not one writer's complete content"
        );
    }
    let (writes, lost) = lost_versions(&env, &id);
    assert_eq!(writes, 24, "the journal has every write");
    assert_eq!(lost, 0, "every replaced version is kept for undo");
    // And undo walks the whole chain back to nothing.
    let undo = env.run(&["undo", &id]);
    assert_eq!(code(&undo), 0, "{}", text(&undo));
    assert!(!folder.join("shared/a.md").exists());
}

#[test]
fn without_leases_the_same_writers_lose_versions() {
    // The test build's switches show what leases prevent: writers that overlap both save
    // the same old content, so one writer's version is kept nowhere.
    let env = Env::new();
    configure(&env, "[agents]\nconcurrency = 8\n");
    let mut lost_any = 0;
    for attempt in 0..3 {
        let folder = env.dir(&format!("work-{attempt}"));
        let (model, _) = overlapping_writers(&env);
        let out = env
            .cmd()
            .env("ERRAND_TEST_NO_LEASES", "1")
            .env("ERRAND_TEST_WRITE_PAUSE_MS", "200")
            .args([
                "--json", "run", "write", "--model", &model, "--mode", "auto", "--folder",
            ])
            .arg(&folder)
            .output()
            .expect("run");
        assert_eq!(code(&out), 0, "{}", text(&out));
        let (writes, lost) = lost_versions(&env, &task_id(&out));
        eprintln!("without leases, attempt {attempt}: {lost} of {writes} replaced versions lost");
        assert_eq!(writes, 24);
        lost_any += lost;
        if lost > 0 {
            break;
        }
    }
    assert!(
        lost_any > 0,
        "without leases, racing writes should lose a version"
    );
}

#[test]
fn the_work_list_is_claimed_once_and_shows_progress() {
    let env = Env::new();
    configure(&env, "[agents]\nconcurrency = 2\n");
    let folder = env.dir("work");
    let worker = |_k: usize| {
        json!([
            {"tool_calls": [{"name": "task_claim", "input": {}}]},
            {"tool_calls": [{"name": "task_update", "input": {"id": 1, "status": "done"}}]},
            {"tool_calls": [{"name": "task_claim", "input": {}}]},
            {"tool_calls": [{"name": "tasks_list", "input": {}}]},
            finish("worked")
        ])
    };
    let model = script_with_subs(
        &env,
        "parent.json",
        json!([
            {"tool_calls": [{"name": "task_update", "input": {"add": ["acme", "globex", "initech"]}}]},
            {"tool_calls": [{"name": "delegate", "input": {"agents": [{"goal": "w1"}, {"goal": "w2"}]}}]},
            {"tool_calls": [{"name": "tasks_list", "input": {}}]},
            finish("done")
        ]),
        vec![worker(1), worker(2)],
    );
    let out = env.run_auto("split", &model, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let id = task_id(&out);
    let items = store(&env).work_items(&id).expect("items");
    assert_eq!(items.len(), 3);
    // Whoever claimed #1 first is its owner; the other was told who has it, or got #2.
    let owners: Vec<Option<String>> = items.iter().map(|i| i.owner.clone()).collect();
    assert!(owners[0].is_some(), "{items:?}");
    let claims: Vec<String> = log(&env, &id)
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ToolFinished { tool, output, .. } if tool == "task_claim" => {
                Some(output.clone())
            }
            _ => None,
        })
        .collect();
    let claimed_first: Vec<&String> = claims
        .iter()
        .filter(|c| c.starts_with("claimed #1"))
        .collect();
    assert_eq!(claimed_first.len(), 1, "#1 is claimed once: {claims:?}");
    let show = env.run(&["show", &id]);
    assert!(text(&show).contains("Work list:"), "{}", text(&show));
}

#[test]
fn a_steering_message_reaches_the_next_model_request() {
    let env = Env::new();
    let folder = env.dir("work");
    let model = env.script(
        "steer.json",
        json!([
            {"delay_ms": 1500, "tool_calls": [{"name": "list_files", "input": {"path": "."}}]},
            {"expect_request_contains": "use metric units", "tool_calls": [
                {"name": "finish", "input": {"summary": "ok"}}]}
        ]),
    );
    let child = spawn_run(&env, &model, &folder, &["--mode", "auto"]);
    let id = wait_for(&env, "the run to start", |log| {
        log.iter().any(|e| e.kind.name() == "state_changed")
    });
    let say = env.run(&["say", &id, "use metric units"]);
    assert_eq!(code(&say), 0, "{}", text(&say));
    let out = child.wait_with_output().expect("wait");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let log = log(&env, &id);
    let said = log
        .iter()
        .position(|e| e.kind.name() == "user_message")
        .expect("the message is in the log");
    let second_turn = log
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind.name() == "model_turn")
        .nth(1)
        .map(|(i, _)| i)
        .expect("a second turn");
    assert!(said < second_turn);
}

#[test]
fn cancel_stops_running_subagents_within_a_step() {
    let env = Env::new();
    let folder = env.dir("work");
    let slow: Vec<Value> = (0..20)
        .map(|_| json!({"delay_ms": 300, "tool_calls": [{"name": "list_files", "input": {"path": "."}}]}))
        .collect();
    let model = script_with_subs(
        &env,
        "parent.json",
        json!([
            {"tool_calls": [{"name": "delegate", "input": {"agents": [{"goal": "one"}, {"goal": "two"}]}}]},
            finish("never")
        ]),
        vec![json!(slow.clone()), json!(slow)],
    );
    let child = spawn_run(&env, &model, &folder, &["--mode", "auto"]);
    let id = wait_for(&env, "both sub-agents at work", |log| {
        ["a1", "a2"].iter().all(|a| {
            log.iter()
                .any(|e| e.agent.as_deref() == Some(a) && e.kind.name() == "model_turn")
        })
    });
    let cancel = env.run(&["cancel", &id]);
    assert_eq!(code(&cancel), 4, "{}", text(&cancel));
    let out = child.wait_with_output().expect("wait");
    assert_eq!(code(&out), 4, "{}", text(&out));
    let log = log(&env, &id);
    let cancelled = log
        .iter()
        .position(|e| {
            matches!(
                e.kind,
                EventKind::StateChanged {
                    state: errand_core::TaskState::Cancelled,
                    ..
                }
            )
        })
        .expect("cancelled");
    for agent in ["a1", "a2"] {
        let later = log[cancelled..]
            .iter()
            .filter(|e| e.agent.as_deref() == Some(agent) && e.kind.name() == "model_turn")
            .count();
        assert!(
            later <= 1,
            "{agent} took {later} more turns after the cancel"
        );
    }
}

#[test]
fn after_kill_9_resume_does_not_rerun_finished_subagents() {
    let env = Env::new();
    configure(&env, "[agents]\nconcurrency = 3\n");
    let folder = env.dir("work");
    let slow = json!([
        {"delay_ms": 100, "tool_calls": [{"name": "write_file", "input": {"path": "slow.md", "content": "slow"}}]},
        {"delay_ms": 4000, "tool_calls": [{"name": "write_file", "input": {"path": "slow2.md", "content": "slow 2"}}]},
        {"tool_calls": [{"name": "finish", "input": {"summary": "slow done"}}]}
    ]);
    let model = script_with_subs(
        &env,
        "parent.json",
        json!([
            {"tool_calls": [{"name": "delegate", "input": {"agents": [
                {"goal": "quick one"}, {"goal": "quick two"}, {"goal": "slow three"}]}}]},
            {"expect_tool_result_contains": "3 sub-agents: 3 done, 0 failed", "tool_calls": [
                {"name": "finish", "input": {"summary": "all done"}}]}
        ]),
        vec![writer("one.md", "one", 0), writer("two.md", "two", 0), slow],
    );
    let mut child = spawn_run(&env, &model, &folder, &["--mode", "auto"]);
    let id = wait_for(&env, "the quick sub-agents to finish", |log| {
        ["a1", "a2"].iter().all(|a| {
            log.iter()
                .any(|e| e.agent.as_deref() == Some(a) && e.kind.name() == "subagent_finished")
        }) && log
            .iter()
            .any(|e| e.agent.as_deref() == Some("a3") && e.kind.name() == "tool_finished")
    });
    child.kill().expect("kill -9");
    let _ = child.wait();
    let before = log(&env, &id);
    assert!(
        !before
            .iter()
            .any(|e| e.agent.as_deref() == Some("a3") && e.kind.name() == "subagent_finished"),
        "the slow one was still running"
    );
    let out = env.run(&["--json", "resume", &id]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let log = log(&env, &id);
    for agent in ["a1", "a2", "a3"] {
        assert_eq!(count(&log, Some(agent), "subagent_started"), 1, "{agent}");
        assert_eq!(count(&log, Some(agent), "subagent_finished"), 1, "{agent}");
    }
    // The finished ones took their two turns once; the slow one went on from its log.
    assert_eq!(count(&log, Some("a1"), "model_turn"), 2);
    assert_eq!(count(&log, Some("a2"), "model_turn"), 2);
    assert_eq!(count(&log, Some("a3"), "model_turn"), 3);
    assert_eq!(count(&log, Some("a3"), "tool_started"), 3);
    assert_eq!(
        std::fs::read_to_string(folder.join("slow2.md")).expect("slow2"),
        "slow 2"
    );
    assert!(events(&out).iter().any(|e| e["type"] == "finished"));
}

#[test]
fn ask_user_waits_for_an_answer_from_another_command() {
    let env = Env::new();
    let folder = env.dir("work");
    let model = env.script(
        "ask.json",
        json!([
            {"tool_calls": [{"name": "ask_user", "input": {"question": "Which currency should totals use?"}}]},
            {"expect_tool_result_contains": "The person answered: EUR", "tool_calls": [
                {"name": "finish", "input": {"summary": "totals in EUR"}}]}
        ]),
    );
    let out = run_without_input(&env, "totals", &model, "auto", &folder);
    assert_eq!(code(&out), 3, "{}", text(&out));
    assert!(
        text(&out).contains("Which currency should totals use?"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("errand answer"), "{}", text(&out));
    let id = store(&env).tasks().expect("tasks")[0].id.clone();
    let show = env.run(&["show", &id]);
    assert!(
        text(&show).contains("Question waiting for your answer"),
        "{}",
        text(&show)
    );
    let wrong = env.run(&["approve", &id]);
    assert_eq!(code(&wrong), 2, "{}", text(&wrong));
    let answered = env.run(&["answer", &id, "EUR"]);
    assert_eq!(code(&answered), 0, "{}", text(&answered));
    let again = env.run(&["answer", &id, "USD"]);
    assert_eq!(
        code(&again),
        2,
        "a done task takes no answer: {}",
        text(&again)
    );
}

#[test]
fn a_subagents_approval_surfaces_on_the_parent_attributed() {
    let env = Env::new();
    let folder = env.dir("work");
    let model = script_with_subs(
        &env,
        "parent.json",
        json!([
            {"tool_calls": [{"name": "delegate", "input": {"agents": [{"goal": "write the notes"}]}}]},
            {"expect_tool_result_contains": "1 done", "tool_calls": [
                {"name": "finish", "input": {"summary": "ok"}}]}
        ]),
        vec![writer("notes.md", "hello", 0)],
    );
    let out = run_without_input(&env, "notes", &model, "ask", &folder);
    assert_eq!(code(&out), 3, "{}", text(&out));
    assert!(
        text(&out).contains("sub-agent a1 (write the notes): create notes.md"),
        "{}",
        text(&out)
    );
    assert!(!folder.join("notes.md").exists());
    let id = store(&env).tasks().expect("tasks")[0].id.clone();
    let show: Value =
        serde_json::from_slice(&env.run(&["show", &id, "--json"]).stdout).expect("json");
    assert_eq!(show["task"]["waiting_for"][0]["agent"], "a1");
    let approved = env.run(&["--no-input", "approve", &id]);
    assert_eq!(code(&approved), 0, "{}", text(&approved));
    assert_eq!(
        std::fs::read_to_string(folder.join("notes.md")).expect("notes"),
        "hello"
    );
    let log = log(&env, &id);
    assert_eq!(count(&log, Some("a1"), "subagent_started"), 1);
}

#[test]
fn detach_returns_the_id_and_watch_follows_pause_and_continue() {
    let env = Env::new();
    let folder = env.dir("work");
    let turns: Vec<Value> = (0..6)
        .map(|k| json!({"delay_ms": 250, "tool_calls": [{"name": "write_file", "input": {"path": format!("n{k}.md"), "content": "x"}}]}))
        .chain([finish("six notes")])
        .collect();
    let model = env.script("bg.json", json!(turns));
    let started = env
        .cmd()
        .args([
            "run",
            "six notes",
            "--detach",
            "--model",
            &model,
            "--mode",
            "auto",
            "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&started), 0, "{}", text(&started));
    let id = String::from_utf8_lossy(&started.stdout).trim().to_string();
    assert!(
        store(&env).resolve_task(&id).is_ok(),
        "stdout is the id: {id:?}"
    );
    // Pause after the first turn; while paused, no further turn starts.
    wait_for(&env, "a first turn", |log| {
        log.iter().any(|e| e.kind.name() == "model_turn")
    });
    assert_eq!(code(&env.run(&["pause", &id])), 0);
    std::thread::sleep(Duration::from_millis(700));
    let paused_turns = count(&log(&env, &id), None, "model_turn");
    std::thread::sleep(Duration::from_millis(900));
    assert_eq!(
        count(&log(&env, &id), None, "model_turn"),
        paused_turns,
        "no turn while paused"
    );
    assert!(paused_turns < 7);
    let cont = env.run(&["continue", &id]);
    assert_eq!(code(&cont), 0, "{}", text(&cont));
    let watched = env.run(&["watch", &id]);
    assert_eq!(code(&watched), 0, "{}", text(&watched));
    assert!(text(&watched).contains("six notes"), "{}", text(&watched));
    assert!(folder.join("n5.md").exists());
}

#[test]
fn the_token_budget_is_the_whole_tasks_sub_agents_included() {
    let env = Env::new();
    configure(&env, "[agents]\nconcurrency = 1\n");
    let folder = env.dir("work");
    let costly: Vec<Value> = (0..3)
        .map(|_| json!({"usage": {"input_tokens": 60}, "tool_calls": [{"name": "list_files", "input": {"path": "."}}]}))
        .collect();
    let model = script_with_subs(
        &env,
        "parent.json",
        json!([
            {"tool_calls": [{"name": "delegate", "input": {"agents": [{"goal": "one"}, {"goal": "two"}]}}]},
            finish("never")
        ]),
        vec![json!(costly.clone()), json!(costly)],
    );
    let out = env
        .cmd()
        .args([
            "--json", "run", "spend", "--model", &model, "--mode", "auto",
        ])
        .args(["--max-tokens-total", "100", "--folder"])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 1, "{}", text(&out));
    let log = log(&env, &task_id(&out));
    let result = delegate_result(&log);
    assert!(
        result.contains("2 sub-agents: 0 done, 2 failed"),
        "{result}"
    );
    assert!(
        result.contains("a2 (two): FAILED — the token budget of 100 is spent (120 used)"),
        "{result}"
    );
    // Two turns of a1 spent it; a2 and the parent sent nothing more.
    assert_eq!(count(&log, Some("a1"), "model_turn"), 2);
    assert_eq!(count(&log, Some("a2"), "model_turn"), 0);
    assert_eq!(count(&log, None, "model_turn"), 1);
}
