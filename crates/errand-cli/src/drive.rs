//! Running tasks from the terminal: `run` (and `--detach`), `resume`, `approve`, `deny`.
//! The runtime does the work; this shows it (a live checklist, or JSON lines) and asks at
//! the terminal.
use crate::app::RunArgs;
use crate::display::{JsonLines, Terminal, TerminalApprover, confirm};
use crate::exit::{Exit, ExitCode};
use anyhow::{Context, Result};
use errand_core::{Approver, Network, Observer, RunOutcome, Store, TaskState, TaskView};
use errand_runtime::{Driver, FolderRequest, Runtime, TaskRequest};
use std::io::IsTerminal;
use std::sync::Arc;

/// How a command shows its work.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
    /// Prompts allowed (stdin and stderr are terminals, not --json, not --no-input).
    pub interactive: bool,
}

impl Output {
    pub fn detect(json: bool, no_input: bool) -> Output {
        let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        Output {
            json,
            interactive: terminal && !json && !no_input,
        }
    }
}

pub fn open_runtime() -> Result<Arc<Runtime>> {
    Ok(Arc::new(Runtime::open()?))
}

/// Runs a task in this process until it ends or waits, and reports how it went. With
/// `hold` (a background run) it waits in place for approvals and answers instead.
pub async fn drive(
    runtime: &Runtime,
    task_id: &str,
    output: Output,
    hold: bool,
) -> Result<ExitCode> {
    let terminal = Arc::new(Terminal::new(
        output.interactive || (!output.json && std::io::stderr().is_terminal()),
    ));
    let observer: Arc<dyn Observer> = if output.json {
        Arc::new(JsonLines)
    } else {
        terminal.clone()
    };
    let approver: Option<Arc<dyn Approver>> = output
        .interactive
        .then(|| Arc::new(TerminalApprover::new(terminal.clone())) as Arc<dyn Approver>);
    let interrupt = Arc::new(std::sync::atomic::AtomicBool::new(false));
    watch_ctrl_c(interrupt.clone());
    let driver = Driver {
        observer,
        approver,
        hold,
        interrupt,
    };
    let outcome = runtime.drive(task_id, driver).await?;
    terminal.close();
    let view = runtime.task_view(task_id)?;
    if !output.json {
        report(runtime, &view, &outcome)?;
    }
    Ok(match outcome {
        RunOutcome::Done if view.problems.is_empty() => ExitCode::Done,
        RunOutcome::Done => ExitCode::Problems,
        RunOutcome::Failed(_) => ExitCode::Failed,
        RunOutcome::Waiting(_) => ExitCode::Waiting,
        RunOutcome::Cancelled | RunOutcome::Interrupted => ExitCode::Cancelled,
    })
}

/// The first Ctrl-C asks the run to stop at the next item; a second one ends the process
/// at once (still safe: everything is journaled).
fn watch_ctrl_c(interrupt: Arc<std::sync::atomic::AtomicBool>) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            interrupt.store(true, std::sync::atomic::Ordering::Relaxed);
            eprintln!("\nStopping at the next step (Ctrl-C again to quit now)…");
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(ExitCode::Cancelled as i32);
            }
        }
    });
}

