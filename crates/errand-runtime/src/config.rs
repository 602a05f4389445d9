//! Where Errand keeps its data and what the person configured.
use anyhow::{Context, Result, bail};
use errand_core::{Mode, Rule, RuleAction};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The data directory: `ERRAND_HOME`, else `$XDG_DATA_HOME/errand`, else `~/.local/share/errand`.
pub fn data_dir() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os("ERRAND_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    xdg_dir("XDG_DATA_HOME", ".local/share").map(|d| d.join("errand"))
}

/// `ERRAND_CONFIG`, else `$XDG_CONFIG_HOME/errand/config.toml`, else `~/.config/errand/config.toml`.
pub fn config_path() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("ERRAND_CONFIG").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    xdg_dir("XDG_CONFIG_HOME", ".config").map(|d| d.join("errand").join("config.toml"))
}

fn xdg_dir(var: &str, fallback: &str) -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME").filter(|v| !v.is_empty()).context(
        "cannot find a place for Errand's data: set ERRAND_HOME (or HOME / XDG_DATA_HOME)",
    )?;
    Ok(PathBuf::from(home).join(fallback))
}

/// `~/x` → `$HOME/x`; anything else as it is.
pub fn expand_home(path: &Path) -> PathBuf {
    match (
        path.strip_prefix("~"),
        std::env::var_os("HOME").filter(|h| !h.is_empty()),
    ) {
        (Ok(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => path.to_path_buf(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Model spec used when neither --model nor ERRAND_MODEL is given.
    pub model: Option<String>,
    pub mode: Option<Mode>,
    #[serde(default)]
    pub rules: RulesConfig,
    /// Turns after which a task fails rather than loop.
    pub max_turns: Option<usize>,
    /// Model turns in a row without a new effect before the model is reminded (then, a
    /// few turns on, the task fails). Default 8.
    pub stall_turns: Option<usize>,
    /// Named model profiles: `--model NAME` picks one.
    #[serde(default)]
    pub models: std::collections::BTreeMap<String, Profile>,
    #[serde(default)]
    pub sandbox: SandboxConfig,
    #[serde(default)]
    pub agents: AgentsConfig,
    #[serde(default)]
    pub serve: ServeConfig,
    #[serde(default)]
    pub mcp: McpConfig,
    #[serde(default)]
    pub notify: NotifyConfig,
    #[serde(default)]
    pub telemetry: errand_telemetry::TelemetryConfig,
    #[serde(default)]
    pub network: NetworkConfig,
    /// `[web]`: the search provider `web_search` uses.
    #[serde(default)]
    pub web: errand_web::WebConfig,
}

/// `[network]`: hosts every task may reach, with its commands and its web tools, as if
/// each were given `--allow-host`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// `docs.rs`, `*.example.com`, `127.0.0.1:8080`.
    #[serde(default)]
    pub allow: Vec<String>,
}

/// `[mcp.servers.NAME]`: the person's MCP servers.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpConfig {
    #[serde(default)]
    pub servers: std::collections::BTreeMap<String, errand_mcp::ServerConfig>,
}

/// `[serve]`: the web workspace.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// Folders under which a task started from the workspace may be granted folders
    /// (`~` expands); default: the home folder.
    #[serde(default)]
    pub roots: Vec<PathBuf>,
    /// The port `errand serve` listens on without `--port`.
    pub port: Option<u16>,
}

/// `[notify]`: which moments of a scheduled task reach the desktop as a notification.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// It waits for an approval or an answer.
    #[serde(default = "yes")]
    pub waiting: bool,
    #[serde(default = "yes")]
    pub finished: bool,
    #[serde(default = "yes")]
    pub failed: bool,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        NotifyConfig {
            waiting: true,
            finished: true,
            failed: true,
        }
    }
}

fn yes() -> bool {
    true
}

/// `[agents]`: how sub-agents run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentsConfig {
    /// Sub-agents running at once.
    pub concurrency: usize,
    /// How deep sub-agents may nest; 1 means sub-agents cannot delegate.
    pub max_depth: usize,
    /// Model turns a sub-agent may take unless `delegate` says otherwise.
    pub max_turns: usize,
    /// Seconds a writer waits for a file another writer holds before its call is refused.
    pub lease_wait_s: u64,
}

impl Default for AgentsConfig {
    fn default() -> Self {
        AgentsConfig {
            concurrency: 4,
            max_depth: 1,
            max_turns: 30,
            lease_wait_s: 60,
        }
    }
}

/// `[sandbox]`: what commands may read beyond the system and the task's folders.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxConfig {
    /// Extra folders commands may read, e.g. a toolchain outside the usual places.
    #[serde(default)]
    pub read: Vec<std::path::PathBuf>,
}

/// `[models.NAME]`: a spec plus the endpoint and key it should use.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// e.g. `ollama:qwen2.5-coder`, `openai:gpt-4.1`, `openai-compatible:m@http://host:8000/v1`.
    pub spec: String,
    /// Overrides `OPENAI_BASE_URL` (openai) or `OLLAMA_HOST` (ollama).
    pub base_url: Option<String>,
    /// The environment variable holding this profile's API key.
    pub api_key_env: Option<String>,
    /// Tokens the model takes per request, when it differs from the provider's default
    /// (a local server started with a small context); conversations are compacted before it.
    pub context_window: Option<u64>,
    /// `false` for Anthropic gateways that refuse prompt-caching breakpoints.
    pub prompt_caching: Option<bool>,
    /// Whether the model takes pictures; known families are recognised by name.
    pub reads_images: Option<bool>,
    /// US dollars per million input tokens, for the cost meter (known models have defaults).
    pub price_input: Option<f64>,
    /// US dollars per million output tokens.
    pub price_output: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesConfig {
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub ask: Vec<String>,
    #[serde(default)]
    pub deny: Vec<String>,
}

