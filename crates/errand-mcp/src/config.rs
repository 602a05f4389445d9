//! Where a server runs: `[mcp.servers.NAME]` in config.toml, or an `.mcp.json` file in either
//! shape found in the wild (`{"mcpServers": {…}}` or a flat map of servers).
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// One server: a command Errand starts (stdio) or a URL it connects to (streamable HTTP).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Extra environment for the command; values may name variables as `${VAR}`, so a
    /// secret stays in the environment and never in a file or the event log.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cwd: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Seconds one call may take before it is abandoned with a tool error (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_s: Option<u64>,
    /// Run the command inside Errand's sandbox: read-write only the task's folders and the
    /// server's own data folder, read-only the system, the toolchain and the server's install.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sandbox: bool,
    /// For a sandboxed server: whether it may use the network (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<bool>,
    /// For a sandboxed server: reach only these hosts (`api.github.com`, `*.slack.com`),
    /// through Errand's allowlisting proxy. Empty: `network` decides.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_hosts: Vec<String>,
    /// For a sandboxed server: more folders it may read (`~` is not expanded; give full paths).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read: Vec<PathBuf>,
    /// Offer the task's folders as MCP roots (default true). `false` leaves a server that
    /// honours roots with the folders its own arguments name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roots: Option<bool>,
    /// `false` keeps the server configured but unused.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// For sign-in to a server whose authorization server does not register clients itself:
    /// the client id registered for Errand in advance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_client_id: Option<String>,
    /// Its secret, if it has one; write it as `${VAR}` to keep it in the environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth_client_secret: Option<String>,
}

fn yes() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

/// Nothing set, and enabled (as a server written without `enabled` is).
impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            command: None,
            args: Vec::new(),
            env: BTreeMap::new(),
            cwd: None,
            url: None,
            headers: BTreeMap::new(),
            timeout_s: None,
            sandbox: false,
            roots: None,
            network: None,
            allow_hosts: Vec::new(),
            read: Vec::new(),
            enabled: true,
            oauth_client_id: None,
            oauth_client_secret: None,
        }
    }
}

pub const DEFAULT_TIMEOUT_S: u64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "`{0}` is not a usable server name: use letters, digits, `-` and single `_` (it becomes part of tool names like mcp__{0}__TOOL)"
    )]
    BadName(String),
    #[error(
        "server `{0}` has neither `command` nor `url`: give one (a command to start, or a URL)"
    )]
    Nowhere(String),
    #[error("server `{0}` has both `command` and `url`: keep one")]
    Both(String),
    #[error("server `{0}`: {1}")]
    Invalid(String, String),
    #[error("{0} is not an MCP servers file: {1}")]
    File(String, String),
}

impl ServerConfig {
    /// The client registered in advance for sign-in, its secret's `${VAR}` looked up.
    pub fn pre_registered(
        &self,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Option<crate::oauth::PreRegistered> {
        Some(crate::oauth::PreRegistered {
            client_id: self.oauth_client_id.clone()?,
            client_secret: self
                .oauth_client_secret
                .as_deref()
                .map(|secret| expand_env(secret, lookup)),
        })
    }

    /// Checks what can be checked without starting anything.
    pub fn validate(&self, name: &str) -> Result<(), ConfigError> {
        validate_name(name)?;
        match (&self.command, &self.url) {
            (None, None) => return Err(ConfigError::Nowhere(name.into())),
            (Some(_), Some(_)) => return Err(ConfigError::Both(name.into())),
            (Some(command), None) if command.trim().is_empty() => {
                return Err(ConfigError::Invalid(
                    name.into(),
                    "`command` is empty".into(),
                ));
            }
            (None, Some(url)) if !(url.starts_with("http://") || url.starts_with("https://")) => {
                return Err(ConfigError::Invalid(
                    name.into(),
                    format!("`url` must start with http:// or https:// (got `{url}`)"),
                ));
            }
            _ => {}
        }
        if self.url.is_none()
            && (self.oauth_client_id.is_some() || self.oauth_client_secret.is_some())
        {
            return Err(ConfigError::Invalid(
                name.into(),
                "`oauth_client_id` and `oauth_client_secret` are for servers reached by `url`"
                    .into(),
            ));
        }
        if self.oauth_client_secret.is_some() && self.oauth_client_id.is_none() {
            return Err(ConfigError::Invalid(
                name.into(),
                "`oauth_client_secret` needs the `oauth_client_id` it belongs to".into(),
            ));
        }
        if self.timeout_s == Some(0) {
            return Err(ConfigError::Invalid(
                name.into(),
                "`timeout_s` must be at least 1".into(),
            ));
        }
        if !self.sandbox
            && (self.network.is_some() || !self.read.is_empty() || !self.allow_hosts.is_empty())
        {
            return Err(ConfigError::Invalid(
                name.into(),
                "`network`, `allow_hosts` and `read` apply to a sandboxed server: add `sandbox = true`"
                    .into(),
            ));
        }
        if self.network == Some(false) && !self.allow_hosts.is_empty() {
            return Err(ConfigError::Invalid(
                name.into(),
                "`network = false` and `allow_hosts` disagree: drop one".into(),
            ));
        }
        if let Some(bad) = self
            .allow_hosts
            .iter()
            .find(|h| h.trim().is_empty() || h.contains('/') || h.contains(' '))
        {
            return Err(ConfigError::Invalid(
                name.into(),
                format!(
                    "`{bad}` in `allow_hosts` is not a host name like `api.example.com` or `*.example.com`"
                ),
            ));
        }
        if self.sandbox && self.url.is_some() {
            return Err(ConfigError::Invalid(
                name.into(),
                "`sandbox` applies to servers Errand starts (`command`), not to a URL".into(),
            ));
        }
        Ok(())
    }

    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.timeout_s.unwrap_or(DEFAULT_TIMEOUT_S))
    }

    /// Where it runs, in a few words, for listings.
    pub fn describe(&self) -> String {
        match (&self.command, &self.url) {
            (Some(command), _) => std::iter::once(command.as_str())
                .chain(self.args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" "),
            (None, Some(url)) => url.clone(),
            (None, None) => String::new(),
        }
    }
}

