//! Running tasks: `run` (and `--detach`), `resume`, `approve`, `deny`.
use crate::app::RunArgs;
use crate::config::{Config, data_dir};
use crate::display::{JsonLines, Terminal, TerminalApprover, confirm};
use crate::exit::{Exit, ExitCode};
use anyhow::{Context, Result, anyhow};
use errand_core::{
    Agent, Approver, EventKind, Grant, Observer, Policy, RunOutcome, Store, TaskState, TaskView,
};
use errand_store::SqliteStore;
use errand_tools::Workspace;
use std::io::IsTerminal;
use std::path::PathBuf;
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

pub fn open_store() -> Result<Arc<SqliteStore>> {
    let home = data_dir()?;
    let store = SqliteStore::open(&home)
        .with_context(|| format!("cannot open Errand's data in {}", home.display()))?;
    Ok(Arc::new(store))
}

/// Turns `--folder` arguments into grants named after their folders.
pub fn grants(folders: &[PathBuf], read_only: &[PathBuf]) -> Result<Vec<Grant>, Exit> {
    let mut grants: Vec<Grant> = Vec::new();
    for (path, writable) in folders
        .iter()
        .map(|p| (p, true))
        .chain(read_only.iter().map(|p| (p, false)))
    {
        let canonical = std::fs::canonicalize(path)
            .map_err(|e| Exit::usage(format!("cannot use the folder {}: {e}", path.display())))?;
        if !canonical.is_dir() {
            return Err(Exit::usage(format!("{} is not a folder", path.display())));
        }
        let base = canonical
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "root".into());
        let mut name = base.clone();
        let mut n = 2;
        while grants.iter().any(|g| g.name == name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        grants.push(Grant {
            name,
            path: canonical,
            writable,
        });
    }
    if grants.is_empty() {
        return Err(Exit::usage("grant a folder with --folder DIR"));
    }
    Ok(grants)
}

/// Runs a task in this process until it ends or waits, and reports how it went. With
/// `hold` (a background run) it waits in place for approvals and answers instead.
pub async fn drive(
    store: Arc<SqliteStore>,
    task_id: &str,
    output: Output,
    hold: bool,
) -> Result<ExitCode> {
    let _lock = match lock_soon(&store, task_id)? {
        Some(lock) => lock,
        None => {
            return Err(Exit::usage(format!(
                "task {task_id} is running in another process; follow it with `errand show {task_id}`"
            ))
            .into());
        }
    };
    let view = TaskView::fold(&store.events(task_id)?);
    let config = Config::load().map_err(|e| Exit::usage(format!("{e:#}")))?;
    let (spec, env) = config.resolve_model(&view.model);
    let model = env.build(&spec).map_err(|e| Exit::usage(e.to_string()))?;
    let workspace = Arc::new(Workspace::open(&view.grants).map_err(|e| anyhow!(e.0))?);
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
    let options = errand_tools::ToolOptions {
        commands: errand_tools::command::CommandSettings {
            unsandboxed: view.commands.unsandboxed,
            extra_read: config.sandbox_read(),
            network: view.commands.network.clone(),
        },
        ..errand_tools::ToolOptions::default()
    };
    let agents = config.agents.clone();
    let policy = Policy::new(
        view.mode,
        config.rules().map_err(|e| Exit::usage(format!("{e:#}")))?,
    );
    let roles =
        crate::roles::load(&Config::folder()?).map_err(|e| Exit::usage(format!("{e:#}")))?;
    let team = crate::team::Team {
        grants: view.grants.clone(),
        options: options.clone(),
        roles,
        config: Arc::new(config),
    };
    let agent = Agent {
        store: store.clone(),
        tools: crate::team::task_tools(workspace, options, agents.max_depth > 0),
        model,
        policy,
        observer,
        approver,
        max_turns: team.config.max_turns.unwrap_or(200),
        interrupt,
        who: None,
        hold,
        delegation: Some(Arc::new(errand_core::agent::Delegation {
            factory: Arc::new(team),
            concurrency: agents.concurrency.max(1),
            max_depth: agents.max_depth,
            default_max_turns: agents.max_turns.max(1),
            depth: 0,
            spent: Default::default(),
        })),
        leases: errand_core::agent::Leasing {
            enabled: !leases_off_for_tests(),
            wait: std::time::Duration::from_secs(agents.lease_wait_s),
        },
    };
    let outcome = agent.run(task_id).await?;
    terminal.close();
    if !output.json {
        report(&store, task_id, &outcome)?;
    }
    Ok(match outcome {
        RunOutcome::Done => ExitCode::Done,
        RunOutcome::Failed(_) => ExitCode::Failed,
        RunOutcome::Waiting(_) => ExitCode::Waiting,
        RunOutcome::Cancelled | RunOutcome::Interrupted => ExitCode::Cancelled,
    })
}

