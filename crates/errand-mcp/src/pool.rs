//! The person's servers in one process: each started the first time a task calls it (not
//! for every task), kept for the next call, restarted once if it dies. Tool lists are
//! cached on disk per server configuration, so a task that never calls a server never
//! starts it.
use crate::client::{CallHooks, Connection, ListedTool, McpError, ServerFacts};
use crate::config::ServerConfig;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A dead server is started again this many times in a row (a call that succeeds resets
/// the count); after that its calls fail at once instead of restarting it in a loop.
const RESTARTS: u32 = 1;

#[derive(Default)]
struct Slot {
    connection: Option<Arc<Connection>>,
    restarts: u32,
    started_before: bool,
}

impl Slot {
    /// Ends the server, unless a call elsewhere still holds the connection: it ends when
    /// that call lets go.
    async fn close(&mut self) {
        if let Some(connection) = self.connection.take()
            && let Ok(connection) = Arc::try_unwrap(connection)
        {
            connection.close().await;
        }
    }
}

pub struct Connectors {
    servers: BTreeMap<String, ServerConfig>,
    slots: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Slot>>>>,
    /// Where tool lists are cached (`None`: never cached, as in tests of listing itself).
    cache: Option<PathBuf>,
    scope: Mutex<crate::confine::Scope>,
}

/// The environment servers' `${VAR}` values come from.
fn process_env(var: &str) -> Option<String> {
    std::env::var(var).ok()
}

impl Connectors {
    /// Only enabled servers; `cache` is a folder Errand owns.
    pub fn new(servers: BTreeMap<String, ServerConfig>, cache: Option<PathBuf>) -> Connectors {
        Connectors {
            servers: servers.into_iter().filter(|(_, s)| s.enabled).collect(),
            slots: Mutex::new(HashMap::new()),
            scope: Mutex::new(crate::confine::Scope {
                folders: Vec::new(),
                data: cache.clone(),
            }),
            cache,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }

    pub fn names(&self) -> Vec<String> {
        self.servers.keys().cloned().collect()
    }

    pub fn config(&self, server: &str) -> Option<&ServerConfig> {
        self.servers.get(server)
    }

    /// The folders the current task grants (folder, writable): offered to servers as roots,
    /// and all a sandboxed server may reach.
    pub fn set_folders(&self, folders: Vec<(PathBuf, bool)>) {
        if let Ok(mut scope) = self.scope.lock() {
            scope.folders = folders;
        }
    }

    fn scope(&self) -> crate::confine::Scope {
        self.scope.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn slot(&self, server: &str) -> Arc<tokio::sync::Mutex<Slot>> {
        let mut slots = match self.slots.lock() {
            Ok(slots) => slots,
            Err(poisoned) => poisoned.into_inner(),
        };
        slots.entry(server.to_string()).or_default().clone()
    }

    /// The live connection, started (or restarted once after a crash) when needed.
    pub async fn connection(&self, server: &str) -> Result<Arc<Connection>, McpError> {
        let Some(config) = self.servers.get(server) else {
            return Err(McpError::Start {
                server: server.into(),
                why: format!(
                    "no such server is configured (configured: {}); add it with `errand mcp add`",
                    if self.servers.is_empty() {
                        "none".to_string()
                    } else {
                        self.names().join(", ")
                    }
                ),
            });
        };
        let slot = self.slot(server);
        let mut slot = slot.lock().await;
        if let Some(connection) = &slot.connection {
            if !connection.is_closed() {
                connection.set_roots(self.scope().roots());
                return Ok(connection.clone());
            }
            slot.connection = None;
        }
        if slot.started_before {
            if slot.restarts >= RESTARTS {
                return Err(McpError::Gone {
                    server: server.into(),
                    during: String::new(),
                    why: "it stopped again after a restart, so Errand does not start it a third time in this run".into(),
                });
            }
            slot.restarts += 1;
            tracing::warn!(server, "restarting an MCP server that stopped");
        }
        slot.started_before = true;
        let connection =
            Arc::new(Connection::open(server, config, &process_env, &self.scope()).await?);
        slot.connection = Some(connection.clone());
        Ok(connection)
    }

    /// Signs in to a server reached by URL again, asking for `scope` besides what the kept
    /// sign-in has, through the browser `open` shows. The next call connects with it.
    pub async fn sign_in_again(
        &self,
        server: &str,
        scope: &str,
        open: &(dyn Fn(&str) -> Result<(), String> + Sync),
    ) -> Result<(), String> {
        let config = self
            .servers
            .get(server)
            .ok_or_else(|| format!("no MCP server `{server}` is configured"))?;
        let (Some(url), Some(data)) = (&config.url, &self.cache) else {
            return Err(format!("`{server}` is not a server Errand signs in to"));
        };
        let tokens = crate::oauth::token_file(data, server);
        let client = config.pre_registered(&process_env);
        crate::oauth::login(url, &tokens, client, &[scope.to_string()], open).await?;
        self.forget(server).await;
        Ok(())
    }

    /// Marks a connection dead after a call found it gone, so the next call restarts it.
    async fn forget(&self, server: &str) {
        let slot = self.slot(server);
        slot.lock().await.close().await;
    }

    /// The server's tools: from the cache when this configuration listed them before,
    /// else by connecting.
    pub async fn tools(&self, server: &str) -> Result<Vec<ListedTool>, McpError> {
        if let Some(cached) = self.cached_tools(server) {
            return Ok(cached);
        }
        let connection = self.connection(server).await?;
        let tools = connection.tools().await?;
        self.cache_tools(server, &tools);
        Ok(tools)
    }

    /// Connects and reports what the server is: for `errand mcp list`.
    pub async fn probe(
        &self,
        server: &str,
    ) -> Result<(ServerFacts, usize, usize, usize), McpError> {
        let connection = self.connection(server).await?;
        let tools = connection.tools().await?;
        self.cache_tools(server, &tools);
        let (resources, prompts) = connection.counts().await;
        Ok((connection.facts.clone(), tools.len(), resources, prompts))
    }

    pub async fn call(
        &self,
        server: &str,
        tool: &str,
        arguments: serde_json::Map<String, Value>,
        hooks: CallHooks,
    ) -> Result<Value, McpError> {
        let connection = self.connection(server).await?;
        let result = connection.call(tool, arguments, hooks).await;
        match &result {
            // A server that answers has recovered: a later crash may be restarted again.
            Ok(_) => self.slot(server).lock().await.restarts = 0,
            // Gone, silent past the timeout (a stdio server answers in order, so one stuck
            // call blocks every later one), or signed in with too little: the next call
            // connects afresh (with the new sign-in, for the last).
            Err(e)
                if e.is_gone()
                    || e.is_timeout()
                    || e.needed_scope().is_some()
                    || connection.is_closed() =>
            {
                drop(connection);
                self.forget(server).await;
            }
            Err(_) => {}
        }
        result
    }

    /// The resources of one server.
    pub async fn resources(&self, server: &str) -> Result<Vec<Value>, McpError> {
        self.connection(server).await?.resources().await
    }

    pub async fn read_resource(&self, server: &str, uri: &str) -> Result<Value, McpError> {
        self.connection(server).await?.read_resource(uri).await
    }

    /// Ends every server this process started.
    pub async fn close_all(&self) {
        let slots: Vec<_> = match self.slots.lock() {
            Ok(mut slots) => slots.drain().map(|(_, s)| s).collect(),
            Err(_) => return,
        };
        for slot in slots {
            slot.lock().await.close().await;
        }
    }

    fn cache_file(&self, server: &str) -> Option<PathBuf> {
        Some(self.cache.as_ref()?.join(format!("{server}.tools.json")))
    }

    fn config_key(&self, server: &str) -> Option<String> {
        serde_json::to_string(self.servers.get(server)?).ok()
    }

    fn cached_tools(&self, server: &str) -> Option<Vec<ListedTool>> {
        let text = std::fs::read_to_string(self.cache_file(server)?).ok()?;
        let cached: Value = serde_json::from_str(&text).ok()?;
        if cached.get("config")?.as_str()? != self.config_key(server)? {
            return None;
        }
        cached
            .get("tools")?
            .as_array()?
            .iter()
            .map(|t| {
                Some(ListedTool {
                    name: t.get("name")?.as_str()?.to_string(),
                    description: t.get("description")?.as_str()?.to_string(),
                    input_schema: t.get("input_schema")?.clone(),
                    read_only: t.get("read_only")?.as_bool()?,
                    destructive: t.get("destructive")?.as_bool()?,
                })
            })
            .collect()
    }

    /// Written to a temp file and renamed: a reader never sees half a list.
    fn cache_tools(&self, server: &str, tools: &[ListedTool]) {
        let (Some(file), Some(key)) = (self.cache_file(server), self.config_key(server)) else {
            return;
        };
        let tools: Vec<Value> = tools
            .iter()
            .map(|t| {
                serde_json::json!({
                    "name": t.name, "description": t.description, "input_schema": t.input_schema,
                    "read_only": t.read_only, "destructive": t.destructive,
                })
            })
            .collect();
        let body = serde_json::json!({ "config": key, "tools": tools }).to_string();
        let temp = file.with_extension(format!("tmp{}", std::process::id()));
        let written = file
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&temp, body))
            .and_then(|()| std::fs::rename(&temp, &file));
        if let Err(e) = written {
            tracing::debug!(server, error = %e, "could not cache an MCP tool list");
        }
    }
}
