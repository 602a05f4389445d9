//! The enabled plugins' command hooks, run in the sandbox around a task's calls and ending.
//! Each gets the documented JSON on stdin (Errand's tool names), `${CLAUDE_PLUGIN_ROOT}`
//! expanded, its folders read-only, no network, and a timeout. Exit 2 blocks with stderr as
//! the reason; JSON decisions on stdout are honoured where they refuse, never where they
//! would allow more than the policy.
use async_trait::async_trait;
use errand_core::agent::{HookVerdict, Hooks};
use errand_core::{Grant, TaskView, ToolCall};
use errand_skills::Plugin;
use errand_skills::hooks::{HookSpec, matches};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

struct Entry {
    plugin: String,
    root: PathBuf,
    spec: HookSpec,
}

pub struct PluginHooks {
    entries: Vec<Entry>,
    grants: Vec<Grant>,
    extra_read: Vec<PathBuf>,
}

/// What one hook run said.
enum Said {
    /// Exit 0 and its stdout.
    Fine(String),
    /// Exit 2: stderr is the reason.
    Refused(String),
    /// Anything else: the hook is broken, and the call goes on.
    Broken(String),
}

impl PluginHooks {
    /// The hooks of `plugins` that Errand runs; `None` when there are none.
    pub fn of(
        plugins: &[Plugin],
        grants: &[Grant],
        extra_read: Vec<PathBuf>,
    ) -> Option<PluginHooks> {
        let entries: Vec<Entry> = plugins
            .iter()
            .flat_map(|p| {
                p.hooks.iter().map(|spec| Entry {
                    plugin: p.name.clone(),
                    root: p.root.clone(),
                    spec: spec.clone(),
                })
            })
            .filter(|e| {
                e.spec.kind == "command"
                    && errand_skills::hooks::RUN_EVENTS.contains(&e.spec.event.as_str())
            })
            .collect();
        (!entries.is_empty()).then(|| PluginHooks {
            entries,
            grants: grants.to_vec(),
            extra_read,
        })
    }

    /// Runs every hook of `event` that matches `tool`, one after another, until one refuses.
    async fn fire(&self, event: &str, tool: Option<&str>, input: Value) -> Vec<(String, Said)> {
        let mut said = Vec::new();
        for entry in self.entries.iter().filter(|e| e.spec.event == event) {
            if let Some(tool) = tool
                && !tool_matches(entry.spec.matcher.as_deref(), tool)
            {
                continue;
            }
            let Some(command) = entry.spec.command.clone() else {
                continue;
            };
            let root = entry.root.clone();
            let grants = self.grants.clone();
            let extra = self.extra_read.clone();
            let timeout = entry
                .spec
                .timeout_s
                .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
            let input = input.to_string();
            let outcome = tokio::task::spawn_blocking(move || {
                run_hook(&command, &root, &grants, &extra, &input, timeout)
            })
            .await
            .unwrap_or_else(|e| Said::Broken(e.to_string()));
            if let Said::Broken(why) = &outcome {
                tracing::warn!(plugin = %entry.plugin, event, "a hook failed: {why}");
            }
            let refused = matches!(outcome, Said::Refused(_));
            said.push((entry.plugin.clone(), outcome));
            if refused {
                break;
            }
        }
        said
    }

    fn base(&self, view: &TaskView, event: &str) -> Value {
        self.base_for(&view.id, json!(view.mode), event)
    }

    fn base_for(&self, session: &str, mode: Value, event: &str) -> Value {
        json!({
            "session_id": session,
            "transcript_path": "",
            "cwd": self.grants.first().map(|g| g.path.display().to_string()).unwrap_or_default(),
            "permission_mode": mode,
            "hook_event_name": event,
        })
    }

