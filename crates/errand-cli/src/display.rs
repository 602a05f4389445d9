//! How a running task looks: a live checklist and progress bars on a terminal, one JSON event
//! per line for scripts, plain lines otherwise.
use async_trait::async_trait;
use errand_core::agent::ApprovalAnswer;
use errand_core::tool::Assessment;
use errand_core::{Approver, Event, EventKind, Observer, PlanStep, StepStatus, TaskView, ToolCall};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
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

/// The first non-empty line of `text`, trimmed, cut to `max` characters with "…".
pub fn clip(text: &str, max: usize) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty());
    let line = line.unwrap_or_default();
    if line.chars().count() <= max {
        return line.to_string();
    }
    let cut: String = line.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", cut.trim_end())
}

/// Attributes a line to the sub-agent that logged `event` ("  [a2] ✗ …"); the tag goes
/// after the indentation so a sub-agent's lines stay aligned with the task's own.
pub fn attributed(event: &Event, line: &str) -> String {
    let Some(id) = &event.agent else {
        return line.to_string();
    };
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    format!("{indent}[{id}] {body}")
}

/// What a call works on, briefly: its path, command or goal (`→ write_file report.md`).
pub fn call_brief(call: &ToolCall) -> String {
    let input = &call.input;
    let text = |key: &str| input.get(key).and_then(|v| v.as_str());
    let count = |key: &str| input.get(key).and_then(|v| v.as_array()).map(Vec::len);
    let brief = if let Some(path) = text("path") {
        path.to_string()
    } else if let Some(command) = text("command").or(text("goal")).or(text("question")) {
        command.to_string()
    } else if let (Some(from), Some(to)) = (text("from"), text("to")) {
        format!("{from} → {to}")
    } else if let Some(n) = count("agents") {
        format!("{n} sub-agent{}", if n == 1 { "" } else { "s" })
    } else if let Some(n) = count("moves").or(count("paths")) {
        format!("{n} paths")
    } else {
        String::new()
    };
    clip(&brief, 60)
}

/// Turns a task's events into the lines a person reads, as `errand watch` shows them (an
/// entry may span lines: a plan, an approval with its preview).
/// `tool_started` names only the tool, so the latest turn's calls are kept per agent to
/// say what each call works on.
#[derive(Default)]
pub struct EventLines {
    calls: HashMap<(Option<String>, String), String>,
}

impl EventLines {
    pub fn lines(&mut self, event: &Event) -> Vec<String> {
        let mut lines = Vec::new();
        match &event.kind {
            EventKind::ModelTurn {
                text, tool_calls, ..
            } => {
                // A new turn means the agent's earlier calls all have results.
                self.calls.retain(|(agent, _), _| *agent != event.agent);
                for call in tool_calls {
                    let key = (event.agent.clone(), call.id.clone());
                    self.calls.insert(key, call_brief(call));
                }
                if !text.trim().is_empty() {
                    lines.push(format!("› {}", clip(text, 200)));
                }
            }
            EventKind::ToolStarted { call_id, tool } => {
                let key = (event.agent.clone(), call_id.clone());
                match self.calls.get(&key).filter(|b| !b.is_empty()) {
                    Some(brief) => lines.push(format!("  → {tool} {brief}")),
                    None => lines.push(format!("  → {tool}")),
                }
            }
            EventKind::PlanUpdated { steps } if event.agent.is_none() => {
                let mut plan = String::from("  plan:");
                for step in steps {
                    plan.push_str(&format!("\n    {}", checklist_line(step)));
                }
                lines.push(plan);
            }
            EventKind::UserMessage { text } => {
                lines.push(format!("  » you said: {}", clip(text, 200)))
            }
            EventKind::StateChanged { state, reason } if !state.is_terminal() => {
                lines.push(match reason {
                    Some(reason) => format!("  ● {}: {}", state.as_str(), clip(reason, 200)),
                    None => format!("  ● {}", state.as_str()),
                });
            }
            EventKind::ApprovalResolved {
                approved, always, ..
            } => lines.push(
                match (approved, always) {
                    (true, true) => "  approved (and later calls of this tool)",
                    (true, false) => "  approved",
                    (false, _) => "  refused",
                }
                .into(),
            ),
            EventKind::QuestionAnswered { answer, .. } => {
                lines.push(format!("  answered: {}", clip(answer, 200)));
            }
            EventKind::Compacted { kept, .. } => {
                let text = "older turns summarised to fit the model's context";
                lines.push(format!("  ({text}; the last {kept} messages kept)"));
            }
            EventKind::Undone { restored, refused } => lines.push(format!(
                "  undone: {restored} restored, {} refused",
                refused.len()
            )),
            _ => return notices(event),
        }
        lines.iter().map(|l| attributed(event, l)).collect()
    }
}

