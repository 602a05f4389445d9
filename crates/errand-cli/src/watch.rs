//! `errand watch TASK`: follows a task live from any process, while another process (a
//! foreground `errand run`, or a background `errand run --detach`) runs it. The store has
//! no notifications, so it polls the log; it stops when the task ends, or when the task
//! needs the person and no process is there to carry on.
use crate::display::{EventLines, emit, usage_text};
use crate::drive::{Output, exit_for, open_runtime};
use crate::exit::ExitCode;
use anyhow::{Result, anyhow};
use errand_core::{Store, TaskState, TaskView};
use std::time::Duration;

/// How often the log is read: quick enough to feel live, cheap for SQLite.
const POLL: Duration = Duration::from_millis(200);
/// Quiet polls in a row that must find nobody running the task before watch says so. One is
/// not enough: `errand approve` answers first and takes the task a moment later, and a run
/// writes its last events just before it lets go.
const SETTLE_POLLS: u32 = 2;
/// The same for a task no run has started yet: `run --detach` creates it, then starts a
/// process that takes it once it is up.
const START_POLLS: u32 = 10;

/// Follows the task until it ends or waits with nobody running it.
pub async fn watch(task: &str, output: Output) -> Result<ExitCode> {
    let runtime = open_runtime()?;
    let store = runtime.store();
    let row = runtime.task(task)?;
    let id = row.id;
    if !output.json {
        emit(&format!("Task {id}: {}", row.outcome));
    }
    let mut view = TaskView::default();
    let mut feed = EventLines::default();
    let mut shown_status = String::new();
    let mut unheld = 0;
    let mut hinted = false;
    // Ctrl-C ends the watching only; if no handler can be set, the default one kills us.
    let stop = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    tokio::pin!(stop);
    let mut new = store.events(&id)?;
    loop {
        for event in &new {
            view.apply(event);
            if output.json {
                emit(&serde_json::to_string(event)?);
            } else {
                feed.lines(event).iter().for_each(|line| emit(line));
            }
        }
        if view.state.is_terminal() {
            return Ok(ended(&id, &view, output));
        }
        if !new.is_empty() {
            unheld = 0;
            if !output.json {
                let status = status_line(&view, &store.work_items(&id)?);
                if status != shown_status {
                    emit(&format!("  ({status})"));
                    shown_status = status;
                }
            }
        } else if !store.task_running(&id)? {
            unheld += 1;
        } else {
            unheld = 0;
            // A background run waits in place: say once how to answer it.
            if view.state == TaskState::Waiting && !hinted && !output.json {
                emit(&format!("  {}", continue_hint(&view, &id).join(" ")));
                hinted = true;
            }
        }
        hinted &= view.state == TaskState::Waiting;
        let settle = if view.state == TaskState::Created {
            START_POLLS
        } else {
            SETTLE_POLLS
        };
        if unheld >= settle {
            return unattended(&id, &view);
        }
        tokio::select! {
            _ = &mut stop => {
                eprintln!("Stopped watching; the task goes on.");
                return Ok(ExitCode::Done);
            }
            _ = tokio::time::sleep(POLL) => {}
        }
        new = store.events_after(&id, view.last_seq)?;
    }
}

/// "sub-agents: 3 running, 2 done, 0 failed · work: 4/9 done · tokens: … · state: running"
fn status_line(view: &TaskView, work: &[errand_core::WorkItem]) -> String {
    let mut parts = Vec::new();
    if !view.subagents.is_empty() {
        let count = |state: &str| view.subagents.iter().filter(|s| s.state == state).count();
        let queued = match count("queued") {
            0 => String::new(),
            n => format!(", {n} queued"),
        };
        parts.push(format!(
            "sub-agents: {} running{queued}, {} done, {} failed",
            count("running"),
            count("done"),
            count("failed")
        ));
    }
    if !work.is_empty() {
        let done = work
            .iter()
            .filter(|w| w.status == errand_core::WorkStatus::Done)
            .count();
        parts.push(format!("work: {done}/{} done", work.len()));
    }
    parts.push(format!("tokens: {}", usage_text(&view.usage)));
    parts.push(format!("state: {}", view.state.as_str()));
    parts.join(" · ")
}

/// How the person lets a waiting task go on.
fn continue_hint(view: &TaskView, id: &str) -> Vec<String> {
    let mut hint = Vec::new();
    if !view.waiting_for.is_empty() {
        hint.push(format!(
            "Approve with `errand approve {id}`, refuse with `errand deny {id}`."
        ));
    }
    if view.question.is_some() {
        hint.push(format!("Answer with `errand answer {id} \"...\"`."));
    }
    if hint.is_empty() {
        hint.push(format!("Continue it with `errand resume {id}`."));
    }
    hint
}

/// The task ended: its result, and the exit code of its state (0, 1 or 4).
fn ended(id: &str, view: &TaskView, output: Output) -> ExitCode {
    let reason = view.state_reason.as_deref().unwrap_or("no reason given");
    if !output.json {
        if view.usage.total() > 0 {
            eprintln!("Tokens: {}", usage_text(&view.usage));
        }
        match view.state {
            TaskState::Done => {
                emit(&format!("\nDone: task {id}"));
                if let Some(summary) = &view.summary {
                    emit(summary);
                }
                if !view.deliverables.is_empty() {
                    emit(&format!("Deliverables: {}", view.deliverables.join(", ")));
                }
            }
            TaskState::Cancelled => eprintln!(
                "\nTask {id} was cancelled ({reason}). Undo its changes with `errand undo {id}`."
            ),
            _ => eprintln!("\nTask {id} failed: {reason}"),
        }
    }
    exit_for(view.state)
}

