//! The skill creator: a finished task becomes a personal skill. A task an offline recipe
//! did is saved with what chose the recipe and its parameters (the request's words), so it
//! runs the same way again; any other task is drafted into SKILL.md by a model from the
//! task's log, for the person to review before it is saved.
use crate::config::Config;
use crate::{Runtime, RuntimeError};
use errand_core::{Message, ModelRequest, TaskState, TaskView};
use std::path::PathBuf;

/// A SKILL.md ready to be written, and where.
pub struct Draft {
    pub name: String,
    pub path: PathBuf,
    pub text: String,
    /// Drafted by a model (the person should read it) rather than saved from a recipe.
    pub drafted: bool,
}

impl Runtime {
    /// Drafts the skill `name` from the finished task `task`. `model` drafts it for a task a
    /// model did (default: the task's own model).
    pub async fn draft_skill(
        &self,
        task: &str,
        name: &str,
        model: Option<&str>,
    ) -> Result<Draft, RuntimeError> {
        let view = self.task_view(task)?;
        if view.state != TaskState::Done {
            return Err(RuntimeError::invalid(format!(
                "task {} is {:?}; only a finished task can become a skill",
                view.id, view.state
            )));
        }
        let path = skill_path(name)?;
        if view.model == "offline" {
            let recipe = errand_skills::recipes::select(&view.outcome).ok_or_else(|| {
                RuntimeError::invalid("no offline recipe matches this task's request".to_string())
            })?;
            let text = format!(
                "---\nname: {name}\ndescription: {}\nmetadata:\n  errand-recipe: {}\n  saved-from-task: {}\n---\n{}\n",
                yaml_string(&format!(
                    "{} (saved from task {}: {})",
                    capitalized(&recipe.title()),
                    view.id,
                    one_line(&view.outcome)
                )),
                yaml_string(&recipe.title()),
                view.id,
                view.outcome.trim()
            );
            return Ok(Draft {
                name: name.to_string(),
                path,
                text,
                drafted: false,
            });
        }
        let spec = model
            .map(str::to_string)
            .unwrap_or_else(|| view.model.clone());
        let config = Config::load().map_err(RuntimeError::config)?;
        let (spec, env) = config.resolve_model(&spec);
        let model = env
            .build(&spec)
            .map_err(|e| RuntimeError::invalid(e.to_string()))?;
        let system = "You turn a finished piece of work into a reusable skill file (SKILL.md) \
            in the Agent Skills format: YAML front matter with `name` and a one-sentence \
            `description` that says when to use it, then short imperative instructions that \
            would let an assistant do the same kind of work again on other folders. Write \
            only the file, nothing around it.";
        let messages = vec![Message::User {
            text: format!(
                "The skill's name: {name}\n\nThe work, as Errand logged it:\n{}",
                task_log(&view)
            ),
        }];
        let response = model
            .complete(&ModelRequest {
                turn: 0,
                system,
                messages: &messages,
                tools: &[],
                images: &errand_core::NoImages,
            })
            .await
            .map_err(|e| RuntimeError::invalid(format!("the model could not draft it: {e}")))?;
        let text = normalize_draft(name, &response.text)?;
        Ok(Draft {
            name: name.to_string(),
            path,
            text,
            drafted: true,
        })
    }
}

/// A SKILL.md the person reviewed (and perhaps edited) for the skill `name`, ready to save.
pub fn reviewed_skill(name: &str, text: &str) -> Result<Draft, RuntimeError> {
    let path = skill_path(name)?;
    Ok(Draft {
        name: name.to_string(),
        path,
        text: normalize_draft(name, text)?,
        drafted: true,
    })
}

