//! One plugin folder in the Claude layout, read whole: `.claude-plugin/plugin.json`,
//! `skills/NAME/SKILL.md`, `commands/*.md`, `agents/*.md`, `hooks/hooks.json`, `.mcp.json`.
//! Reading never fails on a bad component: each problem is named in `problems`, which
//! `errand plugins validate` prints and installing refuses.
use crate::frontmatter::{self, Document};
use crate::hooks::{self, HookSpec};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize)]
pub struct Plugin {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub root: PathBuf,
    pub skills: Vec<Skill>,
    pub commands: Vec<Command>,
    pub agents: Vec<AgentDef>,
    pub hooks: Vec<HookSpec>,
    pub mcp_servers: Vec<McpServer>,
    /// Everything wrong with the folder, each in words with the file it is in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// A skill: a folder with SKILL.md, and whatever files it bundles.
#[derive(Debug, Clone, Serialize)]
pub struct Skill {
    /// `plugin:skill`, or the bare name of a personal skill.
    pub name: String,
    pub description: String,
    pub dir: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub argument_hint: Option<String>,
    /// The person may run it as `/name` (default yes).
    pub user_invocable: bool,
    /// The model may load it (default yes; `disable-model-invocation: true` says no).
    pub model_invocable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_tools: Option<Vec<String>>,
}

/// A slash command: `commands/NAME.md`, expanded into the task's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Command {
    /// `plugin:command`.
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub argument_hint: Option<String>,
    pub path: PathBuf,
}

/// A sub-agent role: `agents/NAME.md`.
#[derive(Debug, Clone, Serialize)]
pub struct AgentDef {
    pub name: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_turns: Option<usize>,
    #[serde(skip)]
    pub instructions: String,
    pub path: PathBuf,
}

/// An MCP server a plugin declares in `.mcp.json` (or plugin.json's `mcpServers`).
#[derive(Debug, Clone, Serialize)]
pub struct McpServer {
    pub name: String,
    /// `stdio`, `http` or `sse`.
    pub transport: String,
    /// The command line or the URL, as written.
    pub target: String,
    /// Why it cannot be started as it stands (an empty URL to fill in), if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
    /// The entry as written, for the connector machinery to configure from.
    #[serde(skip)]
    pub entry: Value,
}

/// Hook events the Claude format names. Errand runs the command hooks of
/// `hooks::RUN_EVENTS`; the rest are accepted and listed.
pub const KNOWN_HOOK_EVENTS: &[&str] = &[
    "PreToolUse",
    "PostToolUse",
    "PostToolUseFailure",
    "PermissionRequest",
    "UserPromptSubmit",
    "Notification",
    "Stop",
    "SubagentStart",
    "SubagentStop",
    "PreCompact",
    "SessionStart",
    "SessionEnd",
];

