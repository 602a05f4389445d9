//! `errand schedule`: make, list, run, pause, resume and remove recurring tasks, and read
//! their history. `errand serve` (or the daemon) runs them; the runtime keeps them.
use crate::app::ScheduleAction;
use crate::drive::Output;
use crate::exit::{Exit, ExitCode};
use anyhow::Result;
use chrono::{DateTime, Local, Utc};
use errand_runtime::{FolderRequest, Runtime, ScheduleRequest};
use errand_schedule::{HistoryEntry, Missed};

pub async fn schedule(action: ScheduleAction, json: bool, output: Output) -> Result<ExitCode> {
    let runtime = Runtime::open()?;
    match action {
        ScheduleAction::Add {
            outcome,
            folders,
            read_only,
            mode,
            model,
            cron,
            every,
            missed,
            project,
        } => {
            let missed: Missed = missed.parse().map_err(Exit::usage)?;
            let folders = FolderRequest::list(folders, read_only);
            let made = runtime
                .add_schedule(ScheduleRequest {
                    outcome,
                    folders,
                    mode,
                    model,
                    cron,
                    every,
                    missed,
                    project,
                })
                .map_err(|e| Exit::usage(e.to_string()))?;
            let next = made.next_run(&Local);
            if json {
                println!(
                    "{}",
                    serde_json::json!({"id": made.id, "when": made.recurrence.describe(), "next_run": next})
                );
            } else {
                println!(
                    "Schedule {} made: “{}” {}. Next run: {}.",
                    made.id,
                    made.outcome,
                    made.recurrence.describe(),
                    local(next)
                );
                println!(
                    "Schedules run while `errand serve` runs; `errand daemon install` keeps it running after a reboot."
                );
            }
            Ok(ExitCode::Done)
        }
        ScheduleAction::List => {
            let all = runtime.schedule_summaries()?;
            if json {
                println!("{}", serde_json::json!({ "schedules": all }));
                return Ok(ExitCode::Done);
            }
            if all.is_empty() {
                println!(
                    "No schedules. Make one with `errand schedule add \"OUTCOME\" --folder DIR --every \"weekday 08:00\"`."
                );
            }
            for s in all {
                let state = if s.schedule.paused { " (paused)" } else { "" };
                println!("{}  {}{state}", s.schedule.id, s.schedule.outcome);
                println!("    {}; next: {}", s.when, local(s.next_run));
                if let Some(task) = &s.schedule.last_task {
                    println!(
                        "    last run: {} → task {task} ({})",
                        local(s.schedule.last_run),
                        s.last_task_state.as_deref().unwrap_or("unknown")
                    );
                }
            }
            Ok(ExitCode::Done)
        }
        ScheduleAction::Run { id } => {
            let (schedule, task) = runtime.run_schedule_now(&id)?;
            if !json {
                eprintln!("Running schedule {} now as task {task}.", schedule.id);
            }
            drop(runtime);
            crate::drive::resume(&task, false, output).await
        }
        ScheduleAction::Pause { id } => {
            let s = runtime.set_schedule_paused(&id, true)?;
            said(json, &s.id, "paused", &format!("Schedule {} paused.", s.id));
            Ok(ExitCode::Done)
        }
        ScheduleAction::Resume { id } => {
            let s = runtime.set_schedule_paused(&id, false)?;
            let next = local(s.next_run(&Local));
            said(
                json,
                &s.id,
                "resumed",
                &format!("Schedule {} resumed; next run: {next}.", s.id),
            );
            Ok(ExitCode::Done)
        }
        ScheduleAction::Remove { id } => {
            let s = runtime.remove_schedule(&id)?;
            said(
                json,
                &s.id,
                "removed",
                &format!("Schedule {} removed (its history and tasks stay).", s.id),
            );
            Ok(ExitCode::Done)
        }
        ScheduleAction::History { id } => {
            let (schedule, history) = runtime.schedule_history(&id)?;
            if json {
                let entries: Vec<serde_json::Value> = history
                    .iter()
                    .map(|(at, entry)| {
                        let mut v = serde_json::to_value(entry).unwrap_or_default();
                        v["at"] = serde_json::json!(at);
                        v
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::json!({"id": schedule.id, "history": entries})
                );
                return Ok(ExitCode::Done);
            }
            println!("{}  {}", schedule.id, schedule.outcome);
            if history.is_empty() {
                println!("    nothing yet");
            }
            for (at, entry) in history {
                println!("    {}  {}", local(Some(at)), words(&entry));
            }
            Ok(ExitCode::Done)
        }
    }
}

fn said(json: bool, id: &str, what: &str, words: &str) {
    if json {
        println!("{}", serde_json::json!({"id": id, "state": what}));
    } else {
        println!("{words}");
    }
}

fn local(at: Option<DateTime<Utc>>) -> String {
    match at {
        Some(at) => at
            .with_timezone(&Local)
            .format("%a %Y-%m-%d %H:%M")
            .to_string(),
        None => "none".to_string(),
    }
}

/// One history entry in words.
fn words(entry: &HistoryEntry) -> String {
    match entry {
        HistoryEntry::Ran {
            scheduled_for,
            task,
            caught_up: 0,
        } => format!("ran (for {}) → task {task}", local(Some(*scheduled_for))),
        HistoryEntry::Ran {
            scheduled_for,
            task,
            caught_up,
        } => format!(
            "caught up (for {}, after {caught_up} missed) → task {task}",
            local(Some(*scheduled_for))
        ),
        HistoryEntry::RanByHand { task } => format!("run by hand → task {task}"),
        HistoryEntry::Missed { count, first, last } => format!(
            "missed {count} run{} ({} to {}): Errand was not running",
            if *count == 1 { "" } else { "s" },
            local(Some(*first)),
            local(Some(*last))
        ),
        HistoryEntry::SkippedOverlap {
            scheduled_for,
            running,
        } => format!(
            "skipped the run for {}: task {running} was still going",
            local(Some(*scheduled_for))
        ),
        HistoryEntry::Failed { scheduled_for, why } => format!(
            "could not start the run for {}: {why}",
            local(Some(*scheduled_for))
        ),
    }
}
