//! One task's events turned into spans and log events as they are appended. Times are the
//! events' own: a model turn runs from its agent's previous event to the turn; a tool call
//! from `tool_started` to `tool_finished`; a sub-agent from its start to its end, nested
//! under the `delegate` call that started it.
use errand_core::event::{Event, EventKind};
use errand_core::{TaskState, Usage};
use opentelemetry::logs::{AnyValue, LogRecord as _, Logger as _, Severity};
use opentelemetry::trace::{Span as _, Status, TraceContextExt, Tracer as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::logs::SdkLogger;
use opentelemetry_sdk::trace::SdkTracer;
use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

type Agent = Option<String>;

/// Dollars for some tokens, when the model's price is known.
type Pricing = Box<dyn Fn(&Usage) -> Option<f64> + Send>;

pub struct TaskTrace {
    tracer: SdkTracer,
    logger: SdkLogger,
    task_id: String,
    log_prompts: bool,
    model: String,
    task: Option<Context>,
    /// Each sub-agent's span.
    agents: HashMap<String, Context>,
    /// Open tool spans: (agent, call id) → span, start.
    tools: HashMap<(Agent, String), (Context, i64)>,
    /// When each agent last did something: its next model turn starts there.
    last_at: HashMap<Agent, i64>,
    /// Calls a person was asked about, and their tools.
    asked: HashMap<(Agent, String), String>,
    usage: Usage,
    cost: Pricing,
}

fn time(ms: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64)
}

impl TaskTrace {
    pub(crate) fn new(
        tracer: SdkTracer,
        logger: SdkLogger,
        task_id: &str,
        log_prompts: bool,
    ) -> Self {
        TaskTrace {
            tracer,
            logger,
            task_id: task_id.to_string(),
            log_prompts,
            model: String::new(),
            task: None,
            agents: HashMap::new(),
            tools: HashMap::new(),
            last_at: HashMap::new(),
            asked: HashMap::new(),
            usage: Usage::default(),
            cost: Box::new(|_| None),
        }
    }

    pub fn with_cost(mut self, cost: impl Fn(&Usage) -> Option<f64> + Send + 'static) -> Self {
        self.cost = Box::new(cost);
        self
    }

    /// Opens the task's span: at `started_ms` (the task's creation, or now on a resume).
    pub fn start(&mut self, outcome: &str, model: &str, mode: &str, started_ms: i64) {
        self.model = model.to_string();
        let mut attributes = vec![
            KeyValue::new("errand.task.id", self.task_id.clone()),
            KeyValue::new("errand.model", model.to_string()),
            KeyValue::new("errand.mode", mode.to_string()),
        ];
        if self.log_prompts {
            attributes.push(KeyValue::new("errand.outcome", outcome.to_string()));
        }
        let span = self.open("errand.task", started_ms, attributes, &Context::new());
        self.task = Some(Context::new().with_span(span));
        self.last_at.insert(None, started_ms);
        let mut prompt = vec![("prompt_length", AnyValue::from(outcome.len() as i64))];
        if self.log_prompts {
            prompt.push(("prompt", AnyValue::from(outcome.to_string())));
        }
        self.log("user_prompt", started_ms, Severity::Info, None, prompt);
    }

    /// Ends the task's span with how this run ended (`done`, `failed`, `waiting`…).
    pub fn end(&mut self, state: &str, reason: Option<&str>, at_ms: i64) {
        // Calls still open (a crash, a stop mid-call) end with the run.
        for (_, (cx, _)) in self.tools.drain() {
            cx.span().end_with_timestamp(time(at_ms));
        }
        for (_, cx) in self.agents.drain() {
            cx.span().end_with_timestamp(time(at_ms));
        }
        if let Some(cx) = self.task.take() {
            let span = cx.span();
            span.set_attribute(KeyValue::new("errand.state", state.to_string()));
            span.set_attribute(KeyValue::new(
                "errand.tokens.input",
                self.usage.input_tokens as i64,
            ));
            span.set_attribute(KeyValue::new(
                "errand.tokens.output",
                self.usage.output_tokens as i64,
            ));
            if let Some(cost) = (self.cost)(&self.usage) {
                span.set_attribute(KeyValue::new("errand.cost_usd", cost));
            }
            if state == "failed" {
                span.set_status(Status::error(reason.unwrap_or("failed").to_string()));
            }
            span.end_with_timestamp(time(at_ms));
        }
    }

