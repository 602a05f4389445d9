//! Recurring tasks, as the CLI, the server and the daemon see them: made and changed here,
//! kept in the store, decided by errand-schedule. `StoreBook` is the store as the
//! scheduler's book; a front end supplies the launcher that starts tasks.
use crate::{FolderRequest, Runtime, RuntimeError, TaskRequest};
use chrono::{DateTime, Local, Utc};
use errand_core::{Mode, TaskState};
use errand_schedule::{Book, Folder, HistoryEntry, Missed, Recurrence, Schedule};
use errand_store::SqliteStore;
use serde::Serialize;
use std::sync::Arc;

/// A schedule's history: when each entry was written, oldest first.
pub type History = Vec<(DateTime<Utc>, HistoryEntry)>;

/// A new schedule as a person describes it.
#[derive(Debug, Clone, Default)]
pub struct ScheduleRequest {
    pub outcome: String,
    pub folders: Vec<FolderRequest>,
    pub mode: Option<String>,
    pub model: Option<String>,
    /// Exactly one of `cron` and `every`.
    pub cron: Option<String>,
    pub every: Option<String>,
    pub missed: Missed,
    /// Runs work in this project (its folders are added to `folders`).
    pub project: Option<String>,
}

/// A schedule with what a list shows beside it.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleSummary {
    #[serde(flatten)]
    pub schedule: Schedule,
    /// In words: "every weekday at 08:00".
    pub when: String,
    pub next_run: Option<DateTime<Utc>>,
    pub last_task_state: Option<String>,
}

impl Runtime {
    pub fn add_schedule(&self, request: ScheduleRequest) -> Result<Schedule, RuntimeError> {
        add_schedule_to(&self.store, request)
    }

    pub fn schedule_summaries(&self) -> Result<Vec<ScheduleSummary>, RuntimeError> {
        let schedules: Vec<Schedule> = self.store.schedules()?;
        Ok(schedules.into_iter().map(|s| self.summary(s)).collect())
    }

    fn summary(&self, schedule: Schedule) -> ScheduleSummary {
        let last_task_state = schedule
            .last_task
            .as_deref()
            .and_then(|t| self.task(t).ok())
            .map(|row| row.state.as_str().to_string());
        ScheduleSummary {
            when: schedule.recurrence.describe(),
            next_run: schedule.next_run(&Local),
            last_task_state,
            schedule,
        }
    }

    /// The schedule an id or a unique prefix of one names.
    pub fn find_schedule(&self, id_or_prefix: &str) -> Result<Schedule, RuntimeError> {
        let all: Vec<Schedule> = self.store.schedules()?;
        let matching: Vec<Schedule> = all
            .into_iter()
            .filter(|s| s.id == id_or_prefix || s.id.starts_with(id_or_prefix))
            .collect();
        match matching.len() {
            1 => Ok(matching.into_iter().next().expect("one")),
            0 => Err(RuntimeError::not_found(format!(
                "no schedule `{id_or_prefix}`; `errand schedule list` shows them"
            ))),
            n => Err(RuntimeError::invalid(format!(
                "`{id_or_prefix}` names {n} schedules; give more of the id"
            ))),
        }
    }

    /// Pauses or resumes. Resuming starts counting from now: time spent paused is not
    /// "missed".
    pub fn set_schedule_paused(&self, id: &str, paused: bool) -> Result<Schedule, RuntimeError> {
        let found = self.find_schedule(id)?;
        let now = Utc::now();
        self.store
            .update_schedule(&found.id, &mut |s: &mut Schedule| {
                if s.paused && !paused {
                    s.checked_until = s.checked_until.max(now);
                }
                s.paused = paused;
            })?;
        self.find_schedule(&found.id)
    }

    pub fn remove_schedule(&self, id: &str) -> Result<Schedule, RuntimeError> {
        let found = self.find_schedule(id)?;
        self.store.remove_schedule(&found.id)?;
        Ok(found)
    }

    pub fn schedule_history(&self, id: &str) -> Result<(Schedule, History), RuntimeError> {
        let found = self.find_schedule(id)?;
        let history: Vec<(i64, HistoryEntry)> = self.store.schedule_history(&found.id)?;
        let history = history
            .into_iter()
            .map(|(at, entry)| {
                (
                    DateTime::from_timestamp_millis(at).unwrap_or_default(),
                    entry,
                )
            })
            .collect();
        Ok((found, history))
    }

