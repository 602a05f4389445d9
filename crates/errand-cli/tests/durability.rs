//! `kill -9` at several moments of a 2,000-file organize, then `resume`: the tree ends complete
//! and correct, no step is done twice, and undo still restores the original.
mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// When to kill the process.
#[derive(Debug, Clone, Copy)]
enum Trigger {
    /// On the first `--json` line satisfying the predicate.
    OnEvent(&'static str, fn(&serde_json::Value) -> bool),
    /// After a pseudo-random delay.
    After(Duration),
}

fn xorshift_delays(mut x: u64, count: usize, max_ms: u64) -> Vec<Duration> {
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_millis(5 + x % max_ms.max(10))
        })
        .collect()
}

fn sorted_content(
    t: &std::collections::BTreeMap<String, (String, u64, i64)>,
) -> Vec<(String, u64, i64)> {
    let mut v: Vec<_> = t.values().cloned().collect();
    v.sort();
    v
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp");
    assert!(status.success());
}

/// Starts `errand run "organize by type and date" --mode auto --json` with stdout piped.
fn spawn_organize(env: &Env, folder: &std::path::Path) -> std::process::Child {
    env.cmd()
        .args([
            "run",
            "organize by type and date",
            "--folder",
            folder.to_str().expect("utf8"),
            "--mode",
            "auto",
            "--json",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// Starts an organize run and kills it (SIGKILL) at the trigger; returns the task id if one was made.
fn run_and_kill(env: &Env, folder: &std::path::Path, trigger: Trigger) -> Option<String> {
    let mut child = spawn_organize(env, folder);
    let stdout = child.stdout.take().expect("stdout");
    let mut id = None;
    match trigger {
        Trigger::OnEvent(_, hit) => {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(event) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                if id.is_none() {
                    id = event["task_id"].as_str().map(str::to_string);
                }
                if hit(&event) {
                    let _ = child.kill();
                    break;
                }
            }
        }
        Trigger::After(delay) => {
            let reader = std::thread::spawn(move || {
                // Read to the end, so the run never meets a closed pipe before the kill.
                let ids: Vec<String> = BufReader::new(stdout)
                    .lines()
                    .map_while(Result::ok)
                    .filter_map(|l| {
                        serde_json::from_str::<serde_json::Value>(&l).ok()?["task_id"]
                            .as_str()
                            .map(str::to_string)
                    })
                    .collect();
                ids.into_iter().next()
            });
            std::thread::sleep(delay);
            let _ = child.kill();
            id = reader.join().ok().flatten();
        }
    }
    let _ = child.wait();
    id
}

#[test]
fn kill_nine_at_many_points_then_resume_finishes_correctly() {
    let env = Env::new();
    let pristine = env.work.path().join("pristine");
    let made = env.run(&[
        "demo-folder",
        pristine.to_str().expect("utf8"),
        "--files",
        "2000",
        "--seed",
        "11",
    ]);
    assert_eq!(code(&made), 0, "{}", text(&made));
    let original = tree(&pristine);
    let original_folders = folder_times(&pristine);

    // An uninterrupted run is the reference, and its length scales the random delays.
    let reference_dir = env.work.path().join("reference");
    copy_tree(&pristine, &reference_dir);
    let started = Instant::now();
    let out = env.run(&[
        "run",
        "organize by type and date",
        "--folder",
        reference_dir.to_str().expect("utf8"),
        "--mode",
        "auto",
        "--json",
    ]);
    let full_ms = started.elapsed().as_millis() as u64;
    assert_eq!(code(&out), 0, "{}", text(&out));
    let reference = tree(&reference_dir);
    let reference_changes = {
        let show = env.run(&["show", &task_id(&out), "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&show.stdout).expect("show");
        v["changes"]["done"].as_u64().expect("done count")
    };

    let mut triggers = vec![
        Trigger::OnEvent("after the survey", |e| {
            e["type"] == "tool_finished" && e["tool"] == "list_files"
        }),
        Trigger::OnEvent("as the moves start", |e| {
            e["type"] == "tool_started" && e["tool"] == "move_path"
        }),
        Trigger::OnEvent("mid-move", |e| {
            e["type"] == "progress" && e["done"].as_u64().unwrap_or(0) >= 1024
        }),
        Trigger::OnEvent("after the moves", |e| {
            e["type"] == "tool_finished" && e["tool"] == "move_path"
        }),
    ];
    triggers.extend(
        xorshift_delays(0x9e37_79b9_7f4a_7c15, 4, full_ms)
            .into_iter()
            .map(Trigger::After),
    );

    for (round, trigger) in triggers.into_iter().enumerate() {
        let folder = env.work.path().join(format!("round{round}"));
        copy_tree(&pristine, &folder);
        let Some(id) = run_and_kill(&env, &folder, trigger) else {
            assert_eq!(
                tree(&folder),
                original,
                "round {round} {trigger:?}: changed without a task"
            );
            continue;
        };
        let interrupted = tree(&folder);
        assert_eq!(
            sorted_content(&interrupted),
            sorted_content(&original),
            "round {round}: no file lost or doubled by the kill"
        );
        if matches!(trigger, Trigger::OnEvent("mid-move", _)) {
            assert!(
                interrupted != original && interrupted != reference,
                "round {round}: the kill landed mid-move"
            );
        }
        let resumed = env.run(&["resume", &id, "--json"]);
        assert_eq!(
            code(&resumed),
            0,
            "round {round} {trigger:?}: {}",
            text(&resumed)
        );
        let result = tree(&folder);
        assert_eq!(
            result.len(),
            2000,
            "round {round}: every file present exactly once"
        );
        assert_eq!(
            result, reference,
            "round {round} {trigger:?}: differs from an uninterrupted run"
        );
        let show: serde_json::Value =
            serde_json::from_slice(&env.run(&["show", &id, "--json"]).stdout).expect("show");
        assert_eq!(show["changes"]["planned"], 0, "round {round}: {show}");
        assert_eq!(
            show["changes"]["done"].as_u64(),
            Some(reference_changes),
            "round {round}: each change journaled once"
        );
        let undo = env.run(&["undo", &id]);
        assert_eq!(code(&undo), 0, "round {round}: {}", text(&undo));
        assert_eq!(
            tree(&folder),
            original,
            "round {round}: undo after resume restores the original"
        );
        assert_eq!(
            folder_times(&folder),
            original_folders,
            "round {round}: and the folders' times"
        );
    }
}

#[test]
fn ctrl_c_stops_between_items_and_resume_completes_the_batch() {
    let env = Env::new();
    let folder = env.work.path().join("dl");
    let made = env.run(&[
        "demo-folder",
        folder.to_str().expect("utf8"),
        "--files",
        "3000",
        "--seed",
        "5",
    ]);
    assert_eq!(code(&made), 0, "{}", text(&made));
    let original = tree(&folder);
    let mut child = spawn_organize(&env, &folder);
    let stdout = child.stdout.take().expect("stdout");
    let mut id = None;
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    for line in lines.by_ref() {
        let event: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if id.is_none() {
            id = event["task_id"].as_str().map(str::to_string);
        }
        if event["type"] == "progress" && event["label"] == "moving" {
            let status = std::process::Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .expect("kill");
            assert!(status.success());
            break;
        }
    }
    let rest: Vec<String> = lines.collect();
    let status = child.wait().expect("wait");
    assert_eq!(
        status.code(),
        Some(4),
        "Ctrl-C exits 4; output after it: {rest:?}"
    );
    assert!(
        !rest
            .iter()
            .any(|l| l.contains("\"tool_finished\"") && l.contains("move_path")),
        "the batch was not recorded as finished"
    );
    let id = id.expect("task id");
    let stopped = tree(&folder);
    assert_ne!(stopped, original, "some moves happened before the stop");
    assert!(
        stopped
            .keys()
            .any(|k| !k.contains('/') && !k.starts_with('.')),
        "and some were left for later"
    );
    let resumed = env.run(&["resume", &id]);
    assert_eq!(code(&resumed), 0, "{}", text(&resumed));
    let done = tree(&folder);
    assert_eq!(done.len(), original.len());
    assert!(
        done.keys()
            .all(|k| k.starts_with('.') || k.contains("/.") || k.split('/').count() == 4),
        "all organized after resume"
    );
    assert_eq!(code(&env.run(&["undo", &id])), 0);
    assert_eq!(tree(&folder), original);
}