/// Takes the task's run lock, retrying briefly: `watch`, `say` and `run --detach` probe the
/// lock for a moment to see whether anyone runs the task, and such a probe must not turn
/// a starting run away.
fn lock_soon(
    store: &SqliteStore,
    task_id: &str,
) -> Result<Option<Box<dyn errand_core::store::TaskLock>>> {
    for _ in 0..25 {
        if let Some(lock) = store.lock_task(task_id)? {
            return Ok(Some(lock));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Ok(None)
}

/// Tests that show what leases prevent turn them off; only a debug build listens.
fn leases_off_for_tests() -> bool {
    cfg!(debug_assertions) && std::env::var("ERRAND_TEST_NO_LEASES").is_ok_and(|v| v == "1")
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
fn report(store: &SqliteStore, task_id: &str, outcome: &RunOutcome) -> Result<()> {
    let view = TaskView::fold(&store.events(task_id)?);
    if view.usage.total() > 0 {
        eprintln!("Tokens: {}", crate::display::usage_text(&view.usage));
    }
    match outcome {
        RunOutcome::Done => {
            println!("\nDone: task {task_id}");
            if let Some(summary) = &view.summary {
                println!("{summary}");
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
    let config = Config::load().map_err(|e| Exit::usage(format!("{e:#}")))?;
    let grants = grants(&args.folders, &args.read_only)?;
    // The task records the name given (a profile or a spec); it is resolved again on resume.
    let name = args.model.clone().unwrap_or_else(|| {
        errand_model::ModelEnv::from_process().default_spec(config.model.as_deref())
    });
    let (spec, env) = config.resolve_model(&name);
    env.build(&spec).map_err(|e| Exit::usage(e.to_string()))?;
    if spec == "offline" {
        let Some(recipe) = errand_model::offline::select(&args.outcome) else {
            return Err(
                Exit::usage(errand_model::offline::no_recipe_message(&args.outcome)).into(),
            );
        };
        if grants.len() != 1 || !grants[0].writable {
            return Err(Exit::usage(
                "offline recipes work on one read-write folder: pass exactly one --folder",
            )
            .into());
        }
        if !output.json {
            eprintln!(
                "Offline recipe: {} in {}",
                recipe.title(),
                grants[0].path.display()
            );
        }
    }
    let store = open_store()?;
    offer_interrupted(&store, output).await?;
    let mode = args.mode.or(config.mode).unwrap_or_default();
    let id = errand_core::new_id();
    let created = EventKind::TaskCreated {
        outcome: args.outcome,
        grants,
        mode,
        model: name,
        max_tokens_total: args.max_tokens_total,
        commands: errand_core::CommandGrant {
            network: if args.allow_network {
                errand_core::Network::All
            } else if args.allow_hosts.is_empty() {
                errand_core::Network::Off
            } else {
                errand_core::Network::Hosts(args.allow_hosts)
            },
            unsandboxed: args.unsafe_no_sandbox,
        },
    };
    let event = store.create_task(&id, created)?;
    if output.json {
        JsonLines.event(&event);
    } else if !args.detach {
        eprintln!("Task {id} ({mode} mode)");
    }
    if args.detach {
        return detach(&store, &id, output);
    }
    drive(store, &id, output, false).await
}

/// `run --detach`: a background process runs the task (waiting in place for approvals and
/// answers); this one prints the id once that process holds the task, and exits.
fn detach(store: &SqliteStore, id: &str, output: Output) -> Result<ExitCode> {
    use std::os::unix::process::CommandExt;
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
    while store.lock_task(id)?.is_some() && std::time::Instant::now() < deadline {
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
async fn offer_interrupted(store: &Arc<SqliteStore>, output: Output) -> Result<()> {
    for row in store.tasks()? {
        if !matches!(row.state, TaskState::Running | TaskState::Created) {
            continue;
        }
        if store.lock_task(&row.id)?.is_none() {
            continue; // another process is working on it
        }
        if output.interactive {
            if confirm(
                &format!(
                    "Task {} (\"{}\") was interrupted. Resume it now?",
                    row.id, row.outcome
                ),
                true,
            ) {
                Box::pin(drive(store.clone(), &row.id, output, false)).await?;
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
    let store = open_store()?;
    let row = store
        .resolve_task(task)
        .map_err(|e| Exit::usage(e.to_string()))?;
    if row.state.is_terminal() {
        if !output.json {
            eprintln!("Task {} is already {}.", row.id, row.state.as_str());
        }
        return Ok(exit_for(row.state));
    }
    drive(store, &row.id, output, hold).await
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
    let store = open_store()?;
    let row = store
        .resolve_task(task)
        .map_err(|e| Exit::usage(e.to_string()))?;
    let view = TaskView::fold(&store.events(&row.id)?);
    let Some(pending) = view.waiting_for.first() else {
        return Err(Exit::usage(format!(
            "task {} is not waiting for an approval (it is {})",
            row.id,
            row.state.as_str()
        ))
        .into());
    };
    if !output.json {
        let verb = if approved { "Approved" } else { "Refused" };
        eprintln!("{verb}: {}", pending.summary);
        if view.waiting_for.len() > 1 {
            eprintln!(
                "{} more requests wait after this one.",
                view.waiting_for.len() - 1
            );
        }
    }
    // The answer goes to whichever agent asked: a sub-agent's call is in its own log.
    store.append_as(
        &row.id,
        pending.agent.as_deref(),
        EventKind::ApprovalResolved {
            call_id: pending.call_id.clone(),
            approved,
            always,
        },
    )?;
    continue_here(store, &row.id, output).await
}

/// After steering a task: if a process runs it, that process goes on; otherwise this one
/// runs it.
pub async fn continue_here(
    store: Arc<SqliteStore>,
    task_id: &str,
    output: Output,
) -> Result<ExitCode> {
    match store.lock_task(task_id)? {
        None => {
            if !output.json {
                eprintln!(
                    "Task {task_id} goes on in the process running it (follow it: errand watch {task_id})."
                );
            }
            Ok(ExitCode::Done)
        }
        Some(lock) => {
            drop(lock);
            drive(store, task_id, output, false).await
        }
    }
}