/// The lines worth showing even in a live run's terse view: failures, what waits for the
/// person, sub-agents starting and ending. Unattributed; sub-agent lines name their agent.
fn notice_lines(event: &Event) -> Vec<String> {
    let id = event.agent.as_deref().unwrap_or("sub-agent");
    match &event.kind {
        EventKind::ToolFinished {
            tool,
            output,
            is_error: true,
            ..
        } => vec![format!("  ✗ {tool}: {}", clip(output, 200))],
        EventKind::ApprovalRequested {
            summary, preview, ..
        } => {
            // One entry, so the tag marks the request and its preview stays indented under it.
            let mut text = format!("  ? needs approval: {summary}");
            for line in preview {
                text.push_str(&format!("\n      {line}"));
            }
            vec![text]
        }
        EventKind::QuestionAsked { question, .. } => vec![format!("  ? asks you: {question}")],
        EventKind::SubagentStarted { goal, .. } => {
            vec![format!("  ▸ {id} started: {}", clip(goal, 70))]
        }
        EventKind::SubagentFinished {
            ok: true, summary, ..
        } => {
            vec![format!("  ✓ {id} done: {}", clip(summary, 70))]
        }
        EventKind::SubagentFinished { summary, .. } => {
            vec![format!("  ✗ {id} failed: {}", clip(summary, 70))]
        }
        _ => Vec::new(),
    }
}

/// `notice_lines`, attributed; sub-agent start and end lines already name their agent.
fn notices(event: &Event) -> Vec<String> {
    let lines = notice_lines(event);
    match event.kind {
        EventKind::SubagentStarted { .. } | EventKind::SubagentFinished { .. } => lines,
        _ => lines.iter().map(|l| attributed(event, l)).collect(),
    }
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
            // The checklist is the task's: a sub-agent's plan (they get no update_plan, but
            // a log may say otherwise) must not replace it.
            EventKind::PlanUpdated { steps } if event.agent.is_none() => {
                self.show_plan(&mut state, steps)
            }
            EventKind::ModelTurn { text, usage, .. } => {
                if !text.trim().is_empty() {
                    self.line(&attributed(event, &format!("› {}", text.trim())));
                }
                // Sub-agents' tokens count too: the line shows what the task spends.
                if usage.total() > 0 {
                    state.usage.add(usage);
                    self.show_usage(&mut state);
                }
            }
            EventKind::Compacted { kept, usage, .. } => {
                self.line(&attributed(event, &format!(
                    "  (the conversation neared the model's context window: older turns were summarised, the last {kept} messages kept)"
                )));
                if usage.total() > 0 {
                    state.usage.add(usage);
                    self.show_usage(&mut state);
                }
            }
            EventKind::ToolFinished {
                is_error: false, ..
            } => {
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
            // The "waiting: …" line that follows says the same, and names a sub-agent that
            // asks in its summary ("sub-agent a2 (…): …"); the final report shows previews.
            EventKind::ApprovalRequested { .. } | EventKind::QuestionAsked { .. } => {}
            EventKind::UserMessage { text } => {
                self.line(&attributed(
                    event,
                    &format!("  » you said: {}", clip(text, 200)),
                ));
            }
            _ => {
                for line in notices(event) {
                    self.line(&line);
                }
            }
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
    /// Sub-agents run concurrently and may all need the person at once: one prompt at a
    /// time, or their questions and answers would interleave on the one terminal.
    turn: tokio::sync::Mutex<()>,
}

impl TerminalApprover {
    pub fn new(terminal: std::sync::Arc<Terminal>) -> TerminalApprover {
        TerminalApprover {
            terminal,
            turn: tokio::sync::Mutex::new(()),
        }
    }
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
        let _turn = self.turn.lock().await;
        let terminal = self.terminal.clone();
        // The summary already names a sub-agent that asks ("sub-agent a2 (…): …").
        let prompt = prompt_text(tool, reason, assessment);
        let answer = tokio::task::spawn_blocking(move || terminal.suspend(|| ask(&prompt))).await;
        answer.unwrap_or(ApprovalAnswer::No)
    }

    async fn ask(&self, view: &TaskView, question: &str) -> Option<String> {
        let _turn = self.turn.lock().await;
        let terminal = self.terminal.clone();
        let prompt = question_text(view.agent_label().as_deref(), question);
        let answer = tokio::task::spawn_blocking(move || terminal.suspend(|| read_answer(&prompt)));
        answer.await.ok().flatten()
    }
}

