//! `run_command` from a task: real work runs in the sandbox, its file changes are journaled,
//! and `errand undo` reverses them.
mod common;

use common::*;
use serde_json::json;

fn command(id: &str, command: &str) -> serde_json::Value {
    json!({"id": id, "name": "run_command", "input": {"command": command}})
}

#[test]
fn a_command_that_deletes_and_rewrites_files_is_undone() {
    let env = Env::new();
    let folder = env.dir("books");
    std::fs::write(folder.join("ledger.csv"), "month,total\njan,10\nfeb,20\n").expect("csv");
    std::fs::write(folder.join("draft.txt"), "an old draft\n").expect("draft");
    std::fs::create_dir_all(folder.join("old")).expect("old");
    std::fs::write(folder.join("old/notes.md"), "keep me\n").expect("notes");
    let before = tree(&folder);
    let script = env.script(
        "cmd.json",
        json!([
            {"tool_calls": [command(
                "c1",
                "rm -r draft.txt old && echo 'month,total\\njan,11' > ledger.csv && mkdir -p out && echo done > out/log.txt"
            )]},
            {"expect_tool_result_contains": "changes (journaled, undoable)",
             "tool_calls": [{"id": "f", "name": "finish", "input": {"summary": "rewrote the ledger"}}]}
        ]),
    );
    // Deleting through a command needs the person's own yes, as trash_path does.
    let out = env
        .cmd()
        .args(["--json", "run", "tidy the books", "--model", &script])
        .args(["--mode", "ask", "--folder"])
        .arg(&folder)
        .output()
        .expect("run");
    assert_eq!(code(&out), 3, "{}", text(&out));
    assert_eq!(tree(&folder), before, "nothing runs before the yes");
    let approved = env.run(&["--json", "approve", &task_id(&out)]);
    assert_eq!(code(&approved), 0, "{}", text(&approved));
    let all = events(&approved);
    let result = tool_result(&all, "c1");
    assert_eq!(result["is_error"], false, "{result}");
    assert!(!folder.join("draft.txt").exists());
    assert!(!folder.join("old").exists());
    assert_eq!(
        std::fs::read_to_string(folder.join("ledger.csv")).expect("ledger"),
        "month,total\njan,11\n"
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("out/log.txt")).expect("log"),
        "done\n"
    );
    let undo = env.run(&["undo", &task_id(&out)]);
    assert_eq!(code(&undo), 0, "{}", text(&undo));
    assert_eq!(
        tree(&folder),
        before,
        "every file back, same bytes and times"
    );
    assert!(!folder.join("out").exists());
}

