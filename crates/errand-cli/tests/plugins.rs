//! Plugins in the Claude format, unchanged, from the knowledge-work-plugins snapshot in
//! `../shared/fixtures`: a marketplace added from its folder, every local plugin installed,
//! listed with exactly what its folder holds and validated; other sources listed and refused
//! in words; a git source from a local bare repository, pinned until `update`; skills offered
//! with progressive disclosure through a loopback model server; commands expanded exactly;
//! a plugin agent run as a delegate role with its tool limits.
mod common;

use common::*;
use errand_testkit::wire::{Block, TurnUsage, openai_turn};
use errand_testkit::{ReplayServer, Reply};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/knowledge-work-plugins")
}

/// Writes `files` (path relative to `root`, text) under `root`, making folders as needed.
fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (rel, text) in files {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
    }
}

fn json_out(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

/// Names found by walking the folder, independently of Errand.
fn count_entries(dir: &Path, pick: impl Fn(&Path) -> bool) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| pick(&e.path()))
                .count()
        })
        .unwrap_or(0)
}

fn mcp_server_count(plugin: &Path) -> usize {
    let Ok(text) = std::fs::read_to_string(plugin.join(".mcp.json")) else {
        return 0;
    };
    let value: Value = serde_json::from_str(&text).expect("fixture .mcp.json");
    let servers = value.get("mcpServers").unwrap_or(&value);
    servers.as_object().map_or(0, |m| m.len())
}

