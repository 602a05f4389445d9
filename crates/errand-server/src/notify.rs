//! Desktop notifications for scheduled runs: when one waits for the person, and when it
//! ends. Sent with `notify-send` (libnotify, which speaks the freedesktop notification
//! service) where it is installed; silently nothing where it is not. `[notify]` in
//! config.toml turns each kind off.
use errand_core::TaskState;
use errand_runtime::Runtime;
use errand_runtime::config::NotifyConfig;
use std::sync::Arc;
use std::time::Duration;

/// How often a scheduled run's state is looked at.
const EVERY: Duration = Duration::from_secs(2);

pub(crate) fn send(summary: &str, body: &str) {
    let Some(program) = errand_core::program::find_program("notify-send") else {
        return;
    };
    let sent = std::process::Command::new(program)
        .args(["--app-name=Errand", summary, body])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = sent {
        tracing::debug!(error = %e, "no desktop notification");
    }
}

/// Follows a scheduled run until it ends, telling the desktop when it waits and how it ends.
pub(crate) fn follow(runtime: Arc<Runtime>, task: String, outcome: String, config: NotifyConfig) {
    tokio::spawn(async move {
        let mut told_waiting = false;
        loop {
            tokio::time::sleep(EVERY).await;
            let Ok(row) = runtime.task(&task) else {
                return;
            };
            match row.state {
                TaskState::Waiting if !told_waiting => {
                    told_waiting = true;
                    if config.waiting {
                        send(
                            "Errand: a scheduled task needs you",
                            &format!("“{outcome}” waits for your answer in the workspace."),
                        );
                    }
                }
                TaskState::Waiting => {}
                TaskState::Done => {
                    if config.finished {
                        send("Errand: a scheduled task is done", &format!("“{outcome}”"));
                    }
                    return;
                }
                TaskState::Failed => {
                    if config.failed {
                        let why = runtime
                            .task_view(&task)
                            .ok()
                            .and_then(|v| v.state_reason)
                            .unwrap_or_default();
                        send(
                            "Errand: a scheduled task failed",
                            &format!("“{outcome}”: {why}"),
                        );
                    }
                    return;
                }
                TaskState::Cancelled => return,
                _ => told_waiting = false,
            }
        }
    });
}
