//! An ending means something: a model that stops without `finish`, loops, or claims a result
//! the files do not hold never gets "Done" and exit 0. Each case drives the real binary with
//! a scripted model, as a person's run would.
mod common;

use common::*;
use serde_json::json;

fn state_of(env: &Env, id: &str) -> serde_json::Value {
    let out = env.run(&["show", id, "--json"]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    serde_json::from_slice(&out.stdout).expect("show json")
}

fn nudges(out: &std::process::Output) -> Vec<String> {
    events(out)
        .iter()
        .filter(|e| e["type"] == "nudged")
        .map(|e| e["reason"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn two_empty_turns_fail_the_task_with_the_reason() {
    let env = Env::new();
    let folder = env.dir("notes");
    std::fs::write(folder.join("notes.txt"), "Q3 went well.\n").expect("write");
    let spec = env.script(
        "empty.json",
        json!([
            {"tool_calls": [{"name": "read_file", "input": {"path": "notes.txt"}}]},
            {"text": ""},
            {"text": "  "}
        ]),
    );
    let out = env.run_auto("summarise notes.txt into summary.md", &spec, &folder);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert_eq!(nudges(&out), ["no_tool_call"]);
    let shown = state_of(&env, &task_id(&out));
    assert_eq!(shown["task"]["state"], "failed");
    let reason = shown["task"]["state_reason"].as_str().unwrap_or_default();
    assert!(reason.contains("no tool call and no words"), "{reason}");
    assert!(!folder.join("summary.md").exists());
}

#[test]
fn a_reminder_brings_the_model_back_to_finish() {
    let env = Env::new();
    let folder = env.dir("notes");
    let spec = env.script(
        "nudged.json",
        json!([
            {"tool_calls": [{"name": "write_file", "input": {"path": "summary.md", "content": "- one\n- two\n- three\n"}}]},
            {"text": "I wrote the summary."},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Wrote summary.md", "deliverables": ["summary.md"]}}]}
        ]),
    );
    let out = env.run_auto("write a three-bullet summary to summary.md", &spec, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(nudges(&out), ["no_tool_call"]);
    let shown = state_of(&env, &task_id(&out));
    assert_eq!(shown["task"]["state"], "done");
    assert_eq!(shown["problems"], json!([]));
    assert_eq!(shown["ended_without_finish"], false);
}

#[test]
fn a_second_turn_of_words_is_the_summary_and_is_marked_as_ending_without_finish() {
    let env = Env::new();
    let folder = env.dir("notes");
    let spec = env.script(
        "words.json",
        json!([
            {"tool_calls": [{"name": "write_file", "input": {"path": "summary.md", "content": "- one\n"}}]},
            {"text": "Done."},
            {"text": "The summary is in summary.md."}
        ]),
    );
    let out = env.run_auto("write a summary to summary.md", &spec, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let id = task_id(&out);
    let shown = state_of(&env, &id);
    assert_eq!(shown["task"]["summary"], "The summary is in summary.md.");
    assert_eq!(shown["ended_without_finish"], true);
    let plain = env.run(&["show", &id]);
    assert!(
        text(&plain).contains("Ended without finish"),
        "{}",
        text(&plain)
    );
}

#[test]
fn the_same_call_again_and_again_is_stopped() {
    let env = Env::new();
    let folder = env.dir("loop");
    std::fs::write(folder.join("a.txt"), "a\n").expect("write");
    let same = json!({"tool_calls": [{"name": "list_files", "input": {"path": "."}}]});
    let spec = env.script(
        "loop.json",
        json!([same, same, same, same, same, same, same, same]),
    );
    let out = env.run_auto("tidy the folder", &spec, &folder);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert_eq!(nudges(&out), ["repeated_call"]);
    let turns = events(&out)
        .iter()
        .filter(|e| e["type"] == "model_turn")
        .count();
    assert_eq!(
        turns, 4,
        "the fourth identical call, after the reminder, ends it"
    );
    let shown = state_of(&env, &task_id(&out));
    let reason = shown["task"]["state_reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("list_files") && reason.contains("4 times"),
        "{reason}"
    );
}

#[test]
fn turns_without_any_new_effect_are_stopped() {
    let env = Env::new();
    let folder = env.dir("stall");
    std::fs::write(folder.join("a.txt"), "a\n").expect("write");
    // Alternating reads of the same two files: never three in a row, never anything new.
    let a = json!({"tool_calls": [{"name": "read_file", "input": {"path": "a.txt"}}]});
    let b = json!({"tool_calls": [{"name": "list_files", "input": {"path": "."}}]});
    let turns: Vec<serde_json::Value> = (0..30)
        .map(|i| if i % 2 == 0 { a.clone() } else { b.clone() })
        .collect();
    let spec = env.script("stall.json", json!(turns));
    let out = env.run_auto("tidy the folder", &spec, &folder);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert_eq!(nudges(&out), ["no_progress"]);
    let reason = state_of(&env, &task_id(&out))["task"]["state_reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(reason.contains("no new effect"), "{reason}");
}

#[test]
fn a_missing_deliverable_goes_back_once_then_ends_with_exit_5() {
    let env = Env::new();
    let folder = env.dir("notes");
    std::fs::write(folder.join("notes.txt"), "Q3 went well.\n").expect("write");
    let finish = json!({"tool_calls": [{"name": "finish", "input": {"summary": "Wrote the summary", "deliverables": ["summary.md"]}}]});
    let spec = env.script(
        "missing.json",
        json!([
            {"tool_calls": [{"name": "read_file", "input": {"path": "notes.txt"}}]},
            finish,
            // The model is told what the check found, and finishes again without fixing it.
            {"expect_tool_result_contains": "task finished", "tool_calls": [{"name": "finish", "input": {"summary": "Wrote the summary", "deliverables": ["summary.md"]}}]}
        ]),
    );
    let out = env.run_auto(
        "Read notes.txt and write a three-bullet summary to summary.md",
        &spec,
        &folder,
    );
    assert_eq!(code(&out), 5, "{}", text(&out));
    assert_eq!(nudges(&out), ["check"]);
    let id = task_id(&out);
    let shown = state_of(&env, &id);
    assert_eq!(shown["task"]["state"], "done");
    let problems: Vec<String> = shown["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p.as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("`summary.md` does not exist")),
        "{problems:?}"
    );
    let plain = env.run(&["show", &id]);
    assert!(
        text(&plain).contains("Done with problems"),
        "{}",
        text(&plain)
    );
    assert!(text(&plain).contains("summary.md"), "{}", text(&plain));
}

#[test]
fn a_workbook_with_ref_errors_is_named_and_fixing_it_passes_the_check() {
    let env = Env::new();
    let folder = env.dir("budget");
    let broken = folder.join("budget.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_number(0, 0, 120.0).expect("a1");
    sheet
        .write_formula(1, 0, rust_xlsxwriter::Formula::new("=#REF!+A1"))
        .expect("a2");
    book.save(&broken).expect("save");
    let finish = json!({"tool_calls": [{"name": "finish", "input": {"summary": "Checked the budget", "deliverables": ["budget.xlsx"]}}]});
    let spec = env.script("ref.json", json!([finish, finish]));
    let out = env.run_auto("check the budget workbook", &spec, &folder);
    assert_eq!(code(&out), 5, "{}", text(&out));
    let shown = state_of(&env, &task_id(&out));
    let problems = shown["problems"].to_string();
    assert!(
        problems.contains("Sheet1!A2") && problems.contains("#REF!"),
        "{problems}"
    );
    // The same task with a fix between the two finishes ends done, exit 0.
    let env = Env::new();
    let folder = env.dir("budget");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_number(0, 0, 120.0).expect("a1");
    book.save(folder.join("budget.xlsx")).expect("save");
    let spec = env.script(
        "fixed.json",
        json!([
            {"tool_calls": [{"name": "create_spreadsheet", "input": {"path": "fixed.xlsx", "sheets": [{"name": "Budget", "columns": [{"header": "Amount", "type": "number"}], "rows": [[120], ["=A2*2"]]}]}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Wrote fixed.xlsx", "deliverables": ["fixed.xlsx"]}}]}
        ]),
    );
    let out = env.run_auto("check the budget workbook", &spec, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
}

#[test]
fn a_file_the_request_names_must_exist_and_an_asked_for_kind_must_be_written() {
    let env = Env::new();
    let folder = env.dir("notes");
    std::fs::write(folder.join("notes.txt"), "Q3 went well.\n").expect("write");
    let spec = env.script(
        "unnamed.json",
        json!([
            {"tool_calls": [{"name": "read_file", "input": {"path": "notes.txt"}}]},
            {"tool_calls": [{"name": "write_file", "input": {"path": "notes-summary.txt", "content": "Q3 went well.\n"}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Summarised", "deliverables": ["notes-summary.txt"]}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Summarised", "deliverables": ["notes-summary.txt"]}}]}
        ]),
    );
    let out = env.run_auto(
        "Summarise notes.txt into summary.md and make a deck from it",
        &spec,
        &folder,
    );
    assert_eq!(code(&out), 5, "{}", text(&out));
    let problems = state_of(&env, &task_id(&out))["problems"].to_string();
    assert!(problems.contains("names `summary.md`"), "{problems}");
    assert!(problems.contains("a deck (.pptx)"), "{problems}");
    assert!(
        !problems.contains("notes.txt`"),
        "an input that exists is fine: {problems}"
    );
}

#[test]
fn an_empty_text_deliverable_is_a_problem() {
    let env = Env::new();
    let folder = env.dir("notes");
    let spec = env.script(
        "blank.json",
        json!([
            {"tool_calls": [{"name": "write_file", "input": {"path": "summary.md", "content": "\n"}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Wrote it", "deliverables": ["summary.md"]}}]},
            {"tool_calls": [{"name": "finish", "input": {"summary": "Wrote it", "deliverables": ["summary.md"]}}]}
        ]),
    );
    let out = env.run_auto("write a summary to summary.md", &spec, &folder);
    assert_eq!(code(&out), 5, "{}", text(&out));
    let problems = state_of(&env, &task_id(&out))["problems"].to_string();
    assert!(problems.contains("`summary.md` is empty"), "{problems}");
}

#[test]
fn offline_recipes_pass_the_same_check() {
    let env = Env::new();
    let folder = env.dir("Downloads");
    let out = env.run(&["demo-folder", folder.to_str().expect("utf8")]);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let out = env.run_auto("organize my downloads by type and date", "offline", &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let checked: Vec<serde_json::Value> = events(&out)
        .into_iter()
        .filter(|e| e["type"] == "checked")
        .collect();
    assert_eq!(checked.len(), 1, "the recipe's result was checked");
    assert_eq!(checked[0]["problems"], json!([]));
}

#[test]
fn organizing_that_leaves_files_loose_is_not_done() {
    let env = Env::new();
    let folder = env.dir("Downloads");
    for name in ["a.pdf", "b.jpg", "c.zip"] {
        std::fs::write(folder.join(name), name).expect("write");
    }
    let moves = json!({"tool_calls": [{"name": "move_path", "input": {"moves": [
        {"from": "a.pdf", "to": "Documents/a.pdf"}, {"from": "b.jpg", "to": "Images/b.jpg"}]}}]});
    let finish = json!({"tool_calls": [{"name": "finish", "input": {"summary": "Organized"}}]});
    let spec = env.script("loose.json", json!([moves, finish, finish]));
    let out = env.run_auto("organize my downloads by type", &spec, &folder);
    assert_eq!(code(&out), 5, "{}", text(&out));
    let problems = state_of(&env, &task_id(&out))["problems"].to_string();
    assert!(
        problems.contains("still loose") && problems.contains("c.zip"),
        "{problems}"
    );
}

#[test]
fn a_file_skipped_in_each_file_work_is_named_and_a_full_pass_is_done() {
    let env = Env::new();
    let folder = env.dir("texts");
    for (name, body) in [
        ("a.txt", "one two\n"),
        ("b.txt", "three\n"),
        ("c.md", "four five six\n"),
    ] {
        std::fs::write(folder.join(name), body).expect("write");
    }
    std::fs::write(folder.join("photo.jpg"), "not text").expect("write");
    let read = |path: &str| json!({"tool_calls": [{"name": "read_file", "input": {"path": path}}]});
    let write = |content: &str| json!({"tool_calls": [{"name": "write_file", "input": {"path": "counts.csv", "content": content}}]});
    let finish = json!({"tool_calls": [{"name": "finish", "input": {"summary": "Counted", "deliverables": ["counts.csv"]}}]});
    let outcome = "Count the words in each text file and write counts.csv with columns file,words";

    // Two of the three text files: the third is named, and the photo is not asked about.
    let spec = env.script(
        "partial.json",
        json!([
            read("a.txt"),
            read("b.txt"),
            write("file,words\na.txt,2\nb.txt,1\n"),
            finish,
            finish
        ]),
    );
    let out = env.run_auto(outcome, &spec, &folder);
    assert_eq!(code(&out), 5, "{}", text(&out));
    let problems = state_of(&env, &task_id(&out))["problems"].to_string();
    assert!(
        problems.contains("each text file") && problems.contains("1 of them: c.md"),
        "{problems}"
    );
    assert!(!problems.contains("photo.jpg"), "{problems}");

    // Every one of them: done.
    let folder = env.dir("texts2");
    for (name, body) in [
        ("a.txt", "one two\n"),
        ("b.txt", "three\n"),
        ("c.md", "four five six\n"),
    ] {
        std::fs::write(folder.join(name), body).expect("write");
    }
    let spec = env.script(
        "full.json",
        json!([
            read("a.txt"),
            read("b.txt"),
            read("c.md"),
            write("file,words\na.txt,2\nb.txt,1\nc.md,3\n"),
            finish
        ]),
    );
    let out = env.run_auto(outcome, &spec, &folder);
    assert_eq!(code(&out), 0, "{}", text(&out));
}