fn local_plugins(env: &Env) -> Vec<(String, PathBuf)> {
    let out = env.run(&[
        "--json",
        "plugins",
        "marketplace",
        "list",
        "knowledge-work-plugins",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let market = json_out(&out);
    market["plugins"]
        .as_array()
        .expect("plugins")
        .iter()
        .filter(|p| p["source"]["kind"] == "path")
        .map(|p| {
            let path = p["source"]["path"].as_str().expect("path");
            (
                p["name"].as_str().expect("name").to_string(),
                fixture().join(path),
            )
        })
        .collect()
}

fn install_all_local(env: &Env) -> Vec<(String, PathBuf)> {
    let out = env
        .cmd()
        .args(["plugins", "marketplace", "add"])
        .arg(fixture())
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let local = local_plugins(env);
    for (name, _) in &local {
        let out = env.run(&[
            "plugins",
            "install",
            &format!("{name}@knowledge-work-plugins"),
        ]);
        assert_eq!(code(&out), 0, "installing {name}: {}", text(&out));
    }
    local
}

#[test]
fn the_fixture_marketplace_installs_lists_and_validates() {
    let env = Env::new();
    let out = env
        .cmd()
        .args(["plugins", "marketplace", "add"])
        .arg(fixture())
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let listing = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(listing.contains("(94 plugins)"), "{listing}");
    let market: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture().join(".claude-plugin/marketplace.json")).expect("read"),
    )
    .expect("json");
    let mut remote = 0;
    for plugin in market["plugins"].as_array().expect("plugins") {
        let name = plugin["name"].as_str().expect("name");
        let line = listing
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name} is not listed"));
        if let Some(url) = plugin["source"]["url"].as_str() {
            remote += 1;
            assert!(line.contains(url), "{line}");
        }
    }
    assert_eq!(remote, 72);

    let local = local_plugins(&env);
    assert_eq!(local.len(), 22);
    for (name, _) in &local {
        let out = env.run(&[
            "plugins",
            "install",
            &format!("{name}@knowledge-work-plugins"),
        ]);
        assert_eq!(code(&out), 0, "installing {name}: {}", text(&out));
    }
    let out = env.run(&["--json", "plugins", "list"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let listed = json_out(&out);
    let rows = listed.as_array().expect("rows");
    assert_eq!(rows.len(), 22);
    for (name, source) in &local {
        let row = rows
            .iter()
            .find(|r| r["name"] == name.as_str())
            .expect("listed");
        let skills = count_entries(&source.join("skills"), |p| p.join("SKILL.md").is_file());
        let commands = count_entries(&source.join("commands"), |p| {
            p.extension().is_some_and(|e| e == "md")
        });
        let agents = count_entries(&source.join("agents"), |p| {
            p.extension().is_some_and(|e| e == "md")
        });
        assert_eq!(
            row["skills"].as_array().map(Vec::len),
            Some(skills),
            "{name} skills"
        );
        assert_eq!(
            row["commands"].as_array().map(Vec::len),
            Some(commands),
            "{name} commands"
        );
        assert_eq!(
            row["agents"].as_array().map(Vec::len),
            Some(agents),
            "{name} agents"
        );
        assert_eq!(
            row["hooks"].as_array().map(Vec::len),
            Some(0),
            "{name} hooks"
        );
        assert_eq!(
            row["mcp_servers"].as_array().map(Vec::len),
            Some(mcp_server_count(source)),
            "{name} MCP servers"
        );
        assert!(
            row["pin"]
                .as_str()
                .is_some_and(|p| p.starts_with("sha256:"))
        );
        let out = env
            .cmd()
            .args(["plugins", "validate"])
            .arg(source)
            .output()
            .expect("run");
        assert_eq!(code(&out), 0, "validate {name}: {}", text(&out));
    }
    // A plugin from a url source cannot be fetched here; the message says so.
    let out = env.run(&["plugins", "install", "tavily@knowledge-work-plugins"]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(
        text(&out).contains("cannot fetch https://github.com/tavily-ai/skills.git"),
        "{}",
        text(&out)
    );
}

#[test]
fn validate_names_each_problem_of_a_broken_copy() {
    let env = Env::new();
    let broken = env.dir("brand-voice");
    copy(&fixture().join("partner-built/brand-voice"), &broken);
    let manifest = broken.join(".claude-plugin/plugin.json");
    let mut m: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).expect("read")).expect("json");
    m["name"] = json!("Brand_Voice");
    std::fs::write(&manifest, m.to_string()).expect("write");
    let skill = broken.join("skills/brand-voice-enforcement/SKILL.md");
    let body = std::fs::read_to_string(&skill).expect("read");
    std::fs::write(
        &skill,
        body.replacen("---\n", "---\ndescription: [never closed\n", 1),
    )
    .expect("write");
    std::fs::create_dir_all(broken.join("hooks")).expect("mkdir");
    std::fs::write(
        broken.join("hooks/hooks.json"),
        r#"{"hooks": {"BeforeLunch": [{"hooks": [{"type": "command", "command": "true"}]}]}}"#,
    )
    .expect("write");
    let out = env
        .cmd()
        .args(["plugins", "validate"])
        .arg(&broken)
        .output()
        .expect("run");
    assert_eq!(code(&out), 1, "{}", text(&out));
    let said = text(&out);
    assert!(said.contains("`Brand_Voice` is not kebab-case"), "{said}");
    assert!(
        said.contains("brand-voice-enforcement/SKILL.md: the front matter is not valid YAML"),
        "{said}"
    );
    assert!(said.contains("unknown hook event `BeforeLunch`"), "{said}");
    m.as_object_mut().expect("object").remove("name");
    std::fs::write(&manifest, m.to_string()).expect("write");
    let out = env
        .cmd()
        .args(["plugins", "validate"])
        .arg(&broken)
        .output()
        .expect("run");
    assert_eq!(code(&out), 1);
    assert!(text(&out).contains("`name` is missing"), "{}", text(&out));
    // Installing it is refused with the same problems.
    let out = env
        .cmd()
        .args(["plugins", "install"])
        .arg(&broken)
        .output()
        .expect("run");
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("has problems"), "{}", text(&out));
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .expect("git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_git_source_is_pinned_until_update() {
    let env = Env::new();
    // A repository holding a marketplace whose plugins come from a bare repository.
    let work = env.dir("source");
    git(&work, &["init", "-q", "-b", "main"]);
    copy(&fixture().join("finance"), &work.join("plugins/finance"));
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "finance"]);
    let bare = env.work.path().join("plugins.git");
    let out = Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(&work)
        .arg(&bare)
        .output()
        .expect("clone");
    assert!(out.status.success());
    let first = git(&bare, &["rev-parse", "HEAD"]);
    let url = format!("file://{}", bare.display());
    let market = env.dir("market");
    std::fs::create_dir_all(market.join(".claude-plugin")).expect("mkdir");
    std::fs::write(
        market.join(".claude-plugin/marketplace.json"),
        json!({"name": "team", "owner": {"name": "t"}, "plugins": [
            {"name": "finance", "source": {"source": "git-subdir", "url": url, "path": "plugins/finance", "ref": "main"}}
        ]})
        .to_string(),
    )
    .expect("write");
    let out = env
        .cmd()
        .args(["plugins", "marketplace", "add"])
        .arg(&market)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let out = env.run(&["--json", "plugins", "install", "finance@team"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(json_out(&out)["pin"], format!("git:{first}"));

    // The source moves on; the installed copy does not, until update.
    std::fs::write(
        work.join("plugins/finance/skills/reconciliation/NEW.md"),
        "new\n",
    )
    .expect("write");
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "more"]);
    git(
        &work,
        &["push", "-q", bare.to_str().expect("utf-8"), "main"],
    );
    let second = git(&bare, &["rev-parse", "HEAD"]);
    assert_ne!(first, second);
    let installed = env
        .home
        .path()
        .join("plugins/installed/finance/skills/reconciliation");
    assert!(!installed.join("NEW.md").exists());
    let out = env.run(&["plugins", "update", "finance"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains(&format!("git:{first} -> git:{second}")),
        "{}",
        text(&out)
    );
    assert!(installed.join("NEW.md").exists());
    let out = env.run(&["plugins", "update", "finance"]);
    assert!(text(&out).contains("unchanged"), "{}", text(&out));
}

