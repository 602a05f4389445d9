//! How a running task looks: a live checklist and progress bars on a terminal, one JSON event
//! per line for scripts, plain lines otherwise.
use async_trait::async_trait;
use errand_core::agent::ApprovalAnswer;
use errand_core::tool::Assessment;
use errand_core::{Approver, Event, EventKind, Observer, PlanStep, StepStatus, TaskView};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{BufRead, Write};
use std::sync::Mutex;

/// One JSON object per line on stdout.
pub struct JsonLines;

/// Writes one line to stdout. A reader that went away (`| head`) must not stop the task,
/// which is journaled and goes on; so write errors are ignored rather than panicking.
pub fn emit(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}").and_then(|_| out.flush());
}

impl Observer for JsonLines {
    fn event(&self, event: &Event) {
        if let Ok(line) = serde_json::to_string(event) {
            emit(&line);
        }
    }
    fn progress(&self, label: &str, done: u64, total: u64) {
        // Every 1024 items keeps the stream readable for a 10,000-file batch.
        if done == total || done.is_multiple_of(1024) {
            let line = serde_json::json!({"type": "progress", "label": label, "done": done, "total": total});
            emit(&line.to_string());
        }
    }
}

fn mark(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Pending => "[ ]",
        StepStatus::InProgress => "[>]",
        StepStatus::Done => "[x]",
        StepStatus::Skipped => "[-]",
    }
}

pub fn checklist_line(step: &PlanStep) -> String {
    format!("{} {}", mark(step.status), step.title)
}

/// The human view: the plan redrawn in place, a bar for batch steps, problems as they happen.
pub struct Terminal {
    multi: MultiProgress,
    state: Mutex<TerminalState>,
}

#[derive(Default)]
struct TerminalState {
    steps: Vec<ProgressBar>,
    bar: Option<ProgressBar>,
    /// The running token count, shown under the plan while a model spends tokens.
    usage: errand_core::Usage,
    usage_line: Option<ProgressBar>,
}

/// "1,234 in · 56 out · 1,000 cache read · 0 cache write"
pub fn usage_text(usage: &errand_core::Usage) -> String {
    format!(
        "{} in · {} out · {} cache read · {} cache write",
        usage.input_tokens, usage.output_tokens, usage.cache_read_tokens, usage.cache_write_tokens
    )
}

impl Terminal {
    pub fn new(live: bool) -> Terminal {
        let target = if live {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Terminal {
            multi: MultiProgress::with_draw_target(target),
            state: Mutex::new(TerminalState::default()),
        }
    }

    fn line(&self, text: &str) {
        if self.multi.is_hidden() {
            eprintln!("{text}");
        } else {
            let _ = self.multi.println(text);
        }
    }

    /// Runs `f` with the live display out of the way (for a prompt).
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.multi.suspend(f)
    }