/// The final summary a person reads.
fn report(runtime: &Runtime, view: &TaskView, outcome: &RunOutcome) -> Result<()> {
    let store = runtime.store();
    let task_id = view.id.as_str();
    if view.usage.total() > 0 {
        eprintln!("Tokens: {}", crate::display::usage_text(&view.usage));
    }
    match outcome {
        RunOutcome::Done => {
            if view.problems.is_empty() {
                println!("\nDone: task {task_id}");
            } else {
                println!("\nDone with problems: task {task_id}");
            }
            if let Some(summary) = &view.summary {
                println!("{summary}");
            }
            if view.ended_without_finish {
                println!("(The model stopped without calling finish; these are its last words.)");
            }
            if !view.problems.is_empty() {
                println!("The result check found:");
                for problem in &view.problems {
                    println!("  - {problem}");
                }
            }
            if !view.deliverables.is_empty() {
                let root = view
                    .grants
                    .first()
                    .map(|g| g.path.display().to_string())
                    .unwrap_or_default();
                println!("Deliverables (in {root}): {}", view.deliverables.join(", "));
            }
            let changes = store.journal(task_id)?.len();
            if changes > 0 {
                println!("Undo everything this task did: errand undo {task_id}");
            }
        }
        RunOutcome::Failed(reason) => eprintln!("\nTask {task_id} failed: {reason}"),
        RunOutcome::Waiting(reason) => {
            if let Some(question) = &view.question {
                eprintln!("\nTask {task_id} asks: {}", question.question);
                eprintln!("Answer with `errand answer {task_id} \"…\"`.");
            } else {
                eprintln!("\nTask {task_id} is waiting for approval: {reason}");
                for pending in &view.waiting_for {
                    if view.waiting_for.len() > 1 {
                        eprintln!("  {}", pending.summary);
                    }
                    for line in &pending.preview {
                        eprintln!("    {line}");
                    }
                }
                eprintln!(
                    "Approve with `errand approve {task_id}`, refuse with `errand deny {task_id}`."
                );
            }
        }
        RunOutcome::Cancelled => eprintln!(
            "\nTask {task_id} was cancelled. Undo its changes with `errand undo {task_id}`."
        ),
        RunOutcome::Interrupted => eprintln!(
            "\nStopped. Task {task_id} keeps its place: continue with `errand resume {task_id}`, \
             or reverse what it did with `errand undo {task_id}`."
        ),
    }
    Ok(())
}

/// `errand run`: creates a task and works on it.
pub async fn run(args: RunArgs, output: Output) -> Result<ExitCode> {
    if args.outcome.trim().is_empty() {
        return Err(Exit::usage("describe the outcome you want, e.g. errand run \"organize by type and date\" --folder ~/Downloads").into());
    }
    if args.folders.is_empty() && args.read_only.is_empty() && args.project.is_none() {
        return Err(Exit::usage(
            "grant a folder with --folder DIR (or start it in a project with --project NAME)",
        )
        .into());
    }
    let folders = FolderRequest::list(args.folders.clone(), args.read_only.clone());
    let request = TaskRequest {
        outcome: args.outcome,
        folders,
        mode: args.mode,
        model: args.model,
        max_tokens_total: args.max_tokens_total,
        network: if args.allow_network {
            Network::All
        } else if args.allow_hosts.is_empty() {
            Network::Off
        } else {
            Network::Hosts(args.allow_hosts)
        },
        unsandboxed: args.unsafe_no_sandbox,
        roots: None,
        project: args.project,
    };
    let runtime = open_runtime()?;
    offer_interrupted(&runtime, output).await?;
    let created = runtime.create_from(request).await?;
    let id = created.id;
    if output.json {
        JsonLines.event(&created.event);
        if let Some(read) = &created.instructions {
            JsonLines.event(read);
        }
    } else {
        if let Some(read) = &created.instructions
            && let errand_core::EventKind::InstructionsRead { sources, .. } = &read.kind
            && !sources.is_empty()
        {
            let labels: Vec<&str> = sources.iter().map(|s| s.label.as_str()).collect();
            eprintln!("Read these instructions: {}", labels.join(", "));
        }
        if let Some(recipe) = &created.recipe {
            let folder = TaskView::fold(std::slice::from_ref(&created.event))
                .grants
                .first()
                .map(|g| g.path.display().to_string())
                .unwrap_or_default();
            eprintln!("Offline recipe: {recipe} in {folder}");
        }
        if !args.detach {
            eprintln!("Task {id} ({} mode)", created.mode);
        }
    }
    if args.detach {
        return detach(&runtime, &id, output);
    }
    drive(&runtime, &id, output, false).await
}

