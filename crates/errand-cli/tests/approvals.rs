//! Policy and approvals through the CLI: ask, auto and plan modes, approve/deny from another
//! process, deletes that always ask, the trash, and undo that refuses changed files.
mod common;

use common::*;
use serde_json::json;

#[test]
fn ask_mode_waits_for_the_plan_and_each_change_then_approve_continues() {
    let env = Env::new();
    let folder = env.work.path().join("dl");
    assert_eq!(
        code(&env.run(&[
            "demo-folder",
            folder.to_str().expect("utf8"),
            "--files",
            "40"
        ])),
        0
    );
    let before = tree(&folder);
    let f = folder.to_str().expect("utf8");
    let out = env.run(&["run", "organize by type", "--folder", f, "--json"]);
    assert_eq!(
        code(&out),
        3,
        "default ask mode, no terminal: {}",
        text(&out)
    );
    assert!(
        events(&out)
            .iter()
            .any(|e| e["type"] == "approval_requested" && e["tool"] == "update_plan")
    );
    assert_eq!(
        tree(&folder),
        before,
        "nothing changes before the plan is approved"
    );
    let id = task_id(&out);
    let show: serde_json::Value =
        serde_json::from_slice(&env.run(&["show", &id, "--json"]).stdout).expect("json");
    assert_eq!(show["task"]["state"], "waiting");

    let plan_ok = env.run(&["approve", &id, "--json"]);
    assert_eq!(
        code(&plan_ok),
        3,
        "the move itself asks next: {}",
        text(&plan_ok)
    );
    let request = events(&plan_ok)
        .into_iter()
        .find(|e| e["type"] == "approval_requested")
        .expect("move request");
    assert_eq!(request["tool"], "move_path");
    assert!(
        request["preview"]
            .as_array()
            .is_some_and(|p| p.iter().any(|l| l.as_str().unwrap_or("").contains('→'))),
        "{request}"
    );
    assert_eq!(tree(&folder), before);

    let moved = env.run(&["approve", &id]);
    assert_eq!(code(&moved), 0, "{}", text(&moved));
    assert!(
        text(&moved).contains("Undo everything this task did"),
        "{}",
        text(&moved)
    );
    assert!(folder.join("Images").is_dir());
    let again = env.run(&["approve", &id]);
    assert_eq!(code(&again), 2, "nothing waits any more: {}", text(&again));
}

#[test]
fn deny_stops_the_recipe_and_plan_mode_changes_nothing() {
    let env = Env::new();
    let folder = env.work.path().join("dl");
    assert_eq!(
        code(&env.run(&[
            "demo-folder",
            folder.to_str().expect("utf8"),
            "--files",
            "30"
        ])),
        0
    );
    let before = tree(&folder);
    let f = folder.to_str().expect("utf8");
    let out = env.run(&["run", "organize by type and date", "--folder", f]);
    assert_eq!(code(&out), 3);
    let id = env.run(&["tasks", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&id.stdout).expect("json");
    let id = rows[0]["id"].as_str().expect("id").to_string();
    let denied = env.run(&["deny", &id]);
    assert_eq!(code(&denied), 0, "{}", text(&denied));
    assert!(
        text(&denied).contains("Stopped before changing anything"),
        "{}",
        text(&denied)
    );
    assert_eq!(tree(&folder), before);

    let planned = env.run(&[
        "run",
        "organize by type and date",
        "--folder",
        f,
        "--mode",
        "plan",
    ]);
    assert_eq!(code(&planned), 0, "{}", text(&planned));
    assert!(text(&planned).contains("plan mode"), "{}", text(&planned));
    assert_eq!(tree(&folder), before, "plan mode is read-only");
}

#[test]
fn deletes_ask_even_in_auto_and_the_trash_restores() {
    let env = Env::new();
    let folder = env.dir("notes");
    std::fs::write(folder.join("old.txt"), "old notes").expect("write");
    std::fs::write(folder.join("keep.txt"), "v1").expect("write");
    let spec = env.script(
        "delete.json",
        json!([
            {"tool_calls": [{"id": "t", "name": "trash_path", "input": {"path": "old.txt"}}]},
            {"expect_tool_result_contains": "\"trashed\":1",
             "tool_calls": [{"id": "w", "name": "write_file", "input": {"path": "keep.txt", "content": "v2"}}]},
            {"tool_calls": [{"id": "n", "name": "write_file", "input": {"path": "new/made.txt", "content": "mine"}}]},
            {"tool_calls": [{"id": "n2", "name": "write_file", "input": {"path": "new/made.txt", "content": "mine, revised"}}]},
            {"tool_calls": [{"id": "f", "name": "finish", "input": {"summary": "cleaned", "deliverables": ["keep.txt"]}}]}
        ]),
    );
    let f = folder.to_str().expect("utf8");
    let out = env.run(&[
        "run",
        "clean notes",
        "--folder",
        f,
        "--model",
        &spec,
        "--mode",
        "auto",
        "--json",
    ]);
    assert_eq!(code(&out), 3, "a delete asks in auto mode: {}", text(&out));
    let id = task_id(&out);
    assert!(folder.join("old.txt").exists());
    let trashed = env.run(&["approve", &id, "--json"]);
    assert_eq!(
        code(&trashed),
        3,
        "replacing a file the task did not make asks too: {}",
        text(&trashed)
    );
    assert!(!folder.join("old.txt").exists());
    let done = env.run(&["approve", &id, "--json"]);
    assert_eq!(
        code(&done),
        0,
        "rewriting the task's own new file does not ask: {}",
        text(&done)
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("keep.txt")).expect("read"),
        "v2"
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("new/made.txt")).expect("read"),
        "mine, revised"
    );

    let listing = env.run(&["trash", "--json"]);
    let items: serde_json::Value = serde_json::from_slice(&listing.stdout).expect("json");
    let items = items.as_array().expect("array");
    let paths: Vec<(&str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["path"].as_str().unwrap_or(""),
                i["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        paths,
        [
            ("old.txt", "trashed"),
            ("keep.txt", "replaced"),
            ("new/made.txt", "replaced")
        ],
        "the trashed file and every replaced version"
    );
    let old = items
        .iter()
        .find(|i| i["path"] == "old.txt")
        .expect("old.txt in trash");
    let restored = env.run(&["trash", "restore", &old["id"].to_string()]);
    assert_eq!(code(&restored), 0, "{}", text(&restored));
    assert_eq!(
        std::fs::read_to_string(folder.join("old.txt")).expect("back"),
        "old notes"
    );

    // Someone edits keep.txt after the task: undo leaves it and says so, and undoes the rest.
    std::fs::write(folder.join("keep.txt"), "edited by a person").expect("write");
    let undo = env.run(&["undo", &id]);
    assert_eq!(code(&undo), 1, "{}", text(&undo));
    assert!(
        text(&undo).contains("keep.txt: it was changed after the task wrote it"),
        "{}",
        text(&undo)
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("keep.txt")).expect("read"),
        "edited by a person"
    );
    assert!(
        !folder.join("new").exists(),
        "the task's own folder and file are gone"
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("old.txt")).expect("read"),
        "old notes"
    );
}

