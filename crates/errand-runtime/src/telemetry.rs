//! OpenTelemetry in a run: one set of exporters per process (read from the environment or
//! `[telemetry]`), and each run's events passed to its task's trace on their way to the
//! front end.
use errand_core::{Event, Observer, TaskView};
use errand_telemetry::{TaskTrace, Telemetry};
use std::sync::{Arc, Mutex, OnceLock};

static TELEMETRY: OnceLock<Option<Telemetry>> = OnceLock::new();

fn exporters(config: &crate::Config) -> Option<&'static Telemetry> {
    TELEMETRY
        .get_or_init(|| match Telemetry::from_env(&config.telemetry) {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!(error = %e, "telemetry is off");
                None
            }
        })
        .as_ref()
}

/// The run's events go to `inner` and to the task's trace.
pub(crate) struct Traced {
    inner: Arc<dyn Observer>,
    trace: Mutex<TaskTrace>,
}

impl Observer for Traced {
    fn event(&self, event: &Event) {
        if let Ok(mut trace) = self.trace.lock() {
            trace.event(event);
        }
        self.inner.event(event);
    }

    fn progress(&self, label: &str, done: u64, total: u64) {
        self.inner.progress(label, done, total);
    }
}

/// A traced observer for this run, when telemetry is on.
pub(crate) fn start(
    config: &crate::Config,
    view: &TaskView,
    events: &[Event],
    inner: Arc<dyn Observer>,
) -> Option<Arc<Traced>> {
    let telemetry = exporters(config)?;
    let model = view.model.clone();
    let mut trace = telemetry
        .task(&view.id)
        .with_cost(move |usage| crate::cost::estimate(&model, usage).usd);
    // A fresh task's span starts when it was made; a resumed one's, now.
    let started = if view.model_turns == 0 {
        view.created_at
    } else {
        errand_core::now_ms()
    };
    trace.start(&view.outcome, &view.model, &view.mode.to_string(), started);
    // Answers given while no run was going (`errand approve`): the tail of the log after
    // the last thing a run did.
    let tail = events
        .iter()
        .rposition(|e| {
            !matches!(
                e.kind,
                errand_core::EventKind::ApprovalResolved { .. }
                    | errand_core::EventKind::QuestionAnswered { .. }
                    | errand_core::EventKind::UserMessage { .. }
                    | errand_core::EventKind::StateChanged { .. }
            )
        })
        .map_or(0, |i| i + 1);
    trace.replay_answers(&events[tail..], &events[..tail]);
    Some(Arc::new(Traced {
        inner,
        trace: Mutex::new(trace),
    }))
}

/// Ends the run's span with the task's state, and sends what is buffered.
pub(crate) fn end(traced: &Traced, view: &TaskView) {
    if let Ok(mut trace) = traced.trace.lock() {
        trace.end(
            view.state.as_str(),
            view.state_reason.as_deref(),
            errand_core::now_ms(),
        );
    }
    if let Some(Some(telemetry)) = TELEMETRY.get() {
        telemetry.flush();
    }
}
