//! The skills a task may use, offered with progressive disclosure: each request carries one
//! line per skill under a token budget (the most relevant to the outcome when they do not all
//! fit); `use_skill` brings one skill's body and the paths of its files into the conversation.
use crate::plugin::{Plugin, Skill, personal_skill, read_document, sorted_entries};
use async_trait::async_trait;
use errand_core::tool::{Effect, Tool, ToolContext, ToolError, ToolOutput, ToolSpec};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const USE_SKILL: &str = "use_skill";

/// Tokens the skill list may take in each request (≈ 4 characters a token).
pub const LIST_BUDGET_TOKENS: usize = 800;

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub skills: Vec<Skill>,
    /// Folders whose files a task may read (and scripts run from): skills' own folders live
    /// beneath these.
    pub roots: Vec<PathBuf>,
}

impl Catalog {
    /// The enabled plugins' skills, and those in `own` folders (each holds NAME/SKILL.md:
    /// the person's own skills, an approved granted folder's), named without a prefix.
    pub fn gather(plugins: &[Plugin], own: &[PathBuf]) -> (Catalog, Vec<String>) {
        let mut catalog = Catalog::default();
        let mut problems = Vec::new();
        for plugin in plugins {
            catalog.skills.extend(plugin.skills.iter().cloned());
            catalog.roots.push(plugin.root.clone());
        }
        for dir in own.iter().filter(|d| d.is_dir()) {
            for entry in sorted_entries(dir) {
                if !entry.join("SKILL.md").is_file() {
                    continue;
                }
                match personal_skill(&entry) {
                    Ok(skill) => catalog.skills.push(skill),
                    Err(why) => problems.push(format!(
                        "the skill in {} is skipped: {why}",
                        entry.display()
                    )),
                }
            }
            if let Ok(real) = dir.canonicalize() {
                catalog.roots.push(real);
            }
        }
        (catalog, problems)
    }

    pub fn is_empty(&self) -> bool {
        self.skills.iter().all(|s| !s.model_invocable)
    }

