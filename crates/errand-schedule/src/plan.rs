//! What a schedule does at a given moment, decided from its record and the clock alone: run,
//! catch up once after downtime, count what was missed, or skip a run that would overlap the
//! previous one. Nothing here sleeps or reads the wall clock, so a test can walk a simulated
//! week (with its DST change) minute by minute.
use crate::recurrence::Recurrence;
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// A run this late after its time still counts as on time: the daemon wakes within seconds,
/// but a busy machine or a suspend of a few seconds must not turn a run into a catch-up.
pub const ON_TIME: chrono::Duration = chrono::Duration::seconds(90);

/// What to do with runs whose time passed while Errand was not running (asleep, rebooting,
/// stopped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Missed {
    /// Wait for the next time.
    Skip,
    /// Run once to catch up, however many were missed.
    #[default]
    Once,
}

impl std::str::FromStr for Missed {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "skip" => Ok(Missed::Skip),
            "once" => Ok(Missed::Once),
            other => Err(format!("--missed is skip or once, not `{other}`")),
        }
    }
}

/// One recurring task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    pub id: String,
    pub outcome: String,
    pub folders: Vec<Folder>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Its runs work in this project: its instructions and memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    pub recurrence: Recurrence,
    #[serde(default)]
    pub missed: Missed,
    #[serde(default)]
    pub paused: bool,
    pub created_at: DateTime<Utc>,
    /// Every occurrence up to here has been handled (run, skipped or counted as missed).
    pub checked_until: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_task: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folder {
    pub path: std::path::PathBuf,
    #[serde(default = "yes")]
    pub writable: bool,
}

fn yes() -> bool {
    true
}

impl Schedule {
    pub fn next_run<Tz: TimeZone>(&self, tz: &Tz) -> Option<DateTime<Utc>> {
        if self.paused {
            return None;
        }
        self.recurrence.next_after(self.checked_until, tz)
    }
}

/// One line of a schedule's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HistoryEntry {
    /// A run at its time (or a catch-up, with `missed` runs before it folded into it).
    Ran {
        scheduled_for: DateTime<Utc>,
        task: String,
        #[serde(default, skip_serializing_if = "is_zero")]
        caught_up: usize,
    },
    /// A run started by hand (`errand schedule run`).
    RanByHand { task: String },
    /// Runs whose time passed while Errand was not running, not run.
    Missed {
        count: usize,
        first: DateTime<Utc>,
        last: DateTime<Utc>,
    },
    /// A run not started because the previous one was still going.
    SkippedOverlap {
        scheduled_for: DateTime<Utc>,
        running: String,
    },
    /// A run that could not start (its folder is gone, its model unknown…).
    Failed {
        scheduled_for: DateTime<Utc>,
        why: String,
    },
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The decision for one schedule at `now`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    /// Start a task for this occurrence.
    pub run: Option<DateTime<Utc>>,
    /// Of the occurrences handled now, how many runs this one stands for beyond itself.
    pub caught_up: usize,
    /// What to write in the history besides the run.
    pub history: Vec<HistoryEntry>,
    /// The schedule's new `checked_until`.
    pub checked_until: DateTime<Utc>,
}

/// Decides what `schedule` does at `now`. `running` is the schedule's previous task when it
/// has not ended yet.
pub fn plan<Tz: TimeZone>(
    schedule: &Schedule,
    now: DateTime<Utc>,
    tz: &Tz,
    running: Option<&str>,
) -> Plan {
    let mut plan = Plan {
        checked_until: now.max(schedule.checked_until),
        ..Plan::default()
    };
    if schedule.paused || now <= schedule.checked_until {
        plan.checked_until = schedule.checked_until.max(now);
        return plan;
    }
    let found = schedule.recurrence.between(schedule.checked_until, now, tz);
    let (Some(latest), Some(first)) = (found.last, found.first) else {
        return plan;
    };
    let on_time = now - latest <= ON_TIME;
    // A late latest occurrence still runs, as the catch-up, when the policy says once.
    let run = (on_time || schedule.missed == Missed::Once).then_some(latest);
    // The occurrences that pass without a run of their own.
    let not_run = found.count - usize::from(run.is_some());
    if not_run > 0 {
        let last = if run.is_some() {
            found.before_last.unwrap_or(first)
        } else {
            latest
        };
        plan.history.push(HistoryEntry::Missed {
            count: not_run,
            first,
            last,
        });
    }
    let caught_up = if on_time { 0 } else { not_run };
    if let Some(at) = run {
        match running {
            Some(task) => plan.history.push(HistoryEntry::SkippedOverlap {
                scheduled_for: at,
                running: task.to_string(),
            }),
            None => {
                plan.run = Some(at);
                plan.caught_up = caught_up;
            }
        }
    }
    plan
}
