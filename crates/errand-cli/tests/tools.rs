//! Every file tool through a scripted model: what it does, what it reports, and that
//! `errand undo` reverses all of it byte for byte.
mod common;

use common::*;
use serde_json::json;

#[test]
fn every_write_tool_is_journaled_and_undone() {
    let env = Env::new();
    let folder = env.dir("work");
    std::fs::create_dir_all(folder.join("docs/sub")).expect("mkdir");
    std::fs::write(folder.join("docs/a.txt"), "alpha\nbeta\n").expect("write");
    std::fs::write(folder.join("docs/sub/b.md"), "# B\n").expect("write");
    std::fs::write(folder.join("notes.txt"), "keep calm\ncarry on\n").expect("write");
    std::fs::write(folder.join("old.log"), "old").expect("write");
    let before = tree(&folder);
    let before_folders = folder_times(&folder);
    let calls = json!([
        {"id": "list", "name": "list_files", "input": {"path": ".", "recursive": true, "glob": "*.txt"}},
        {"id": "read", "name": "read_file", "input": {"path": "notes.txt", "offset": 2, "limit": 1}},
        {"id": "search", "name": "search_files", "input": {"query": "BETA"}},
        {"id": "info", "name": "file_info", "input": {"path": "docs/a.txt"}},
        {"id": "edit", "name": "edit_file", "input": {"path": "notes.txt", "old": "calm", "new": "going"}},
        {"id": "edit_missing", "name": "edit_file", "input": {"path": "notes.txt", "old": "absent", "new": "x"}},
        {"id": "write", "name": "write_file", "input": {"path": "out/report.md", "content": "# Report\n"}},
        {"id": "mkdir", "name": "make_dir", "input": {"path": "archive/2024"}},
        {"id": "copy", "name": "copy_path", "input": {"from": "docs", "to": "docs-copy"}},
        {"id": "copy_clash", "name": "copy_path", "input": {"from": "notes.txt", "to": "docs/a.txt"}},
        {"id": "move", "name": "move_path", "input": {"from": "docs/sub", "to": "archive/2024/sub"}},
        {"id": "batch", "name": "move_path", "input": {"moves": [
            {"from": "docs/a.txt", "to": "archive/a.txt"},
            {"from": "missing.txt", "to": "archive/missing.txt"}]}},
        {"id": "trash", "name": "trash_path", "input": {"path": "old.log"}},
        {"id": "plan", "name": "update_plan", "input": {"steps": [{"title": "Tidy", "status": "done"}, "Report"]}}
    ]);
    let mut turns: Vec<serde_json::Value> = calls
        .as_array()
        .expect("calls")
        .iter()
        .map(|c| json!({"tool_calls": [c]}))
        .collect();
    turns.push(json!({"tool_calls": [{"id": "end", "name": "finish", "input": {"summary": "tidied", "deliverables": ["out/report.md"]}}]}));
    let spec = env.script("tools.json", json!(turns));
    let f = folder.to_str().expect("utf8");
    let out = env.run(&[
        "run", "tidy", "--folder", f, "--model", &spec, "--mode", "auto", "--json",
    ]);
    let id = task_id(&out);
    let mut all = events(&out);
    let mut last = out;
    // In auto mode, editing a file the task did not make and trashing both ask.
    while code(&last) == 3 {
        last = env.run(&["approve", &id, "--json"]);
        all.extend(events(&last));
    }
    assert_eq!(code(&last), 0, "{}", text(&last));
    let asked: Vec<&str> = all
        .iter()
        .filter(|e| e["type"] == "approval_requested")
        .filter_map(|e| e["tool"].as_str())
        .collect();
    assert_eq!(asked, ["edit_file", "trash_path"]);

    let listing: serde_json::Value =
        serde_json::from_str(tool_result(&all, "list")["output"].as_str().expect("text"))
            .expect("json");
    let paths: Vec<&str> = listing["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    assert_eq!(paths, ["docs/a.txt", "notes.txt"]);
    assert_eq!(tool_result(&all, "read")["output"], "carry on");
    assert_eq!(tool_result(&all, "search")["output"], "docs/a.txt:2: beta");
    assert!(
        tool_result(&all, "info")["output"]
            .as_str()
            .expect("text")
            .contains("\"category\":\"Documents\"")
    );
    assert_eq!(tool_result(&all, "edit_missing")["is_error"], true);
    assert_eq!(tool_result(&all, "copy_clash")["is_error"], true);
    let batch = tool_result(&all, "batch")["output"].as_str().expect("text");
    assert!(
        batch.contains("\"moved\":1") && batch.contains("missing.txt"),
        "{batch}"
    );
    for ok in ["edit", "write", "mkdir", "copy", "move", "trash", "plan"] {
        assert_eq!(
            tool_result(&all, ok)["is_error"],
            false,
            "{ok}: {}",
            tool_result(&all, ok)["output"]
        );
    }
    assert_eq!(
        std::fs::read_to_string(folder.join("notes.txt")).expect("read"),
        "keep going\ncarry on\n"
    );
    assert_eq!(
        std::fs::read_to_string(folder.join("docs-copy/sub/b.md")).expect("read"),
        "# B\n"
    );
    assert!(folder.join("archive/2024/sub/b.md").exists() && folder.join("archive/a.txt").exists());
    assert!(!folder.join("old.log").exists());
    let show: serde_json::Value =
        serde_json::from_slice(&env.run(&["show", &id, "--json"]).stdout).expect("json");
    assert_eq!(show["deliverables"], json!(["out/report.md"]));
    assert_eq!(show["plan"][1]["title"], "Report");

    let undo = env.run(&["undo", &id]);
    assert_eq!(code(&undo), 0, "{}", text(&undo));
    assert_eq!(tree(&folder), before, "undo restores every file");
    assert_eq!(
        folder_times(&folder),
        before_folders,
        "and every folder, with its time"
    );
    let again = env.run(&["undo", &id]);
    assert_eq!(
        code(&again),
        0,
        "a second undo has nothing left to do: {}",
        text(&again)
    );
    assert!(
        text(&again).contains("0 changes reversed"),
        "{}",
        text(&again)
    );
    assert_eq!(tree(&folder), before);
}

#[test]
fn several_grants_are_addressed_by_name_and_read_only_ones_refuse_writes() {
    let env = Env::new();
    let inbox = env.dir("inbox");
    let refs = env.dir("reference");
    std::fs::write(inbox.join("a.txt"), "a").expect("write");
    std::fs::write(refs.join("r.txt"), "r").expect("write");
    let spec = env.script(
        "grants.json",
        json!([
            {"tool_calls": [{"id": "cp", "name": "copy_path", "input": {"from": "reference/r.txt", "to": "inbox/r.txt"}},
                            {"id": "ro", "name": "write_file", "input": {"path": "reference/new.txt", "content": "x"}},
                            {"id": "bare", "name": "read_file", "input": {"path": "a.txt"}}]},
            {"tool_calls": [{"id": "end", "name": "finish", "input": {"summary": "ok"}}]}
        ]),
    );
    let out = env.run(&[
        "run",
        "copy",
        "--folder",
        inbox.to_str().expect("utf8"),
        "--read-only",
        refs.to_str().expect("utf8"),
        "--model",
        &spec,
        "--mode",
        "auto",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let all = events(&out);
    assert_eq!(
        tool_result(&all, "cp")["is_error"],
        false,
        "{}",
        tool_result(&all, "cp")["output"]
    );
    assert!(
        tool_result(&all, "ro")["output"]
            .as_str()
            .expect("text")
            .contains("read-only")
    );
    assert!(
        tool_result(&all, "bare")["output"]
            .as_str()
            .expect("text")
            .contains("inbox, reference")
    );
    assert_eq!(
        std::fs::read_to_string(inbox.join("r.txt")).expect("copied"),
        "r"
    );
    assert!(!refs.join("new.txt").exists());
}

#[test]
fn an_unchanged_file_is_not_sent_twice() {
    let env = Env::new();
    let folder = env.dir("reads");
    let read = |id: &str| json!({"tool_calls": [{"id": id, "name": "read_file", "input": {"path": "a.txt"}}]});
    let write = |id: &str, text: &str| json!({"tool_calls": [{"id": id, "name": "write_file", "input": {"path": "a.txt", "content": text}}]});
    let spec = env.script(
        "reads.json",
        json!([
            write("w1", "first version"),
            read("r1"),
            read("r2"),
            write("w2", "the second version"),
            read("r3"),
            {"tool_calls": [{"id": "end", "name": "finish", "input": {"summary": "read"}}]}
        ]),
    );
    let out = env.run(&[
        "run",
        "read",
        "--folder",
        folder.to_str().expect("utf8"),
        "--model",
        &spec,
        "--mode",
        "auto",
        "--json",
    ]);
    assert_eq!(
        code(&out),
        0,
        "rewriting the task's own file does not ask: {}",
        text(&out)
    );
    let all = events(&out);
    assert_eq!(tool_result(&all, "r1")["output"], "first version");
    let second = tool_result(&all, "r2")["output"].as_str().expect("text");
    assert!(
        second.contains("unchanged since you read it (call r1)"),
        "{second}"
    );
    assert_eq!(
        tool_result(&all, "r3")["output"],
        "the second version",
        "a changed file is read again"
    );
}
