//! `allowed-tools` of a skill: while the skill the model loaded last is active, calls are
//! limited to the tools it names (Claude's names mapped to Errand's), plus the bookkeeping
//! every task needs. Read from the conversation each time, so a resumed task keeps it.
use crate::catalog::{Catalog, USE_SKILL};
use async_trait::async_trait;
use errand_core::agent::{HookVerdict, Hooks};
use errand_core::{Message, TaskView, ToolCall};

/// Always allowed: ending, planning, asking, and loading another skill or tool group.
const ALWAYS: &[&str] = &["finish", "update_plan", "ask_user", "load_tools", USE_SKILL];

pub struct SkillLimits {
    catalog: Catalog,
    /// Claude's tool name (`Read`, `Bash(git:*)`) as Errand's, `None` when it has none.
    map: fn(&str) -> Option<String>,
}

impl SkillLimits {
    /// `None` when no skill has `allowed-tools`: nothing to limit.
    pub fn of(catalog: &Catalog, map: fn(&str) -> Option<String>) -> Option<SkillLimits> {
        catalog
            .skills
            .iter()
            .any(|s| s.allowed_tools.is_some())
            .then(|| SkillLimits {
                catalog: catalog.clone(),
                map,
            })
    }

    /// The skill loaded last in the conversation, if any.
    fn active(&self, view: &TaskView) -> Option<&crate::Skill> {
        view.messages.iter().rev().find_map(|m| match m {
            Message::Assistant { tool_calls, .. } => tool_calls
                .iter()
                .rev()
                .find(|c| c.name == USE_SKILL)
                .and_then(|c| c.input.get("name")?.as_str())
                .and_then(|name| self.catalog.find(name).ok()),
            _ => None,
        })
    }
}

#[async_trait]
impl Hooks for SkillLimits {
    async fn before_tool(&self, view: &TaskView, call: &ToolCall) -> HookVerdict {
        let Some(skill) = self.active(view) else {
            return HookVerdict::Proceed;
        };
        let Some(allowed) = &skill.allowed_tools else {
            return HookVerdict::Proceed;
        };
        let mut names: Vec<String> = allowed.iter().filter_map(|t| (self.map)(t)).collect();
        names.extend(ALWAYS.iter().map(|s| s.to_string()));
        if names.contains(&call.name) {
            return HookVerdict::Proceed;
        }
        names.sort();
        names.dedup();
        HookVerdict::Block(format!(
            "the skill {} allows only these tools while it is in use: {}",
            skill.name,
            names.join(", ")
        ))
    }

    async fn after_tool(&self, _: &TaskView, _: &ToolCall, _: &str, _: bool) -> Option<String> {
        None
    }

    async fn stopping(&self, _: &TaskView) -> Option<String> {
        None
    }
}