fn turn(i: usize, name: &str, input: Value) -> Reply {
    Reply::sse(
        &openai_turn(
            &format!("chatcmpl-{i}"),
            &[Block::tool(&format!("call_{i}"), name, &input)],
            TurnUsage::default(),
        ),
        3,
    )
}

fn run_with(
    env: &Env,
    server: &ReplayServer,
    outcome: &str,
    folder: &Path,
) -> std::process::Output {
    env.cmd()
        .env("OPENAI_API_KEY", "sk-proj-plugins-0000000000")
        .env("OPENAI_BASE_URL", format!("{}/v1", server.url))
        .args([
            "--json",
            "run",
            "--model",
            "openai:gpt-4.1",
            "--mode",
            "auto",
            outcome,
            "--folder",
        ])
        .arg(folder)
        .output()
        .expect("run")
}

fn use_skill_description(body: &Value) -> String {
    body["tools"]
        .as_array()
        .and_then(|tools| {
            tools
                .iter()
                .find(|t| t["function"]["name"] == "use_skill")
                .and_then(|t| t["function"]["description"].as_str())
        })
        .unwrap_or_default()
        .to_string()
}

#[test]
fn skills_load_on_demand_with_their_files_and_scripts() {
    let env = Env::new();
    install_all_local(&env);
    let folder = env.dir("books");
    std::fs::write(folder.join("march.csv"), "date,amount\n2026-03-01,120\n").expect("write");
    let installed = env
        .home
        .path()
        .canonicalize()
        .expect("home")
        .join("plugins/installed");
    let reference = installed.join(
        "cowork-plugin-management/skills/create-cowork-plugin/references/component-schemas.md",
    );
    let script =
        installed.join("bio-research/skills/nextflow-development/scripts/check_environment.py");
    let replies = vec![
        turn(
            0,
            "use_skill",
            json!({"name": "finance:reconciliation", "arguments": "march.csv"}),
        ),
        turn(
            1,
            "read_file",
            json!({"path": reference.display().to_string()}),
        ),
        turn(
            2,
            "run_command",
            json!({"command": format!("python3 {} --help", script.display())}),
        ),
        turn(3, "use_skill", json!({"name": "reconciliation"})),
        turn(
            4,
            "finish",
            json!({"summary": "Reconciled March.", "deliverables": []}),
        ),
    ];
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(ReplayServer::start(replies));
    let out = run_with(&env, &server, "Reconcile the March bank statement", &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);
    let requests: Vec<Value> = server.requests().iter().map(|r| r.json()).collect();
    assert_eq!(requests.len(), 5);

    // The first request: the list, within its budget, the relevant skill in it, no body.
    let list = use_skill_description(&requests[0]);
    let list_tokens = list.len() / 4;
    let shown = list.lines().filter(|l| l.starts_with("- ")).count();
    eprintln!(
        "skill list: {list_tokens} tokens (≈ bytes / 4), {shown} of 185 skills shown; whole first request {} tokens",
        requests[0].to_string().len() / 4
    );
    assert!(list_tokens <= 850, "{list_tokens}");
    assert!(list.contains("finance:reconciliation"), "{list}");
    let marker = "GL to Subledger Reconciliation";
    let first = requests[0].to_string();
    assert!(!first.contains(marker));

    // After use_skill the body is in the conversation, once, even when asked for again.
    let loaded = tool_result(&events, "call_0");
    assert_eq!(loaded["is_error"], false, "{loaded}");
    assert!(
        loaded["output"]
            .as_str()
            .is_some_and(|o| o.contains(marker))
    );
    let last = requests[4].to_string();
    assert_eq!(last.matches(marker).count(), 1);
    assert!(
        tool_result(&events, "call_3")["output"]
            .as_str()
            .is_some_and(|o| o.contains("already loaded"))
    );

    // Its reference file reads by full path; a bundled script runs in the sandbox.
    let read = tool_result(&events, "call_1");
    assert_eq!(read["is_error"], false, "{read}");
    assert!(
        read["output"]
            .as_str()
            .is_some_and(|o| o.contains("Component Schemas")),
        "{read}"
    );
    let ran = tool_result(&events, "call_2");
    assert!(
        ran["output"]
            .as_str()
            .is_some_and(|o| o.contains("usage: check_environment.py")),
        "{ran}"
    );
    // Skill folders are read-only.
    let out = env.run(&["--json", "show", &task_id(&out)]);
    assert_eq!(code(&out), 0);
}