/// `run --detach`: a background process runs the task (waiting in place for approvals and
/// answers); this one prints the id once that process holds the task, and exits.
fn detach(runtime: &Runtime, id: &str, output: Output) -> Result<ExitCode> {
    use std::os::unix::process::CommandExt;
    let store = runtime.store();
    let logs = store.home().join("logs");
    std::fs::create_dir_all(&logs)
        .with_context(|| format!("cannot make the log folder {}", logs.display()))?;
    let log_path = logs.join(format!("{id}.log"));
    let log = std::fs::File::create(&log_path)
        .with_context(|| format!("cannot write {}", log_path.display()))?;
    let exe = std::env::current_exe().context("cannot find the errand executable")?;
    let mut child = std::process::Command::new(exe)
        .args(["--no-input", "resume", id, "--hold"])
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        // Its own process group: closing this terminal or Ctrl-C here does not reach it.
        .process_group(0)
        .spawn()
        .context("cannot start the background run")?;
    // Until the background process holds the task, `watch` would think nobody runs it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !store.task_running(id)? && std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait()? {
            // It ended already (a short task); its state says how.
            tracing::debug!(%status, "background run ended before it was seen running");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    if output.json {
        crate::display::emit(
            &serde_json::json!({"type": "detached", "task_id": id, "pid": child.id(), "log": log_path})
                .to_string(),
        );
    } else {
        println!("{id}");
        eprintln!(
            "Task {id} runs in the background (log: {}).\nFollow it: errand watch {id}   Steer it: errand say {id} \"…\"   Stop it: errand cancel {id}",
            log_path.display()
        );
    }
    Ok(ExitCode::Done)
}

/// Tasks whose process died mid-run: offered for resuming on a terminal, named otherwise.
async fn offer_interrupted(runtime: &Runtime, output: Output) -> Result<()> {
    for row in runtime.interrupted()? {
        if output.interactive {
            if confirm(
                &format!(
                    "Task {} (\"{}\") was interrupted. Resume it now?",
                    row.id, row.outcome
                ),
                true,
            ) {
                Box::pin(drive(runtime, &row.id, output, false)).await?;
            }
        } else if !output.json {
            eprintln!(
                "Note: task {} (\"{}\") was interrupted; continue it with `errand resume {}`.",
                row.id, row.outcome, row.id
            );
        }
    }
    Ok(())
}

/// `errand resume TASK`.
pub async fn resume(task: &str, hold: bool, output: Output) -> Result<ExitCode> {
    let runtime = open_runtime()?;
    let row = runtime.task(task)?;
    if row.state.is_terminal() {
        if !output.json {
            eprintln!("Task {} is already {}.", row.id, row.state.as_str());
        }
        return Ok(exit_for(row.state));
    }
    drive(&runtime, &row.id, output, hold).await
}

pub fn exit_for(state: TaskState) -> ExitCode {
    match state {
        TaskState::Done => ExitCode::Done,
        TaskState::Failed => ExitCode::Failed,
        TaskState::Cancelled => ExitCode::Cancelled,
        TaskState::Waiting | TaskState::Paused => ExitCode::Waiting,
        TaskState::Created | TaskState::Running => ExitCode::Failed,
    }
}

/// `errand approve TASK` / `errand deny TASK`: answers the waiting request, then continues.
pub async fn answer(task: &str, approved: bool, always: bool, output: Output) -> Result<ExitCode> {
    let runtime = open_runtime()?;
    let resolved = runtime.resolve(task, None, approved, always)?;
    if !output.json {
        let verb = if approved { "Approved" } else { "Refused" };
        eprintln!("{verb}: {}", resolved.summary);
        if resolved.more_waiting > 0 {
            eprintln!(
                "{} more requests wait after this one.",
                resolved.more_waiting
            );
        }
    }
    continue_here(&runtime, &resolved.steered, output).await
}

/// After steering a task: if a process runs it, that process goes on; otherwise this one
/// runs it.
pub async fn continue_here(
    runtime: &Runtime,
    steered: &errand_runtime::Steered,
    output: Output,
) -> Result<ExitCode> {
    let id = &steered.id;
    if runtime.is_running(id)? {
        if !output.json {
            eprintln!(
                "Task {id} goes on in the process running it (follow it: errand watch {id})."
            );
        }
        return Ok(ExitCode::Done);
    }
    drive(runtime, id, output, false).await
}
