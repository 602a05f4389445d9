//! Plugins in the Claude format, unchanged, from the knowledge-work-plugins snapshot in
//! `../shared/fixtures`: a marketplace added from its folder, every local plugin installed,
//! listed with exactly what its folder holds and validated; other sources listed and refused
//! in words; a git source from a local bare repository, pinned until `update`; a granted
//! folder's own skills and servers used only once approved.
mod common;

use common::plugins::*;
use common::*;
use errand_testkit::ReplayServer;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

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