    /// `finance:reconciliation`, or `reconciliation` when only one skill has that name.
    pub fn find(&self, name: &str) -> Result<&Skill, String> {
        let wanted = name.trim().trim_start_matches('/').to_ascii_lowercase();
        if let Some(skill) = self
            .skills
            .iter()
            .find(|s| s.name.to_ascii_lowercase() == wanted)
        {
            return Ok(skill);
        }
        let short: Vec<&Skill> = self
            .skills
            .iter()
            .filter(|s| short_name(&s.name).to_ascii_lowercase() == wanted)
            .collect();
        match short.as_slice() {
            [one] => Ok(one),
            [] => {
                let close: Vec<&str> = self
                    .ranked(&wanted)
                    .into_iter()
                    .take(8)
                    .map(|s| s.name.as_str())
                    .collect();
                Err(if close.is_empty() {
                    format!("no skill is named `{name}`")
                } else {
                    format!(
                        "no skill is named `{name}`; the closest: {}",
                        close.join(", ")
                    )
                })
            }
            many => Err(format!(
                "`{name}` is the name of {} skills; say which: {}",
                many.len(),
                many.iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// The skills the model may load, most relevant to `text` first (ties by name).
    fn ranked(&self, text: &str) -> Vec<&Skill> {
        let words = words(text);
        let mut scored: Vec<(usize, &Skill)> = self
            .skills
            .iter()
            .filter(|s| s.model_invocable)
            .map(|s| {
                let own = words_of(&format!("{} {}", s.name, s.description));
                let score = words
                    .iter()
                    .filter(|w| {
                        own.iter()
                            .any(|o| o.starts_with(w.as_str()) || w.starts_with(o.as_str()))
                    })
                    .count();
                (score, s)
            })
            .filter(|(score, _)| *score > 0 || words.is_empty())
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
        scored.into_iter().map(|(_, s)| s).collect()
    }

    /// The list for the request: every skill when it fits the budget, else the most relevant
    /// to `outcome` and a line on finding the rest.
    pub fn listing(&self, outcome: &str, budget_tokens: usize) -> String {
        let budget = budget_tokens * 4;
        let invocable: Vec<&Skill> = self.skills.iter().filter(|s| s.model_invocable).collect();
        let line = |s: &Skill| format!("\n- {}: {}", s.name, clip(&s.description, 90));
        let all: String = invocable.iter().map(|s| line(s)).collect();
        if all.len() <= budget {
            return all;
        }
        let reserve = 160;
        let mut out = String::new();
        let mut shown = 0;
        let mut seen = HashSet::new();
        let mut order = self.ranked(outcome);
        let mut rest: Vec<&Skill> = invocable
            .iter()
            .copied()
            .filter(|s| !order.iter().any(|o| o.name == s.name))
            .collect();
        rest.sort_by(|a, b| a.name.cmp(&b.name));
        order.extend(rest);
        for skill in order {
            let next = line(skill);
            if out.len() + next.len() + reserve > budget {
                break;
            }
            if seen.insert(skill.name.clone()) {
                out.push_str(&next);
                shown += 1;
            }
        }
        let hidden = invocable.len() - shown;
        out.push_str(&format!(
            "\n({hidden} more skills: call use_skill with a word of what you need to see the closest.)"
        ));
        out
    }
}

fn short_name(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn clip(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(chars - 3).collect();
    format!("{}...", cut.trim_end())
}

const STOP: &[&str] = &[
    "the", "and", "for", "with", "from", "into", "this", "that", "use", "when", "your", "you",
    "are", "all", "any", "our", "its", "about", "make", "write", "read", "file", "files",
];

fn words(text: &str) -> Vec<String> {
    words_of(text)
        .into_iter()
        .filter(|w| w.len() >= 3 && !STOP.contains(&w.as_str()))
        .collect()
}

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let w = w.to_lowercase();
            // A crude stem: "reconciliations" finds "reconciliation".
            w.strip_suffix('s')
                .filter(|s| s.len() >= 4)
                .map(str::to_string)
                .unwrap_or(w)
        })
        .collect()
}

/// `use_skill{name, arguments?}`: the skill's body, once per conversation, with its files.
pub struct UseSkill {
    catalog: Catalog,
    listing: String,
    /// (task, skill, conversation epoch) already loaded: the body is in the conversation.
    loaded: Mutex<HashSet<(String, String, usize)>>,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct UseSkillInput {
    /// The skill's name from the list, e.g. `finance:reconciliation`.
    name: String,
    /// What to apply it to, if the skill takes arguments.
    #[serde(default)]
    arguments: Option<String>,
}

impl UseSkill {
    /// The tool, with the list for this outcome built once: every request carries the same
    /// text, so a cached prompt prefix stays valid.
    pub fn new(catalog: Catalog, outcome: &str) -> UseSkill {
        let listing = catalog.listing(outcome, LIST_BUDGET_TOKENS);
        UseSkill {
            catalog,
            listing,
            loaded: Mutex::new(HashSet::new()),
        }
    }
}

#[async_trait]
impl Tool for UseSkill {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: USE_SKILL.into(),
            description: format!(
                "Load a skill's instructions when the task matches it; then follow them. Skills:{}",
                self.listing
            ),
            input_schema: errand_core::tool::input_schema::<UseSkillInput>(),
        }
    }

    fn effect(&self) -> Effect {
        Effect::Read
    }

    async fn call(
        &self,
        ctx: &ToolContext,
        input: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let input: UseSkillInput = errand_core::tool::parse_input(USE_SKILL, &input)?;
        let skill = self.catalog.find(&input.name).map_err(ToolError)?;
        if !skill.model_invocable {
            return Err(ToolError(format!(
                "the skill `{}` is for the person to run (`/{}`), not for you to load",
                skill.name, skill.name
            )));
        }
        let key = (
            ctx.task_id.clone(),
            skill.name.clone(),
            ctx.conversation_epoch,
        );
        let first = self
            .loaded
            .lock()
            .map(|mut loaded| loaded.insert(key))
            .unwrap_or(true);
        if !first {
            return Ok(ToolOutput::text(format!(
                "The skill `{}` is already loaded above in this conversation; follow it from there.",
                skill.name
            )));
        }
        skill_text(skill, input.arguments.as_deref().unwrap_or(""))
            .map(ToolOutput::text)
            .map_err(ToolError)
    }
}

/// The body as the model gets it: where the skill's files are, then its instructions with
/// `$ARGUMENTS` and the folder variables filled in.
pub fn skill_text(skill: &Skill, arguments: &str) -> Result<String, String> {
    let doc = read_document(&skill.dir.join("SKILL.md"))?;
    let dir = skill.dir.display().to_string();
    let plugin_root = skill
        .dir
        .parent()
        .and_then(Path::parent)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| dir.clone());
    let mut body = crate::commands::substitute_arguments(&doc.body, arguments);
    body = body
        .replace("${CLAUDE_SKILL_DIR}", &dir)
        .replace("${CLAUDE_PLUGIN_ROOT}", &plugin_root);
    let mut files = Vec::new();
    list_files(&skill.dir, &mut files);
    files.retain(|f| f.file_name().is_none_or(|n| n != "SKILL.md"));
    files.sort();
    // A skill without files is its instructions alone: nothing to point at.
    let mut text = String::new();
    if !files.is_empty() {
        text.push_str(&format!("Skill {} (folder {dir}).\n", skill.name));
        text.push_str(
            "Its files, by full path: read them with read_file when the instructions point to them; run its scripts with run_command.\n",
        );
        for file in files.iter().take(200) {
            text.push_str(&format!("- {}\n", file.display()));
        }
        if files.len() > 200 {
            text.push_str(&format!("- ... and {} more\n", files.len() - 200));
        }
        text.push('\n');
    }
    text.push_str(body.trim());
    Ok(text)
}

fn list_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in sorted_entries(dir) {
        if entry.is_dir() {
            list_files(&entry, out);
        } else {
            out.push(entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(name: &str, description: &str) -> Skill {
        Skill {
            name: name.into(),
            description: description.into(),
            dir: PathBuf::from("/nowhere"),
            argument_hint: None,
            user_invocable: true,
            model_invocable: true,
            allowed_tools: None,
        }
    }

    #[test]
    fn a_long_list_shows_the_relevant_first_within_budget() {
        let mut catalog = Catalog::default();
        for i in 0..200 {
            catalog.skills.push(skill(
                &format!("p:skill-{i:03}"),
                "Does generic things for teams and projects.",
            ));
        }
        catalog.skills.push(skill(
            "finance:reconciliation",
            "Reconcile accounts against bank statements.",
        ));
        let listing = catalog.listing("Reconcile the March bank statements", 300);
        assert!(listing.len() <= 300 * 4);
        assert!(
            listing.starts_with("\n- finance:reconciliation:"),
            "{listing}"
        );
        assert!(listing.contains("more skills"));
        assert!(catalog.find("reconciliation").is_ok());
        assert!(
            catalog
                .find("reconcile")
                .unwrap_err()
                .contains("finance:reconciliation")
        );
    }
}
