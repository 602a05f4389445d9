//! `kill -9` at random moments of a 2,000-file organize, then `resume`: the tree ends complete
//! and correct, nothing is done twice, and undo still restores the original.
mod common;

use common::*;
use std::time::{Duration, Instant};

/// Deterministic "random" delays (xorshift), spread over the run.
fn delays(seed: u64, count: usize, max_ms: u64) -> Vec<u64> {
    let mut x = seed;
    (0..count)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            20 + x % max_ms
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

#[test]
fn kill_nine_at_random_points_then_resume_finishes_correctly() {
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

    // The uninterrupted result is the reference.
    let reference_dir = env.work.path().join("reference");
    copy_tree(&pristine, &reference_dir);
    let out = env.run(&[
        "run",
        "organize by type and date",
        "--folder",
        reference_dir.to_str().expect("utf8"),
        "--mode",
        "auto",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let reference = tree(&reference_dir);
    let started = Instant::now();
    let full_run = {
        let again = env.work.path().join("timing");
        copy_tree(&pristine, &again);
        let t = Instant::now();
        let out = env.run(&[
            "run",
            "organize by type and date",
            "--folder",
            again.to_str().expect("utf8"),
            "--mode",
            "auto",
            "--json",
        ]);
        assert_eq!(code(&out), 0);
        t.elapsed().as_millis() as u64
    };
    let _ = started;

    for (round, delay) in delays(0x9e3779b97f4a7c15, 5, full_run.max(50))
        .into_iter()
        .enumerate()
    {
        let folder = env.work.path().join(format!("round{round}"));
        copy_tree(&pristine, &folder);
        let f = folder.to_str().expect("utf8");
        let mut child = env
            .cmd()
            .args([
                "run",
                "organize by type and date",
                "--folder",
                f,
                "--mode",
                "auto",
                "--json",
            ])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(delay));
        let killed = child.kill().is_ok(); // SIGKILL
        let output = child.wait_with_output().expect("wait");
        let id = events(&output)
            .iter()
            .find_map(|e| e["task_id"].as_str().map(str::to_string));
        let Some(id) = id else {
            // Killed before the task was even created: nothing may have changed.
            assert_eq!(
                tree(&folder),
                original,
                "round {round}: changed without a task"
            );
            continue;
        };
        let resumed = env.run(&["resume", &id, "--json"]);
        assert!(
            matches!(code(&resumed), 0),
            "round {round} (killed={killed}, {delay} ms): {}",
            text(&resumed)
        );
        let result = tree(&folder);
        assert_eq!(
            result.len(),
            2000,
            "round {round}: every file present exactly once"
        );
        assert_eq!(
            sorted_content(&result),
            sorted_content(&original),
            "round {round}: bytes and mtimes kept"
        );
        assert_eq!(
            result, reference,
            "round {round} after a kill at {delay} ms differs from an uninterrupted run"
        );
        // No step done twice: every journal entry of the task was applied once.
        let show: serde_json::Value =
            serde_json::from_slice(&env.run(&["show", &id, "--json"]).stdout).expect("show");
        assert_eq!(show["changes"]["planned"], 0, "round {round}: {show}");
        let undo = env.run(&["undo", &id]);
        assert_eq!(code(&undo), 0, "round {round}: {}", text(&undo));
        assert_eq!(
            tree(&folder),
            original,
            "round {round}: undo after resume restores the original"
        );
    }
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
