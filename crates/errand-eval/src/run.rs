//! Running the suite: each task in a fresh folder and a fresh data directory, in auto mode,
//! with an approver that says yes (recording that it was asked) and answers questions with
//! the task's canned answer. The grader then looks at the files.
use crate::grade::{Graded, tree};
use crate::tasks::{EvalTask, all_tasks};
use errand_core::agent::ApprovalAnswer;
use errand_core::tool::Assessment;
use errand_core::{Approver, Event, Mode, Observer, RunOutcome, Store, TaskState, TaskView};
use errand_runtime::{Driver, FolderRequest, Runtime, TaskRequest};
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Io(String),
}

pub struct EvalOptions {
    /// A model spec or profile, `reference` for each task's scripted solution, or empty
    /// for the configured model.
    pub model: String,
    /// Task names to run: a glob, or several separated by commas. `None`: all.
    pub tasks: Option<String>,
    pub repeat: usize,
    /// A task that runs longer than this is stopped and fails.
    pub timeout: Duration,
}

/// How a run ended, as the person would judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    /// The grader failed it, and Errand did not claim success (failed, or done with problems).
    Fail,
    /// Errand said "Done" with no problems, but the grader failed it: the worst outcome.
    FalseDone,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalResult {
    pub task: String,
    pub repeat: usize,
    pub verdict: Verdict,
    /// Why it failed, in words; empty on a pass.
    pub reason: String,
    /// The task's final state and, for a failed task, why.
    pub state: String,
    pub problems: Vec<String>,
    pub turns: usize,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub wall_ms: u64,
}

/// The tasks `pattern` selects, in suite order.
pub fn selected(pattern: Option<&str>) -> Result<Vec<EvalTask>, EvalError> {
    let tasks = all_tasks();
    let Some(pattern) = pattern else {
        return Ok(tasks);
    };
    let mut matchers = Vec::new();
    for part in pattern.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let glob = globset::Glob::new(part)
            .map_err(|e| EvalError::Usage(format!("--tasks `{part}` is not a glob: {e}")))?;
        matchers.push(glob.compile_matcher());
    }
    let chosen: Vec<EvalTask> = tasks
        .into_iter()
        .filter(|t| matchers.iter().any(|m| m.is_match(t.name)))
        .collect();
    if chosen.is_empty() {
        let names: Vec<&str> = all_tasks().iter().map(|t| t.name).collect();
        return Err(EvalError::Usage(format!(
            "--tasks `{pattern}` matches no task; the tasks are: {}",
            names.join(", ")
        )));
    }
    Ok(chosen)
}

/// Runs the chosen tasks `repeat` times each; `each` sees every result as it comes.
pub async fn run_suite(
    options: &EvalOptions,
    mut each: impl FnMut(&EvalResult),
) -> Result<Vec<EvalResult>, EvalError> {
    let tasks = selected(options.tasks.as_deref())?;
    let mut results = Vec::new();
    for task in &tasks {
        for repeat in 0..options.repeat.max(1) {
            let result = run_one(task, repeat, options).await?;
            each(&result);
            results.push(result);
        }
    }
    Ok(results)
}

async fn run_one(
    task: &EvalTask,
    repeat: usize,
    options: &EvalOptions,
) -> Result<EvalResult, EvalError> {
    let io = |what: &str, e: std::io::Error| EvalError::Io(format!("{}: {what}: {e}", task.name));
    let scripts = tempfile::tempdir().map_err(|e| io("a scratch folder", e))?;
    let model = if options.model == "reference" {
        let path = scripts.path().join("reference.json");
        let script = serde_json::json!({ "turns": (task.reference)() });
        std::fs::write(&path, script.to_string()).map_err(|e| io("the script", e))?;
        Some(format!("scripted:{}", path.display()))
    } else {
        Some(options.model.clone()).filter(|m| !m.is_empty())
    };
    run_job(
        Job {
            name: task.name,
            outcome: task.outcome,
            folders: task.folders,
            setup: &task.setup,
            grade: &task.grade,
            model,
            approve: task.approve,
            answer: task.answer.unwrap_or("Use your best judgement."),
        },
        repeat,
        options.timeout,
    )
    .await
}

/// One run to grade: a request on fresh folders, in a fresh data directory, in auto mode.
pub struct Job<'a> {
    pub name: &'a str,
    pub outcome: &'a str,
    pub folders: &'a [(&'a str, bool)],
    /// Fills the folders, each at `root/NAME`.
    pub setup: &'a (dyn Fn(&std::path::Path) -> std::io::Result<()> + Sync),
    pub grade: &'a (dyn Fn(&Graded) -> Result<(), String> + Sync),
    /// `None`: the configured model.
    pub model: Option<String>,
    pub approve: bool,
    pub answer: &'a str,
}