/// In auto mode nobody said yes to the command itself: what it made lands, but what it
/// deleted or replaced of the person's files does not, and the model is told how to ask.
#[test]
fn an_unapproved_command_cannot_delete_or_replace_the_persons_files() {
    let env = Env::new();
    let folder = env.dir("books");
    std::fs::write(folder.join("ledger.csv"), "month,total\njan,10\n").expect("csv");
    std::fs::write(folder.join("draft.txt"), "an old draft\n").expect("draft");
    let script = env.script(
        "cmd.json",
        json!([
            {"tool_calls": [command(
                "c1",
                "rm draft.txt && echo wiped > ledger.csv && echo new > made.txt && echo again > made.txt"
            )]},
            {"tool_calls": [{"id": "f", "name": "finish", "input": {"summary": "tidied"}}]}
        ]),
    );
    let out = env.run_auto("tidy the books", &script, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let said = tool_result(&events(&out), "c1")["output"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(folder.join("draft.txt").exists(), "{said}");
    assert_eq!(
        std::fs::read_to_string(folder.join("ledger.csv")).expect("ledger"),
        "month,total\njan,10\n"
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("made.txt")).expect("made"),
        "again\n"
    );
    assert!(
        said.contains("not carried over: draft.txt (deleting needs the person's approval; use trash_path, which asks)"),
        "{said}"
    );
    assert!(
        said.contains("not carried over: ledger.csv (replacing a file the task did not make needs the person's approval"),
        "{said}"
    );
}

#[test]
fn python_unzip_and_git_run_inside() {
    let env = Env::new();
    let folder = env.dir("work");
    std::fs::write(
        folder.join("sales.csv"),
        "region,amount\nnorth,120\nsouth,80\n",
    )
    .expect("csv");
    let zip = std::process::Command::new("sh")
        .arg("-c")
        .arg("mkdir -p /tmp/errand-zip-src && cd /tmp/errand-zip-src && echo hi > inside.txt && zip -q \"$0\" inside.txt")
        .arg(folder.join("bundle.zip"))
        .status()
        .expect("zip");
    assert!(zip.success());
    let repo = folder.join("repo");
    std::fs::create_dir_all(&repo).expect("repo");
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(&repo)
        .status()
        .expect("git init");
    assert!(git.success());
    std::fs::write(repo.join("a.txt"), "x\n").expect("a");
    let chart = "import csv\nrows=list(csv.DictReader(open('sales.csv')))\nbars=''.join(f'<rect x=\"{i*60}\" y=\"{200-int(r[\"amount\"])}\" width=\"50\" height=\"{r[\"amount\"]}\"/>' for i,r in enumerate(rows))\nopen('chart.svg','w').write(f'<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"200\">{bars}</svg>')\nprint(len(rows),'bars')";
    std::fs::write(folder.join("chart.py"), chart).expect("py");
    let script = env.script(
        "cmd.json",
        json!([
            {"tool_calls": [
                command("py", "python3 chart.py"),
                command("unzip", "unzip -q bundle.zip -d unpacked && cat unpacked/inside.txt"),
                {"id": "git", "name": "run_command", "input": {"command": "git status --short", "cwd": "repo"}}
            ]},
            {"tool_calls": [{"id": "f", "name": "finish", "input": {"summary": "ok"}}]}
        ]),
    );
    let out = env.run_auto("chart the sales", &script, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);
    let py = tool_result(&events, "py");
    assert!(
        py["output"].as_str().is_some_and(|o| o.contains("2 bars")),
        "{py}"
    );
    let svg = std::fs::read_to_string(folder.join("chart.svg")).expect("chart");
    assert_eq!(svg.matches("<rect").count(), 2);
    let unzip = tool_result(&events, "unzip");
    assert!(
        unzip["output"].as_str().is_some_and(|o| o.contains("hi")),
        "{unzip}"
    );
    assert!(folder.join("unpacked/inside.txt").exists());
    let git = tool_result(&events, "git");
    assert!(
        git["output"]
            .as_str()
            .is_some_and(|o| o.contains("?? a.txt")),
        "{git}"
    );
}

#[test]
fn commands_ask_in_ask_mode_and_rules_match_the_command_line() {
    let env = Env::new();
    let folder = env.dir("repo");
    std::fs::write(folder.join("a.txt"), "x\n").expect("a");
    let turns = json!([
        {"tool_calls": [command("ls", "ls"), command("rm", "rm a.txt")]},
        {"tool_calls": [{"id": "f", "name": "finish", "input": {"summary": "ok"}}]}
    ]);
    // Ask mode without a terminal: the first command waits for approval.
    // Ask mode (the default) and no terminal.
    let look = |script: &str| {
        env.cmd()
            .args([
                "--json",
                "--no-input",
                "run",
                "look",
                "--model",
                script,
                "--folder",
            ])
            .arg(&folder)
            .output()
            .expect("run")
    };
    let out = look(&env.script("ask.json", turns.clone()));
    assert_eq!(code(&out), 3, "{}", text(&out));
    assert!(text(&out).contains("run `ls`"), "{}", text(&out));

    // Rules: `ls*` allowed outright, `rm *` denied, in ask mode.
    std::fs::write(
        env.work.path().join("no-config.toml"),
        "[rules]\nallow = [\"run_command(ls*)\"]\ndeny = [\"run_command(rm *)\"]\n",
    )
    .expect("config");
    let out = look(&env.script("rules.json", turns));
    assert_eq!(code(&out), 0, "{}", text(&out));
    let all = events(&out);
    assert!(
        tool_result(&all, "ls")["output"]
            .as_str()
            .is_some_and(|o| o.contains("a.txt"))
    );
    let rm = tool_result(&all, "rm");
    assert_eq!(rm["is_error"], true);
    assert!(
        rm["output"]
            .as_str()
            .is_some_and(|o| o.contains("denied by the rule `run_command(rm *)`")),
        "{rm}"
    );
    assert!(folder.join("a.txt").exists());
}

#[test]
fn without_a_sandbox_commands_are_refused_unless_the_person_opts_in() {
    let env = Env::new();
    let folder = env.dir("work");
    let turns = json!([
        {"tool_calls": [command("c", "echo made > made.txt")]},
        {"tool_calls": [{"id": "f", "name": "finish", "input": {"summary": "ok"}}]}
    ]);
    let script = env.script("off.json", turns);
    let run = |extra: &[&str]| {
        env.cmd()
            .env("ERRAND_SANDBOX", "off")
            .args([
                "--json", "run", "make", "--model", &script, "--mode", "auto",
            ])
            .args(extra)
            .arg("--folder")
            .arg(&folder)
            .output()
            .expect("run")
    };
    let refused = run(&[]);
    let all = events(&refused);
    let result = tool_result(&all, "c");
    assert_eq!(result["is_error"], true);
    assert!(
        result["output"].as_str().is_some_and(
            |o| o.contains("cannot sandbox commands") && o.contains("--unsafe-no-sandbox")
        ),
        "{result}"
    );
    assert!(!folder.join("made.txt").exists());
    let allowed = run(&["--unsafe-no-sandbox"]);
    let all = events(&allowed);
    let result = tool_result(&all, "c");
    assert!(
        result["output"]
            .as_str()
            .is_some_and(|o| o.contains("WITHOUT the sandbox")),
        "{result}"
    );
    assert!(folder.join("made.txt").exists());

    let check = env
        .cmd()
        .env("ERRAND_SANDBOX", "off")
        .args(["sandbox", "check"])
        .output()
        .expect("check");
    assert_eq!(code(&check), 1);
    assert!(
        text(&check).contains("run_command is refused here"),
        "{}",
        text(&check)
    );
}

#[test]
fn errand_sandbox_check_and_run() {
    let env = Env::new();
    let check = env.run(&["sandbox", "check"]);
    assert_eq!(code(&check), 0, "{}", text(&check));
    for layer in ["landlock", "namespaces", "seccomp"] {
        assert!(
            text(&check).contains(&format!("yes  {layer}")),
            "{}",
            text(&check)
        );
    }
    let json = env.run(&["--json", "sandbox", "check"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert!(report["landlock_abi"].as_i64().is_some_and(|abi| abi >= 1));
    let folder = env.dir("box");
    let inside = env.run(&[
        "sandbox",
        "run",
        "--folder",
        folder.to_str().expect("utf8"),
        "--",
        "echo hi > f.txt && cat f.txt",
    ]);
    assert_eq!(code(&inside), 0, "{}", text(&inside));
    assert_eq!(String::from_utf8_lossy(&inside.stdout), "hi\n");
    let secret = env.run(&["sandbox", "run", "--", "cat /etc/shadow"]);
    assert_eq!(code(&secret), 1);
    assert!(
        text(&secret).contains("Permission denied"),
        "{}",
        text(&secret)
    );
}
