//! Steering a task from any process: `say`, `pause`, `continue`, `answer`, `cancel`. Each appends an
//! event; the process running the task reads it before its next step.
use crate::drive::{Output, continue_here, open_store};
use crate::exit::{Exit, ExitCode};
use anyhow::Result;
use errand_core::{EventKind, Store, TaskRow, TaskState, TaskView};
use errand_store::SqliteStore;

/// The task, if it can still be steered.
fn live_task(store: &SqliteStore, task: &str, verb: &str) -> Result<TaskRow> {
    let row = store
        .resolve_task(task)
        .map_err(|e| Exit::usage(e.to_string()))?;
    if row.state.is_terminal() {
        return Err(Exit::usage(format!(
            "task {} is already {}; there is nothing to {verb} (start a new task with errand run)",
            row.id,
            row.state.as_str()
        ))
        .into());
    }
    Ok(row)
}

/// Whether some process runs the task now.
fn running_elsewhere(store: &SqliteStore, task_id: &str) -> Result<bool> {
    Ok(store.lock_task(task_id)?.is_none())
}

/// `errand say TASK "message"`: a message the task's agent reads before its next step.
pub fn say(task: &str, message: &str, json: bool) -> Result<ExitCode> {
    if message.trim().is_empty() {
        return Err(Exit::usage("the message is empty; say what the task should know").into());
    }
    let store = open_store()?;
    let row = live_task(&store, task, "say")?;
    let event = store.append(
        &row.id,
        EventKind::UserMessage {
            text: message.to_string(),
        },
    )?;
    if json {
        crate::display::emit(&serde_json::to_string(&event)?);
    } else if running_elsewhere(&store, &row.id)? {
        eprintln!("Told task {}; it reads this before its next step.", row.id);
    } else {
        eprintln!(
            "Told task {}. Nothing runs it now; it reads this when it continues (errand resume {}).",
            row.id, row.id
        );
    }
    Ok(ExitCode::Done)
}

/// `errand cancel TASK`: the running loop, sub-agents included, stops at its next step.
pub fn cancel(task: &str) -> Result<ExitCode> {
    let store = open_store()?;
    let row = live_task(&store, task, "cancel")?;
    store.append(
        &row.id,
        EventKind::StateChanged {
            state: TaskState::Cancelled,
            reason: Some("cancelled by the person".into()),
        },
    )?;
    eprintln!(
        "Cancelled task {}. Undo its changes with `errand undo {}`.",
        row.id, row.id
    );
    Ok(ExitCode::Cancelled)
}

/// `errand pause TASK`: the run holds after its current step.
pub fn pause(task: &str, json: bool) -> Result<ExitCode> {
    let store = open_store()?;
    let row = live_task(&store, task, "pause")?;
    if row.state == TaskState::Paused {
        if !json {
            eprintln!("Task {} is already paused.", row.id);
        }
        return Ok(ExitCode::Done);
    }
    let event = store.append(
        &row.id,
        EventKind::StateChanged {
            state: TaskState::Paused,
            reason: Some("paused by the person".into()),
        },
    )?;
    if json {
        crate::display::emit(&serde_json::to_string(&event)?);
    } else if running_elsewhere(&store, &row.id)? {
        eprintln!(
            "Task {} pauses after its current step. Let it go on with `errand continue {}`.",
            row.id, row.id
        );
    } else {
        eprintln!(
            "Task {} is paused (nothing runs it now). Let it go on with `errand continue {}`.",
            row.id, row.id
        );
    }
    Ok(ExitCode::Done)
}

/// `errand continue TASK`: lifts a pause; runs the task here if no process does.
pub async fn resume_paused(task: &str, output: Output) -> Result<ExitCode> {
    let store = open_store()?;
    let row = live_task(&store, task, "continue")?;
    if row.state != TaskState::Paused {
        return Err(Exit::usage(format!(
            "task {} is not paused (it is {}){}",
            row.id,
            row.state.as_str(),
            if row.state == TaskState::Waiting {
                "; answer what it waits for with errand approve, deny or answer"
            } else {
                ""
            }
        ))
        .into());
    }
    store.append(
        &row.id,
        EventKind::StateChanged {
            state: TaskState::Running,
            reason: Some("continued by the person".into()),
        },
    )?;
    continue_here(store, &row.id, output).await
}

/// `errand answer TASK "…"`: answers the task's `ask_user` question, then continues it.
pub async fn answer(task: &str, answer: &str, output: Output) -> Result<ExitCode> {
    let store = open_store()?;
    let row = live_task(&store, task, "answer")?;
    let view = TaskView::fold(&store.events(&row.id)?);
    let Some(question) = &view.question else {
        return Err(Exit::usage(format!(
            "task {} has no question waiting for an answer (it is {})",
            row.id,
            row.state.as_str()
        ))
        .into());
    };
    if !output.json {
        eprintln!("Answered \"{}\": {answer}", question.question);
    }
    store.append(
        &row.id,
        EventKind::QuestionAnswered {
            call_id: question.call_id.clone(),
            answer: answer.to_string(),
        },
    )?;
    continue_here(store, &row.id, output).await
}