/// kebab-case: lowercase letters and digits in words joined by single hyphens.
pub fn is_kebab(name: &str) -> bool {
    !name.is_empty()
        && name.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

impl Plugin {
    /// Reads the plugin in `root`. Only a folder that cannot be read at all is an error.
    pub fn load(root: &Path) -> Result<Plugin, crate::SkillsError> {
        let root = root
            .canonicalize()
            .map_err(|e| crate::SkillsError::io(root, e))?;
        if !root.is_dir() {
            return Err(crate::SkillsError::Invalid(format!(
                "{} is not a folder; a plugin is a folder with .claude-plugin/plugin.json",
                root.display()
            )));
        }
        let mut problems = Vec::new();
        let manifest_path = root.join(".claude-plugin").join("plugin.json");
        let manifest = match std::fs::read_to_string(&manifest_path) {
            Ok(text) => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(map)) => Some(map),
                Ok(_) => {
                    problems.push(format!("{}: not a JSON object", manifest_path.display()));
                    None
                }
                Err(e) => {
                    problems.push(format!("{}: not valid JSON ({e})", manifest_path.display()));
                    None
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push(format!(
                    "{} is missing; a plugin names itself there (`{{\"name\": \"my-plugin\"}}`)",
                    manifest_path.display()
                ));
                None
            }
            Err(e) => return Err(crate::SkillsError::io(&manifest_path, e)),
        };
        let field = |key: &str| {
            manifest
                .as_ref()
                .and_then(|m| m.get(key))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let folder_name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = match field("name") {
            Some(name) => {
                if !is_kebab(&name) {
                    problems.push(format!(
                        "{}: the name `{name}` is not kebab-case (lowercase words joined by hyphens, like `{}`)",
                        manifest_path.display(),
                        kebab_of(&name)
                    ));
                }
                name
            }
            None => {
                if manifest.is_some() {
                    problems.push(format!(
                        "{}: `name` is missing; add `\"name\": \"{}\"`",
                        manifest_path.display(),
                        kebab_of(&folder_name)
                    ));
                }
                folder_name
            }
        };
        let mut plugin = Plugin {
            version: field("version"),
            description: field("description"),
            name,
            skills: Vec::new(),
            commands: Vec::new(),
            agents: Vec::new(),
            hooks: Vec::new(),
            mcp_servers: Vec::new(),
            problems,
            root: root.clone(),
        };
        let extra = |key: &str| -> Vec<PathBuf> {
            match manifest.as_ref().and_then(|m| m.get(key)) {
                Some(Value::String(s)) => vec![root.join(s)],
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| root.join(s))
                    .collect(),
                _ => Vec::new(),
            }
        };
        for dir in dedup([vec![root.join("skills")], extra("skills")].concat()) {
            plugin.read_skills(&dir);
        }
        for dir in dedup([vec![root.join("commands")], extra("commands")].concat()) {
            plugin.read_commands(&dir);
        }
        for dir in dedup([vec![root.join("agents")], extra("agents")].concat()) {
            plugin.read_agents(&dir);
        }
        plugin.read_hooks(manifest.as_ref().and_then(|m| m.get("hooks")).cloned());
        plugin.read_mcp(manifest.as_ref().and_then(|m| m.get("mcpServers")).cloned());
        Ok(plugin)
    }

    fn read_skills(&mut self, dir: &Path) {
        for entry in sorted_entries(dir) {
            let skill_md = entry.join("SKILL.md");
            if !entry.is_dir() {
                continue;
            }
            if !skill_md.is_file() {
                self.problems.push(format!(
                    "{}: a skill folder without SKILL.md",
                    entry.display()
                ));
                continue;
            }
            match read_document(&skill_md) {
                Ok(doc) => {
                    let folder = file_name(&entry);
                    let short = doc.text("name").unwrap_or_else(|| folder.clone());
                    match skill_from(&doc, format!("{}:{short}", self.name), entry.clone()) {
                        Ok(skill) => self.skills.push(skill),
                        Err(why) => self.problems.push(format!("{}: {why}", skill_md.display())),
                    }
                }
                Err(why) => self.problems.push(format!("{}: {why}", skill_md.display())),
            }
        }
    }

    fn read_commands(&mut self, dir: &Path) {
        for path in sorted_entries(dir) {
            if path.extension().and_then(|e| e.to_str()) != Some("md") || !path.is_file() {
                continue;
            }
            match read_document(&path) {
                Ok(doc) => self.commands.push(Command {
                    name: format!("{}:{}", self.name, stem(&path)),
                    description: one_line(
                        &doc.text("description")
                            .unwrap_or_else(|| first_line(&doc.body)),
                    ),
                    argument_hint: doc.text("argument-hint"),
                    path,
                }),
                Err(why) => self.problems.push(format!("{}: {why}", path.display())),
            }
        }
    }

    fn read_agents(&mut self, dir: &Path) {
        for path in sorted_entries(dir) {
            if path.extension().and_then(|e| e.to_str()) != Some("md") || !path.is_file() {
                continue;
            }
            match read_document(&path) {
                Ok(doc) => self.agents.push(AgentDef {
                    name: doc.text("name").unwrap_or_else(|| stem(&path)),
                    description: one_line(&doc.text("description").unwrap_or_default()),
                    tools: doc.list("tools"),
                    model: doc.text("model"),
                    max_turns: doc.text("maxTurns").and_then(|t| t.parse().ok()),
                    instructions: doc.body.trim().to_string(),
                    path,
                }),
                Err(why) => self.problems.push(format!("{}: {why}", path.display())),
            }
        }
    }

    fn read_hooks(&mut self, inline: Option<Value>) {
        let file = self.root.join("hooks").join("hooks.json");
        let (source, value) = match inline {
            Some(Value::Object(map)) => ("plugin.json `hooks`".to_string(), Value::Object(map)),
            Some(Value::String(path)) => match read_json(&self.root.join(&path)) {
                Ok(v) => (path, v),
                Err(why) => return self.problems.push(why),
            },
            _ if file.is_file() => match read_json(&file) {
                Ok(v) => (file.display().to_string(), v),
                Err(why) => return self.problems.push(why),
            },
            _ => return,
        };
        match hooks::parse(&value) {
            Ok((specs, problems)) => {
                self.hooks = specs;
                self.problems
                    .extend(problems.into_iter().map(|p| format!("{source}: {p}")));
            }
            Err(why) => self.problems.push(format!("{source}: {why}")),
        }
    }

    fn read_mcp(&mut self, inline: Option<Value>) {
        let file = self.root.join(".mcp.json");
        let value = match inline {
            Some(Value::Object(map)) => Value::Object(map),
            Some(Value::String(path)) => match read_json(&self.root.join(&path)) {
                Ok(v) => v,
                Err(why) => return self.problems.push(why),
            },
            _ if file.is_file() => match read_json(&file) {
                Ok(v) => v,
                Err(why) => return self.problems.push(why),
            },
            _ => return,
        };
        let servers = value.get("mcpServers").cloned().unwrap_or(value);
        let Value::Object(servers) = servers else {
            return self
                .problems
                .push(format!("{}: expected an object of servers", file.display()));
        };
        for (name, entry) in servers {
            let url = entry.get("url").and_then(Value::as_str).map(str::trim);
            let command = entry.get("command").and_then(Value::as_str);
            let (transport, target, needs) = match (command, url) {
                (Some(command), _) => {
                    let args: Vec<&str> = entry
                        .get("args")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    ("stdio", [vec![command], args].concat().join(" "), None)
                }
                (None, Some(url)) => {
                    let kind = match entry.get("type").and_then(Value::as_str) {
                        Some("sse") => "sse",
                        _ => "http",
                    };
                    let needs = url
                        .is_empty()
                        .then(|| "a URL: this plugin leaves it for you to fill in".to_string());
                    (kind, url.to_string(), needs)
                }
                (None, None) => {
                    self.problems.push(format!(
                        "{}: server `{name}` has neither `command` nor `url`",
                        file.display()
                    ));
                    continue;
                }
            };
            self.mcp_servers.push(McpServer {
                name,
                transport: transport.into(),
                target,
                needs,
                entry,
            });
        }
    }
}

