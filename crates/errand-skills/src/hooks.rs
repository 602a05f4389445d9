//! Hook declarations: `hooks/hooks.json` in the plugin wrapper form `{"hooks": {EVENT: …}}`
//! or the bare form `{EVENT: …}`, each event a list of `{matcher, hooks: [{type, command,
//! timeout}]}`.
use crate::plugin::KNOWN_HOOK_EVENTS;
use serde::Serialize;
use serde_json::Value;

/// The events whose command hooks Errand runs.
pub const RUN_EVENTS: &[&str] = &[
    "PreToolUse",
    "PostToolUse",
    "UserPromptSubmit",
    "Stop",
    "SubagentStop",
    "SessionStart",
    "SessionEnd",
];

#[derive(Debug, Clone, Serialize)]
pub struct HookSpec {
    pub event: String,
    /// A tool-name pattern (`Write|Edit`, `mcp__.*`); empty or absent matches all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matcher: Option<String>,
    /// `command` or `prompt`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_s: Option<u64>,
}

/// The hooks, and each problem in words. Only a value that is not an object is an error.
pub fn parse(value: &Value) -> Result<(Vec<HookSpec>, Vec<String>), String> {
    let events = match value.get("hooks") {
        Some(Value::Object(inner)) => inner,
        _ => value
            .as_object()
            .ok_or("hooks must be a JSON object of events")?,
    };
    let mut specs = Vec::new();
    let mut problems = Vec::new();
    for (event, groups) in events {
        if event == "description" {
            continue;
        }
        if !KNOWN_HOOK_EVENTS.contains(&event.as_str()) {
            problems.push(format!(
                "unknown hook event `{event}`; the events are: {}",
                KNOWN_HOOK_EVENTS.join(", ")
            ));
            continue;
        }
        let Some(groups) = groups.as_array() else {
            problems.push(format!("`{event}` must be a list of {{matcher, hooks}}"));
            continue;
        };
        for group in groups {
            let matcher = group
                .get("matcher")
                .and_then(Value::as_str)
                .map(str::to_string)
                .filter(|m| !m.is_empty() && m != "*");
            let Some(hooks) = group.get("hooks").and_then(Value::as_array) else {
                problems.push(format!("a `{event}` entry has no `hooks` list"));
                continue;
            };
            for hook in hooks {
                let kind = hook
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("command")
                    .to_string();
                let command = hook
                    .get("command")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                if kind == "command" && command.as_deref().is_none_or(|c| c.trim().is_empty()) {
                    problems.push(format!("a `{event}` command hook has no `command`"));
                    continue;
                }
                if kind != "command" && kind != "prompt" {
                    problems.push(format!(
                        "a `{event}` hook has type `{kind}`; the types are command and prompt"
                    ));
                    continue;
                }
                specs.push(HookSpec {
                    event: event.clone(),
                    matcher: matcher.clone(),
                    kind,
                    command,
                    timeout_s: hook.get("timeout").and_then(Value::as_u64),
                });
            }
        }
    }
    Ok((specs, problems))
}

/// Whether a hook's matcher takes this tool name: `|`-separated names or simple regex-like
/// patterns (`mcp__.*`, `Write|Edit`), matched whole.
pub fn matches(matcher: Option<&str>, tool: &str) -> bool {
    let Some(matcher) = matcher else {
        return true;
    };
    matcher.split('|').any(|alt| {
        let alt = alt.trim();
        match alt.strip_suffix(".*").or_else(|| alt.strip_suffix('*')) {
            Some(prefix) => tool.starts_with(prefix),
            None => alt == tool,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_forms_and_problems() {
        let wrapped = json!({"hooks": {"PreToolUse": [{"matcher": "Write|Edit", "hooks": [{"type": "command", "command": "x.sh", "timeout": 5}]}]}});
        let (specs, problems) = parse(&wrapped).unwrap();
        assert_eq!(specs.len(), 1);
        assert!(problems.is_empty());
        assert_eq!(specs[0].timeout_s, Some(5));
        let bare = json!({"SessionStart": [{"hooks": [{"type": "command", "command": "cat a"}]}], "OnMagic": []});
        let (specs, problems) = parse(&bare).unwrap();
        assert_eq!(specs.len(), 1);
        assert!(problems[0].contains("unknown hook event `OnMagic`"));
        assert!(matches(Some("Write|Edit"), "Edit"));
        assert!(!matches(Some("Write|Edit"), "Read"));
        assert!(matches(Some("mcp__.*"), "mcp__x__y"));
        assert!(matches(None, "anything"));
    }
}