#[test]
fn clear_errors_for_bad_requests_and_bad_configuration() {
    let env = Env::new();
    let folder = env.dir("x");
    let f = folder.to_str().expect("utf8");
    let out = env.run(&["run", "write me a sonnet about tax law", "--folder", f]);
    assert_eq!(code(&out), 2);
    assert!(
        text(&out).contains("ANTHROPIC_API_KEY") && text(&out).contains("--model"),
        "{}",
        text(&out)
    );
    let out = env.run(&["run", "organize", "--folder", "/definitely/not/here"]);
    assert_eq!(code(&out), 2);
    assert!(
        text(&out).contains("/definitely/not/here"),
        "{}",
        text(&out)
    );
    let out = env.run(&["run", "organize", "--folder", f, "--mode", "yolo"]);
    assert_eq!(code(&out), 2);
    let out = env.run(&["run", "organize", "--folder", f, "--model", "gpt5"]);
    assert_eq!(code(&out), 2);
    assert!(text(&out).contains("unknown model spec"), "{}", text(&out));
    std::fs::write(
        env.work.path().join("no-config.toml"),
        "[rules]\ndeny = [\"write_file(\"]\n",
    )
    .expect("config");
    let out = env.run(&["run", "organize", "--folder", f]);
    assert_eq!(code(&out), 2);
    assert!(text(&out).contains("no-config.toml"), "{}", text(&out));
    let out = env.run(&["show", "nope"]);
    assert_eq!(code(&out), 2);
    let spec = env.script(
        "short.json",
        json!([{"tool_calls": [{"name": "list_files", "input": {}}]}]),
    );
    std::fs::remove_file(env.work.path().join("no-config.toml")).expect("rm");
    let out = env.run(&[
        "run", "anything", "--folder", f, "--model", &spec, "--mode", "auto",
    ]);
    assert_eq!(code(&out), 1, "a script that runs out fails the task");
    assert!(text(&out).contains("ran out of turns"), "{}", text(&out));
}

