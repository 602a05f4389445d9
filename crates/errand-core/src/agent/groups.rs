//! Tools on demand. Every request carries the core tools in full; the other groups
//! (office files, charts, the shell, sub-agents…) are one line each in the system prompt,
//! and `load_tools` brings a group's schemas into the tool list from the next turn on. A
//! tool called by its full name works either way, and loads its group for later turns.
use super::{Agent, AgentError, Flow};
use crate::event::EventKind;
use crate::model::ToolCall;
use crate::task::TaskView;
use crate::tool::{Effect, ToolGroup, ToolRegistry, ToolSpec, parse_input};
use std::sync::Arc;

pub const LOAD_TOOLS: &str = "load_tools";

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct LoadInput {
    /// Group names from the system prompt's list.
    groups: Vec<String>,
}

/// Registers `load_tools`; the loop carries it out.
pub fn register_load_tools(registry: &mut ToolRegistry) {
    registry.register(Arc::new(super::delegate::LoopTool {
        spec: ToolSpec {
            name: LOAD_TOOLS.into(),
            description: "Add a tool group's tools (listed in the system prompt) to your tools."
                .into(),
            input_schema: crate::tool::input_schema::<LoadInput>(),
        },
        effect: Effect::State,
    }));
}

/// `ERRAND_TOOLS=all` sends every schema on every request, as before tool groups: for
/// measuring what groups save (bench/local-model.sh), not for everyday use.
fn eager() -> bool {
    std::env::var("ERRAND_TOOLS").is_ok_and(|v| v == "all")
}

/// The system prompt's lines for the groups not sent in full.
pub fn group_lines(groups: &[ToolGroup]) -> String {
    if groups.is_empty() {
        return String::new();
    }
    let mut lines = String::from("\nMore tools (load_tools with the group first):");
    for group in groups {
        lines.push_str(&format!(
            "\n- {}: {} ({})",
            group.name,
            group.tools.join(", "),
            group.about
        ));
    }
    lines
}

impl Agent {
    /// The tools this turn's request carries. A sub-agent was given its own short list by
    /// its parent, and gets all of it.
    pub(crate) fn request_tools(&self, view: &TaskView) -> Vec<ToolSpec> {
        if self.who.is_some() || eager() {
            return self
                .tools
                .specs()
                .iter()
                .filter(|s| s.name != LOAD_TOOLS)
                .cloned()
                .collect();
        }
        self.tools.specs_loaded(&view.loaded_groups)
    }

    /// The groups the system prompt lists: none when every schema is sent anyway.
    pub(crate) fn prompt_groups(&self) -> &[ToolGroup] {
        if eager() { &[] } else { self.tools.groups() }
    }

    /// `load_tools{groups}`: an unknown group is an error naming the valid ones.
    pub(crate) fn load_tools(
        &self,
        view: &mut TaskView,
        call: &ToolCall,
    ) -> Result<Flow, AgentError> {
        let input: LoadInput = match parse_input(LOAD_TOOLS, &call.input) {
            Ok(input) => input,
            Err(e) => return Ok(Flow::Result(e.0, true)),
        };
        let known: Vec<&str> = self
            .tools
            .groups()
            .iter()
            .map(|g| g.name.as_str())
            .collect();
        let unknown: Vec<&String> = input
            .groups
            .iter()
            .filter(|g| !known.contains(&g.as_str()))
            .collect();
        if !unknown.is_empty() || input.groups.is_empty() {
            let names: Vec<&str> = unknown.iter().map(|g| g.as_str()).collect();
            return Ok(Flow::Result(
                format!(
                    "unknown tool group {:?}; the groups are: {}",
                    names,
                    known.join(", ")
                ),
                true,
            ));
        }
        let mut tools = Vec::new();
        for group in self.tools.groups() {
            if input.groups.contains(&group.name) {
                tools.extend(group.tools.iter().cloned());
            }
        }
        let new: Vec<String> = input
            .groups
            .into_iter()
            .filter(|g| !view.loaded_groups.contains(g))
            .collect();
        if !new.is_empty() {
            self.append(view, EventKind::ToolsLoaded { groups: new })?;
        }
        Ok(Flow::Result(
            format!(
                "loaded; you can call {} now (schemas in your tool list)",
                tools.join(", ")
            ),
            false,
        ))
    }

    /// A grouped tool called by name loads its group, so its schema is there next turn.
    pub(crate) fn load_group_of(&self, view: &mut TaskView, tool: &str) -> Result<(), AgentError> {
        if self.who.is_some() {
            return Ok(());
        }
        if let Some(group) = self.tools.group_of(tool)
            && !view.loaded_groups.contains(&group.name)
        {
            let groups = vec![group.name.clone()];
            self.append(view, EventKind::ToolsLoaded { groups })?;
        }
        Ok(())
    }
}