    /// A task is being started with `outcome`: SessionStart, then UserPromptSubmit. What
    /// they print (exit 0, not JSON) is context added to the outcome; a refusal stops the
    /// task from being made.
    pub async fn starting(&self, outcome: &str, mode: Value) -> Result<String, String> {
        let mut context = Vec::new();
        for event in ["SessionStart", "UserPromptSubmit"] {
            let mut input = self.base_for("", mode.clone(), event);
            if event == "SessionStart" {
                input["source"] = json!("startup");
            } else {
                input["prompt"] = json!(outcome);
            }
            for (plugin, said) in self.fire(event, None, input).await {
                match said {
                    Said::Refused(reason) if event == "UserPromptSubmit" => {
                        return Err(format!(
                            "a hook of the plugin {plugin} refused this request: {reason}"
                        ));
                    }
                    Said::Fine(stdout) => {
                        if event == "UserPromptSubmit"
                            && let Some(reason) = refusal_in(&stdout)
                        {
                            return Err(format!(
                                "a hook of the plugin {plugin} refused this request: {reason}"
                            ));
                        }
                        let text = extra_context(&stdout).unwrap_or_else(|| {
                            if stdout.trim_start().starts_with('{') {
                                String::new()
                            } else {
                                stdout
                            }
                        });
                        if !text.trim().is_empty() {
                            context.push(text.trim().to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(if context.is_empty() {
            outcome.to_string()
        } else {
            format!(
                "{outcome}\n\nContext from the person's plugins:\n{}",
                context.join("\n")
            )
        })
    }

    /// A run of the task ended: SessionEnd, whose output is not used.
    pub async fn ended(&self, view: &TaskView) {
        let mut input = self.base(view, "SessionEnd");
        input["reason"] = json!("other");
        self.fire("SessionEnd", None, input).await;
    }
}

/// A matcher written for Claude names its tools (`Write|Edit`); Errand's names match too.
fn tool_matches(matcher: Option<&str>, tool: &str) -> bool {
    matches(matcher, tool) || claude_names(tool).iter().any(|name| matches(matcher, name))
}

fn claude_names(tool: &str) -> &'static [&'static str] {
    match tool {
        "read_file" => &["Read"],
        "write_file" => &["Write"],
        "edit_file" => &["Edit", "MultiEdit"],
        "list_files" => &["Glob", "LS"],
        "search_files" => &["Grep"],
        "run_command" => &["Bash"],
        "web_fetch" => &["WebFetch"],
        "web_search" => &["WebSearch"],
        "update_plan" => &["TodoWrite"],
        "delegate" => &["Task"],
        _ => &[],
    }
}

/// A refusal in the hook's JSON: `decision: block`, a `deny` permission decision, or
/// `continue: false`. Anything that would allow is ignored: the policy already decided.
fn refusal_in(stdout: &str) -> Option<String> {
    let value: Value = serde_json::from_str(stdout.trim()).ok()?;
    let text = |v: &Value| v.as_str().map(str::to_string);
    if value.get("decision").and_then(Value::as_str) == Some("block") {
        return Some(
            value
                .get("reason")
                .and_then(text)
                .unwrap_or_else(|| "a hook refused".into()),
        );
    }
    let specific = value.get("hookSpecificOutput");
    if specific
        .and_then(|s| s.get("permissionDecision"))
        .and_then(Value::as_str)
        == Some("deny")
    {
        return Some(
            specific
                .and_then(|s| s.get("permissionDecisionReason"))
                .and_then(text)
                .unwrap_or_else(|| "a hook refused".into()),
        );
    }
    if value.get("continue").and_then(Value::as_bool) == Some(false) {
        return Some(
            value
                .get("stopReason")
                .and_then(text)
                .unwrap_or_else(|| "a hook stopped it".into()),
        );
    }
    None
}

fn extra_context(stdout: &str) -> Option<String> {
    let value: Value = serde_json::from_str(stdout.trim()).ok()?;
    value
        .pointer("/hookSpecificOutput/additionalContext")
        .and_then(Value::as_str)
        .map(str::to_string)
}

#[async_trait]
impl Hooks for PluginHooks {
    async fn before_tool(&self, view: &TaskView, call: &ToolCall) -> HookVerdict {
        let mut input = self.base(view, "PreToolUse");
        input["tool_name"] = json!(call.name);
        input["tool_input"] = call.input.clone();
        input["tool_use_id"] = json!(call.id);
        for (plugin, said) in self.fire("PreToolUse", Some(&call.name), input).await {
            match said {
                Said::Refused(reason) => return HookVerdict::Block(format!("{reason} ({plugin})")),
                Said::Fine(stdout) => {
                    if let Some(reason) = refusal_in(&stdout) {
                        return HookVerdict::Block(format!("{reason} ({plugin})"));
                    }
                }
                Said::Broken(_) => {}
            }
        }
        HookVerdict::Proceed
    }

    async fn after_tool(
        &self,
        view: &TaskView,
        call: &ToolCall,
        output: &str,
        is_error: bool,
    ) -> Option<String> {
        let mut input = self.base(view, "PostToolUse");
        input["tool_name"] = json!(call.name);
        input["tool_input"] = call.input.clone();
        input["tool_use_id"] = json!(call.id);
        input["tool_response"] = json!({"output": output, "is_error": is_error});
        let notes: Vec<String> = self
            .fire("PostToolUse", Some(&call.name), input)
            .await
            .into_iter()
            .filter_map(|(_, said)| match said {
                Said::Refused(reason) => Some(reason),
                Said::Fine(stdout) => refusal_in(&stdout).or_else(|| extra_context(&stdout)),
                Said::Broken(_) => None,
            })
            .collect();
        (!notes.is_empty()).then(|| notes.join("\n"))
    }

    async fn stopping(&self, view: &TaskView) -> Option<String> {
        let event = if view.agent.is_some() {
            "SubagentStop"
        } else {
            "Stop"
        };
        let mut input = self.base(view, event);
        input["stop_hook_active"] = json!(
            view.nudges
                .iter()
                .any(|(r, _)| r == errand_core::agent::STOP_HOOK)
        );
        self.fire(event, None, input)
            .await
            .into_iter()
            .find_map(|(_, said)| match said {
                Said::Refused(reason) => Some(reason),
                Said::Fine(stdout) => refusal_in(&stdout),
                Said::Broken(_) => None,
            })
    }
}

/// One hook command, confined: the task's folders and the plugin read-only, no network.
fn run_hook(
    command: &str,
    root: &std::path::Path,
    grants: &[Grant],
    extra_read: &[PathBuf],
    input: &str,
    timeout: Duration,
) -> Said {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let scratch = std::env::temp_dir().join(format!(
        "errand-hook-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    // The sandbox's scratch is `tmp` inside: the input must be there to be readable.
    if let Err(e) = std::fs::create_dir_all(scratch.join("tmp")) {
        return Said::Broken(format!("cannot make a scratch folder: {e}"));
    }
    let input_file = scratch.join("tmp").join("hook-input.json");
    if let Err(e) = std::fs::write(&input_file, input) {
        return Said::Broken(format!("cannot write the hook's input: {e}"));
    }
    let cwd = grants
        .first()
        .map(|g| g.path.clone())
        .unwrap_or_else(|| root.to_path_buf());
    let root_text = root.display().to_string();
    let command = command
        .replace("${CLAUDE_PLUGIN_ROOT}", &root_text)
        .replace("$CLAUDE_PLUGIN_ROOT", &root_text);
    let line = format!(
        "export CLAUDE_PLUGIN_ROOT={} CLAUDE_PROJECT_DIR={}; ( {command} ) < {}",
        quote(&root_text),
        quote(&cwd.display().to_string()),
        quote(&input_file.display().to_string())
    );
    let mut read_only: Vec<PathBuf> = grants.iter().map(|g| g.path.clone()).collect();
    read_only.push(root.to_path_buf());
    read_only.extend(extra_read.iter().cloned());
    let confinement = errand_sandbox::Confinement {
        read_write: Vec::new(),
        read_only,
        scratch: scratch.join("tmp"),
        network: errand_sandbox::NetworkAccess::Off,
        limits: errand_sandbox::Limits {
            timeout,
            ..errand_sandbox::Limits::default()
        },
        overlays: Vec::new(),
    };
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let outcome = errand_sandbox::run(&line, &cwd, &confinement, &cancel);
    let _ = std::fs::remove_dir_all(&scratch);
    match outcome {
        Ok(out) => match out.ending {
            errand_sandbox::Ending::Exited(0) => Said::Fine(out.stdout),
            errand_sandbox::Ending::Exited(2) => {
                let reason = out.stderr.trim();
                Said::Refused(if reason.is_empty() {
                    "a hook refused (exit 2, no reason given)".into()
                } else {
                    reason.to_string()
                })
            }
            errand_sandbox::Ending::TimedOut => {
                Said::Broken(format!("timed out after {} s", timeout.as_secs()))
            }
            other => Said::Broken(format!("{other:?}: {}", out.stderr.trim())),
        },
        Err(e) => Said::Broken(format!("the sandbox could not start it: {e}")),
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_decisions_refuse_but_never_allow() {
        assert_eq!(
            refusal_in(r#"{"decision": "block", "reason": "no"}"#).as_deref(),
            Some("no")
        );
        assert_eq!(
            refusal_in(r#"{"hookSpecificOutput": {"permissionDecision": "deny", "permissionDecisionReason": "nope"}}"#).as_deref(),
            Some("nope")
        );
        assert_eq!(refusal_in(r#"{"decision": "approve"}"#), None);
        assert_eq!(
            refusal_in(r#"{"hookSpecificOutput": {"permissionDecision": "allow"}}"#),
            None
        );
        assert_eq!(refusal_in("plain text"), None);
        assert!(tool_matches(Some("Write|Edit"), "write_file"));
        assert!(tool_matches(Some("write_file"), "write_file"));
        assert!(!tool_matches(Some("Write"), "read_file"));
    }
}
