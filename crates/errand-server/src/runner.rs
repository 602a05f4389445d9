//! Tasks this server runs: started from the workspace, continued after an approval when no
//! other process runs them, or resumed at start. Each runs on its own tokio task and waits
//! in place for the person, so closing a browser tab stops nothing.
use errand_core::{Event, Observer};
use errand_runtime::{Driver, ErrorKind, RunOutcome, Runtime};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct Runner {
    runtime: Arc<Runtime>,
    /// Set when the server stops: runs end at their next step and keep their place.
    interrupt: Arc<AtomicBool>,
    running: Arc<Mutex<HashMap<String, tokio::task::JoinHandle<()>>>>,
}

/// Events reach pages through the store; a server run has no one to print to.
struct Stored;

impl Observer for Stored {
    fn event(&self, _event: &Event) {}
}

impl Runner {
    pub fn new(runtime: Arc<Runtime>) -> Runner {
        Runner {
            runtime,
            interrupt: Arc::new(AtomicBool::new(false)),
            running: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Runs the task here unless this server already does. Another process holding it
    /// is not an error: that process goes on.
    pub fn start(&self, task_id: &str) {
        let Ok(mut running) = self.running.lock() else {
            return;
        };
        running.retain(|_, handle| !handle.is_finished());
        if running.contains_key(task_id) || self.interrupt.load(Ordering::Relaxed) {
            return;
        }
        let runtime = self.runtime.clone();
        let interrupt = self.interrupt.clone();
        let id = task_id.to_string();
        let handle = tokio::spawn(async move {
            let driver = Driver {
                observer: Arc::new(Stored),
                approver: None,
                hold: true,
                interrupt,
            };
            match runtime.drive(&id, driver).await {
                Ok(RunOutcome::Failed(reason)) => {
                    tracing::info!(task = %id, %reason, "task failed")
                }
                Ok(outcome) => tracing::debug!(task = %id, ?outcome, "task run ended"),
                Err(e) if e.kind == ErrorKind::Conflict => {
                    tracing::debug!(task = %id, "another process runs the task")
                }
                Err(e) => tracing::warn!(task = %id, error = %e, "task run stopped"),
            }
        });
        running.insert(task_id.to_string(), handle);
    }

    /// Asks every run to stop at its next step, and waits for them up to `grace`.
    pub async fn stop_all(&self, grace: Duration) {
        self.interrupt.store(true, Ordering::Relaxed);
        let handles: Vec<_> = match self.running.lock() {
            Ok(mut running) => running.drain().map(|(_, h)| h).collect(),
            Err(_) => return,
        };
        let all = futures_util::future::join_all(handles);
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("some tasks did not stop in time; they resume on the next start");
        }
    }
}
