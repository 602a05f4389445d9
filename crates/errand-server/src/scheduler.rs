//! The daemon's schedules: `errand serve` ticks the scheduler when the next run is due (or
//! every half minute, to see schedules other processes added), starting each run's task on
//! this server's runner, where it waits for the person like any other.
use crate::runner::Runner;
use chrono::{DateTime, Local, Utc};
use errand_runtime::Runtime;
use errand_schedule::{Launcher, Schedule, Scheduler, SystemClock};
use std::sync::Arc;
use std::time::Duration;

/// The longest the loop sleeps: a schedule added by the CLI is seen within this.
const LOOK_AGAIN: Duration = Duration::from_secs(30);

struct RunnerLauncher {
    runtime: Arc<Runtime>,
    runner: Arc<Runner>,
    notify: errand_runtime::config::NotifyConfig,
}

impl Launcher for RunnerLauncher {
    fn is_active(&self, task: &str) -> bool {
        self.runtime.task_is_active(task)
    }

    fn launch(&self, schedule: &Schedule, scheduled_for: DateTime<Utc>) -> Result<String, String> {
        let task = self
            .runtime
            .create_scheduled_task(schedule)
            .map_err(|e| e.to_string())?;
        tracing::info!(schedule = %schedule.id, %task, %scheduled_for, "starting a scheduled run");
        self.runner.start(&task);
        crate::notify::follow(
            self.runtime.clone(),
            task.clone(),
            schedule.outcome.clone(),
            self.notify.clone(),
        );
        Ok(task)
    }
}

/// Runs until `stopping` turns true.
pub(crate) async fn run(
    runtime: Arc<Runtime>,
    runner: Arc<Runner>,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) {
    // Read once: a change to [notify] applies from the next start.
    let notify = errand_runtime::Config::load()
        .map(|c| c.notify)
        .unwrap_or_default();
    let launcher = RunnerLauncher {
        runtime: runtime.clone(),
        runner,
        notify,
    };
    let scheduler = Scheduler::new(Local);
    let book = runtime.schedule_book();
    loop {
        let wait = match scheduler.tick(&SystemClock, &book, &launcher) {
            Ok(tick) => tick
                .next_due
                .and_then(|due| (due - Utc::now()).to_std().ok())
                // A moment past the minute, so the occurrence is due when the tick comes.
                .map(|d| d + Duration::from_millis(200))
                .unwrap_or(LOOK_AGAIN)
                .min(LOOK_AGAIN),
            Err(e) => {
                tracing::warn!(error = %e, "the schedules could not be read");
                LOOK_AGAIN
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stopping.changed() => return,
        }
        if *stopping.borrow() {
            return;
        }
    }
}
