//! Recurring work. A schedule is an outcome, its folders, and when it recurs (`recurrence`);
//! `plan` decides what it does at a moment; `Scheduler::tick` applies that to every
//! schedule through three doors a test can fake: the clock, the book the schedules are kept
//! in, and the launcher that starts tasks. `errand serve` calls `tick` when the next run is
//! due, with the system clock, the SQLite store and the runtime.
pub mod memory;
pub mod plan;
pub mod recurrence;

pub use plan::{Folder, HistoryEntry, Missed, Plan, Schedule, plan};
pub use recurrence::{Recurrence, RecurrenceError};

use chrono::{DateTime, TimeZone, Utc};

/// What time it is. The daemon uses the system's; tests walk a simulated week.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Where schedules and their history are kept.
pub trait Book: Send + Sync {
    fn schedules(&self) -> Result<Vec<Schedule>, String>;
    /// Changes one schedule as a whole, against its latest stored state.
    fn update(&self, id: &str, change: &mut dyn FnMut(&mut Schedule)) -> Result<(), String>;
    fn record(&self, id: &str, at: DateTime<Utc>, entry: &HistoryEntry) -> Result<(), String>;
}

/// Starts the task of a schedule's run and says whether an earlier one still goes on.
pub trait Launcher: Send + Sync {
    /// True while `task` has not ended (running, or waiting for the person).
    fn is_active(&self, task: &str) -> bool;
    /// Creates and starts the task; returns its id.
    fn launch(&self, schedule: &Schedule, scheduled_for: DateTime<Utc>) -> Result<String, String>;
}

/// What a tick did, and when the next one is needed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tick {
    pub started: Vec<(String, String)>,
    pub next_due: Option<DateTime<Utc>>,
}

pub struct Scheduler<Tz: TimeZone> {
    pub tz: Tz,
}

impl<Tz: TimeZone> Scheduler<Tz> {
    pub fn new(tz: Tz) -> Self {
        Scheduler { tz }
    }

    /// Handles every schedule at the clock's now: runs what is due, records what was
    /// missed or skipped, and moves each schedule's horizon to now.
    pub fn tick(
        &self,
        clock: &dyn Clock,
        book: &dyn Book,
        launcher: &dyn Launcher,
    ) -> Result<Tick, String> {
        let now = clock.now();
        let mut tick = Tick::default();
        for schedule in book.schedules()? {
            let running = schedule
                .last_task
                .as_deref()
                .filter(|task| launcher.is_active(task));
            let decided = plan(&schedule, now, &self.tz, running);
            for entry in &decided.history {
                book.record(&schedule.id, now, entry)?;
            }
            let mut started = None;
            if let Some(at) = decided.run {
                match launcher.launch(&schedule, at) {
                    Ok(task) => {
                        book.record(
                            &schedule.id,
                            now,
                            &HistoryEntry::Ran {
                                scheduled_for: at,
                                task: task.clone(),
                                caught_up: decided.caught_up,
                            },
                        )?;
                        tick.started.push((schedule.id.clone(), task.clone()));
                        started = Some(task);
                    }
                    Err(why) => book.record(
                        &schedule.id,
                        now,
                        &HistoryEntry::Failed {
                            scheduled_for: at,
                            why,
                        },
                    )?,
                }
            }
            let checked_until = decided.checked_until;
            // Nothing came due: the horizon may stay where it is, and the book unwritten
            // (a thousand schedules would otherwise be a thousand writes a tick).
            if decided.run.is_none() && decided.history.is_empty() {
                if let Some(next) = schedule.next_run(&self.tz) {
                    tick.next_due = Some(tick.next_due.map_or(next, |d| d.min(next)));
                }
                continue;
            }
            book.update(&schedule.id, &mut |s| {
                s.checked_until = s.checked_until.max(checked_until);
                if let Some(task) = &started {
                    s.last_run = Some(now);
                    s.last_task = Some(task.clone());
                }
            })?;
            let mut after = schedule.clone();
            after.checked_until = after.checked_until.max(checked_until);
            if let Some(next) = after.next_run(&self.tz) {
                tick.next_due = Some(tick.next_due.map_or(next, |d| d.min(next)));
            }
        }
        Ok(tick)
    }
}

#[cfg(test)]
mod tests;