#[test]
fn config_rules_deny_and_allow() {
    let env = Env::new();
    let folder = env.dir("r");
    std::fs::write(
        env.work.path().join("no-config.toml"),
        "[rules]\ndeny = [\"write_file(secret/**)\"]\nallow = [\"write_file(reports/**)\"]\n",
    )
    .expect("config");
    let spec = env.script(
        "rules.json",
        json!([
            {"tool_calls": [{"id": "a", "name": "write_file", "input": {"path": "reports/q1.txt", "content": "ok"}},
                            {"id": "b", "name": "write_file", "input": {"path": "secret/x.txt", "content": "no"}}]},
            {"tool_calls": [{"id": "f", "name": "finish", "input": {"summary": "done"}}]}
        ]),
    );
    let out = env.run(&[
        "run",
        "write reports",
        "--folder",
        folder.to_str().expect("utf8"),
        "--model",
        &spec,
        "--json",
    ]);
    assert_eq!(
        code(&out),
        0,
        "the allow rule spares the prompt even in ask mode: {}",
        text(&out)
    );
    let evs = events(&out);
    let b = tool_result(&evs, "b");
    assert_eq!(b["is_error"], true);
    assert!(
        b["output"]
            .as_str()
            .unwrap_or_default()
            .contains("write_file(secret/**)"),
        "{b}"
    );
    assert!(folder.join("reports/q1.txt").exists() && !folder.join("secret").exists());
}

#[test]
fn a_reused_call_id_does_not_inherit_an_earlier_approval() {
    let env = Env::new();
    let folder = env.dir("ids");
    std::fs::write(folder.join("a.txt"), "a").expect("write");
    std::fs::write(folder.join("b.txt"), "b").expect("write");
    let spec = env.script(
        "ids.json",
        json!([
            {"tool_calls": [{"id": "same", "name": "trash_path", "input": {"path": "a.txt"}}]},
            {"tool_calls": [{"id": "same", "name": "trash_path", "input": {"path": "b.txt"}}]},
            {"tool_calls": [{"id": "end", "name": "finish", "input": {"summary": "done"}}]}
        ]),
    );
    let out = env.run(&[
        "run",
        "trash",
        "--folder",
        folder.to_str().expect("utf8"),
        "--model",
        &spec,
        "--mode",
        "auto",
        "--json",
    ]);
    assert_eq!(code(&out), 3);
    let id = task_id(&out);
    let first = env.run(&["approve", &id, "--json"]);
    assert_eq!(
        code(&first),
        3,
        "the second delete asks again: {}",
        text(&first)
    );
    assert!(!folder.join("a.txt").exists());
    assert!(
        folder.join("b.txt").exists(),
        "not trashed on the first approval"
    );
}

#[test]
fn a_token_budget_stops_the_task_before_the_next_model_call() {
    let env = Env::new();
    let folder = env.dir("budget");
    let turn = |id: &str| {
        json!({"usage": {"input_tokens": 60, "output_tokens": 10},
               "tool_calls": [{"id": id, "name": "list_files", "input": {}}]})
    };
    let spec = env.script(
        "budget.json",
        json!([turn("a"), turn("b"), turn("c"), turn("d")]),
    );
    let out = env.run(&[
        "run",
        "look around",
        "--folder",
        folder.to_str().expect("utf8"),
        "--model",
        &spec,
        "--mode",
        "auto",
        "--max-tokens-total",
        "100",
        "--json",
    ]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    let all = events(&out);
    let turns = all.iter().filter(|e| e["type"] == "model_turn").count();
    assert_eq!(
        turns, 2,
        "70 tokens is under budget, 140 is over: no third call"
    );
    let failed = all
        .iter()
        .find(|e| e["type"] == "state_changed" && e["state"] == "failed")
        .expect("failed");
    assert!(
        failed["reason"]
            .as_str()
            .unwrap_or("")
            .contains("token budget of 100"),
        "{failed}"
    );
    let show = env.run(&["show", &task_id(&out)]);
    assert!(
        text(&show).contains("120 input + 20 output tokens"),
        "{}",
        text(&show)
    );
}

#[test]
fn models_lists_profiles_the_default_and_what_answers() {
    let env = Env::new();
    std::fs::write(
        env.work.path().join("no-config.toml"),
        "model = \"local\"\n[models.local]\nspec = \"openai-compatible:qwen@http://127.0.0.1:9/v1\"\n",
    )
    .expect("config");
    let out = env
        .cmd()
        .args(["models", "--json"])
        .env("OLLAMA_HOST", "127.0.0.1:9")
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let local = list
        .as_array()
        .expect("array")
        .iter()
        .find(|e| e["name"] == "local")
        .expect("the profile");
    assert_eq!(local["default"], true, "{local}");
    assert_eq!(local["source"], "config");
    assert!(
        local["status"]
            .as_str()
            .unwrap_or("")
            .starts_with("unreachable"),
        "{local}"
    );
    let ollama = list
        .as_array()
        .expect("array")
        .iter()
        .find(|e| e["name"] == "ollama")
        .expect("ollama");
    assert!(
        ollama["status"]
            .as_str()
            .unwrap_or("")
            .contains("127.0.0.1:9"),
        "{ollama}"
    );
    let folder = env.dir("m");
    let bad = env.run(&[
        "run",
        "organize",
        "--folder",
        folder.to_str().expect("utf8"),
        "--model",
        "nosuch",
    ]);
    assert_eq!(code(&bad), 2);
    assert!(
        text(&bad).contains("unknown model spec `nosuch`"),
        "{}",
        text(&bad)
    );
}
