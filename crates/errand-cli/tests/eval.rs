//! `errand eval` with the scripted reference solutions: every grader passes good work (the
//! graders' unit tests show each fails an untouched folder and typical wrong answers).
mod common;

use common::*;

#[test]
fn the_reference_solutions_pass_every_task_and_the_results_are_written_as_json() {
    let env = Env::new();
    let out_file = env.work.path().join("results.json");
    let out = env
        .cmd()
        .args(["eval", "--model", "reference", "--out"])
        .arg(&out_file)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("task") && table.contains("turns"), "{table}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_file).expect("results")).expect("json");
    let results = summary["results"].as_array().expect("results");
    assert!(results.len() >= 20, "{} tasks", results.len());
    assert_eq!(summary["passed"], summary["runs"]);
    assert_eq!(summary["false_done"], 0);
    for result in results {
        assert_eq!(result["verdict"], "pass", "{result}");
        assert!(result["turns"].as_u64().unwrap_or(0) >= 2, "{result}");
    }
}

#[test]
fn tasks_are_chosen_by_glob_and_repeated_and_a_bad_pattern_is_named() {
    let env = Env::new();
    let out_file = env.work.path().join("some.json");
    let out = env
        .cmd()
        .args([
            "eval",
            "--model",
            "reference",
            "--tasks",
            "notes-to-*",
            "--repeat",
            "2",
            "--out",
        ])
        .arg(&out_file)
        .output()
        .expect("run");
    assert_eq!(code(&out), 0, "{}", text(&out));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_file).expect("results")).expect("json");
    let names: Vec<&str> = summary["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["task"].as_str())
        .collect();
    assert!(
        names.iter().all(|n| n.starts_with("notes-to-")),
        "{names:?}"
    );
    assert_eq!(names.len() % 2, 0, "each task twice: {names:?}");
    let bad = env.run(&["eval", "--model", "reference", "--tasks", "no-such-task"]);
    assert_eq!(code(&bad), 2, "{}", text(&bad));
    assert!(text(&bad).contains("matches no task"), "{}", text(&bad));
}

#[test]
fn a_model_that_does_nothing_fails_the_tasks_and_never_reads_as_done() {
    let env = Env::new();
    // A model that ends at once, twice: Errand fails the task; the grader fails the files.
    let spec = env.script("idle.json", serde_json::json!([{"text": ""}, {"text": ""}]));
    let out_file = env.work.path().join("idle.json.out");
    let out = env
        .cmd()
        .args([
            "eval",
            "--model",
            &spec,
            "--tasks",
            "notes-to-summary",
            "--out",
        ])
        .arg(&out_file)
        .output()
        .expect("run");
    assert_eq!(code(&out), 1, "{}", text(&out));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_file).expect("results")).expect("json");
    let result = &summary["results"][0];
    assert_eq!(result["verdict"], "fail", "{result}");
    assert!(
        result["state"]
            .as_str()
            .unwrap_or_default()
            .starts_with("failed"),
        "{result}"
    );
}