#[test]
fn a_command_expands_arguments_and_files_exactly() {
    let env = Env::new();
    let plugin = env.dir("books-plugin");
    write_files(
        &plugin,
        &[
            (".claude-plugin/plugin.json", r#"{"name": "books"}"#),
            (
                "commands/close.md",
                "---\ndescription: Close a month\nargument-hint: <month> <file>\n---\nClose the books for $1.\nAll arguments: $ARGUMENTS\nThe ledger: @$2\nFolder listing: !`ls`\n",
            ),
            (
                "agents/checker.md",
                "---\nname: checker\ndescription: Checks totals\ntools: [Read, Grep]\nmodel: inherit\n---\nCheck every total.\n",
            ),
        ],
    );
    let out = env
        .cmd()
        .args(["plugins", "install"])
        .arg(&plugin)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let folder = env.dir("ledger");
    std::fs::write(folder.join("march.txt"), "rent 1200\nfood 300\n").expect("write");

    let replies = vec![
        turn(
            0,
            "delegate",
            json!({"agents": [{"goal": "Check the totals in march.txt", "role": "books:checker"}]}),
        ),
        Reply::sse(
            &openai_turn(
                "chatcmpl-sub",
                &[Block::text("Totals check out.")],
                TurnUsage::default(),
            ),
            3,
        ),
        turn(2, "read_file", json!({"path": "march.txt"})),
        turn(
            3,
            "finish",
            json!({"summary": "Closed March.", "deliverables": []}),
        ),
    ];
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(ReplayServer::start(replies));
    let out = run_with(&env, &server, "/close March march.txt", &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let requests: Vec<Value> = server.requests().iter().map(|r| r.json()).collect();
    let user = requests[0]["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["role"] == "user"))
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        user,
        "Close the books for March.\nAll arguments: March march.txt\nThe ledger: <file path=\"march.txt\">\nrent 1200\nfood 300\n</file>\nFolder listing: march.txt"
    );
    // The plugin's agent ran as a role, with only its tools (Read, Grep → read_file,
    // search_files) and finish.
    let mut tools: Vec<String> = requests[1]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["function"]["name"].as_str().map(str::to_string))
        .collect();
    tools.sort();
    assert_eq!(tools, vec!["finish", "read_file", "search_files"]);
    assert!(requests[1].to_string().contains("Check every total."));
}

fn hook_plugin(env: &Env) -> PathBuf {
    let plugin = env.dir("guard-plugin");
    write_files(
        &plugin,
        &[
            (".claude-plugin/plugin.json", r#"{"name": "guard"}"#),
            (
                "hooks/guard.sh",
                "input=$(cat)\ncase \"$input\" in *secret*) echo \"no writing secrets\" >&2; exit 2;; esac\necho '{\"hookSpecificOutput\": {\"permissionDecision\": \"allow\"}}'\n",
            ),
            (
                "hooks/stop.sh",
                "input=$(cat)\ncase \"$input\" in *'\"stop_hook_active\":true'*) exit 0;; esac\necho \"read notes.txt back first\" >&2\nexit 2\n",
            ),
            (
                "hooks/hooks.json",
                r#"{"hooks": {
            "PreToolUse": [{"matcher": "Write|Edit", "hooks": [{"type": "command", "command": "sh ${CLAUDE_PLUGIN_ROOT}/hooks/guard.sh", "timeout": 20}]}],
            "Stop": [{"hooks": [{"type": "command", "command": "sh ${CLAUDE_PLUGIN_ROOT}/hooks/stop.sh"}]}],
            "SessionStart": [{"hooks": [{"type": "command", "command": "echo 'House style: British spelling.'"}]}],
            "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "grep -q 'delete everything' && { echo 'not that' >&2; exit 2; }; exit 0"}]}]
        }}"#,
            ),
        ],
    );
    let out = env
        .cmd()
        .args(["plugins", "install"])
        .arg(&plugin)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    plugin
}