impl Config {
    /// Reads the config file; a missing file is an empty config, a broken one an error.
    pub fn load() -> Result<Config> {
        let path = config_path()?;
        Self::load_from(&path)
    }

    pub fn load_from(path: &Path) -> Result<Config> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let config: Config =
            toml::from_str(&text).with_context(|| format!("{} is not valid", path.display()))?;
        config
            .rules()
            .with_context(|| format!("a rule in {} is not valid", path.display()))?;
        errand_web::search::Provider::from_config(&config.web)
            .with_context(|| format!("[web] in {} is not valid", path.display()))?;
        if let Some(bad) = config
            .network
            .allow
            .iter()
            .find(|h| h.trim().is_empty() || h.contains('/'))
        {
            bail!(
                "[network] allow in {} lists `{bad}`: give host names like `docs.rs` or `*.example.com`, not URLs",
                path.display()
            );
        }
        for (name, server) in &config.mcp.servers {
            server.validate(name).with_context(|| {
                format!("[mcp.servers.{name}] in {} is not valid", path.display())
            })?;
        }
        Ok(config)
    }

    /// The folder holding config.toml, where `agents/*.md` role files live.
    pub fn folder() -> Result<PathBuf> {
        let path = config_path()?;
        Ok(path.parent().map(Path::to_path_buf).unwrap_or_default())
    }

    /// The spec and environment a `--model` value means: a profile's, or the value itself.
    pub fn resolve_model(&self, name: &str) -> (String, errand_model::ModelEnv) {
        let mut env = errand_model::ModelEnv::from_process();
        let Some(profile) = self.models.get(name) else {
            return (name.to_string(), env);
        };
        let key = profile
            .api_key_env
            .as_ref()
            .and_then(|var| std::env::var(var).ok());
        env.context_window = profile.context_window;
        env.prompt_caching = profile.prompt_caching;
        env.reads_images = profile.reads_images;
        match profile.spec.split_once(':').map(|(kind, _)| kind) {
            Some("ollama") => env.ollama_host = profile.base_url.clone().or(env.ollama_host),
            Some("anthropic") => {
                env.anthropic_base_url = profile.base_url.clone().or(env.anthropic_base_url);
                env.anthropic_key = key.or(env.anthropic_key);
            }
            _ => {
                env.openai_base_url = profile.base_url.clone().or(env.openai_base_url);
                env.openai_key = key.or(env.openai_key);
            }
        }
        (profile.spec.clone(), env)
    }

    /// `[sandbox] read`, with `~` expanded.
    pub fn sandbox_read(&self) -> Vec<PathBuf> {
        self.sandbox.read.iter().map(|p| expand_home(p)).collect()
    }

    /// `[serve] roots`, with `~` expanded; the home folder when none are set.
    pub fn serve_roots(&self) -> Vec<PathBuf> {
        if self.serve.roots.is_empty() {
            return std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from)
                .into_iter()
                .collect();
        }
        self.serve.roots.iter().map(|p| expand_home(p)).collect()
    }

    pub fn rules(&self) -> Result<Vec<Rule>> {
        let mut rules = Vec::new();
        for (action, list) in [
            (RuleAction::Deny, &self.rules.deny),
            (RuleAction::Ask, &self.rules.ask),
            (RuleAction::Allow, &self.rules.allow),
        ] {
            for text in list {
                match Rule::parse(action, text) {
                    Ok(rule) => rules.push(rule),
                    Err(e) => bail!(
                        "{e}; rules look like `write_file(reports/**)` or `run_command(git status*)`"
                    ),
                }
            }
        }
        Ok(rules)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rules_and_refuses_bad_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        assert!(
            Config::load_from(&path)
                .expect("missing is fine")
                .rules
                .allow
                .is_empty()
        );
        std::fs::write(
            &path,
            "mode = \"auto\"\n[rules]\nallow = [\"write_file(reports/**)\"]\n",
        )
        .expect("write");
        let config = Config::load_from(&path).expect("valid");
        assert_eq!(config.mode, Some(Mode::Auto));
        assert_eq!(config.rules().expect("rules").len(), 1);
        std::fs::write(&path, "[rules]\ndeny = [\"write_file(reports\"]\n").expect("write");
        let err = Config::load_from(&path).expect_err("bad rule");
        assert!(format!("{err:#}").contains("missing `)`"), "{err:#}");
        std::fs::write(
            &path,
            "[network]\nallow = [\"docs.rs\"]\n[web]\nsearch = \"brave\"\n",
        )
        .expect("write");
        let config = Config::load_from(&path).expect("valid");
        assert_eq!(config.network.allow, vec!["docs.rs".to_string()]);
        assert_eq!(config.web.search.as_deref(), Some("brave"));
        for bad in [
            "[web]\nsearch = \"bing\"\n",
            "[web]\nsearch = \"searxng\"\n",
            "[network]\nallow = [\"https://docs.rs/\"]\n",
            "[network]\nhosts = []\n",
        ] {
            std::fs::write(&path, bad).expect("write");
            assert!(Config::load_from(&path).is_err(), "{bad}");
        }
        std::fs::write(&path, "mood = 1\n").expect("write");
        assert!(Config::load_from(&path).is_err());
    }
}
