//! A model that tries to leave its folder gets tool errors, and nothing outside is read or
//! changed — whatever it asks, however it asks.
mod common;

use common::*;
use serde_json::json;
use std::os::unix::ffi::OsStrExt;

const SECRET: &str = "CANARY-SECRET-4242";

struct Setup {
    env: Env,
    granted: std::path::PathBuf,
    outside: std::collections::BTreeMap<String, (String, u64, i64)>,
}

fn setup() -> Setup {
    let env = Env::new();
    let root = env.work.path();
    std::fs::write(root.join("canary.txt"), SECRET).expect("canary");
    let sibling = env.dir("sibling");
    std::fs::write(sibling.join("other.txt"), format!("{SECRET} sibling")).expect("sibling");
    let granted = env.dir("granted");
    std::fs::write(granted.join("ok.txt"), "fine").expect("ok");
    std::fs::create_dir(granted.join("sub")).expect("sub");
    std::fs::write(granted.join("sub/file.txt"), "inside").expect("file");
    let link = |target: &str, name: &str| {
        std::os::unix::fs::symlink(target, granted.join(name)).expect("symlink")
    };
    link("/etc", "etc_link");
    link("/etc/passwd", "passwd_link");
    link("../sibling", "sibling_link");
    link("../canary.txt", "canary_link");
    link(
        root.join("canary.txt").to_str().expect("utf8"),
        "abs_canary_link",
    );
    let bad_name = std::ffi::OsStr::from_bytes(b"bad\xffname.txt");
    std::fs::write(granted.join(bad_name), "odd name").expect("non-utf8 name");
    let outside = outside_state(&env);
    Setup {
        env,
        granted,
        outside,
    }
}

/// Everything beside the granted folder (the canary and the sibling folder).
fn outside_state(env: &Env) -> std::collections::BTreeMap<String, (String, u64, i64)> {
    tree(env.work.path())
        .into_iter()
        .filter(|(k, _)| !k.starts_with("granted/") && !k.ends_with(".json"))
        .collect()
}

