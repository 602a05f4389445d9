//! The person's MCP servers: kept in config.toml (`[mcp.servers.NAME]`), edited without
//! disturbing the rest of the file, connected for listings, and offered to tasks.
use crate::config::{Config, config_path, data_dir};
use anyhow::{Context, Result, bail};
use errand_mcp::{Connectors, ListedTool, ServerConfig};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

/// The configured servers as a task's connectors; tool lists are cached under the data folder.
pub fn connectors(config: &Config) -> Arc<Connectors> {
    let cache = data_dir().ok().map(|d| d.join("mcp"));
    Arc::new(Connectors::new(config.mcp.servers.clone(), cache))
}

/// What `errand mcp list` shows of one server.
#[derive(Debug, Clone, Serialize)]
pub struct ServerStatus {
    pub name: String,
    /// `connected`, `failed` or `disabled`.
    pub state: String,
    pub transport: String,
    pub target: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_name: Option<String>,
    pub tools: usize,
    pub resources: usize,
    pub prompts: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Connects to each configured server (at once, not one after another) and reports.
pub async fn list(config: &Config) -> Vec<ServerStatus> {
    let connectors = connectors(config);
    let probes = config
        .mcp
        .servers
        .clone()
        .into_iter()
        .map(|(name, server)| {
            let connectors = connectors.clone();
            async move {
                let mut status = ServerStatus {
                    name: name.clone(),
                    state: "disabled".into(),
                    transport: if server.url.is_some() {
                        "http"
                    } else {
                        "stdio"
                    }
                    .into(),
                    target: server.describe(),
                    protocol_version: None,
                    server_name: None,
                    tools: 0,
                    resources: 0,
                    prompts: 0,
                    error: None,
                };
                if !server.enabled {
                    return status;
                }
                match connectors.probe(&name).await {
                    Ok((facts, tools, resources, prompts)) => {
                        status.state = "connected".into();
                        status.protocol_version = Some(facts.protocol_version);
                        status.server_name = Some(facts.name).filter(|n| !n.is_empty());
                        status.tools = tools;
                        status.resources = resources;
                        status.prompts = prompts;
                    }
                    Err(e) => {
                        status.state = "failed".into();
                        status.error = Some(e.to_string());
                    }
                }
                status
            }
        });
    let statuses = futures_util::future::join_all(probes).await;
    connectors.close_all().await;
    statuses
}

/// A server's tools, asked of the server now.
pub async fn tools(config: &Config, name: &str) -> Result<Vec<ListedTool>> {
    if !config.mcp.servers.contains_key(name) {
        bail!(
            "no MCP server `{name}` is configured (configured: {}); add it with `errand mcp add {name} -- COMMAND`",
            names(config)
        );
    }
    let connectors = Connectors::new(config.mcp.servers.clone(), None);
    let listed = match connectors.connection(name).await {
        Ok(connection) => connection.tools().await,
        Err(e) => Err(e),
    };
    connectors.close_all().await;
    Ok(listed?)
}

fn names(config: &Config) -> String {
    if config.mcp.servers.is_empty() {
        "none".into()
    } else {
        config
            .mcp
            .servers
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Adds `[mcp.servers.NAME]` to config.toml, keeping the person's comments and layout.
pub fn add(name: &str, server: &ServerConfig) -> Result<PathBuf> {
    server.validate(name)?;
    let path = config_path()?;
    let mut document = read_document(&path)?;
    let servers = document
        .entry("mcp")
        .or_insert_with(implicit_table)
        .as_table_mut()
        .context("`mcp` in the config file is not a table")?
        .entry("servers")
        .or_insert_with(implicit_table)
        .as_table_mut()
        .context("`mcp.servers` in the config file is not a table")?;
    if servers.contains_key(name) {
        bail!(
            "an MCP server named `{name}` is already configured in {}; remove it first (`errand mcp remove {name}`) or pick another name",
            path.display()
        );
    }
    servers.insert(name, toml_edit::Item::Table(server_table(server)));
    write_document(&path, &document)?;
    Ok(path)
}

/// Removes `[mcp.servers.NAME]` from config.toml.
pub fn remove(name: &str) -> Result<PathBuf> {
    let path = config_path()?;
    let mut document = read_document(&path)?;
    let removed = document
        .get_mut("mcp")
        .and_then(|m| m.get_mut("servers"))
        .and_then(toml_edit::Item::as_table_like_mut)
        .and_then(|servers| servers.remove(name));
    if removed.is_none() {
        bail!("no MCP server `{name}` is configured in {}", path.display());
    }
    write_document(&path, &document)?;
    Ok(path)
}

fn implicit_table() -> toml_edit::Item {
    let mut table = toml_edit::Table::new();
    table.set_implicit(true);
    toml_edit::Item::Table(table)
}

fn server_table(server: &ServerConfig) -> toml_edit::Table {
    let mut table = toml_edit::Table::new();
    let inline = |map: &std::collections::BTreeMap<String, String>| {
        let mut t = toml_edit::InlineTable::new();
        for (k, v) in map {
            t.insert(k, v.as_str().into());
        }
        toml_edit::value(t)
    };
    if let Some(command) = &server.command {
        table.insert("command", toml_edit::value(command.as_str()));
        let args: toml_edit::Array = server.args.iter().map(String::as_str).collect();
        table.insert("args", toml_edit::value(args));
    }
    if !server.env.is_empty() {
        table.insert("env", inline(&server.env));
    }
    if let Some(cwd) = &server.cwd {
        table.insert("cwd", toml_edit::value(cwd.display().to_string()));
    }
    if let Some(url) = &server.url {
        table.insert("url", toml_edit::value(url.as_str()));
    }
    if !server.headers.is_empty() {
        table.insert("headers", inline(&server.headers));
    }
    if let Some(timeout) = server.timeout_s {
        table.insert("timeout_s", toml_edit::value(timeout as i64));
    }
    if server.sandbox {
        table.insert("sandbox", toml_edit::value(true));
    }
    if let Some(network) = server.network {
        table.insert("network", toml_edit::value(network));
    }
    if !server.allow_hosts.is_empty() {
        let hosts: toml_edit::Array = server.allow_hosts.iter().map(String::as_str).collect();
        table.insert("allow_hosts", toml_edit::value(hosts));
    }
    if let Some(id) = &server.oauth_client_id {
        table.insert("oauth_client_id", toml_edit::value(id.as_str()));
    }
    if let Some(secret) = &server.oauth_client_secret {
        table.insert("oauth_client_secret", toml_edit::value(secret.as_str()));
    }
    if let Some(roots) = server.roots {
        table.insert("roots", toml_edit::value(roots));
    }
    table
}

fn read_document(path: &std::path::Path) -> Result<toml_edit::DocumentMut> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    text.parse()
        .with_context(|| format!("{} is not valid TOML; fix it first", path.display()))
}

/// Written to a temp file beside it and renamed: the config is never half-written.
fn write_document(path: &std::path::Path, document: &toml_edit::DocumentMut) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let temp = path.with_extension(format!("toml.tmp{}", std::process::id()));
    std::fs::write(&temp, document.to_string())
        .with_context(|| format!("cannot write {}", temp.display()))?;
    // What replaces the config must load; otherwise the old file stays.
    if let Err(e) = Config::load_from(&temp) {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    std::fs::rename(&temp, path).with_context(|| format!("cannot write {}", path.display()))
}

impl crate::Runtime {
    /// [`create`](crate::Runtime::create), after expanding a `/mcp__SERVER__PROMPT words…`
    /// command into the text of that server's prompt, or a plugin's `/plugin:command words…`
    /// (or a skill the person may invoke) into its text. Every door starts tasks through here.
    pub async fn create_from(
        &self,
        mut request: crate::TaskRequest,
    ) -> Result<crate::Created, crate::RuntimeError> {
        request.folders = self.with_project_folders(&request)?;
        let trimmed = request.outcome.trim_start();
        if trimmed.starts_with('/') && !trimmed.starts_with("/mcp__") {
            let grants = crate::start::grants(&request.folders, request.roots.as_deref())?;
            let outcome = request.outcome.clone();
            // Expansion may run a command in the sandbox: off the async threads.
            let expanded = tokio::task::spawn_blocking(move || {
                crate::plugins::expand_command(&outcome, &grants)
            })
            .await
            .map_err(|e| crate::RuntimeError::internal(e.to_string()))??;
            if let Some(text) = expanded {
                request.outcome = text;
            }
        }
        let grants = crate::start::grants(&request.folders, request.roots.as_deref())?;
        let reusable = crate::plugins::gather(&grants);
        if request.outcome.trim_start().starts_with("/mcp__") {
            let config = Config::load().map_err(crate::RuntimeError::config)?;
            let connectors = connectors(&config);
            let expanded = errand_mcp::prompts::expand(&connectors, &request.outcome).await;
            connectors.close_all().await;
            match expanded {
                Ok(Some(text)) => request.outcome = text,
                Ok(None) => {}
                Err(e) => return Err(crate::RuntimeError::invalid(e.to_string())),
            }
        }
        // The person's hooks see the request as it will run, after any expansion.
        if let Some(hooks) = crate::hooks::PluginHooks::of(
            &reusable.plugins,
            &grants,
            reusable.catalog.roots.clone(),
        ) {
            let mode = serde_json::json!(request.mode.unwrap_or_default());
            request.outcome = hooks
                .starting(&request.outcome, mode)
                .await
                .map_err(crate::RuntimeError::invalid)?;
        }
        self.create(request)
    }
}