#[test]
fn hooks_block_a_write_and_send_an_early_stop_back_but_never_widen_the_policy() {
    let env = Env::new();
    hook_plugin(&env);
    let folder = env.dir("desk");
    let replies = vec![
        turn(
            0,
            "write_file",
            json!({"path": "secret.txt", "content": "password\n"}),
        ),
        turn(
            1,
            "write_file",
            json!({"path": "notes.txt", "content": "ok\n"}),
        ),
        turn(
            2,
            "finish",
            json!({"summary": "Wrote notes.", "deliverables": ["notes.txt"]}),
        ),
        turn(
            3,
            "finish",
            json!({"summary": "Wrote notes.", "deliverables": ["notes.txt"]}),
        ),
    ];
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(ReplayServer::start(replies));
    let out = run_with(&env, &server, "Write notes.txt", &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);
    let blocked = tool_result(&events, "call_0");
    assert_eq!(blocked["is_error"], true);
    assert_eq!(
        blocked["output"],
        "blocked by a hook: no writing secrets (guard)"
    );
    assert!(!folder.join("secret.txt").exists());
    assert!(folder.join("notes.txt").exists());
    let requests: Vec<Value> = server.requests().iter().map(|r| r.json()).collect();
    assert_eq!(requests.len(), 4);
    assert!(requests[1].to_string().contains("no writing secrets"));
    assert!(
        requests[3]
            .to_string()
            .contains("read notes.txt back first")
    );
    // SessionStart's output is context the model sees; UserPromptSubmit may refuse a task.
    assert!(
        requests[0]
            .to_string()
            .contains("House style: British spelling.")
    );
    let out = env
        .cmd()
        .args(["run", "Please delete everything", "--folder"])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("refused this request: not that"),
        "{}",
        text(&out)
    );

    // In ask mode the hook's "allow" does not skip the person: the write waits (exit 3).
    let folder = env.dir("desk2");
    let replies = vec![turn(
        0,
        "write_file",
        json!({"path": "notes.txt", "content": "ok\n"}),
    )];
    let server = rt.block_on(ReplayServer::start(replies));
    let out = env
        .cmd()
        .env("OPENAI_API_KEY", "sk-proj-plugins-0000000000")
        .env("OPENAI_BASE_URL", format!("{}/v1", server.url))
        .args([
            "--json",
            "--no-input",
            "run",
            "--model",
            "openai:gpt-4.1",
            "--mode",
            "ask",
            "Write notes.txt",
            "--folder",
        ])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 3, "{}", text(&out));
    assert!(!folder.join("notes.txt").exists());
}