    /// A span begun at `start_ms` under `parent`.
    fn open(
        &self,
        name: &'static str,
        start_ms: i64,
        attributes: Vec<KeyValue>,
        parent: &Context,
    ) -> opentelemetry_sdk::trace::Span {
        self.tracer
            .span_builder(name)
            .with_start_time(time(start_ms))
            .with_attributes(attributes)
            .start_with_context(&self.tracer, parent)
    }

    /// The span an agent's work hangs under: its own for a sub-agent, else the task's.
    fn parent(&self, agent: &Agent) -> Context {
        agent
            .as_ref()
            .and_then(|a| self.agents.get(a))
            .or(self.task.as_ref())
            .cloned()
            .unwrap_or_default()
    }

    fn log(
        &self,
        name: &'static str,
        at_ms: i64,
        severity: Severity,
        agent: Option<&str>,
        attributes: Vec<(&'static str, AnyValue)>,
    ) {
        let mut record = self.logger.create_log_record();
        record.set_event_name(name);
        record.set_timestamp(time(at_ms));
        record.set_severity_number(severity);
        record.set_body(AnyValue::from(name));
        record.add_attribute("errand.task.id", self.task_id.clone());
        if let Some(agent) = agent {
            record.add_attribute("errand.agent", agent.to_string());
        }
        for (key, value) in attributes {
            record.add_attribute(key, value);
        }
        if let Some(cx) = &self.task {
            let span = cx.span();
            let context = span.span_context();
            record.set_trace_context(context.trace_id(), context.span_id(), None);
        }
        self.logger.emit(record);
    }

    /// Events appended while no run was going (an approval given with `errand approve`
    /// before this run began): their requests are looked up in `before`.
    pub fn replay_answers(&mut self, answers: &[Event], before: &[Event]) {
        for answer in answers {
            if let EventKind::ApprovalResolved { call_id, .. } = &answer.kind {
                let asked = before.iter().rev().find_map(|e| match &e.kind {
                    EventKind::ApprovalRequested {
                        call_id: asked,
                        tool,
                        ..
                    } if asked == call_id && e.agent == answer.agent => Some(tool.clone()),
                    _ => None,
                });
                if let Some(tool) = asked {
                    self.asked
                        .insert((answer.agent.clone(), call_id.clone()), tool);
                }
                self.event(answer);
            }
        }
    }

    /// A `tool_decision` event: whether a call may run, and who decided.
    fn decision(
        &self,
        at: i64,
        who: Option<&str>,
        tool: String,
        accept: bool,
        source: &'static str,
    ) {
        self.log(
            "tool_decision",
            at,
            Severity::Info,
            who,
            vec![
                ("tool_name", AnyValue::from(tool)),
                (
                    "decision",
                    AnyValue::from(if accept { "accept" } else { "reject" }),
                ),
                ("source", AnyValue::from(source)),
            ],
        );
    }

    /// One event of the task, as it is appended.
    pub fn event(&mut self, event: &Event) {
        let at = event.at;
        let agent: Agent = event.agent.clone();
        let who = agent.as_deref();
        match &event.kind {
            EventKind::ModelTurn {
                usage, tool_calls, ..
            } => {
                let started = self.last_at.get(&agent).copied().unwrap_or(at);
                self.usage.add(usage);
                let cost = (self.cost)(usage);
                let mut attributes = vec![
                    KeyValue::new("errand.model", self.model.clone()),
                    KeyValue::new("errand.tokens.input", usage.input_tokens as i64),
                    KeyValue::new("errand.tokens.output", usage.output_tokens as i64),
                    KeyValue::new("errand.tokens.cache_read", usage.cache_read_tokens as i64),
                    KeyValue::new("errand.tool_calls", tool_calls.len() as i64),
                ];
                if let Some(cost) = cost {
                    attributes.push(KeyValue::new("errand.cost_usd", cost));
                }
                let parent = self.parent(&agent);
                let mut span = self.open("errand.model_turn", started, attributes, &parent);
                span.end_with_timestamp(time(at));
                let mut log = vec![
                    ("model", AnyValue::from(self.model.clone())),
                    ("input_tokens", AnyValue::from(usage.input_tokens as i64)),
                    ("output_tokens", AnyValue::from(usage.output_tokens as i64)),
                    (
                        "cache_read_tokens",
                        AnyValue::from(usage.cache_read_tokens as i64),
                    ),
                    (
                        "cache_creation_tokens",
                        AnyValue::from(usage.cache_write_tokens as i64),
                    ),
                    ("duration_ms", AnyValue::from(at - started)),
                ];
                if let Some(cost) = cost {
                    log.push(("cost_usd", AnyValue::from(cost)));
                }
                self.log("api_request", at, Severity::Info, who, log);
            }
            EventKind::ApprovalRequested { call_id, tool, .. } => {
                self.asked
                    .insert((agent.clone(), call_id.clone()), tool.clone());
            }
            EventKind::ApprovalResolved {
                call_id, approved, ..
            } => {
                let tool = self
                    .asked
                    .get(&(agent.clone(), call_id.clone()))
                    .cloned()
                    .unwrap_or_default();
                self.decision(at, who, tool, *approved, "user");
            }
            EventKind::ToolStarted { call_id, tool } => {
                if !self.asked.contains_key(&(agent.clone(), call_id.clone())) {
                    self.decision(at, who, tool.clone(), true, "policy");
                }
                let parent = self.parent(&agent);
                let attributes = vec![
                    KeyValue::new("errand.tool", tool.clone()),
                    KeyValue::new("errand.call_id", call_id.clone()),
                ];
                let span = self.open("errand.tool", at, attributes, &parent);
                self.tools.insert(
                    (agent.clone(), call_id.clone()),
                    (Context::new().with_span(span), at),
                );
            }
            EventKind::ToolFinished {
                call_id,
                tool,
                is_error,
                output,
                ..
            } => {
                let opened = self.tools.remove(&(agent.clone(), call_id.clone()));
                let started = opened.as_ref().map(|(_, s)| *s).unwrap_or(at);
                if opened.is_none() && !self.asked.contains_key(&(agent.clone(), call_id.clone())) {
                    // Refused before it ran: the policy (or a hook) said no.
                    self.decision(at, who, tool.clone(), false, "policy");
                }
                if let Some((cx, _)) = opened {
                    let span = cx.span();
                    span.set_attribute(KeyValue::new("errand.success", !is_error));
                    if *is_error {
                        span.set_status(Status::error(first_line(output)));
                    }
                    span.end_with_timestamp(time(at));
                }
                let mut log = vec![
                    ("tool_name", AnyValue::from(tool.clone())),
                    ("success", AnyValue::from(!is_error)),
                    ("duration_ms", AnyValue::from(at - started)),
                ];
                if *is_error {
                    log.push(("error", AnyValue::from(first_line(output))));
                }
                if self.log_prompts {
                    log.push(("output", AnyValue::from(output.clone())));
                }
                self.log("tool_result", at, Severity::Info, who, log);
            }
            EventKind::SubagentStarted {
                call_id,
                goal,
                model,
                ..
            } => {
                if let Some(id) = &agent {
                    // Under the `delegate` call that started it, wherever that call is.
                    let parent = self
                        .tools
                        .iter()
                        .find(|((_, call), _)| call == call_id)
                        .map(|(_, (cx, _))| cx.clone())
                        .unwrap_or_else(|| self.parent(&None));
                    let mut attributes = vec![
                        KeyValue::new("errand.agent", id.clone()),
                        KeyValue::new("errand.model", model.clone()),
                    ];
                    if self.log_prompts {
                        attributes.push(KeyValue::new("errand.goal", goal.clone()));
                    }
                    let span = self.open("errand.subagent", at, attributes, &parent);
                    self.agents
                        .insert(id.clone(), Context::new().with_span(span));
                }
            }
            EventKind::SubagentFinished { ok, turns, .. } => {
                if let Some(cx) = agent.as_ref().and_then(|id| self.agents.remove(id)) {
                    let span = cx.span();
                    span.set_attribute(KeyValue::new("errand.success", *ok));
                    span.set_attribute(KeyValue::new("errand.turns", *turns as i64));
                    span.end_with_timestamp(time(at));
                }
            }
            EventKind::StateChanged {
                state: TaskState::Failed,
                reason,
            } if agent.is_none() => {
                let reason = reason.clone().unwrap_or_default();
                if reason.contains("model request failed") || reason.contains("model") {
                    self.log(
                        "api_error",
                        at,
                        Severity::Error,
                        who,
                        vec![
                            ("model", AnyValue::from(self.model.clone())),
                            ("error", AnyValue::from(reason)),
                        ],
                    );
                }
            }
            _ => {}
        }
        self.last_at.insert(agent, at);
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .chars()
        .take(300)
        .collect()
}
