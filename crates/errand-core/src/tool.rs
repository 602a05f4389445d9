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
    /// Starts sub-agents; each of their calls is judged on its own.
    Agents,
    /// Reads from the network (`web_fetch`, `web_search`), judged by the task's network
    /// grant. The call's first subject is where it goes, as a URL writes it: `host`, or
    /// `host:port` when the port is not the scheme's own; rules match that.
    Network,
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
    /// Leave `subjects` unleased: making a folder that already exists changes nothing,
    /// so two workers may both do it.
    pub no_lease: bool,
    /// The call asks the person whatever the mode and the rules allow (`remember`,
    /// `schedule_task`): why, in words. Only a deny rule or plan mode stops it sooner.
    pub always_ask: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ToolOutput {
    pub content: String,
    /// Events the loop appends after the result (a plan update, the task's end).
    pub events: Vec<EventKind>,
    /// Pictures for a model that reads them, already within the providers' limits. The
    /// loop keeps them as blobs; `content` still says in words what each one is.
    pub images: Vec<ToolImage>,
}

impl ToolOutput {
    pub fn text(content: impl Into<String>) -> Self {
        ToolOutput {
            content: content.into(),
            ..ToolOutput::default()
        }
    }

    pub fn with_images(mut self, images: Vec<ToolImage>) -> Self {
        self.images = images;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolImage {
    pub media_type: String,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
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

/// Puts a question to the person in the middle of a call (an MCP server asking, through
/// elicitation): the answer, or `None` when nobody can answer.
#[async_trait]
pub trait Asker: Send + Sync {
    async fn ask(&self, question: &str) -> Option<String>;
}

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
    /// The sub-agent making the call; `None` for the task's own agent.
    pub agent: Option<String>,
    /// Who answers a question asked mid-call; `None`: nobody.
    pub asker: Option<Arc<dyn Asker>>,
    /// The model takes pictures; for one that does not, a tool gives their text instead.
    pub reads_images: bool,
    /// The person approved this very call (not a mode, a rule or an earlier "always"): a
    /// command's deletions are carried over only then.
    pub person_approved: bool,
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

/// Tools whose schemas are sent only once the model loads the group (`load_tools`) or
/// calls one of them: the fixed context of every request stays small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolGroup {
    pub name: String,
    /// What the group is for, in a few words, for the system prompt's one line.
    pub about: String,
    pub tools: Vec<String>,
}

/// The tools a task may use, by name.
#[derive(Default, Clone)]
pub struct ToolRegistry {
    tools: BTreeMap<String, Arc<dyn Tool>>,
    /// Every tool's spec, in name order: made once.
    specs: Vec<ToolSpec>,
    groups: Vec<ToolGroup>,
    /// Tools not offered here, with what the person could do to have them: a call by name
    /// gets this as its error instead of "unknown tool".
    absent: BTreeMap<String, String>,
}

impl ToolRegistry {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn register(&mut self, tool: Arc<dyn Tool>) {
        let spec = tool.spec();
        self.specs.retain(|s| s.name != spec.name);
        let at = self.specs.partition_point(|s| s.name < spec.name);
        self.tools.insert(spec.name.clone(), tool);
        self.specs.insert(at, spec);
    }
    pub fn get(&self, name: &str) -> Option<Arc<dyn Tool>> {
        self.tools.get(name).cloned()
    }
    pub fn names(&self) -> Vec<String> {
        self.tools.keys().cloned().collect()
    }
    pub fn specs(&self) -> &[ToolSpec] {
        &self.specs
    }
    /// Keeps only the tools named (a sub-agent's subset).
    pub fn retain(&mut self, names: &[String]) {
        self.tools.retain(|name, _| names.contains(name));
        self.specs.retain(|spec| names.contains(&spec.name));
        for group in &mut self.groups {
            group.tools.retain(|t| names.contains(t));
        }
        self.groups.retain(|g| !g.tools.is_empty());
    }

    /// Puts registered tools in a group sent on demand; a tool belongs to one group.
    pub fn add_group(&mut self, name: &str, about: &str, tools: &[&str]) {
        let tools: Vec<String> = tools
            .iter()
            .filter(|t| self.tools.contains_key(**t))
            .map(|t| t.to_string())
            .collect();
        for group in &mut self.groups {
            group.tools.retain(|t| !tools.contains(t));
        }
        self.groups
            .retain(|g| g.name != name && !g.tools.is_empty());
        if !tools.is_empty() {
            self.groups.push(ToolGroup {
                name: name.into(),
                about: about.into(),
                tools,
            });
        }
    }

    /// Says why `name` is not offered, for a model that calls it anyway.
    pub fn explain_absent(&mut self, name: &str, why: &str) {
        self.absent.insert(name.into(), why.into());
    }

    pub fn absent_reason(&self, name: &str) -> Option<&str> {
        self.absent.get(name).map(String::as_str)
    }

    pub fn groups(&self) -> &[ToolGroup] {
        &self.groups
    }

    pub fn group_of(&self, tool: &str) -> Option<&ToolGroup> {
        self.groups
            .iter()
            .find(|g| g.tools.iter().any(|t| t == tool))
    }

    /// What a request carries: every tool outside the groups, in name order, then the
    /// loaded groups' tools in the order they were loaded. Loading only appends, so the
    /// tool list of earlier turns stays a prefix of the new one.
    pub fn specs_loaded(&self, loaded: &[String]) -> Vec<ToolSpec> {
        let mut specs: Vec<ToolSpec> = self
            .specs
            .iter()
            .filter(|s| self.group_of(&s.name).is_none())
            .cloned()
            .collect();
        for name in loaded {
            let Some(group) = self.groups.iter().find(|g| &g.name == name) else {
                continue;
            };
            for tool in &group.tools {
                if let Some(spec) = self.specs.iter().find(|s| &s.name == tool) {
                    specs.push(spec.clone());
                }
            }
        }
        specs
    }
}

/// A tool's input schema, generated from the Rust type its input is parsed into (so the
/// two cannot drift), trimmed to what a model needs: no titles, formats or meta-schema.
/// Field doc comments become the descriptions, so keep them short.
pub fn input_schema<T: schemars::JsonSchema>() -> serde_json::Value {
    let settings = schemars::generate::SchemaSettings::draft07().with(|s| {
        s.inline_subschemas = true;
        s.meta_schema = None;
    });
    let mut schema = settings
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    trim_schema(&mut schema);
    schema
}

/// `input_schema` with nested parts as a compact notation (see `schema_notation`): for
/// tools whose inputs nest deeply, so the fixed context stays small.
pub fn compact_input_schema<T: schemars::JsonSchema>() -> serde_json::Value {
    crate::schema_notation::compact(input_schema::<T>())
}

fn trim_schema(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            // Keywords only: a property may be named `title` or `format`, and its value
            // is then a schema object, which stays.
            for noise in ["title", "format", "$schema"] {
                if map.get(noise).is_some_and(serde_json::Value::is_string) {
                    map.remove(noise);
                }
            }
            // `minimum: 0` only restates an unsigned Rust type.
            if map.get("minimum").and_then(|m| m.as_f64()) == Some(0.0) {
                map.remove("minimum");
            }
            // An absent field already means "none": `["string", "null"]` is just "string".
            if let Some(serde_json::Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(serde_json::Value::Array(options)) = map.get_mut("anyOf") {
                options.retain(|o| o.get("type").is_none_or(|t| t != "null"));
                if options.len() == 1
                    && let Some(serde_json::Value::Object(only)) = options.pop()
                {
                    map.remove("anyOf");
                    map.extend(only);
                }
            }
            // Unknown fields are refused by the parser with a clear error; saying so in
            // every object costs tokens on every request.
            if map.get("additionalProperties") == Some(&serde_json::Value::Bool(false)) {
                map.remove("additionalProperties");
            }
            // Defaults that say nothing (false, empty, null) are left to the description.
            if map.get("default").is_some_and(|d| {
                d.is_null() || d == false || d.as_array().is_some_and(Vec::is_empty)
            }) {
                map.remove("default");
            }
            // The root's description is the struct's doc; the tool has its own.
            map.values_mut().for_each(trim_schema);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(trim_schema),
        _ => {}
    }
}

/// Where a provider puts tool arguments that did not parse as JSON.
pub const INVALID_JSON_KEY: &str = "__invalid_json";

/// Deserializes a tool's input, naming the bad field in the error the model sees.
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

#[cfg(test)]
mod schema_tests {
    use super::*;

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    #[allow(dead_code)] // only its schema is used
    struct Sample {
        /// A heading.
        title: String,
        format: Option<String>,
        count: Option<usize>,
        #[serde(default)]
        all: bool,
        steps: Vec<crate::event::PlanStep>,
    }

    #[test]
    fn schemas_come_from_the_types_and_keep_fields_named_like_keywords() {
        let schema = input_schema::<Sample>();
        let props = &schema["properties"];
        assert_eq!(props["title"]["type"], "string");
        assert_eq!(props["title"]["description"], "A heading.");
        assert_eq!(props["format"]["type"], "string", "{schema}");
        assert_eq!(props["count"]["type"], "integer", "{schema}");
        assert!(props["count"].get("format").is_none());
        assert!(props["all"].get("default").is_none());
        assert_eq!(
            props["steps"]["items"]["properties"]["title"]["type"],
            "string"
        );
        assert_eq!(
            schema["required"],
            serde_json::json!(["title", "steps"]),
            "{schema}"
        );
        assert!(schema.get("$schema").is_none() && schema.get("title").is_none());
    }
}