/// Runs `job` and grades what it left.
pub async fn run_job(
    job: Job<'_>,
    repeat: usize,
    timeout: Duration,
) -> Result<EvalResult, EvalError> {
    let io = |what: &str, e: std::io::Error| EvalError::Io(format!("{}: {what}: {e}", job.name));
    let scratch = tempfile::tempdir().map_err(|e| io("a scratch folder", e))?;
    let root = scratch.path().join("folders");
    let home = scratch.path().join("home");
    for (name, _) in job.folders {
        std::fs::create_dir_all(root.join(name)).map_err(|e| io("a folder", e))?;
    }
    (job.setup)(&root).map_err(|e| io("the fixture", e))?;
    let before = tree(&root);
    let runtime = Runtime::open_at(&home).map_err(|e| EvalError::Io(e.to_string()))?;
    let folders = job
        .folders
        .iter()
        .map(|(name, writable)| FolderRequest {
            path: root.join(name),
            writable: *writable,
        })
        .collect();
    let created = runtime
        .create_from(TaskRequest {
            outcome: job.outcome.to_string(),
            folders,
            mode: Some(Mode::Auto),
            model: job.model.clone(),
            ..TaskRequest::default()
        })
        .await
        .map_err(|e| EvalError::Usage(e.to_string()))?;
    let interrupt = Arc::new(AtomicBool::new(false));
    let driver = Driver {
        observer: Arc::new(Silent),
        approver: Some(Arc::new(EvalApprover {
            approve: job.approve,
            answer: job.answer.to_string(),
        })),
        hold: false,
        interrupt: interrupt.clone(),
    };
    let started = Instant::now();
    let drive = runtime.drive(&created.id, driver);
    tokio::pin!(drive);
    let outcome = tokio::select! {
        outcome = &mut drive => Some(outcome),
        () = tokio::time::sleep(timeout) => None,
    };
    let timed_out = outcome.is_none();
    let outcome = match outcome {
        Some(outcome) => outcome,
        None => {
            // Stop at the next step; the run returns once it has.
            interrupt.store(true, Ordering::Relaxed);
            drive.await
        }
    };
    let wall_ms = started.elapsed().as_millis() as u64;
    let events: Vec<Event> = runtime
        .store()
        .events(&created.id)
        .map_err(|e| EvalError::Io(e.to_string()))?;
    let view = TaskView::fold(&events);
    let graded = Graded {
        root: &root,
        before: &before,
        view: &view,
        events: &events,
    };
    let mut grade = (job.grade)(&graded);
    if grade.is_ok() {
        grade = no_half_written_files(&graded);
    }
    let claimed_done = view.state == TaskState::Done && view.problems.is_empty();
    let (verdict, reason) = match (&grade, timed_out) {
        (_, true) => (
            Verdict::Fail,
            format!("timed out after {} s", timeout.as_secs()),
        ),
        (Ok(()), false) if view.state == TaskState::Done => (Verdict::Pass, String::new()),
        (Ok(()), false) => (
            Verdict::Fail,
            format!("the files pass, but the task ended {}", state_text(&view)),
        ),
        (Err(why), false) if claimed_done => (Verdict::FalseDone, why.clone()),
        (Err(why), false) => (Verdict::Fail, why.clone()),
    };
    let state = match &outcome {
        Ok(RunOutcome::Waiting(_)) => "waiting".to_string(),
        Err(e) => format!("error: {e}"),
        _ => state_text(&view),
    };
    Ok(EvalResult {
        task: job.name.to_string(),
        repeat,
        verdict,
        reason,
        state,
        problems: view.problems.clone(),
        turns: view.model_turns,
        input_tokens: view.usage.input_tokens + view.usage.cache_read_tokens,
        output_tokens: view.usage.output_tokens,
        wall_ms,
    })
}

fn state_text(view: &TaskView) -> String {
    match (&view.state, &view.state_reason) {
        (state, Some(reason)) => format!("{} ({reason})", state.as_str()),
        (state, None) => state.as_str().to_string(),
    }
}

/// Errand writes through a temporary file and a rename; one left behind is a half-written
/// file a person would find.
fn no_half_written_files(graded: &Graded) -> Result<(), String> {
    match graded
        .after()
        .keys()
        .find(|k| k.contains(".errand-") && k.ends_with(".tmp"))
    {
        Some(left) => Err(format!("a half-written file was left: {left}")),
        None => Ok(()),
    }
}

struct Silent;

impl Observer for Silent {
    fn event(&self, _event: &Event) {}
}

/// Says yes (or no) to every approval, and answers questions with the task's answer.
struct EvalApprover {
    approve: bool,
    answer: String,
}

#[async_trait::async_trait]
impl Approver for EvalApprover {
    async fn approve(
        &self,
        _view: &TaskView,
        _tool: &str,
        _reason: &str,
        _assessment: &Assessment,
    ) -> ApprovalAnswer {
        if self.approve {
            ApprovalAnswer::Yes
        } else {
            ApprovalAnswer::No
        }
    }

    async fn ask(&self, _view: &TaskView, _question: &str) -> Option<String> {
        Some(self.answer.to_string())
    }
}
