//! The scheduler's doors kept in memory: a clock that is set by hand, a book in a vector, a
//! launcher that records what it started. For tests and the benchmark.
use crate::{Book, Clock, HistoryEntry, Launcher, Schedule};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::Mutex;

pub struct FakeClock(pub Mutex<DateTime<Utc>>);

impl FakeClock {
    pub fn at(now: DateTime<Utc>) -> FakeClock {
        FakeClock(Mutex::new(now))
    }

    pub fn set(&self, now: DateTime<Utc>) {
        if let Ok(mut at) = self.0.lock() {
            *at = now;
        }
    }

    pub fn advance(&self, by: chrono::Duration) {
        if let Ok(mut at) = self.0.lock() {
            *at += by;
        }
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.lock().map(|t| *t).unwrap_or_else(|_| Utc::now())
    }
}

#[derive(Default)]
pub struct MemoryBook {
    pub schedules: Mutex<Vec<Schedule>>,
    pub history: Mutex<Vec<(String, DateTime<Utc>, HistoryEntry)>>,
}

impl MemoryBook {
    pub fn with(schedules: Vec<Schedule>) -> MemoryBook {
        MemoryBook {
            schedules: Mutex::new(schedules),
            history: Mutex::default(),
        }
    }

    pub fn entries(&self) -> Vec<HistoryEntry> {
        self.history
            .lock()
            .map(|h| h.iter().map(|(_, _, e)| e.clone()).collect())
            .unwrap_or_default()
    }
}

impl Book for MemoryBook {
    fn schedules(&self) -> Result<Vec<Schedule>, String> {
        self.schedules
            .lock()
            .map(|s| s.clone())
            .map_err(|e| e.to_string())
    }

    fn update(&self, id: &str, change: &mut dyn FnMut(&mut Schedule)) -> Result<(), String> {
        let mut all = self.schedules.lock().map_err(|e| e.to_string())?;
        if let Some(s) = all.iter_mut().find(|s| s.id == id) {
            change(s);
        }
        Ok(())
    }

    fn record(&self, id: &str, at: DateTime<Utc>, entry: &HistoryEntry) -> Result<(), String> {
        self.history
            .lock()
            .map_err(|e| e.to_string())?
            .push((id.to_string(), at, entry.clone()));
        Ok(())
    }
}

/// Starts nothing: names each run `task-N` and remembers it. Tasks stay active until
/// `finish_all`.
#[derive(Default)]
pub struct FakeLauncher {
    pub launched: Mutex<Vec<(String, DateTime<Utc>)>>,
    pub active: Mutex<HashSet<String>>,
}

impl FakeLauncher {
    pub fn runs(&self) -> Vec<DateTime<Utc>> {
        self.launched
            .lock()
            .map(|l| l.iter().map(|(_, at)| *at).collect())
            .unwrap_or_default()
    }

    pub fn finish_all(&self) {
        if let Ok(mut active) = self.active.lock() {
            active.clear();
        }
    }
}

impl Launcher for FakeLauncher {
    fn is_active(&self, task: &str) -> bool {
        self.active.lock().is_ok_and(|a| a.contains(task))
    }

    fn launch(&self, schedule: &Schedule, scheduled_for: DateTime<Utc>) -> Result<String, String> {
        let mut launched = self.launched.lock().map_err(|e| e.to_string())?;
        let task = format!("task-{}", launched.len() + 1);
        launched.push((schedule.id.clone(), scheduled_for));
        self.active
            .lock()
            .map_err(|e| e.to_string())?
            .insert(task.clone());
        Ok(task)
    }
}
