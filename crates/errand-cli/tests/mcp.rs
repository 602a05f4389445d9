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

/// Asserts that the result of call `id` contains `text`.
fn says(events: &[serde_json::Value], id: &str, text: &str) {
    let result = result_text(events, id);
    assert!(result.contains(text), "{id}: {result}");
}

/// `errand --json run OUTCOME --model SPEC --mode auto --folder FOLDER` with this config.
fn run_auto(
    env: &Env,
    config: &str,
    outcome: &str,
    spec: &str,
    folder: &std::path::Path,
) -> std::process::Output {
    configure(env, config)
        .args([
            "--json", "run", outcome, "--model", spec, "--mode", "auto", "--folder",
        ])
        .arg(folder)
        .output()
        .expect("run")
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
            {"tool_calls": [{"id": "resources", "name": "mcp_list_resources", "input": {"server": "everything"}}]},
            {"tool_calls": [{"id": "resource", "name": "mcp_read_resource", "input": {"server": "everything", "uri": "demo://resource/static/document/architecture.md"}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Used the connectors"}}]}
        ]),
    );
    let out = run_auto(&env, &config, "Use my connectors", &spec, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);
    says(&events, "echo", "hi from errand");
    says(&events, "echo", "from the MCP server everything (data");
    says(&events, "sum", "42");
    says(&events, "image", "[image 1: ");
    says(&events, "recall", "owns the Q3 report");
    let architecture = "demo://resource/static/document/architecture.md";
    says(&events, "resources", architecture);
    says(&events, "resource", &format!("[resource {architecture}]"));
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
    let out = run_auto(&env, &config, "Try the flaky connector", &spec, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);
    says(&events, "ok", "ok answered");
    says(&events, "garbage", "garbage answered");
    says(
        &events,
        "hang",
        "MCP server `flaky` did not answer `hang` within 3 s",
    );
    says(&events, "after-hang", "ok answered");
    says(
        &events,
        "crash",
        "MCP server `flaky` stopped during `crash`",
    );
    // The server's last words on stderr are kept.
    says(&events, "crash", "crashing on purpose");
    says(&events, "again", "ok answered");
    says(&events, "missing", "mcp__missing__anything");
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
    assert!(
        text(&out).contains("--sandbox"),
        "an unconfined server gets the hint: {}",
        text(&out)
    );
    let flaky = servers().join("flaky.py").display().to_string();
    let out = run(&[
        "mcp",
        "add",
        "safe",
        "--sandbox",
        "--no-network",
        "--",
        "python3",
        &flaky,
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(!text(&out).contains("--sandbox"), "{}", text(&out));
    let kept = std::fs::read_to_string(&config).expect("config");
    assert!(
        kept.contains("[mcp.servers.safe]\ncommand = \"python3\"")
            && kept.contains("sandbox = true\nnetwork = false"),
        "{kept}"
    );
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
    assert_eq!(
        by_name("safe")["state"],
        "connected",
        "a sandboxed server starts: {listed}"
    );
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

#[test]
fn the_python_sdk_starts_follows_and_undoes_a_task_through_errand_mcp_serve() {
    let ready = std::process::Command::new("python3")
        .args(["-c", "import mcp"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ready,
        "the MCP Python SDK is missing: pip install mcp==2.3.0 (or run .ci/run)"
    );
    let env = Env::new();
    let home = env.dir("home");
    let folder = home.join("Downloads");
    let made = env
        .cmd()
        .args(["demo-folder", "--files", "40"])
        .arg(&folder)
        .output()
        .expect("demo folder");
    assert_eq!(code(&made), 0, "{}", text(&made));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp_client.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&home)
        .arg(&folder)
        .env("ERRAND_BIN", env!("CARGO_BIN_EXE_errand"))
        .output()
        .expect("python");
    assert!(out.status.success(), "{}", text(&out));
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON line");
    let tools: Vec<&str> = seen["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert_eq!(
        tools,
        [
            "answer",
            "approve",
            "cancel",
            "deny",
            "get_task",
            "list_tasks",
            "say",
            "start_task",
            "undo"
        ]
    );
    assert_eq!(seen["state"], "done");
    assert!(seen["progress_events"].as_u64() > Some(0), "{seen}");
    assert!(
        seen["outside_roots"]
            .as_str()
            .is_some_and(|t| !t.is_empty()),
        "{seen}"
    );
    assert!(seen["restored_files"].as_u64() == Some(40), "{seen}");
}

/// server-everything in its streamable HTTP mode, on a free loopback port; killed on drop.
struct HttpServer {
    child: std::process::Child,
    url: String,
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn everything_over_http() -> HttpServer {
    use std::io::BufRead;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut child = std::process::Command::new(bin("mcp-server-everything"))
        .arg("streamableHttp")
        .env("PORT", port.to_string())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start server-everything");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = std::io::BufReader::new(stderr).lines();
    let listening = lines
        .by_ref()
        .take(50)
        .map_while(Result::ok)
        .any(|l| l.contains("listening"));
    // Keep draining its log so it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    let server = HttpServer {
        child,
        url: format!("http://127.0.0.1:{port}/mcp"),
    };
    assert!(
        listening,
        "server-everything did not start its HTTP transport"
    );
    server
}

#[test]
fn a_server_reached_by_url_works_like_a_local_one() {
    let env = Env::new();
    let folder = env.dir("work");
    let server = everything_over_http();
    let config = format!(
        "[mcp.servers.remote]\nurl = \"{}\"\nheaders = {{ X-Errand-Test = \"${{ERRAND_TEST_HEADER}}\" }}\n",
        server.url
    );
    let spec = env.script(
        "http.json",
        json!([
            {"tool_calls": [{"id": "echo", "name": "mcp__remote__echo", "input": {"message": "over http"}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Echoed over HTTP"}}]}
        ]),
    );
    let out = configure(&env, &config)
        .env("ERRAND_TEST_HEADER", "yes")
        .args([
            "--json",
            "run",
            "Echo remotely",
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
    let echo = result_text(&events(&out), "echo");
    assert!(echo.contains("Echo: over http"), "{echo}");

    let out = configure(&env, &config)
        .args(["--json", "mcp", "list"])
        .output()
        .expect("list");
    let listed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(listed[0]["state"], "connected", "{listed}");
    assert_eq!(listed[0]["transport"], "http", "{listed}");
}

#[test]
fn a_servers_prompt_is_a_slash_command() {
    let env = Env::new();
    let folder = env.dir("work");
    let config = format!(
        "[mcp.servers.everything]\ncommand = \"{}\"\n",
        bin("mcp-server-everything")
    );
    let spec = env.script(
        "prompt.json",
        json!([{"tool_calls": [{"name": "finish", "input": {"summary": "Answered"}}]}]),
    );
    let out = run_auto(
        &env,
        &config,
        "/mcp__everything__args-prompt Lisbon Portugal",
        &spec,
        &folder,
    );
    assert_eq!(code(&out), 0, "{}", text(&out));
    let created = events(&out)
        .into_iter()
        .find(|e| e["type"] == "task_created")
        .expect("task_created");
    let outcome = created["outcome"].as_str().unwrap_or_default().to_string();
    assert!(
        outcome.contains("Lisbon") && outcome.contains("Portugal"),
        "{created}"
    );
    assert!(!outcome.starts_with("/mcp__"), "{outcome}");

    // A required argument missing, or a prompt the server does not have: usage errors.
    for (command, says) in [
        ("/mcp__everything__args-prompt", "needs city"),
        ("/mcp__everything__no-such-prompt", "args-prompt"),
    ] {
        let out = configure(&env, &config)
            .args([
                "run", command, "--model", &spec, "--mode", "auto", "--folder",
            ])
            .arg(&folder)
            .output()
            .expect("run");
        assert_eq!(code(&out), 2, "{}", text(&out));
        assert!(text(&out).contains(says), "{}", text(&out));
    }
}

#[test]
fn a_sandboxed_server_reaches_the_tasks_folder_and_nothing_beside_it() {
    let env = Env::new();
    let outer = env.dir("outer");
    let folder = outer.join("task");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(folder.join("inside.txt"), "inside the grant\n").expect("inside");
    std::fs::write(outer.join("canary.txt"), "SECRET-CANARY\n").expect("canary");
    // `naive` reads and writes any path it is told; `files` is the filesystem server told
    // (by its arguments, with roots off) that it may use all of `outer`. Only Errand's
    // sandbox keeps either to the task's folder.
    let config = format!(
        "[mcp.servers.naive]\ncommand = \"python3\"\nargs = [\"{}\"]\nsandbox = true\nnetwork = false\n\n\
         [mcp.servers.files]\ncommand = \"{}\"\nargs = [\"{}\"]\nsandbox = true\nroots = false\n",
        servers().join("flaky.py").display(),
        bin("mcp-server-filesystem"),
        outer.display()
    );
    let call = |id: &str, tool: &str, input: serde_json::Value| json!({"tool_calls": [{"id": id, "name": tool, "input": input}]});
    let spec = env.script(
        "confined.json",
        json!([
            call("inside", "mcp__naive__read", json!({"path": folder.join("inside.txt")})),
            call("canary", "mcp__naive__read", json!({"path": outer.join("canary.txt")})),
            call("secrets", "mcp__naive__read", json!({"path": env.home.path().join("errand.db")})),
            call("write", "mcp__naive__write", json!({"path": folder.join("made.txt"), "content": "made by the server\n"})),
            call("escape", "mcp__naive__write", json!({"path": outer.join("escaped.txt"), "content": "x"})),
            call("fs-inside", "mcp__files__read_text_file", json!({"path": folder.join("inside.txt")})),
            call("fs-canary", "mcp__files__read_text_file", json!({"path": outer.join("canary.txt")})),
            {"tool_calls": [{"name": "finish", "input": {"summary": "Tried"}}]}
        ]),
    );
    let out = run_auto(&env, &config, "Use the servers", &spec, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);
    let ok = |id: &str, says: &str| {
        let result = result_text(&events, id);
        assert!(result.contains(says), "{id}: {result}");
        assert_eq!(
            tool_result(&events, id)["is_error"],
            false,
            "{id}: {result}"
        );
    };
    let refused = |id: &str| {
        let result = result_text(&events, id);
        assert!(
            !result.contains("SECRET-CANARY") && !result.contains("SQLite"),
            "{id} leaked: {result}"
        );
        assert_eq!(tool_result(&events, id)["is_error"], true, "{id}: {result}");
        assert!(
            result.contains("Permission denied") || result.contains("EACCES"),
            "{id}: {result}"
        );
    };
    ok("inside", "inside the grant");
    refused("canary");
    refused("secrets");
    ok("write", "written");
    refused("escape");
    ok("fs-inside", "inside the grant");
    refused("fs-canary");
    assert_eq!(
        std::fs::read_to_string(folder.join("made.txt")).expect("made"),
        "made by the server\n"
    );
    assert!(
        !outer.join("escaped.txt").exists(),
        "the server wrote outside the task's folder"
    );
}

#[test]
fn a_call_cut_by_kill_9_is_not_repeated_and_the_model_is_told() {
    use std::io::BufRead;
    let env = Env::new();
    let folder = env.dir("work");
    let log = env.work.path().join("appended.txt");
    let config = format!(
        "[mcp.servers.flaky]\ncommand = \"python3\"\nargs = [\"{}\"]\n",
        servers().join("flaky.py").display()
    );
    let spec = env.script(
        "durable.json",
        json!([
            {"tool_calls": [{"id": "slow", "name": "mcp__flaky__slow_append", "input": {"path": log, "seconds": 1.5}}]},
            {"expect_tool_result_contains": "interrupted; effect unknown",
             "tool_calls": [{"name": "finish", "input": {"summary": "Stopped"}}]}
        ]),
    );
    let mut run = configure(&env, &config)
        .args([
            "--json",
            "run",
            "Append slowly",
            "--model",
            &spec,
            "--mode",
            "auto",
            "--folder",
        ])
        .arg(&folder)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run");
    let mut task = String::new();
    for line in std::io::BufReader::new(run.stdout.take().expect("stdout")).lines() {
        let event: serde_json::Value =
            serde_json::from_str(&line.expect("line")).unwrap_or_default();
        if event["type"] == "task_created" {
            task = event["task_id"].as_str().unwrap_or_default().to_string();
        }
        if event["type"] == "tool_started" && event["call_id"] == "slow" {
            break;
        }
    }
    // Killed mid-call: nobody hears back from the server.
    let _ = run.kill();
    let _ = run.wait();
    std::thread::sleep(std::time::Duration::from_secs(3));
    let out = configure(&env, &config)
        .args(["--json", "resume", &task])
        .output()
        .expect("resume");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let result = result_text(&events(&out), "slow");
    assert!(result.contains("interrupted; effect unknown"), "{result}");
    // Whether the first call acted depends on whether its server outlived Errand: it may
    // have appended once, never twice.
    let appended = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        appended.lines().count() <= 1,
        "the call was made again: {appended:?}"
    );
}

/// `errand show TASK --json` once the task is in `state`, or after 30 s, whatever it shows.
fn shown_once(env: &Env, config: &str, task: &str, state: &str) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let now = shown(env, config, task);
        if now["task"]["state"] == state || std::time::Instant::now() >= deadline {
            return now;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// `errand show TASK --json`, parsed.
fn shown(env: &Env, config: &str, task: &str) -> serde_json::Value {
    let out = configure(env, config)
        .args(["--json", "show", task])
        .output()
        .expect("show");
    serde_json::from_slice(&out.stdout).unwrap_or_default()
}

#[test]
fn a_servers_question_reaches_the_person_and_their_answer_goes_back() {
    let env = Env::new();
    let folder = env.dir("work");
    let config = format!(
        "[mcp.servers.flaky]\ncommand = \"python3\"\nargs = [\"{}\"]\ntimeout_s = 2\n",
        servers().join("flaky.py").display()
    );
    let spec = env.script(
        "ask.json",
        json!([
            {"tool_calls": [{"id": "ask", "name": "mcp__flaky__ask", "input": {}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Asked"}}]}
        ]),
    );
    // Nobody to ask (a script): the server is told the person declined.
    let out = configure(&env, &config)
        .args([
            "--json",
            "--no-input",
            "run",
            "Ask me",
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
    says(&events(&out), "ask", "decline");

    // A run that waits in place: the question is the task's, answered with `errand answer`.
    let out = configure(&env, &config)
        .args([
            "run",
            "Ask me again",
            "--model",
            &spec,
            "--mode",
            "auto",
            "--detach",
            "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run --detach");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let task = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .find(|w| w.len() > 8 && w.chars().all(|c| c.is_ascii_alphanumeric()))
        .expect("a task id")
        .to_string();
    let waiting = shown_once(&env, &config, &task, "waiting");
    if waiting["task"]["state"] != "waiting" {
        let log = configure(&env, &config)
            .args(["--json", "watch", &task])
            .output()
            .expect("watch");
        panic!("not waiting: {waiting}\n{}", text(&log));
    }
    assert!(
        waiting
            .to_string()
            .contains("Which city is the offsite in?"),
        "{waiting}"
    );
    // Longer than the server's 2 s timeout: the time the person takes does not count.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let out = configure(&env, &config)
        .args(["answer", &task, "Lisbon"])
        .output()
        .expect("answer");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let done = shown_once(&env, &config, &task, "done");
    assert_eq!(done["task"]["state"], "done", "{done}");
    let log = configure(&env, &config)
        .args(["--json", "watch", &task])
        .output()
        .expect("watch");
    says(&events(&log), "ask", "accept: {\"city\": \"Lisbon\"}");
}

#[test]
fn a_long_result_is_clipped_and_read_on_from_where_it_stopped() {
    use sha2::Digest;
    let env = Env::new();
    let folder = env.dir("work");
    let config = format!(
        "[mcp.servers.flaky]\ncommand = \"python3\"\nargs = [\"{}\"]\n",
        servers().join("flaky.py").display()
    );
    let full: String = (0..5000).map(|i| format!("line {i:05}\n")).collect();
    let id = hex::encode(sha2::Sha256::digest(full.as_bytes()));
    let spec = env.script(
        "big.json",
        json!([
            {"tool_calls": [{"id": "big", "name": "mcp__flaky__big", "input": {}}]},
            {"tool_calls": [{"id": "page2", "name": "mcp_read_result", "input": {"id": id, "offset": 20000}}]},
            {"tool_calls": [{"id": "page3", "name": "mcp_read_result", "input": {"id": id, "offset": 40000}}]},
            {"tool_calls": [{"id": "past", "name": "mcp_read_result", "input": {"id": id, "offset": 90000}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Read it all"}}]}
        ]),
    );
    let out = run_auto(&env, &config, "Read the long answer", &spec, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);
    says(&events, "big", "line 01817\nli");
    says(
        &events,
        "big",
        &format!(
            "35000 more characters. Read on with mcp_read_result {{\"id\": \"{id}\", \"offset\": 20000}}"
        ),
    );
    assert!(
        !result_text(&events, "big").contains("line 01819"),
        "page 1 stops at 20,000 characters"
    );
    says(&events, "page2", "Characters 20000… of 55000");
    says(&events, "page2", "line 01819\n");
    says(&events, "page2", "\"offset\": 40000}");
    says(&events, "page3", "line 04999\n");
    assert!(
        !result_text(&events, "page3").contains("Read on"),
        "{}",
        result_text(&events, "page3")
    );
    says(&events, "past", "past its end");
}

#[test]
fn cancelling_a_task_cancels_its_call_in_flight() {
    let env = Env::new();
    let folder = env.dir("work");
    let config = format!(
        "[mcp.servers.flaky]\ncommand = \"python3\"\nargs = [\"{}\"]\ntimeout_s = 120\n",
        servers().join("flaky.py").display()
    );
    let spec = env.script(
        "hang.json",
        json!([
            {"tool_calls": [{"id": "hang", "name": "mcp__flaky__hang", "input": {}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "never"}}]}
        ]),
    );
    let out = configure(&env, &config)
        .args([
            "run", "Hang", "--model", &spec, "--mode", "auto", "--detach", "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run --detach");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let task = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    // Once the call is in flight, cancel the task.
    shown_once(&env, &config, &task, "running");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let out = configure(&env, &config)
        .args(["cancel", &task])
        .output()
        .expect("cancel");
    assert_eq!(code(&out), 4, "{}", text(&out));
    let cancelled_at = std::time::Instant::now();
    let mut result = String::new();
    while cancelled_at.elapsed() < std::time::Duration::from_secs(20) {
        let log = configure(&env, &config)
            .args(["--json", "watch", &task])
            .output()
            .expect("watch");
        let events = events(&log);
        if events
            .iter()
            .any(|e| e["type"] == "tool_finished" && e["call_id"] == "hang")
        {
            result = result_text(&events, "hang");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(
        result.contains("hang on the MCP server flaky was cancelled: the task was cancelled"),
        "{result:?}"
    );
    assert!(
        cancelled_at.elapsed() < std::time::Duration::from_secs(20),
        "the call outlived the task by its timeout"
    );
}

#[test]
fn a_sandboxed_server_reaches_only_the_hosts_it_is_allowed() {
    let env = Env::new();
    let folder = env.dir("task");
    // A web server on this machine: allowed by name, while anything else is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let body = "hello from the allowed host";
            let _ = std::io::Write::write_all(
                &mut stream,
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    let config = format!(
        "[mcp.servers.web]\ncommand = \"python3\"\nargs = [\"{}\"]\nsandbox = true\nallow_hosts = [\"127.0.0.1\"]\n",
        servers().join("flaky.py").display()
    );
    let call = |id: &str, url: String| json!({"tool_calls": [{"id": id, "name": "mcp__web__fetch", "input": {"url": url}}]});
    let spec = env.script(
        "web.json",
        json!([
            call("allowed", format!("http://127.0.0.1:{port}/")),
            call("other", "http://example.com/".to_string()),
            {"tool_calls": [{"name": "finish", "input": {"summary": "Fetched"}}]}
        ]),
    );
    let out = run_auto(&env, &config, "Fetch the pages", &spec, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);
    assert!(
        result_text(&events, "allowed").contains("hello from the allowed host"),
        "{}",
        result_text(&events, "allowed")
    );
    let other = result_text(&events, "other");
    assert_eq!(tool_result(&events, "other")["is_error"], true, "{other}");
    assert!(other.contains("403"), "{other}");
    // The CLI writes the allowlist, and refuses one that contradicts itself.
    let out = env.run(&[
        "mcp",
        "add",
        "api",
        "--sandbox",
        "--allow-host",
        "api.example.com",
        "--",
        "python3",
        "x.py",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let written =
        std::fs::read_to_string(env.work.path().join("no-config.toml")).unwrap_or_default();
    assert!(
        written.contains("allow_hosts = [\"api.example.com\"]"),
        "{written}"
    );
    let out = env.run(&[
        "mcp",
        "add",
        "bad",
        "--sandbox",
        "--allow-host",
        "a.com",
        "--no-network",
        "--",
        "python3",
        "x.py",
    ]);
    assert_eq!(code(&out), 2, "{}", text(&out));
}

#[test]
fn a_client_registered_in_advance_is_kept_with_its_secret_as_a_variable() {
    let env = Env::new();
    let config = env.work.path().join("config.toml");
    let run = |args: &[&str]| {
        env.cmd()
            .env("ERRAND_CONFIG", &config)
            .args(args)
            .output()
            .expect("run")
    };
    let out = run(&[
        "mcp",
        "add",
        "tracker",
        "--url",
        "https://mcp.example.com/mcp",
        "--client-id",
        "errand-app",
        "--client-secret",
        "${TRACKER_SECRET}",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let kept = std::fs::read_to_string(&config).expect("config");
    assert!(
        kept.contains("oauth_client_id = \"errand-app\"")
            && kept.contains("oauth_client_secret = \"${TRACKER_SECRET}\""),
        "{kept}"
    );
    // A secret without its client, or a client for a command server, is refused.
    let out = run(&[
        "mcp",
        "add",
        "x",
        "--url",
        "https://a.example/mcp",
        "--client-secret",
        "s",
    ]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    std::fs::write(
        &config,
        "[mcp.servers.local]\ncommand = \"true\"\noauth_client_id = \"a\"\n",
    )
    .expect("config");
    let out = run(&["mcp", "list"]);
    assert_ne!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains("servers reached by `url`"),
        "{}",
        text(&out)
    );
}