/// Names become the middle of `mcp__NAME__TOOL`: a `__` inside one would make tool names
/// ambiguous.
pub fn validate_name(name: &str) -> Result<(), ConfigError> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !name.contains("__")
        && !name.starts_with('_')
        && !name.ends_with('_');
    if ok {
        Ok(())
    } else {
        Err(ConfigError::BadName(name.into()))
    }
}

/// `${VAR}` and `${VAR:-default}` from the environment; an unset variable without a default
/// becomes empty, as in the shells these files are written for. `$` alone stays.
pub fn expand_env(text: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[at..]);
            return out;
        };
        let inner = &after[..end];
        let (var, default) = match inner.split_once(":-") {
            Some((var, default)) => (var, Some(default)),
            None => (inner, None),
        };
        match lookup(var).filter(|v| !v.is_empty()) {
            Some(value) => out.push_str(&value),
            None => out.push_str(default.unwrap_or("")),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The servers in an `.mcp.json` text, with `${VAR}` expanded in commands, arguments,
/// environment, URLs and headers. `source` names the file in errors.
pub fn parse_mcp_json(
    text: &str,
    source: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<BTreeMap<String, ServerConfig>, ConfigError> {
    let bad = |why: String| ConfigError::File(source.into(), why);
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| bad(format!("not JSON ({e})")))?;
    let map = match value.get("mcpServers") {
        Some(inner) => inner.clone(),
        None => value,
    };
    let serde_json::Value::Object(entries) = map else {
        return Err(bad("expected an object of servers".into()));
    };
    let mut servers = BTreeMap::new();
    for (name, entry) in entries {
        let server = server_from_json(&name, &entry, lookup).map_err(&bad)?;
        server.validate(&name)?;
        servers.insert(name, server);
    }
    Ok(servers)
}

/// One entry as Claude-format files write it: `command`/`args`/`env`/`cwd`, or `url` with
/// `headers` and a `type` (`http`, `streamable-http`, `sse`) that Errand does not need.
fn server_from_json(
    name: &str,
    entry: &serde_json::Value,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<ServerConfig, String> {
    let serde_json::Value::Object(fields) = entry else {
        return Err(format!("server `{name}` is not an object"));
    };
    let text = |key: &str| -> Result<Option<String>, String> {
        match fields.get(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(expand_env(s, lookup))),
            Some(_) => Err(format!("server `{name}`: `{key}` must be a string")),
        }
    };
    let map = |key: &str| -> Result<BTreeMap<String, String>, String> {
        match fields.get(key) {
            None | Some(serde_json::Value::Null) => Ok(BTreeMap::new()),
            Some(serde_json::Value::Object(m)) => m
                .iter()
                .map(|(k, v)| match v {
                    serde_json::Value::String(s) => Ok((k.clone(), expand_env(s, lookup))),
                    other => Ok((k.clone(), other.to_string())),
                })
                .collect(),
            Some(_) => Err(format!("server `{name}`: `{key}` must be an object")),
        }
    };
    let args = match fields.get("args") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|a| match a {
                serde_json::Value::String(s) => expand_env(s, lookup),
                other => other.to_string(),
            })
            .collect(),
        Some(_) => return Err(format!("server `{name}`: `args` must be a list")),
    };
    for key in fields.keys() {
        if !matches!(
            key.as_str(),
            "command"
                | "args"
                | "env"
                | "cwd"
                | "url"
                | "headers"
                | "type"
                | "timeout"
                | "description"
                | "disabled"
        ) {
            tracing::debug!(
                server = name,
                field = key,
                "unknown .mcp.json field ignored"
            );
        }
    }
    Ok(ServerConfig {
        command: text("command")?,
        args,
        env: map("env")?,
        cwd: text("cwd")?.map(PathBuf::from),
        url: text("url")?,
        headers: map("headers")?,
        timeout_s: fields
            .get("timeout")
            .and_then(serde_json::Value::as_u64)
            .map(|ms| ms.div_ceil(1000).max(1)),
        sandbox: false,
        roots: None,
        network: None,
        allow_hosts: Vec::new(),
        read: Vec::new(),
        enabled: !fields
            .get("disabled")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false),
        oauth_client_id: None,
        oauth_client_secret: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(var: &str) -> Option<String> {
        match var {
            "TOKEN" => Some("s3cret".into()),
            "HOME" => Some("/home/ana".into()),
            _ => None,
        }
    }

    #[test]
    fn both_file_shapes_parse_with_variables_expanded() {
        let wrapped = r#"{"mcpServers": {"github": {"type": "http", "url": "https://api.example.com/mcp",
            "headers": {"Authorization": "Bearer ${TOKEN}"}}}}"#;
        let servers = parse_mcp_json(wrapped, ".mcp.json", &env).unwrap();
        let github = &servers["github"];
        assert_eq!(github.url.as_deref(), Some("https://api.example.com/mcp"));
        assert_eq!(github.headers["Authorization"], "Bearer s3cret");

        let flat = r#"{"files": {"command": "npx", "args": ["-y", "server-filesystem", "${HOME}/docs", "${MISSING:-/tmp}"],
            "env": {"KEY": "${TOKEN}", "N": 3}}}"#;
        let servers = parse_mcp_json(flat, "plugin/.mcp.json", &env).unwrap();
        let files = &servers["files"];
        assert_eq!(files.command.as_deref(), Some("npx"));
        assert_eq!(
            files.args,
            ["-y", "server-filesystem", "/home/ana/docs", "/tmp"]
        );
        assert_eq!(files.env["KEY"], "s3cret");
        assert_eq!(files.env["N"], "3");
    }

    #[test]
    fn bad_files_and_entries_are_named() {
        let err = parse_mcp_json("[1]", "x/.mcp.json", &env).unwrap_err();
        assert!(err.to_string().contains("x/.mcp.json"), "{err}");
        let err = parse_mcp_json(r#"{"a": {"args": []}}"#, "f", &env).unwrap_err();
        assert_eq!(err, ConfigError::Nowhere("a".into()));
        let err = parse_mcp_json(r#"{"a__b": {"command": "x"}}"#, "f", &env).unwrap_err();
        assert_eq!(err, ConfigError::BadName("a__b".into()));
        let err = parse_mcp_json(r#"{"a": {"url": "ftp://x"}}"#, "f", &env).unwrap_err();
        assert!(err.to_string().contains("http://"), "{err}");
    }

    #[test]
    fn a_pre_registered_clients_secret_comes_from_the_environment() {
        let server = ServerConfig {
            url: Some("https://mcp.example.com/mcp".into()),
            oauth_client_id: Some("errand-app".into()),
            oauth_client_secret: Some("${APP_SECRET}".into()),
            ..ServerConfig::default()
        };
        let lookup = |var: &str| (var == "APP_SECRET").then(|| "s3cret".to_string());
        let client = server.pre_registered(&lookup).expect("client");
        assert_eq!(client.client_id, "errand-app");
        assert_eq!(client.client_secret.as_deref(), Some("s3cret"));
        let plain = ServerConfig {
            url: server.url.clone(),
            ..ServerConfig::default()
        };
        assert!(plain.pre_registered(&lookup).is_none());
    }

    #[test]
    fn expansion_leaves_what_is_not_a_variable() {
        assert_eq!(expand_env("cost $5 ${TOKEN}", &env), "cost $5 s3cret");
        assert_eq!(expand_env("open ${TOKEN", &env), "open ${TOKEN");
        assert_eq!(expand_env("${NOPE}", &env), "");
    }
}