    /// Creates the task of one run of `schedule` (nothing runs yet).
    pub fn create_scheduled_task(&self, schedule: &Schedule) -> Result<String, RuntimeError> {
        let mode = schedule
            .mode
            .as_deref()
            .map(str::parse::<Mode>)
            .transpose()
            .map_err(RuntimeError::invalid)?;
        let created = self.create(TaskRequest {
            outcome: schedule.outcome.clone(),
            folders: schedule
                .folders
                .iter()
                .map(|f| FolderRequest {
                    path: f.path.clone(),
                    writable: f.writable,
                })
                .collect(),
            mode,
            model: schedule.model.clone(),
            project: schedule.project.clone(),
            ..TaskRequest::default()
        })?;
        Ok(created.id)
    }

    /// Starts a run now, by hand: the task is made and recorded; the caller drives it.
    pub fn run_schedule_now(&self, id: &str) -> Result<(Schedule, String), RuntimeError> {
        let found = self.find_schedule(id)?;
        let task = self.create_scheduled_task(&found)?;
        let now = Utc::now();
        self.store.add_schedule_history(
            &found.id,
            now.timestamp_millis(),
            &HistoryEntry::RanByHand { task: task.clone() },
        )?;
        self.store
            .update_schedule(&found.id, &mut |s: &mut Schedule| {
                s.last_run = Some(now);
                s.last_task = Some(task.clone());
            })?;
        Ok((found, task))
    }

    /// True while a task has not ended: running, waiting for the person, or not yet begun.
    pub fn task_is_active(&self, task: &str) -> bool {
        self.task(task).is_ok_and(|row| {
            !matches!(
                row.state,
                TaskState::Done | TaskState::Failed | TaskState::Cancelled
            )
        })
    }

    pub fn schedule_book(&self) -> StoreBook {
        StoreBook(self.store.clone())
    }
}

/// Checks a new schedule and keeps it.
pub(crate) fn add_schedule_to(
    store: &SqliteStore,
    request: ScheduleRequest,
) -> Result<Schedule, RuntimeError> {
    if request.outcome.trim().is_empty() {
        return Err(RuntimeError::invalid(
            "say what the schedule should do: the outcome is empty",
        ));
    }
    if request.folders.is_empty() && request.project.is_none() {
        return Err(RuntimeError::invalid(
            "a schedule needs a folder to work in: add --folder DIR (or --project NAME)",
        ));
    }
    let now = Utc::now();
    let recurrence = match (&request.cron, &request.every) {
        (Some(cron), None) => Recurrence::cron(cron),
        (None, Some(every)) => Recurrence::every(every, &now.with_timezone(&Local)),
        _ => {
            return Err(RuntimeError::invalid(
                "say when it runs with one of --cron \"0 8 * * 1-5\" or --every \"weekday 08:00\"",
            ));
        }
    }
    .map_err(|e| RuntimeError::invalid(e.to_string()))?;
    if let Some(mode) = &request.mode {
        mode.parse::<Mode>().map_err(RuntimeError::invalid)?;
    }
    // The folders are checked now, and again at each run: a folder can go away.
    if let Some(name) = &request.project
        && !crate::projects::project_dir(name)?
            .join("project.json")
            .exists()
    {
        return Err(RuntimeError::not_found(format!(
            "no project `{name}`; `errand project list` shows them"
        )));
    }
    // A project's own folders are added at each run.
    let grants = if request.folders.is_empty() {
        Vec::new()
    } else {
        crate::start::grants(&request.folders, None)?
    };
    let folders = grants
        .iter()
        .zip(&request.folders)
        .map(|(grant, asked)| Folder {
            path: grant.path.clone(),
            writable: asked.writable,
        })
        .collect();
    let schedule = Schedule {
        id: errand_core::new_id(),
        outcome: request.outcome.trim().to_string(),
        folders,
        mode: request.mode,
        model: request.model.filter(|m| !m.trim().is_empty()),
        project: request.project,
        recurrence,
        missed: request.missed,
        paused: false,
        created_at: now,
        checked_until: now,
        last_run: None,
        last_task: None,
    };
    store.add_schedule(&schedule.id, &schedule)?;
    Ok(schedule)
}

/// The store as the scheduler's book.
pub struct StoreBook(Arc<SqliteStore>);

impl Book for StoreBook {
    fn schedules(&self) -> Result<Vec<Schedule>, String> {
        self.0.schedules().map_err(|e| e.to_string())
    }

    fn update(&self, id: &str, change: &mut dyn FnMut(&mut Schedule)) -> Result<(), String> {
        self.0
            .update_schedule(id, change)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn record(&self, id: &str, at: DateTime<Utc>, entry: &HistoryEntry) -> Result<(), String> {
        self.0
            .add_schedule_history(id, at.timestamp_millis(), entry)
            .map_err(|e| e.to_string())
    }
}