/// Nobody runs the task and it has not ended: what it needs, and how to go on.
fn unattended(id: &str, view: &TaskView) -> Result<ExitCode> {
    match view.state {
        TaskState::Waiting => {
            // Scripts read stdout; the explanation goes to stderr in both modes.
            eprintln!("\n{}", waiting_text(view, id));
            Ok(ExitCode::Waiting)
        }
        TaskState::Paused => {
            eprintln!(
                "\nTask {id} is paused and no process runs it; let it go on with `errand continue {id}`."
            );
            Ok(ExitCode::Waiting)
        }
        // Created or running, yet nobody runs it: its process died or was stopped. An
        // error, so it reads "errand: task …" on stderr and exits 1.
        _ => Err(anyhow!(
            "task {id} is not running (interrupted); continue it with `errand resume {id}`"
        )),
    }
}

/// What a waiting task waits for, and the commands that answer it.
fn waiting_text(view: &TaskView, id: &str) -> String {
    let mut text = format!("Task {id} is waiting for you, and no process runs it:");
    for pending in &view.waiting_for {
        let who = pending
            .agent
            .as_deref()
            .map(|a| format!("[{a}] "))
            .unwrap_or_default();
        // Previews are in the feed (and in the events, with --json).
        text.push_str(&format!("\n  {who}{}", pending.summary));
    }
    if let Some(q) = &view.question {
        text.push_str(&format!("\n  question: {}", q.question));
    }
    if view.waiting_for.is_empty() && view.question.is_none() {
        let reason = view
            .state_reason
            .as_deref()
            .unwrap_or("nothing left to answer");
        text.push_str(&format!("\n  {reason}"));
    }
    for line in continue_hint(view, id) {
        text.push_str(&format!("\n{line}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use errand_core::{Event, EventKind, Usage};

    fn view(kinds: Vec<(Option<&str>, EventKind)>) -> TaskView {
        let events: Vec<Event> = kinds
            .into_iter()
            .enumerate()
            .map(|(i, (agent, kind))| Event {
                task_id: "t1".into(),
                seq: i as i64 + 1,
                at: 0,
                agent: agent.map(str::to_string),
                kind,
            })
            .collect();
        TaskView::fold(&events)
    }

    fn started(goal: &str) -> EventKind {
        EventKind::SubagentStarted {
            call_id: "d1".into(),
            index: 0,
            goal: goal.into(),
            role: None,
            instructions: String::new(),
            folders: vec![],
            tools: vec![],
            max_turns: 10,
            model: "offline".into(),
            depth: 1,
        }
    }

    fn waiting() -> EventKind {
        EventKind::StateChanged {
            state: TaskState::Waiting,
            reason: Some("asks in ask mode".into()),
        }
    }

    #[test]
    fn the_status_line_counts_subagents_and_the_tasks_tokens() {
        let v = view(vec![
            (Some("a1"), started("one")),
            (Some("a2"), started("two")),
            (
                Some("a1"),
                EventKind::ModelTurn {
                    text: String::new(),
                    tool_calls: vec![],
                    usage: Usage {
                        input_tokens: 1200,
                        ..Usage::default()
                    },
                },
            ),
            (
                Some("a1"),
                EventKind::SubagentFinished {
                    ok: true,
                    summary: "ok".into(),
                    files: vec![],
                    turns: 1,
                },
            ),
        ]);
        assert_eq!(
            status_line(&v, &[]),
            "sub-agents: 0 running, 1 queued, 1 done, 0 failed · tokens: 1200 in · 0 out · 0 cache read · 0 cache write · state: created"
        );
        assert_eq!(
            status_line(&TaskView::default(), &[]),
            "tokens: 0 in · 0 out · 0 cache read · 0 cache write · state: created"
        );
    }

    #[test]
    fn a_waiting_task_says_whose_request_it_is_and_how_to_answer() {
        let v = view(vec![
            (
                Some("a2"),
                EventKind::ApprovalRequested {
                    call_id: "c1".into(),
                    tool: "write_file".into(),
                    summary: "sub-agent a2 (notes): write summary.md".into(),
                    preview: vec!["+ # Summary".into()],
                },
            ),
            (None, waiting()),
        ]);
        assert_eq!(
            waiting_text(&v, "t1"),
            "Task t1 is waiting for you, and no process runs it:\n  [a2] sub-agent a2 (notes): write summary.md\nApprove with `errand approve t1`, refuse with `errand deny t1`."
        );
        let asked = view(vec![
            (
                None,
                EventKind::QuestionAsked {
                    call_id: "q".into(),
                    question: "Which year?".into(),
                },
            ),
            (None, waiting()),
        ]);
        assert_eq!(
            continue_hint(&asked, "t1"),
            ["Answer with `errand answer t1 \"...\"`."]
        );
        // Answered, yet nobody carried on (the answering process died before it could).
        let answered = view(vec![(None, waiting())]);
        assert_eq!(
            waiting_text(&answered, "t1"),
            "Task t1 is waiting for you, and no process runs it:\n  asks in ask mode\nContinue it with `errand resume t1`."
        );
    }
}
