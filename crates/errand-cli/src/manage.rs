//! Looking at and reversing tasks: `tasks`, `show`, `undo`, `trash`.
use crate::display::checklist_line;
use crate::drive::open_runtime;
use crate::exit::ExitCode;
use anyhow::Result;
use errand_core::{JournalState, Store, TaskView};

fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// `errand tasks`: every task, newest first.
pub fn tasks(json_out: bool) -> Result<ExitCode> {
    let rows = open_runtime()?.tasks()?;
    if json_out {
        println!("{}", serde_json::to_string(&rows)?);
        return Ok(ExitCode::Done);
    }
    if rows.is_empty() {
        println!("No tasks yet. Start one: errand run \"organize by type and date\" --folder DIR");
    }
    for row in rows {
        println!(
            "{}  {:9}  {}  {}",
            row.id,
            row.state.as_str(),
            when(row.created_at),
            row.outcome
        );
    }
    Ok(ExitCode::Done)
}

/// `errand show TASK`: its plan, usage, deliverables and what it changed.
pub fn show(task: &str, json_out: bool) -> Result<ExitCode> {
    let runtime = open_runtime()?;
    if json_out {
        println!("{}", runtime.show(task)?);
        return Ok(ExitCode::Done);
    }
    let store = runtime.store();
    let row = runtime.task(task)?;
    let view = TaskView::fold(&store.events(&row.id)?);
    let journal = store.journal(&row.id)?;
    let count = |state: JournalState| {
        journal
            .iter()
            .filter(|r| r.state == state && r.op.is_change())
            .count()
    };
    let work = store.work_items(&row.id)?;
    println!("Task {}: {}", view.id, view.outcome);
    println!(
        "State: {}{}",
        view.state.as_str(),
        view.state_reason
            .as_ref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default()
    );
    println!(
        "Mode: {}   Model: {}   Created: {}",
        view.mode,
        view.model,
        when(view.created_at)
    );
    if !view.instructions.is_empty() {
        println!("Read these instructions:");
        for source in &view.instructions {
            println!(
                "  {} ({}){}",
                source.label,
                source.path.display(),
                if source.clipped {
                    ", cut at its size budget"
                } else {
                    ""
                }
            );
        }
    }
    for grant in &view.grants {
        println!(
            "Folder: {} ({})",
            grant.path.display(),
            if grant.writable {
                "read-write"
            } else {
                "read-only"
            }
        );
    }
    if !view.plan.is_empty() {
        println!("Plan:");
        for step in &view.plan {
            println!("  {}", checklist_line(step));
        }
    }
    let usage = view.usage;
    if view.model == "offline" {
        println!(
            "Usage: {} planner turns (offline: no tokens, no cost)",
            view.model_turns
        );
    } else {
        println!(
            "Usage: {} model turns, {} input + {} output tokens ({} cache read, {} cache write)",
            view.model_turns,
            usage.input_tokens,
            usage.output_tokens,
            usage.cache_read_tokens,
            usage.cache_write_tokens
        );
    }
    println!(
        "Changes: {} done, {} undone",
        count(JournalState::Done),
        count(JournalState::Undone)
    );
    for pending in &view.waiting_for {
        println!("Waiting for approval: {}", pending.summary);
    }
    if let Some(question) = &view.question {
        println!("Question waiting for your answer: {}", question.question);
        println!("  answer with: errand answer {} \"…\"", view.id);
    }
    if !view.subagents.is_empty() {
        println!("Sub-agents:");
        for sub in &view.subagents {
            let goal: String = sub.goal.chars().take(70).collect();
            println!(
                "  {:6} {:8} {:>3} turns  {goal}",
                sub.id, sub.state, sub.turns
            );
            if sub.state != "running" && !sub.summary.is_empty() {
                let first = sub.summary.lines().next().unwrap_or_default();
                println!("         {}", first.chars().take(100).collect::<String>());
            }
        }
    }
    if !work.is_empty() {
        println!("Work list:");
        for item in &work {
            let owner = item
                .owner
                .as_ref()
                .map(|o| format!(", {o}"))
                .unwrap_or_default();
            println!(
                "  #{} [{}{owner}] {}",
                item.id,
                item.status.as_str(),
                item.title
            );
        }
    }
    if let Some(summary) = &view.summary {
        println!("Summary:\n{summary}");
    }
    if view.ended_without_finish {
        println!(
            "Ended without finish: the model stopped without calling finish; its last words are the summary."
        );
    }
    if !view.problems.is_empty() {
        let label = if view.state.is_terminal() {
            "Done with problems"
        } else {
            "The result check found"
        };
        println!("{label}:");
        for problem in &view.problems {
            println!("  - {problem}");
        }
    }
    if !view.deliverables.is_empty() {
        println!("Deliverables: {}", view.deliverables.join(", "));
    }
    Ok(ExitCode::Done)
}

/// `errand undo TASK`: puts back everything the task changed that nobody changed since.
pub fn undo(task: &str, json_out: bool) -> Result<ExitCode> {
    let runtime = open_runtime()?;
    let row = runtime.task(task)?;
    let report = runtime.undo(&row.id)?;
    if json_out {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "Undid task {}: {} changes reversed.",
            row.id, report.restored
        );
        for folder in &report.kept_folders {
            println!("  kept folder {folder}: it holds files this task did not put there");
        }
        if !report.refused.is_empty() {
            println!("Left alone, because they changed after the task:");
            for line in &report.refused {
                println!("  {line}");
            }
        }
    }
    Ok(if report.refused.is_empty() {
        ExitCode::Done
    } else {
        ExitCode::Failed
    })
}

/// `errand trash`: files that tasks trashed or replaced.
pub fn trash_list(json_out: bool) -> Result<ExitCode> {
    let items = open_runtime()?.trash()?;
    if json_out {
        println!("{}", serde_json::to_string(&items)?);
        return Ok(ExitCode::Done);
    }
    if items.is_empty() {
        println!("The trash is empty.");
    }
    for item in &items {
        println!(
            "{:>6}  {}  task {}  {:8}  {:>10} bytes  {}",
            item.id,
            when(item.at),
            item.task_id,
            item.reason,
            item.size,
            item.path
        );
    }
    if !items.is_empty() {
        println!("Restore one with: errand trash restore ID");
    }
    Ok(ExitCode::Done)
}

/// `errand trash restore ID`.
pub fn trash_restore(id: i64) -> Result<ExitCode> {
    match open_runtime()?.restore(id) {
        Ok(path) => {
            println!("Restored {path}");
            Ok(ExitCode::Done)
        }
        Err(e) if e.kind == errand_runtime::ErrorKind::Conflict => {
            eprintln!("Could not restore item {id}: {e}");
            Ok(ExitCode::Failed)
        }
        Err(e) => Err(e.into()),
    }
}
