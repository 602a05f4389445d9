//! Plugins and skills in tasks: the installed library under the data folder, the person's
//! own skills beside config.toml, and what a task takes from them — the skill list and
//! `use_skill`, slash commands, sub-agent roles, and the plugins' MCP servers.
use crate::config::{Config, data_dir};
use errand_core::agent::Role;
use errand_skills::{Catalog, Library, Plugin};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The library of installed plugins.
pub fn library() -> Result<Library, crate::RuntimeError> {
    let dir = data_dir().map_err(crate::RuntimeError::config)?;
    Ok(Library::open(dir.join("plugins")))
}

/// `skills/` beside config.toml: the person's own skills, `NAME/SKILL.md`.
pub fn personal_skills_dir() -> Option<PathBuf> {
    Config::folder().ok().map(|f| f.join("skills"))
}

/// What tasks may use now. A damaged library never stops a task: its problems are
/// returned to be shown, and the task goes on without it.
pub struct Reusable {
    pub plugins: Vec<Plugin>,
    pub catalog: Catalog,
    /// The plugins' MCP servers and those of approved granted folders.
    pub servers: BTreeMap<String, errand_mcp::ServerConfig>,
    pub problems: Vec<String>,
}

/// The enabled plugins, the person's own skills, and what each of `grants` brings of its
/// own (skills, MCP servers) once the person approved it (`errand plugins trust DIR`).
pub fn gather(grants: &[errand_core::Grant]) -> Reusable {
    let mut problems = Vec::new();
    let library = library();
    let plugins = match library.as_ref().map(|l| l.enabled()) {
        Ok(Ok(plugins)) => plugins,
        Ok(Err(e)) => {
            problems.push(format!("plugins are off for this task: {e}"));
            Vec::new()
        }
        Err(e) => {
            problems.push(format!("plugins are off for this task: {e}"));
            Vec::new()
        }
    };
    let mut own: Vec<PathBuf> = personal_skills_dir().into_iter().collect();
    let mut servers = servers(&plugins);
    if let Ok(library) = &library {
        for grant in grants {
            let (extras, trusted) = library.folder_extras(&grant.path);
            if extras.is_empty() {
                continue;
            }
            if !trusted {
                problems.push(format!(
                    "the folder {} brings its own skills or MCP servers; they are not used until you approve them: errand plugins trust {}",
                    grant.name,
                    grant.path.display()
                ));
                continue;
            }
            own.extend(extras.skill_dirs.iter().cloned());
            if let Some(file) = &extras.mcp_json {
                let lookup = |var: &str| std::env::var(var).ok();
                match std::fs::read_to_string(file)
                    .map_err(|e| e.to_string())
                    .and_then(|text| {
                        errand_mcp::parse_mcp_json(&text, &file.display().to_string(), &lookup)
                            .map_err(|e| e.to_string())
                    }) {
                    Ok(found) => {
                        for (name, server) in found {
                            servers.entry(name).or_insert(server);
                        }
                    }
                    Err(e) => problems.push(format!("{}: {e}", file.display())),
                }
            }
        }
    }
    let (catalog, more) = Catalog::gather(&plugins, &own);
    problems.extend(more);
    Reusable {
        plugins,
        catalog,
        servers,
        problems,
    }
}

/// The plugins' agents as `delegate` roles, named `plugin:agent`. Their tools are written
/// with Claude's names and are mapped to Errand's; their `model` is `inherit` (the task's),
/// or an alias (`haiku`, `sonnet`, `opus`) that a model profile of that name answers.
pub fn roles(plugins: &[Plugin], config: &Config) -> BTreeMap<String, Role> {
    let mut roles = BTreeMap::new();
    for plugin in plugins {
        for agent in &plugin.agents {
            let name = format!("{}:{}", plugin.name, agent.name);
            let model = agent.model.as_deref().and_then(|m| match m {
                "" | "inherit" => None,
                alias if config.models.contains_key(alias) => Some(alias.to_string()),
                "haiku" | "sonnet" | "opus" => None,
                spec => Some(spec.to_string()),
            });
            let tools = agent.tools.as_ref().map(|tools| {
                let mut mapped: Vec<String> =
                    tools.iter().filter_map(|t| errand_tool_name(t)).collect();
                mapped.sort();
                mapped.dedup();
                mapped
            });
            roles.insert(
                name.clone(),
                Role {
                    name,
                    instructions: agent.instructions.clone(),
                    tools,
                    model,
                    max_turns: agent.max_turns,
                },
            );
        }
    }
    roles
}

/// Claude Code's tool names in Errand's terms; MCP tool names are shared. `None` for a
/// tool Errand has no counterpart of.
pub fn errand_tool_name(claude: &str) -> Option<String> {
    let bare = claude.split('(').next().unwrap_or(claude).trim();
    let mapped = match bare {
        "Read" | "NotebookRead" => "read_file",
        "Write" => "write_file",
        "Edit" | "MultiEdit" | "NotebookEdit" => "edit_file",
        "Glob" | "LS" => "list_files",
        "Grep" => "search_files",
        "Bash" => "run_command",
        "WebFetch" => "web_fetch",
        "WebSearch" => "web_search",
        "TodoWrite" => "update_plan",
        "Task" | "Agent" => "delegate",
        "Skill" => errand_skills::USE_SKILL,
        other if other.starts_with("mcp__") => other,
        other if other.chars().all(|c| c.is_ascii_lowercase() || c == '_') => other,
        _ => return None,
    };
    Some(mapped.to_string())
}