fn skill_from(doc: &Document, name: String, dir: PathBuf) -> Result<Skill, String> {
    let description = doc
        .text("description")
        .ok_or("`description` is missing: the model picks skills by it")?;
    Ok(Skill {
        name,
        description: one_line(&description),
        dir,
        argument_hint: doc.text("argument-hint"),
        user_invocable: doc.flag("user-invocable").unwrap_or(true),
        model_invocable: !doc.flag("disable-model-invocation").unwrap_or(false),
        allowed_tools: doc.list("allowed-tools"),
    })
}

/// A personal skill folder (`~/.config/errand/skills/NAME/SKILL.md`): named without a prefix.
pub fn personal_skill(dir: &Path) -> Result<Skill, String> {
    let doc = read_document(&dir.join("SKILL.md"))?;
    let name = doc.text("name").unwrap_or_else(|| file_name(dir));
    skill_from(&doc, name, dir.to_path_buf())
}

pub(crate) fn read_document(path: &Path) -> Result<Document, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read it ({e})"))?;
    frontmatter::parse(&text)
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read it ({e})", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not valid JSON ({e})", path.display()))
}

/// The first sentence-ish line of a description, for one-line listings.
pub fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut = flat.find("<example>").map_or(flat.as_str(), |i| &flat[..i]);
    let cut = cut.trim();
    if cut.chars().count() > 200 {
        let end = cut.char_indices().nth(197).map_or(cut.len(), |(i, _)| i);
        format!("{}...", &cut[..end])
    } else {
        cut.to_string()
    }
}

fn first_line(body: &str) -> String {
    body.lines()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .to_string()
}

fn kebab_of(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

pub(crate) fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    entries
}

fn dedup(dirs: Vec<PathBuf>) -> Vec<PathBuf> {
    let mut seen: Vec<PathBuf> = Vec::new();
    for dir in dirs {
        let key = dir.canonicalize().unwrap_or(dir.clone());
        if !seen.contains(&key) {
            seen.push(key);
        }
    }
    seen
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kebab_case() {
        assert!(is_kebab("finance"));
        assert!(is_kebab("brand-voice-2"));
        assert!(!is_kebab("Brand_Voice"));
        assert!(!is_kebab("a--b"));
        assert!(!is_kebab("-a"));
        assert_eq!(kebab_of("Brand_Voice"), "brand-voice");
    }

    #[test]
    fn one_line_drops_examples_and_long_tails() {
        assert_eq!(
            one_line("Checks things.\n\n<example>x</example>"),
            "Checks things."
        );
        assert!(one_line(&"word ".repeat(100)).ends_with("..."));
    }
}