fn question_text(label: Option<&str>, question: &str) -> String {
    let from = label.map(|l| format!(" from {l}")).unwrap_or_default();
    format!(
        "\nQuestion{from}:\n  {}\nYour answer (empty to answer later with `errand answer`): ",
        question.trim()
    )
}

/// One line from stdin; `None` on an empty line, end of input or an error.
fn read_answer(prompt: &str) -> Option<String> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_string()).filter(|a| !a.is_empty()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use errand_core::{TaskState, Usage};
    use serde_json::json;

    fn event(agent: Option<&str>, kind: EventKind) -> Event {
        Event {
            task_id: "t1".into(),
            seq: 1,
            at: 0,
            agent: agent.map(str::to_string),
            kind,
        }
    }

    fn turn(text: &str, calls: &[(&str, &str, serde_json::Value)]) -> EventKind {
        EventKind::ModelTurn {
            text: text.into(),
            tool_calls: calls
                .iter()
                .map(|(id, name, input)| ToolCall {
                    id: id.to_string(),
                    name: name.to_string(),
                    input: input.clone(),
                })
                .collect(),
            usage: Usage::default(),
        }
    }

    fn started(call_id: &str, tool: &str) -> EventKind {
        EventKind::ToolStarted {
            call_id: call_id.into(),
            tool: tool.into(),
        }
    }

    #[test]
    fn tool_lines_say_what_each_agents_call_works_on() {
        let mut feed = EventLines::default();
        let main_turn = turn(
            "  I will write the report.\nThen check it.",
            &[(
                "c1",
                "write_file",
                json!({"path": "report.md", "content": "x"}),
            )],
        );
        assert_eq!(
            feed.lines(&event(None, main_turn)),
            ["› I will write the report."]
        );
        // A sub-agent's call with the same id is its own.
        let sub_turn = turn(
            "",
            &[("c1", "run_command", json!({"command": "wc -l notes.txt"}))],
        );
        assert!(feed.lines(&event(Some("a2"), sub_turn)).is_empty());
        assert_eq!(
            feed.lines(&event(Some("a2"), started("c1", "run_command"))),
            ["  [a2] → run_command wc -l notes.txt"]
        );
        assert_eq!(
            feed.lines(&event(None, started("c1", "write_file"))),
            ["  → write_file report.md"]
        );
        // A call the feed never saw (the watch began mid-turn) still shows its tool.
        assert_eq!(
            feed.lines(&event(None, started("c9", "list_dir"))),
            ["  → list_dir"]
        );
    }

    #[test]
    fn a_subagents_problems_are_attributed_and_its_plan_ignored() {
        let mut feed = EventLines::default();
        let failed = EventKind::ToolFinished {
            call_id: "c1".into(),
            tool: "write_file".into(),
            output: "\npermission denied: /etc/x\nmore detail".into(),
            is_error: true,
            images: Vec::new(),
        };
        assert_eq!(
            feed.lines(&event(Some("a2"), failed.clone())),
            ["  [a2] ✗ write_file: permission denied: /etc/x"]
        );
        assert_eq!(
            notices(&event(Some("a2"), failed)),
            ["  [a2] ✗ write_file: permission denied: /etc/x"]
        );
        let approval = EventKind::ApprovalRequested {
            call_id: "c2".into(),
            tool: "move_path".into(),
            summary: "sub-agent a2 (sort): move 2 files".into(),
            preview: vec!["a.txt → docs/a.txt".into()],
        };
        assert_eq!(
            feed.lines(&event(Some("a2"), approval)),
            [
                "  [a2] ? needs approval: sub-agent a2 (sort): move 2 files\n      a.txt → docs/a.txt"
            ]
        );
        let plan = EventKind::PlanUpdated {
            steps: vec![PlanStep {
                title: "Read".into(),
                status: StepStatus::Done,
            }],
        };
        assert!(feed.lines(&event(Some("a2"), plan.clone())).is_empty());
        assert_eq!(feed.lines(&event(None, plan)), ["  plan:\n    [x] Read"]);
        let state = EventKind::StateChanged {
            state: TaskState::Paused,
            reason: Some("paused by the person".into()),
        };
        assert_eq!(
            feed.lines(&event(None, state)),
            ["  ● paused: paused by the person"]
        );
    }

    #[test]
    fn subagent_start_and_end_name_their_agent_once() {
        let goal =
            "Summarise every meeting note from March into one page with decisions and owners";
        let start = EventKind::SubagentStarted {
            call_id: "d1".into(),
            index: 1,
            goal: goal.into(),
            role: None,
            instructions: String::new(),
            folders: vec![],
            tools: vec![],
            max_turns: 20,
            model: "offline".into(),
            depth: 1,
        };
        let line = &notices(&event(Some("a2"), start))[0];
        assert!(
            line.starts_with("  ▸ a2 started: Summarise every"),
            "{line}"
        );
        assert!(
            line.ends_with('…') && line.chars().count() <= "  ▸ a2 started: ".chars().count() + 70
        );
        let done = |ok: bool, summary: &str| EventKind::SubagentFinished {
            ok,
            summary: summary.into(),
            files: vec![],
            turns: 3,
        };
        let mut feed = EventLines::default();
        assert_eq!(
            feed.lines(&event(Some("a2"), done(true, "Wrote march.md\nDetails…"))),
            ["  ✓ a2 done: Wrote march.md"]
        );
        assert_eq!(
            feed.lines(&event(
                Some("a3"),
                done(false, "stopped after 20 model turns")
            )),
            ["  ✗ a3 failed: stopped after 20 model turns"]
        );
    }

    #[test]
    fn call_briefs_and_clipping() {
        let call = |input: serde_json::Value| ToolCall {
            id: "c".into(),
            name: "t".into(),
            input,
        };
        assert_eq!(
            call_brief(&call(json!({"from": "a.txt", "to": "b/a.txt"}))),
            "a.txt → b/a.txt"
        );
        assert_eq!(
            call_brief(&call(json!({"agents": [{"goal": "x"}, {"goal": "y"}]}))),
            "2 sub-agents"
        );
        assert_eq!(call_brief(&call(json!({"steps": []}))), "");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("  \n  héllo  \nx", 10), "héllo");
    }

    #[test]
    fn a_question_names_the_subagent_that_asks() {
        assert_eq!(
            question_text(Some("sub-agent a2 (sort)"), " Which year? "),
            "\nQuestion from sub-agent a2 (sort):\n  Which year?\nYour answer (empty to answer later with `errand answer`): "
        );
        assert!(question_text(None, "Which year?").starts_with("\nQuestion:\n"));
    }
}
