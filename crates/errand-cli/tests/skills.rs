//! Skills, commands, hooks and the skill creator, with plugins in the Claude format: skills
//! offered with progressive disclosure through a loopback model server, a command expanded
//! exactly, a plugin agent run as a delegate role with its tool limits, hooks that block and
//! send back, a saved skill that reruns the same, a skill's allowed-tools, and its evals.
mod common;

use common::plugins::*;
use common::*;
use errand_testkit::wire::{Block, TurnUsage, openai_turn};
use errand_testkit::{ReplayServer, Reply};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

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
            "write_file",
            json!({"path": reference.display().to_string(), "content": "changed"}),
        ),
        turn(
            5,
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
    assert_eq!(requests.len(), 6);

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
    let last = requests[5].to_string();
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
    // Skill folders are read-only: the write is refused and the file is unchanged.
    let write = tool_result(&events, "call_4");
    assert_eq!(write["is_error"], true, "{write}");
    let kept = std::fs::read_to_string(&reference).expect("reference");
    assert!(kept.contains("Component Schemas"));
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

#[test]
fn a_plugins_own_mcp_server_is_a_connector_in_its_tasks() {
    let env = Env::new();
    let plugin = env.dir("helper-plugin");
    let server = Path::new(env!("CARGO_MANIFEST_DIR")).join("../errand-mcp/tests/servers/flaky.py");
    write_files(
        &plugin,
        &[
            (".claude-plugin/plugin.json", r#"{"name": "helper-kit"}"#),
            (
                ".mcp.json",
                r#"{"mcpServers": {"flaky": {"command": "python3", "args": ["${CLAUDE_PLUGIN_ROOT}/server.py"]}}}"#,
            ),
        ],
    );
    std::fs::copy(&server, plugin.join("server.py")).expect("copy");
    let out = env
        .cmd()
        .args(["plugins", "install"])
        .arg(&plugin)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let folder = env.dir("work");
    let replies = vec![
        turn(0, "mcp__helper-kit-flaky__ok", json!({})),
        turn(
            1,
            "finish",
            json!({"summary": "Asked the plugin's server.", "deliverables": []}),
        ),
    ];
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let server = rt.block_on(ReplayServer::start(replies));
    let out = run_with(&env, &server, "Ask the helper", &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let answered = tool_result(&events(&out), "call_0")["output"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(answered.contains("ok answered"), "{answered}");
    // Turned off, its server is gone from tasks too.
    assert_eq!(code(&env.run(&["plugins", "disable", "helper-kit"])), 0);
    let replies = vec![
        turn(0, "mcp__helper-kit-flaky__ok", json!({})),
        turn(
            1,
            "finish",
            json!({"summary": "Tried.", "deliverables": []}),
        ),
    ];
    let server = rt.block_on(ReplayServer::start(replies));
    let out = run_with(&env, &server, "Ask the helper", &folder);
    assert_eq!(tool_result(&events(&out), "call_0")["is_error"], true);
}
