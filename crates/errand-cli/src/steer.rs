//! Steering a task from any process: `say`, `pause`, `continue`, `answer`, `cancel`. The
//! runtime appends the event; the process running the task reads it before its next step.
use crate::drive::{Output, continue_here, open_runtime};
use crate::exit::ExitCode;
use anyhow::Result;

/// `errand say TASK "message"`: a message the task's agent reads before its next step.
pub fn say(task: &str, message: &str, json: bool) -> Result<ExitCode> {
    let runtime = open_runtime()?;
    let steered = runtime.say(task, message)?;
    let id = &steered.id;
    if json {
        if let Some(event) = &steered.event {
            crate::display::emit(&serde_json::to_string(event)?);
        }
    } else if steered.running {
        eprintln!("Told task {id}; it reads this before its next step.");
    } else {
        eprintln!(
            "Told task {id}. Nothing runs it now; it reads this when it continues (errand resume {id})."
        );
    }
    Ok(ExitCode::Done)
}

/// `errand cancel TASK`: the running loop, sub-agents included, stops at its next step.
pub fn cancel(task: &str) -> Result<ExitCode> {
    let runtime = open_runtime()?;
    let steered = runtime.cancel(task)?;
    let id = &steered.id;
    eprintln!("Cancelled task {id}. Undo its changes with `errand undo {id}`.");
    Ok(ExitCode::Cancelled)
}

/// `errand pause TASK`: the run holds after its current step.
pub fn pause(task: &str, json: bool) -> Result<ExitCode> {
    let runtime = open_runtime()?;
    let steered = runtime.pause(task)?;
    let id = &steered.id;
    match (&steered.event, json) {
        (None, false) => eprintln!("Task {id} is already paused."),
        (None, true) => {}
        (Some(event), true) => crate::display::emit(&serde_json::to_string(event)?),
        (Some(_), false) if steered.running => eprintln!(
            "Task {id} pauses after its current step. Let it go on with `errand continue {id}`."
        ),
        (Some(_), false) => eprintln!(
            "Task {id} is paused (nothing runs it now). Let it go on with `errand continue {id}`."
        ),
    }
    Ok(ExitCode::Done)
}

/// `errand continue TASK`: lifts a pause; runs the task here if no process does.
pub async fn resume_paused(task: &str, output: Output) -> Result<ExitCode> {
    let runtime = open_runtime()?;
    let steered = runtime.resume_paused(task)?;
    continue_here(&runtime, &steered, output).await
}

/// `errand answer TASK "…"`: answers the task's `ask_user` question, then continues it.
pub async fn answer(task: &str, answer: &str, output: Output) -> Result<ExitCode> {
    let runtime = open_runtime()?;
    let (steered, question) = runtime.answer(task, answer)?;
    if !output.json {
        eprintln!("Answered \"{question}\": {answer}");
    }
    continue_here(&runtime, &steered, output).await
}
