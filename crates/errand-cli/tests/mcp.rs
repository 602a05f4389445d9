//! Connectors against real MCP servers from npm (installed by .ci/run) and a misbehaving
//! stdio server: a scripted task calls `mcp__SERVER__TOOL` by name; results come back as data;
//! a server that cannot start, crashes mid-call, hangs or prints garbage costs one tool error
//! naming it, and the task goes on.
mod common;

use common::*;
use serde_json::json;
use std::path::PathBuf;

fn servers() -> PathBuf {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../errand-mcp/tests/servers"
    ));
    assert!(
        dir.join("node_modules/.bin/mcp-server-everything").exists(),
        "the MCP test servers are not installed: run `npm ci --prefix {}` (or .ci/run)",
        dir.display()
    );
    dir
}

fn bin(name: &str) -> String {
    servers()
        .join("node_modules/.bin")
        .join(name)
        .display()
        .to_string()
}

fn configure(env: &Env, body: &str) -> std::process::Command {
    let config = env.work.path().join("mcp-config.toml");
    std::fs::write(&config, body).expect("config");
    let mut cmd = env.cmd();
    cmd.env("ERRAND_CONFIG", &config);
    cmd
}

fn result_text(events: &[serde_json::Value], call: &str) -> String {
    let result = tool_result(events, call);
    result["output"].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_task_calls_real_servers_by_name_and_reads_their_results_as_data() {
    let env = Env::new();
    let folder = env.dir("work");
    let memory_file = env.work.path().join("memory.jsonl");
    let config = format!(
        "[mcp.servers.everything]\ncommand = \"{}\"\n\n[mcp.servers.memory]\ncommand = \"{}\"\nenv = {{ MEMORY_FILE_PATH = \"{}\" }}\n",
        bin("mcp-server-everything"),
        bin("mcp-server-memory"),
        memory_file.display()
    );
    let spec = env.script(
        "mcp.json",
        json!([
            {"tool_calls": [{"id": "echo", "name": "mcp__everything__echo", "input": {"message": "hi from errand"}}]},
            {"tool_calls": [{"id": "sum", "name": "mcp__everything__get-sum", "input": {"a": 2, "b": 40}}]},
            {"tool_calls": [{"id": "image", "name": "mcp__everything__get-tiny-image", "input": {}}]},
            {"tool_calls": [{"id": "remember", "name": "mcp__memory__create_entities", "input": {"entities": [
                {"name": "Ana", "entityType": "person", "observations": ["owns the Q3 report"]}]}}]},
            {"tool_calls": [{"id": "recall", "name": "mcp__memory__read_graph", "input": {}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Used the connectors"}}]}
        ]),
    );
    let out = configure(&env, &config)
        .args([
            "--json",
            "run",
            "Use my connectors",
            "--model",
            &spec,
            "--mode",
            "auto",
            "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);
    let echo = result_text(&events, "echo");
    assert!(echo.contains("hi from errand"), "{echo}");
    assert!(
        echo.contains("from the MCP server everything (data"),
        "{echo}"
    );
    assert!(
        result_text(&events, "sum").contains("42"),
        "{}",
        result_text(&events, "sum")
    );
    assert!(
        result_text(&events, "image").contains("[image: image/png"),
        "{}",
        result_text(&events, "image")
    );
    assert!(
        result_text(&events, "recall").contains("owns the Q3 report"),
        "{}",
        result_text(&events, "recall")
    );
    let saved = std::fs::read_to_string(&memory_file).expect("the memory server saved its graph");
    assert!(saved.contains("Ana"), "{saved}");
}

#[test]
fn a_server_that_fails_costs_one_tool_error_and_the_task_goes_on() {
    let env = Env::new();
    let folder = env.dir("work");
    let flaky = servers().join("flaky.py");
    let config = format!(
        "[mcp.servers.flaky]\ncommand = \"python3\"\nargs = [\"{}\"]\ntimeout_s = 3\n\n[mcp.servers.missing]\ncommand = \"/nonexistent/mcp-server\"\n",
        flaky.display()
    );
    let spec = env.script(
        "flaky.json",
        json!([
            {"tool_calls": [{"id": "ok", "name": "mcp__flaky__ok", "input": {}}]},
            {"tool_calls": [{"id": "garbage", "name": "mcp__flaky__garbage", "input": {}}]},
            {"tool_calls": [{"id": "hang", "name": "mcp__flaky__hang", "input": {}}]},
            // A server silent past its timeout is started afresh for the next call.
            {"tool_calls": [{"id": "after-hang", "name": "mcp__flaky__ok", "input": {}}]},
            {"tool_calls": [{"id": "crash", "name": "mcp__flaky__crash", "input": {}}]},
            // Restarted once after the crash.
            {"tool_calls": [{"id": "again", "name": "mcp__flaky__ok", "input": {}}]},
            {"tool_calls": [{"id": "missing", "name": "mcp__missing__anything", "input": {}}]},
            {"tool_calls": [{"name": "write_file", "input": {"path": "notes.md", "content": "still working\n"}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Went on", "deliverables": ["notes.md"]}}]}
        ]),
    );
    let out = configure(&env, &config)
        .args([
            "--json",
            "run",
            "Try the flaky connector",
            "--model",
            &spec,
            "--mode",
            "auto",
            "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);
    assert!(result_text(&events, "ok").contains("ok answered"));
    assert!(
        result_text(&events, "garbage").contains("garbage answered"),
        "{}",
        result_text(&events, "garbage")
    );
    let hang = result_text(&events, "hang");
    assert!(
        hang.contains("MCP server `flaky` did not answer `hang` within 3 s"),
        "{hang}"
    );
    assert!(
        result_text(&events, "after-hang").contains("ok answered"),
        "{}",
        result_text(&events, "after-hang")
    );
    let crash = result_text(&events, "crash");
    assert!(
        crash.contains("MCP server `flaky` stopped during `crash`"),
        "{crash}"
    );
    assert!(
        crash.contains("crashing on purpose"),
        "the server's last words are kept: {crash}"
    );
    assert!(
        result_text(&events, "again").contains("ok answered"),
        "{}",
        result_text(&events, "again")
    );
    let missing = result_text(&events, "missing");
    assert!(missing.contains("mcp__missing__anything"), "{missing}");
    assert_eq!(
        std::fs::read_to_string(folder.join("notes.md")).expect("notes"),
        "still working\n"
    );
}

#[test]
fn servers_are_added_listed_and_removed_keeping_the_config_file() {
    let env = Env::new();
    let config = env.work.path().join("config.toml");
    std::fs::write(&config, "# my settings\nmode = \"ask\"\n").expect("config");
    let run = |args: &[&str]| {
        env.cmd()
            .env("ERRAND_CONFIG", &config)
            .args(args)
            .output()
            .expect("run")
    };
    let everything = bin("mcp-server-everything");
    let out = run(&["mcp", "add", "everything", "--", &everything]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let out = run(&["mcp", "add", "everything", "--", &everything]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("already configured"), "{}", text(&out));
    let out = run(&["mcp", "add", "bad__name", "--", "x"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let out = run(&["mcp", "add", "nowhere"]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    let out = run(&["mcp", "add", "broken", "--", "/nonexistent/mcp-server"]);
    assert_eq!(code(&out), 0, "{}", text(&out));

    let out = run(&["--json", "mcp", "list"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let by_name = |name: &str| {
        listed
            .as_array()
            .and_then(|a| a.iter().find(|s| s["name"] == name))
            .cloned()
            .expect(name)
    };
    let ok = by_name("everything");
    assert_eq!(ok["state"], "connected", "{ok}");
    assert!(
        ok["protocol_version"]
            .as_str()
            .is_some_and(|v| v.starts_with("20")),
        "{ok}"
    );
    assert!(ok["tools"].as_u64() > Some(5), "{ok}");
    assert!(
        ok["resources"].as_u64() > Some(0) && ok["prompts"].as_u64() > Some(0),
        "{ok}"
    );
    let broken = by_name("broken");
    assert_eq!(broken["state"], "failed");
    assert!(
        broken["error"]
            .as_str()
            .is_some_and(|e| e.contains("was not found")),
        "{broken}"
    );

    let out = run(&["--json", "mcp", "tools", "everything"]);
    let tools: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let echo = tools
        .as_array()
        .and_then(|t| t.iter().find(|t| t["tool"] == "echo"))
        .expect("echo");
    assert_eq!(echo["name"], "mcp__everything__echo");
    assert_eq!(echo["effect"], "read");

    let out = run(&["mcp", "remove", "broken"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let kept = std::fs::read_to_string(&config).expect("config");
    assert!(
        kept.starts_with("# my settings\nmode = \"ask\"\n"),
        "{kept}"
    );
    assert!(
        kept.contains("[mcp.servers.everything]") && !kept.contains("broken"),
        "{kept}"
    );
    let out = run(&["mcp", "remove", "broken"]);
    assert_eq!(code(&out), 1, "{}", text(&out));
}