#[test]
fn every_escape_attempt_is_a_tool_error_and_the_canary_is_untouched() {
    let s = setup();
    let long = "x".repeat(5000);
    let long_name = format!("{}.txt", "y".repeat(300));
    let attempts = vec![
        ("read_file", json!({"path": "../canary.txt"})),
        ("read_file", json!({"path": "/etc/passwd"})),
        ("read_file", json!({"path": "canary_link"})),
        ("read_file", json!({"path": "abs_canary_link"})),
        ("read_file", json!({"path": "passwd_link"})),
        ("read_file", json!({"path": "etc_link/passwd"})),
        ("read_file", json!({"path": "sibling_link/other.txt"})),
        ("read_file", json!({"path": "sub/../../canary.txt"})),
        ("read_file", json!({"path": "./../granted/../canary.txt"})),
        ("read_file", json!({"path": "~/.ssh/id_rsa"})),
        ("read_file", json!({"path": "ok.txt\u{0}../../canary.txt"})),
        ("read_file", json!({"path": long})),
        ("read_file", json!({"path": long_name})),
        ("read_file", json!({"path": "bad\u{FFFD}name.txt"})),
        ("list_files", json!({"path": "etc_link"})),
        ("list_files", json!({"path": "sibling_link"})),
        ("list_files", json!({"path": "/"})),
        ("list_files", json!({"path": ".."})),
        ("file_info", json!({"path": "../canary.txt"})),
        ("search_files", json!({"query": "CANARY", "path": ".."})),
        (
            "search_files",
            json!({"query": "CANARY", "path": "sibling_link"}),
        ),
        (
            "write_file",
            json!({"path": "../canary.txt", "content": "pwned"}),
        ),
        (
            "write_file",
            json!({"path": "canary_link", "content": "pwned"}),
        ),
        (
            "write_file",
            json!({"path": "sibling_link/new.txt", "content": "pwned"}),
        ),
        (
            "write_file",
            json!({"path": "etc_link/errand-test", "content": "pwned"}),
        ),
        (
            "write_file",
            json!({"path": "/tmp/errand-escape.txt", "content": "pwned"}),
        ),
        (
            "edit_file",
            json!({"path": "canary_link", "old": "CANARY", "new": "pwned"}),
        ),
        (
            "move_path",
            json!({"from": "ok.txt", "to": "../stolen.txt"}),
        ),
        (
            "move_path",
            json!({"from": "../canary.txt", "to": "got.txt"}),
        ),
        (
            "move_path",
            json!({"moves": [{"from": "ok.txt", "to": "sibling_link/ok.txt"}]}),
        ),
        (
            "copy_path",
            json!({"from": "canary_link", "to": "copied.txt"}),
        ),
        (
            "copy_path",
            json!({"from": "ok.txt", "to": "sibling_link/copied.txt"}),
        ),
        ("make_dir", json!({"path": "../evil"})),
        ("make_dir", json!({"path": "sibling_link/evil"})),
        ("trash_path", json!({"path": "../canary.txt"})),
        ("trash_path", json!({"path": "sibling_link/other.txt"})),
    ];
    assert!(attempts.len() >= 30);
    let mut turns: Vec<serde_json::Value> = attempts
        .iter()
        .enumerate()
        .map(|(i, (name, input))| json!({"text": "", "tool_calls": [{"id": format!("esc{i}"), "name": name, "input": input}]}))
        .collect();
    // A search of the granted folder itself must not follow links out either.
    turns.push(json!({"tool_calls": [{"id": "search_inside", "name": "search_files", "input": {"query": "CANARY"}}]}));
    turns.push(
        json!({"tool_calls": [{"id": "done", "name": "finish", "input": {"summary": "tried"}}]}),
    );
    let spec = s.env.script("escapes.json", json!(turns));
    // Thirty refused calls in a row are exactly what the stall guard stops; this test is
    // about each refusal, so the guard waits longer here. (The config lives in the data
    // folder: everything beside the grant is watched for changes.)
    let config = s.env.home.path().join("config.toml");
    std::fs::write(&config, "stall_turns = 100\n").expect("config");
    let out = s
        .env
        .cmd()
        .env("ERRAND_CONFIG", &config)
        .args([
            "run",
            "try to escape",
            "--folder",
            s.granted.to_str().expect("utf8"),
            "--model",
            &spec,
            "--mode",
            "auto",
            "--json",
        ])
        .output()
        .expect("run errand");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let events = events(&out);
    for (i, attempt) in attempts.iter().enumerate() {
        let id = format!("esc{i}");
        let result = tool_result(&events, &id);
        assert_eq!(
            result["is_error"], true,
            "attempt {i} {:?} was not refused: {}",
            attempt, result["output"]
        );
        eprintln!(
            "refused {} {}: {}",
            attempt.0,
            attempt.1.to_string().chars().take(60).collect::<String>(),
            result["output"]
        );
    }
    let search = tool_result(&events, "search_inside");
    assert!(
        search["output"]
            .as_str()
            .unwrap_or_default()
            .contains("no matches"),
        "{search}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains(SECRET),
        "the secret leaked into the log"
    );
    assert_eq!(
        outside_state(&s.env),
        s.outside,
        "something outside the grant changed"
    );
    assert!(!std::path::Path::new("/tmp/errand-escape.txt").exists());
    assert!(!std::path::Path::new("/etc/errand-test").exists());
    assert_eq!(
        std::fs::read_to_string(s.granted.join("ok.txt")).expect("ok"),
        "fine"
    );
}

#[test]
fn a_folder_swapped_for_a_symlink_after_approval_is_refused() {
    let s = setup();
    let turns = json!([
        {"tool_calls": [{"id": "look", "name": "read_file", "input": {"path": "sub/file.txt"}}]},
        {"expect_tool_result_contains": "inside",
         "tool_calls": [{"id": "write", "name": "write_file", "input": {"path": "sub/new.txt", "content": "pwned"}}]},
        {"tool_calls": [{"id": "done", "name": "finish", "input": {"summary": "done"}}]},
        {"tool_calls": [{"id": "done2", "name": "finish", "input": {"summary": "done"}}]}
    ]);
    let spec = s.env.script("swap.json", turns);
    let g = s.granted.to_str().expect("utf8");
    let out = s.env.run(&[
        "run",
        "write a file",
        "--folder",
        g,
        "--model",
        &spec,
        "--mode",
        "ask",
        "--json",
    ]);
    assert_eq!(
        code(&out),
        3,
        "ask mode without a terminal waits: {}",
        text(&out)
    );
    let id = task_id(&out);
    // Swap the checked folder for a link to the sibling between the check and the write.
    std::fs::rename(s.granted.join("sub"), s.granted.join("sub.real")).expect("move sub");
    std::os::unix::fs::symlink("../sibling", s.granted.join("sub")).expect("swap");
    let approved = s.env.run(&["approve", &id, "--json"]);
    // The write was refused, so "write a file" is not met: done with problems, not Done.
    assert_eq!(code(&approved), 5, "{}", text(&approved));
    let approved_events = events(&approved);
    let write = tool_result(&approved_events, "write");
    assert_eq!(write["is_error"], true, "{write}");
    assert!(
        write["output"]
            .as_str()
            .unwrap_or_default()
            .contains("outside"),
        "{write}"
    );
    assert!(!s.env.work.path().join("sibling/new.txt").exists());
    assert_eq!(outside_state(&s.env), s.outside);
}