/// The plugins' MCP servers as connectors, named `plugin-server`. A server the plugin
/// leaves unfinished (an empty URL for the person to fill in) is not started; `errand
/// plugins list` says what it needs.
pub fn servers(plugins: &[Plugin]) -> BTreeMap<String, errand_mcp::ServerConfig> {
    let mut out = BTreeMap::new();
    for plugin in plugins {
        for server in plugin.mcp_servers.iter().filter(|s| s.needs.is_none()) {
            let name = connector_name(&plugin.name, &server.name);
            let root = plugin.root.display().to_string();
            let lookup = |var: &str| match var {
                "CLAUDE_PLUGIN_ROOT" => Some(root.clone()),
                other => std::env::var(other).ok(),
            };
            let wrapped = serde_json::json!({ &name: server.entry });
            match errand_mcp::parse_mcp_json(&wrapped.to_string(), &plugin.name, &lookup) {
                Ok(parsed) => out.extend(parsed),
                Err(e) => {
                    tracing::debug!(plugin = %plugin.name, server = %server.name, "skipped: {e}")
                }
            }
        }
    }
    out
}

/// `finance` + `google calendar` → `finance-google-calendar`, a valid connector name.
pub fn connector_name(plugin: &str, server: &str) -> String {
    let mut name = String::new();
    for c in format!("{plugin}-{server}").chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name.trim_matches('-').to_string();
    name.chars()
        .take(40)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// The task being started, as command expansion sees it: its folders, read-only.
struct Around {
    workspace: errand_tools::Workspace,
}

/// Largest file `@path` pulls into an outcome.
const INCLUDE_LIMIT: u64 = 256 * 1024;

impl errand_skills::commands::Surroundings for Around {
    fn read_file(&self, path: &str) -> Option<String> {
        let resolved = self.workspace.resolve(path).ok()?;
        let dir = &self.workspace.root(resolved.root).dir;
        let meta = dir.metadata(&resolved.rel).ok()?;
        if !meta.is_file() || meta.len() > INCLUDE_LIMIT {
            return None;
        }
        dir.read_to_string(&resolved.rel).ok()
    }

    /// In the sandbox: every folder read-only, no network, 30 seconds.
    fn run(&self, command: &str) -> Result<String, String> {
        let roots = self.workspace.roots();
        let cwd = roots
            .first()
            .map(|r| r.grant.path.clone())
            .ok_or("no folder")?;
        let scratch = std::env::temp_dir().join(format!(
            "errand-command-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
        let confinement = errand_sandbox::Confinement {
            read_write: Vec::new(),
            read_only: roots.iter().map(|r| r.grant.path.clone()).collect(),
            scratch: scratch.clone(),
            network: errand_sandbox::NetworkAccess::Off,
            limits: errand_sandbox::Limits {
                timeout: std::time::Duration::from_secs(30),
                ..errand_sandbox::Limits::default()
            },
            overlays: Vec::new(),
        };
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let outcome = errand_sandbox::run(command, &cwd, &confinement, &cancel);
        let _ = std::fs::remove_dir_all(&scratch);
        let outcome = outcome.map_err(|e| e.to_string())?;
        match outcome.ending {
            errand_sandbox::Ending::Exited(0) => Ok(outcome.stdout),
            ending => Err(format!(
                "it ended with {ending:?}: {}",
                outcome.stderr.lines().last().unwrap_or("no message")
            )),
        }
    }
}

static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// `/plugin:command ARGS` (or a person-invocable skill) expanded for a task on `grants`;
/// `Ok(None)` when `outcome` is not one.
pub fn expand_command(
    outcome: &str,
    grants: &[errand_core::Grant],
) -> Result<Option<String>, crate::RuntimeError> {
    if !outcome.trim_start().starts_with('/') {
        return Ok(None);
    }
    let reusable = gather(grants);
    let workspace = crate::open_folders(grants)?;
    let around = Around { workspace };
    errand_skills::commands::expand(outcome, &reusable.plugins, &reusable.catalog, &around)
        .map_err(crate::RuntimeError::invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_errand() {
        assert_eq!(errand_tool_name("Read").as_deref(), Some("read_file"));
        assert_eq!(
            errand_tool_name("Bash(git log:*)").as_deref(),
            Some("run_command")
        );
        assert_eq!(
            errand_tool_name("mcp__slack__post").as_deref(),
            Some("mcp__slack__post")
        );
        assert_eq!(errand_tool_name("SomethingElse"), None);
        assert_eq!(
            connector_name("finance", "google calendar"),
            "finance-google-calendar"
        );
    }
}