/// Where the personal skill `name` goes; refused when the name is not one or is taken.
fn skill_path(name: &str) -> Result<PathBuf, RuntimeError> {
    if !errand_skills::plugin::is_kebab(name) {
        return Err(RuntimeError::invalid(format!(
            "`{name}` is not a skill name: use lowercase words joined by hyphens, like `monthly-close`"
        )));
    }
    let dir = crate::plugins::personal_skills_dir()
        .ok_or_else(|| RuntimeError::config(anyhow::anyhow!("no config folder")))?
        .join(name);
    if dir.exists() {
        return Err(RuntimeError::invalid(format!(
            "a skill named `{name}` already exists in {}; pick another name or remove it first",
            dir.display()
        )));
    }
    Ok(dir.join("SKILL.md"))
}

impl Draft {
    /// Writes SKILL.md (temp file, then rename).
    pub fn save(&self) -> Result<(), RuntimeError> {
        let dir = self.path.parent().unwrap_or(&self.path);
        std::fs::create_dir_all(dir).map_err(|e| RuntimeError::internal(e.to_string()))?;
        let temp = dir.join(".SKILL.md.tmp");
        std::fs::write(&temp, &self.text).map_err(|e| RuntimeError::internal(e.to_string()))?;
        std::fs::rename(&temp, &self.path).map_err(|e| RuntimeError::internal(e.to_string()))
    }
}

/// The model's answer as a SKILL.md: code fences dropped, the name forced, and front
/// matter that parses with a description; otherwise an error saying what is wrong.
fn normalize_draft(name: &str, answer: &str) -> Result<String, RuntimeError> {
    let mut text = answer.trim();
    if let Some(inner) = text.strip_prefix("```") {
        let inner = inner.split_once('\n').map_or("", |(_, rest)| rest);
        text = inner.trim_end().strip_suffix("```").unwrap_or(inner).trim();
    }
    let doc = errand_skills::frontmatter::parse(text)
        .map_err(|why| RuntimeError::invalid(format!("the model's draft is not usable: {why}")))?;
    let description = doc.text("description").ok_or_else(|| {
        RuntimeError::invalid(
            "the model's draft has no description; try again or write it yourself",
        )
    })?;
    if doc.body.trim().is_empty() {
        return Err(RuntimeError::invalid(
            "the model's draft has no instructions",
        ));
    }
    Ok(format!(
        "---\nname: {name}\ndescription: {}\n---\n{}\n",
        yaml_string(&one_line(&description)),
        doc.body.trim()
    ))
}

/// The task as a model reads it: the request, the plan, each call and how it ended, the
/// summary. Long results are clipped: the shape of the work matters, not every byte.
fn task_log(view: &TaskView) -> String {
    let mut log = format!("Request: {}\n", view.outcome.trim());
    for step in &view.plan {
        log.push_str(&format!("Plan step: {}\n", step.title));
    }
    for message in &view.messages {
        match message {
            Message::Assistant { tool_calls, .. } => {
                for call in tool_calls {
                    log.push_str(&format!(
                        "Call {} {}\n",
                        call.name,
                        clip(&call.input.to_string(), 300)
                    ));
                }
            }
            Message::ToolResult {
                content, is_error, ..
            } => log.push_str(&format!(
                "  {} {}\n",
                if *is_error { "error:" } else { "->" },
                clip(content, 200)
            )),
            _ => {}
        }
    }
    if let Some(summary) = &view.summary {
        log.push_str(&format!("Summary: {summary}\n"));
    }
    log
}

fn clip(text: &str, chars: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= chars {
        flat
    } else {
        format!("{}...", flat.chars().take(chars).collect::<String>())
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A YAML double-quoted string.
fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_is_fenced_or_not_and_gets_the_name() {
        let text = normalize_draft(
            "monthly-close",
            "```markdown\n---\nname: whatever\ndescription: Close the month.\n---\nDo it.\n```",
        )
        .expect("usable");
        assert_eq!(
            text,
            "---\nname: monthly-close\ndescription: \"Close the month.\"\n---\nDo it.\n"
        );
        assert!(normalize_draft("x", "no front matter at all").is_err());
    }
}