    fn show_plan(&self, state: &mut TerminalState, steps: &[PlanStep]) {
        if self.multi.is_hidden() {
            for step in steps {
                eprintln!("  {}", checklist_line(step));
            }
            return;
        }
        while state.steps.len() < steps.len() {
            let bar = self
                .multi
                .insert(state.steps.len(), ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("  {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            state.steps.push(bar);
        }
        for (bar, step) in state.steps.iter().zip(steps) {
            bar.set_message(checklist_line(step));
        }
    }

    fn show_usage(&self, state: &mut TerminalState) {
        let text = format!("tokens: {}", usage_text(&state.usage));
        if self.multi.is_hidden() {
            eprintln!("  {text}");
            return;
        }
        let line = state.usage_line.get_or_insert_with(|| {
            let bar = self.multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("  {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        });
        line.set_message(text);
    }

    /// Leaves the final plan on screen.
    pub fn close(&self) {
        if let Ok(mut state) = self.state.lock() {
            let usage_line = state.usage_line.take();
            for bar in state.steps.drain(..).chain(usage_line) {
                bar.finish();
            }
            if let Some(bar) = state.bar.take() {
                bar.finish_and_clear();
            }
        }
    }
}

impl Observer for Terminal {
    fn event(&self, event: &Event) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        match &event.kind {
            EventKind::PlanUpdated { steps } => self.show_plan(&mut state, steps),
            EventKind::ModelTurn { text, usage, .. } => {
                if !text.trim().is_empty() {
                    self.line(&format!("› {}", text.trim()));
                }
                if usage.total() > 0 {
                    state.usage.add(usage);
                    self.show_usage(&mut state);
                }
            }
            EventKind::Compacted { kept, usage, .. } => {
                self.line(&format!(
                    "  (the conversation neared the model's context window: older turns were summarised, the last {kept} messages kept)"
                ));
                if usage.total() > 0 {
                    state.usage.add(usage);
                    self.show_usage(&mut state);
                }
            }
            EventKind::ToolFinished {
                tool,
                output,
                is_error: true,
                ..
            } => {
                let first = output.lines().next().unwrap_or_default();
                self.line(&format!("  ✗ {tool}: {first}"));
            }
            EventKind::ToolFinished { .. } => {
                if let Some(bar) = state.bar.take() {
                    bar.finish_and_clear();
                }
            }
            EventKind::StateChanged {
                state: s,
                reason: Some(reason),
            } => {
                self.line(&format!("  {}: {reason}", s.as_str()));
            }
            _ => {}
        }
    }

    fn progress(&self, label: &str, done: u64, total: u64) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if total < 2 || self.multi.is_hidden() {
            return;
        }
        let bar = state.bar.get_or_insert_with(|| {
            let bar = self.multi.add(ProgressBar::new(total));
            let style = ProgressStyle::with_template(
                "  {msg:10} [{bar:30}] {pos}/{len} ({per_sec}, {eta} left)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar
        });
        bar.set_message(label.to_string());
        bar.set_length(total);
        bar.set_position(done);
    }
}

/// Asks the person at the terminal.
pub struct TerminalApprover {
    pub terminal: std::sync::Arc<Terminal>,
}

#[async_trait]
impl Approver for TerminalApprover {
    async fn approve(
        &self,
        _view: &TaskView,
        tool: &str,
        reason: &str,
        assessment: &Assessment,
    ) -> ApprovalAnswer {
        let terminal = self.terminal.clone();
        let prompt = prompt_text(tool, reason, assessment);
        let answer = tokio::task::spawn_blocking(move || terminal.suspend(|| ask(&prompt))).await;
        answer.unwrap_or(ApprovalAnswer::No)
    }
}

fn prompt_text(tool: &str, reason: &str, assessment: &Assessment) -> String {
    let mut text = format!("\nApproval needed ({reason}):\n  {}\n", assessment.summary);
    for line in &assessment.preview {
        text.push_str(&format!("    {line}\n"));
    }
    text.push_str(&format!(
        "Allow? [y]es, [n]o, [a]lways allow {tool} in this task: "
    ));
    text
}

fn ask(prompt: &str) -> ApprovalAnswer {
    let stdin = std::io::stdin();
    loop {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => return ApprovalAnswer::No,
            Ok(_) => {}
        }
        match line.trim().to_lowercase().as_str() {
            "y" | "yes" => return ApprovalAnswer::Yes,
            "n" | "no" | "" => return ApprovalAnswer::No,
            "a" | "always" => return ApprovalAnswer::Always,
            _ => eprintln!("Please answer y, n or a."),
        }
    }
}

/// Asks a yes/no question on the terminal; `default` on an empty answer.
pub fn confirm(question: &str, default: bool) -> bool {
    eprint!("{question} [{}] ", if default { "Y/n" } else { "y/N" });
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    match line.trim().to_lowercase().as_str() {
        "" => default,
        "y" | "yes" => true,
        _ => false,
    }
}