fn listing(env: &Env, dir: &Path) -> String {
    let out = env
        .cmd()
        .arg("hash-listing")
        .arg(dir)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0);
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn a_saved_recipe_skill_gives_the_same_tree_on_a_fresh_folder() {
    let env = Env::new();
    let (first, second) = (
        env.work.path().join("first"),
        env.work.path().join("second"),
    );
    for dir in [&first, &second] {
        let out = env
            .cmd()
            .args(["demo-folder", "--seed", "11"])
            .arg(dir)
            .output()
            .expect("run");
        assert_eq!(code(&out), 0, "{}", text(&out));
    }
    let out = env
        .cmd()
        .args([
            "--json",
            "run",
            "Organize my downloads by type and date",
            "--mode",
            "auto",
            "--folder",
        ])
        .arg(&first)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let task = task_id(&out);
    let out = env.run(&["skills", "save", &task, "tidy-downloads"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let out = env.run(&["--json", "skills"]);
    assert!(
        text(&out).contains("\"name\":\"tidy-downloads\""),
        "{}",
        text(&out)
    );
    let out = env
        .cmd()
        .args(["run", "/tidy-downloads", "--mode", "auto", "--folder"])
        .arg(&second)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(listing(&env, &first), listing(&env, &second));
    // The built-in recipe, run as a command, does the same.
    let third = env.work.path().join("third");
    let out = env
        .cmd()
        .args(["demo-folder", "--seed", "11"])
        .arg(&third)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0);
    let out = env
        .cmd()
        .args([
            "run",
            "/organize by type and date",
            "--mode",
            "auto",
            "--folder",
        ])
        .arg(&third)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(listing(&env, &first), listing(&env, &third));
    // A name that is taken, or not a name, is refused in words.
    let out = env.run(&["skills", "save", &task, "tidy-downloads"]);
    assert_eq!(code(&out), 2);
    assert!(text(&out).contains("already exists"), "{}", text(&out));
    let out = env.run(&["skills", "save", &task, "Tidy Downloads"]);
    assert_eq!(code(&out), 2);
    assert!(text(&out).contains("not a skill name"), "{}", text(&out));
}

#[test]
fn a_model_drafts_a_skill_from_a_task_and_the_person_reviews_it() {
    let env = Env::new();
    let folder = env.dir("notes");
    std::fs::write(folder.join("notes.txt"), "Ship Friday.\n").expect("write");
    let worker = env.script(
        "worker.json",
        json!([
            {"tool_calls": [{"id": "r", "name": "read_file", "input": {"path": "notes.txt"}}]},
            {"tool_calls": [{"id": "w", "name": "write_file", "input": {"path": "summary.md", "content": "- Ship Friday.\n"}}]},
            {"tool_calls": [{"id": "f", "name": "finish", "input": {"summary": "Summarised.", "deliverables": ["summary.md"]}}]}
        ]),
    );
    let out = env.run_auto("Summarise notes.txt into summary.md", &worker, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let task = task_id(&out);
    let drafter = env.script(
        "drafter.json",
        json!([{"text": "```markdown\n---\nname: summary\ndescription: Summarise a notes file into bullet points in summary.md.\n---\nRead the notes, then write one bullet per decision to summary.md.\n```"}]),
    );
    // Without --yes, and with no terminal to ask on, the draft is shown and not saved.
    let out = env.run(&[
        "skills",
        "save",
        &task,
        "notes-summary",
        "--model",
        &drafter,
    ]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(
        text(&out).contains("one bullet per decision"),
        "{}",
        text(&out)
    );
    let skill = env.work.path().join("skills/notes-summary/SKILL.md");
    assert!(!skill.exists());
    let out = env.run(&[
        "skills",
        "save",
        &task,
        "notes-summary",
        "--model",
        &drafter,
        "--yes",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let saved = std::fs::read_to_string(&skill).expect("saved");
    assert_eq!(
        saved,
        "---\nname: notes-summary\ndescription: \"Summarise a notes file into bullet points in summary.md.\"\n---\nRead the notes, then write one bullet per decision to summary.md.\n"
    );
}

#[test]
fn a_folders_own_skills_and_servers_wait_for_approval() {
    let env = Env::new();
    let folder = env.dir("project");
    let skill = folder.join(".claude/skills/house-style");
    std::fs::create_dir_all(&skill).expect("mkdir");
    std::fs::write(
        skill.join("SKILL.md"),
        "---\nname: house-style\ndescription: The team's writing rules.\n---\nUse British spelling. HOUSE-RULES-MARKER\n",
    )
    .expect("write");
    let server = Path::new(env!("CARGO_MANIFEST_DIR")).join("../errand-mcp/tests/servers/flaky.py");
    std::fs::write(
        folder.join(".mcp.json"),
        json!({"mcpServers": {"helper": {"command": "python3", "args": [server.display().to_string()]}}}).to_string(),
    )
    .expect("write");
    let replies = || {
        vec![
            turn(0, "use_skill", json!({"name": "house-style"})),
            turn(1, "mcp__helper__ok", json!({})),
            turn(2, "finish", json!({"summary": "Done.", "deliverables": []})),
        ]
    };
    let rt = tokio::runtime::Runtime::new().expect("runtime");

    // Not approved: neither is used, and the task says how to approve them.
    let server = rt.block_on(ReplayServer::start(replies()));
    let out = run_with(&env, &server, "Tidy the wording", &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let logged = events(&out);
    assert_eq!(tool_result(&logged, "call_0")["is_error"], true);
    assert_eq!(tool_result(&logged, "call_1")["is_error"], true);
    assert!(
        text(&out).contains("errand plugins trust"),
        "{}",
        text(&out)
    );

    // Approved: the skill loads and the server answers.
    let out = env
        .cmd()
        .args(["plugins", "trust"])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let server = rt.block_on(ReplayServer::start(replies()));
    let out = run_with(&env, &server, "Tidy the wording", &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let logged = events(&out);
    assert!(
        tool_result(&logged, "call_0")["output"]
            .as_str()
            .is_some_and(|o| o.contains("HOUSE-RULES-MARKER"))
    );
    assert_eq!(
        tool_result(&logged, "call_1")["output"]
            .as_str()
            .map(|o| o.contains("ok answered")),
        Some(true)
    );

    // Changed since: approval is needed again.
    std::fs::write(
        skill.join("SKILL.md"),
        "---\nname: house-style\ndescription: Changed.\n---\nNew rules.\n",
    )
    .expect("write");
    let server = rt.block_on(ReplayServer::start(replies()));
    let out = run_with(&env, &server, "Tidy the wording", &folder);
    assert_eq!(tool_result(&events(&out), "call_0")["is_error"], true);
}

#[test]
fn a_skills_allowed_tools_limit_calls_while_it_is_in_use() {
    let env = Env::new();
    let skill = env.work.path().join("skills/read-only-review");
    std::fs::create_dir_all(&skill).expect("mkdir");
    std::fs::write(
        skill.join("SKILL.md"),
        "---\nname: read-only-review\ndescription: Review files without changing them.\nallowed-tools: Read, Grep\n---\nRead and report.\n",
    )
    .expect("write");
    let folder = env.dir("docs");
    std::fs::write(folder.join("a.txt"), "alpha\n").expect("write");
    let replies = vec![
        turn(
            0,
            "write_file",
            json!({"path": "before.txt", "content": "fine\n"}),
        ),
        turn(1, "use_skill", json!({"name": "read-only-review"})),
        turn(
            2,
            "write_file",
            json!({"path": "after.txt", "content": "no\n"}),
        ),
        turn(3, "read_file", json!({"path": "a.txt"})),
        turn(
            4,
            "finish",
            json!({"summary": "Reviewed.", "deliverables": []}),
        ),
    ];
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(ReplayServer::start(replies));
    let out = run_with(&env, &server, "Review a.txt", &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let logged = events(&out);
    assert_eq!(tool_result(&logged, "call_0")["is_error"], false);
    let blocked = tool_result(&logged, "call_2");
    assert_eq!(blocked["is_error"], true);
    assert!(
        blocked["output"].as_str().is_some_and(|o| o.contains("allows only these tools while it is in use: ask_user, finish, load_tools, read_file, search_files, update_plan, use_skill")),
        "{blocked}"
    );
    assert!(!folder.join("after.txt").exists());
    assert_eq!(tool_result(&logged, "call_3")["is_error"], false);
}

#[test]
fn a_skills_evals_run_through_the_eval_runner_and_can_fail() {
    let env = Env::new();
    let skill = env.work.path().join("skills/bullet-summary");
    std::fs::create_dir_all(skill.join("evals/files")).expect("mkdir");
    std::fs::write(
        skill.join("SKILL.md"),
        "---\nname: bullet-summary\ndescription: Summarise notes as bullets in summary.md.\n---\nWrite one bullet per decision.\n",
    )
    .expect("write");
    std::fs::write(skill.join("evals/files/notes.txt"), "Ship Friday.\n").expect("write");
    std::fs::write(
        skill.join("evals/evals.json"),
        json!({"skill_name": "bullet-summary", "evals": [
            {"id": 1, "prompt": "Summarise notes.txt into summary.md", "files": ["evals/files/notes.txt"],
             "expectations": ["summary.md has one bullet per decision"]}
        ]})
        .to_string(),
    )
    .expect("write");
    let good = env.script(
        "good.json",
        json!([
            {"tool_calls": [{"id": "s", "name": "use_skill", "input": {"name": "bullet-summary"}}]},
            {"tool_calls": [{"id": "r", "name": "read_file", "input": {"path": "notes.txt"}}]},
            {"tool_calls": [{"id": "w", "name": "write_file", "input": {"path": "summary.md", "content": "- Ship Friday.\n"}}]},
            {"tool_calls": [{"id": "f", "name": "finish", "input": {"summary": "Done.", "deliverables": ["summary.md"]}}]}
        ]),
    );
    let out = env.run(&["skills", "test", "bullet-summary", "--model", &good]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(text(&out).contains("bullet-summary#1"), "{}", text(&out));
    assert!(
        text(&out).contains("summary.md has one bullet per decision"),
        "{}",
        text(&out)
    );
    // A model that never uses the skill fails the eval.
    let ignores = env.script(
        "ignores.json",
        json!([
            {"tool_calls": [{"id": "r", "name": "read_file", "input": {"path": "notes.txt"}}]},
            {"tool_calls": [{"id": "w", "name": "write_file", "input": {"path": "summary.md", "content": "- Ship Friday.\n"}}]},
            {"tool_calls": [{"id": "f", "name": "finish", "input": {"summary": "Done.", "deliverables": ["summary.md"]}}]}
        ]),
    );
    let out = env.run(&["skills", "test", "bullet-summary", "--model", &ignores]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(
        text(&out).contains("never used the skill"),
        "{}",
        text(&out)
    );
}
