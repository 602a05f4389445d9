//! The tool contract: a named capability with a declared effect that the policy judges.
use crate::event::EventKind;
use crate::store::Store;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a tool does to the world; the policy decides from this, never from the model's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Read,
    Write,
    Delete,
    Exec,
    State,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    pub input_schema: serde_json::Value,
}

/// What a call would do, worked out before it runs: for the policy and the approval prompt.
#[derive(Debug, Clone, Default)]
pub struct Assessment {
    /// One line a person can approve or refuse.
    pub summary: String,
    /// A few lines showing the change.
    pub preview: Vec<String>,
    /// What rules match against: paths for file tools, the command line for `run_command`.
    pub subjects: Vec<String>,
    /// True when the call would replace a file this task did not create.
    pub replaces_existing: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ToolOutput {
    pub content: String,
    /// Events the loop appends after the result (a plan update, the task's end).
    pub events: Vec<EventKind>,
}

impl ToolOutput {
    pub fn text(content: impl Into<String>) -> Self {
        ToolOutput {
            content: content.into(),
            events: Vec::new(),
        }
    }
}

/// A refused or failed call. The model sees the message; the task goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ToolError(pub String);

impl ToolError {
    pub fn new(message: impl Into<String>) -> Self {
        ToolError(message.into())
    }
}

pub type ProgressSink = Arc<dyn Fn(&str, u64, u64) + Send + Sync>;

pub struct ToolContext {
    pub task_id: String,
    pub call_id: String,
    pub store: Arc<dyn Store>,
    /// True when this call was started before a crash: consult the journal, do not repeat.
    pub resuming: bool,
    /// (label, done, total) for long batch calls.
    pub progress: ProgressSink,
    /// Set when the person interrupts (Ctrl-C): a batch stops between items, leaving the
    /// rest planned in the journal for `resume`.
    pub interrupt: Arc<std::sync::atomic::AtomicBool>,
    /// Changes when the conversation is compacted: a tool must not point the model at a
    /// result from an earlier epoch, which it can no longer see.
    pub conversation_epoch: usize,
}

impl ToolContext {
    pub fn interrupted(&self) -> bool {
        self.interrupt.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn progress(&self, label: &str, done: u64, total: u64) {
        (self.progress)(label, done, total)
    }
}

#[async_trait]
pub trait Tool: Send + Sync {
    fn spec(&self) -> ToolSpec;
    fn effect(&self) -> Effect;
    /// Validates the input and describes the call. An error here becomes the call's result.
    fn assess(
        &self,
        _ctx: &ToolContext,
        input: &serde_json::Value,
    ) -> Result<Assessment, ToolError> {
        Ok(Assessment {
            summary: format!("{} {}", self.spec().name, input),
            ..Assessment::default()
        })
    }
    async fn call(
        &self,
        ctx: &ToolContext,
        input: serde_json::Value,
    ) -> Result<ToolOutput, ToolError>;
}

/// The tools a task may use, by name.
#[derive(Default, Clone)]
pub struct ToolRegistry {
    tools: BTreeMap<String, Arc<dyn Tool>>,
}

impl ToolRegistry {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn register(&mut self, tool: Arc<dyn Tool>) {
        self.tools.insert(tool.spec().name, tool);
    }
    pub fn get(&self, name: &str) -> Option<Arc<dyn Tool>> {
        self.tools.get(name).cloned()
    }
    pub fn names(&self) -> Vec<String> {
        self.tools.keys().cloned().collect()
    }
    pub fn specs(&self) -> Vec<ToolSpec> {
        self.tools.values().map(|t| t.spec()).collect()
    }
}

/// Deserializes a tool's input, naming the bad field in the error the model sees.
/// Where a provider puts tool arguments that did not parse as JSON.
pub const INVALID_JSON_KEY: &str = "__invalid_json";

pub fn parse_input<T: serde::de::DeserializeOwned>(
    tool: &str,
    input: &serde_json::Value,
) -> Result<T, ToolError> {
    // Providers pass arguments that were not JSON through under this key, so the model
    // learns what was wrong instead of seeing a confusing "missing field".
    if let Some(raw) = input.get(INVALID_JSON_KEY) {
        let raw = raw.as_str().unwrap_or_default();
        let excerpt: String = raw.chars().take(200).collect();
        return Err(ToolError(format!(
            "the arguments for {tool} were not valid JSON ({excerpt:?}); send the call again with one JSON object"
        )));
    }
    // A call with no arguments at all means "all defaults", as `{}` does.
    let input = if input.is_null() {
        serde_json::json!({})
    } else {
        input.clone()
    };
    serde_json::from_value(input).map_err(|e| ToolError(format!("invalid input for {tool}: {e}")))
}
