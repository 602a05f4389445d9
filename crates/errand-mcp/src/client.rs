//! One live connection to one server, on rmcp: started, listed, called, and what went wrong
//! said in words that name the server.
use crate::config::ServerConfig;
use rmcp::model::{CallToolRequestParams, ProgressToken, RequestMetaObject};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, RoleClient, RunningService};
use rmcp::{ClientHandler, ServiceError};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::AsyncBufReadExt;

/// What went wrong talking to a server. The text is what the model and the person read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum McpError {
    #[error("MCP server `{server}` could not start: {why}")]
    Start { server: String, why: String },
    /// Started, but the lifecycle exchange failed: worth one more try the older way.
    #[error("MCP server `{server}` could not start: {why}")]
    Handshake { server: String, why: String },
    #[error("MCP server `{server}` stopped{during}: {why}")]
    Gone {
        server: String,
        during: String,
        why: String,
    },
    #[error(
        "MCP server `{server}` did not answer `{tool}` within {seconds} s; the call was cancelled (raise `timeout_s` for this server if it is slow)"
    )]
    Timeout {
        server: String,
        tool: String,
        seconds: u64,
    },
    #[error("MCP server `{server}` refused `{what}`: {why}")]
    Refused {
        server: String,
        what: String,
        why: String,
    },
    #[error("MCP server `{server}` answered `{what}` with something that is not MCP: {why}")]
    Garbled {
        server: String,
        what: String,
        why: String,
    },
    /// A 403 `insufficient_scope`: the sign-in is good but grants too little for this.
    #[error(
        "MCP server `{server}` needs more access for `{what}` (scope: {scope}); sign in again with `errand mcp login {server} --scope \"{scope}\"`"
    )]
    NeedsScope {
        server: String,
        what: String,
        scope: String,
    },
}

impl McpError {
    /// The connection is unusable: the next call starts the server again.
    pub fn is_gone(&self) -> bool {
        matches!(self, McpError::Gone { .. })
    }

    /// The scopes to sign in again for, when the server said the sign-in grants too little.
    pub fn needed_scope(&self) -> Option<&str> {
        match self {
            McpError::NeedsScope { scope, .. } => Some(scope),
            _ => None,
        }
    }

    pub fn is_timeout(&self) -> bool {
        matches!(self, McpError::Timeout { .. })
    }
}

/// A server tool as listed, in the wire's shape (rmcp's types follow the spec's changes;
/// Errand reads the few fields it needs).
#[derive(Debug, Clone, PartialEq)]
pub struct ListedTool {
    pub name: String,
    pub description: String,
    pub input_schema: Value,
    pub read_only: bool,
    pub destructive: bool,
}

impl ListedTool {
    fn from_wire(tool: &Value) -> Option<ListedTool> {
        let name = tool.get("name")?.as_str()?.to_string();
        let hint = |key: &str| {
            tool.pointer(&format!("/annotations/{key}"))
                .and_then(Value::as_bool)
        };
        let description = tool
            .get("description")
            .and_then(Value::as_str)
            .or_else(|| tool.get("title").and_then(Value::as_str))
            .unwrap_or("")
            .to_string();
        let read_only = hint("readOnlyHint").unwrap_or(false);
        Some(ListedTool {
            name,
            description,
            input_schema: tool
                .get("inputSchema")
                .cloned()
                .unwrap_or_else(|| serde_json::json!({"type": "object"})),
            read_only,
            // The spec's default for a tool that is not read-only is destructive, but most
            // servers never say; treating every unannotated tool as a delete would make each
            // call ask even in auto mode. Only an explicit hint counts.
            destructive: !read_only && hint("destructiveHint") == Some(true),
        })
    }
}

/// Who the server said it is, once connected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerFacts {
    pub protocol_version: String,
    pub name: String,
    pub version: String,
    pub instructions: Option<String>,
    pub has_tools: bool,
    pub has_resources: bool,
    pub has_prompts: bool,
}

/// Where progress of one call goes: (message, done, total).
pub type ProgressSink = Arc<dyn Fn(&str, f64, Option<f64>) + Send + Sync>;

/// Who hears from the server during one call: its progress, and its questions for the person.
#[derive(Clone, Default)]
pub struct CallHooks {
    pub progress: Option<ProgressSink>,
    pub asker: Option<Arc<dyn errand_core::tool::Asker>>,
}

/// Errand's side of the conversation: the folders it grants as roots, and progress routed
/// to the call that asked for it.
#[derive(Clone)]
pub struct Handler {
    /// `None`: roots are not offered (the capability is not declared).
    roots: Arc<Mutex<Option<Vec<PathBuf>>>>,
    /// The `initialize` handshake offers the newest version that has one.
    legacy: bool,
    progress: Arc<Mutex<HashMap<String, ProgressSink>>>,
    /// Who answers the server's questions: the asker of the call in flight.
    asker: Arc<Mutex<Option<Arc<dyn errand_core::tool::Asker>>>>,
    /// Questions being put to the person now: a call's timeout waits for them.
    asking: Arc<std::sync::atomic::AtomicUsize>,
}

impl Handler {
    pub fn set_roots(&self, roots: Vec<PathBuf>) {
        if let Ok(mut held) = self.roots.lock()
            && let Some(held) = held.as_mut()
        {
            *held = roots;
        }
    }

    fn offering(offer_roots: bool) -> Handler {
        Handler {
            roots: Arc::new(Mutex::new(offer_roots.then(Vec::new))),
            progress: Arc::default(),
            asker: Arc::default(),
            asking: Arc::default(),
            legacy: false,
        }
    }

    fn offers_roots(&self) -> bool {
        self.roots.lock().is_ok_and(|r| r.is_some())
    }
}

fn capabilities(roots: bool) -> rmcp::model::ClientCapabilities {
    // Built from the wire form: the builder's type states change between rmcp versions.
    let wire = if roots {
        serde_json::json!({"roots": {"listChanged": true}, "elicitation": {"form": {}}})
    } else {
        serde_json::json!({"elicitation": {"form": {}}})
    };
    serde_json::from_value(wire).unwrap_or_default()
}

impl ClientHandler for Handler {
    fn get_info(&self) -> rmcp::model::ClientConfig {
        rmcp::model::ClientConfig::new(
            capabilities(self.offers_roots()),
            rmcp::model::Implementation::new("errand", env!("CARGO_PKG_VERSION")),
        )
        .with_protocol_version(if self.legacy {
            rmcp::model::ProtocolVersion::LATEST_WITH_INITIALIZE
        } else {
            rmcp::model::ProtocolVersion::LATEST
        })
    }

    // Roots are deprecated by the 2026-07-28 spec, but servers on 2025-11-25 (the
    // filesystem server among them) still ask for them to know where they may work.
    #[allow(deprecated)]
    async fn list_roots(
        &self,
        _context: rmcp::service::RequestContext<RoleClient>,
    ) -> Result<rmcp::model::ListRootsResult, rmcp::ErrorData> {
        let roots: Vec<Value> = self
            .roots
            .lock()
            .ok()
            .and_then(|r| r.clone())
            .unwrap_or_default()
            .iter()
            .map(|path| {
                serde_json::json!({
                    "uri": format!("file://{}", path.display()),
                    "name": path.file_name().map(|n| n.to_string_lossy().to_string()),
                })
            })
            .collect();
        serde_json::from_value(serde_json::json!({ "roots": roots }))
            .map_err(|e| rmcp::ErrorData::internal_error(e.to_string(), None))
    }

    /// A server's question for the person, put through the call's asker (the terminal, or
    /// the task's question in the workspace). Nobody to answer: declined.
    async fn create_elicitation(
        &self,
        request: rmcp::model::ElicitRequestParams,
        _context: rmcp::service::RequestContext<RoleClient>,
    ) -> Result<rmcp::model::ElicitResult, rmcp::ErrorData> {
        let wire = serde_json::to_value(&request).unwrap_or_default();
        let asker = self.asker.lock().ok().and_then(|a| a.clone());
        let question = crate::elicit::question(&wire);
        self.asking.fetch_add(1, Ordering::Relaxed);
        let answer = match asker {
            Some(asker) => asker.ask(&question).await,
            None => None,
        };
        self.asking.fetch_sub(1, Ordering::Relaxed);
        serde_json::from_value(crate::elicit::result(&wire, answer.as_deref()))
            .map_err(|e| rmcp::ErrorData::internal_error(e.to_string(), None))
    }

    async fn on_progress(
        &self,
        params: rmcp::model::ProgressNotificationParam,
        _context: rmcp::service::NotificationContext<RoleClient>,
    ) {
        let token = token_key(&params.progress_token);
        let sink = self
            .progress
            .lock()
            .ok()
            .and_then(|sinks| sinks.get(&token).cloned());
        if let Some(sink) = sink {
            sink(
                params.message.as_deref().unwrap_or(""),
                params.progress,
                params.total,
            );
        }
    }
}

/// A listed collection's entries (`[…]` as listed).
fn items(listed: Value) -> Vec<Value> {
    match listed {
        Value::Array(items) => items,
        _ => Vec::new(),
    }
}

fn token_key(token: &ProgressToken) -> String {
    serde_json::to_string(&token.0).unwrap_or_default()
}

/// Why an HTTP server could not be reached.
enum HttpFailure {
    Timeout,
    /// 401 or 403: it wants credentials.
    Refused(u16),
    Other(String),
}

async fn serve_http<C>(
    handler: &Handler,
    transport: rmcp::transport::StreamableHttpClientTransport<C>,
    lifecycle: ClientLifecycleMode,
    timeout: std::time::Duration,
) -> Result<RunningService<RoleClient, Handler>, HttpFailure>
where
    C: rmcp::transport::streamable_http_client::StreamableHttpClient + Send + Sync + 'static,
{
    let served = tokio::time::timeout(
        timeout,
        handler.clone().serve_with_lifecycle(transport, lifecycle),
    )
    .await
    .map_err(|_| HttpFailure::Timeout)?;
    served.map_err(|e| {
        let text = e.to_string();
        if text.contains("401") || text.contains("Auth required") {
            HttpFailure::Refused(401)
        } else if text.contains("403") || text.contains("Insufficient scope") {
            HttpFailure::Refused(403)
        } else {
            HttpFailure::Other(text)
        }
    })
}

/// The last lines a stdio server wrote to stderr: its own words on why it died.
#[derive(Clone, Default)]
struct StderrTail(Arc<Mutex<VecDeque<String>>>);

impl StderrTail {
    const LINES: usize = 20;

    fn push(&self, line: String) {
        if let Ok(mut lines) = self.0.lock() {
            if lines.len() == Self::LINES {
                lines.pop_front();
            }
            lines.push_back(line);
        }
    }

    fn last(&self) -> Option<String> {
        self.0
            .lock()
            .ok()?
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .cloned()
    }
}

pub struct Connection {
    pub server: String,
    pub facts: ServerFacts,
    service: RunningService<RoleClient, Handler>,
    handler: Handler,
    stderr: StderrTail,
    next_token: AtomicI64,
    timeout: std::time::Duration,
    /// A confined server's allowlisting proxy, stopped with the connection.
    proxy: Option<errand_sandbox::ServerProxy>,
}

impl Connection {
    /// Starts (stdio) or reaches (HTTP) the server and completes the lifecycle: the new
    /// spec's discovery where the server speaks it, the `initialize` handshake otherwise.
    pub async fn open(
        server: &str,
        config: &ServerConfig,
        env: &(dyn Fn(&str) -> Option<String> + Sync),
        scope: &crate::confine::Scope,
    ) -> Result<Connection, McpError> {
        let auto = ClientLifecycleMode::Auto {
            preferred_versions: vec![rmcp::model::ProtocolVersion::LATEST],
            legacy_version: Some(rmcp::model::ProtocolVersion::LATEST_WITH_INITIALIZE),
        };
        match Connection::open_with(server, config, env, scope, auto).await {
            // Some servers answer `server/discover` with something else than a discovery
            // result or an error (an empty result): they are legacy servers all the same.
            Err(McpError::Handshake { why, .. }) => {
                tracing::debug!(server, %why, "discovery failed; trying the initialize handshake");
                Connection::open_with(server, config, env, scope, ClientLifecycleMode::Initialize)
                    .await
                    .map_err(|e| match e {
                        McpError::Handshake { server, why } => McpError::Start { server, why },
                        other => other,
                    })
            }
            other => other,
        }
    }

    async fn open_with(
        server: &str,
        config: &ServerConfig,
        env: &(dyn Fn(&str) -> Option<String> + Sync),
        scope: &crate::confine::Scope,
        lifecycle: ClientLifecycleMode,
    ) -> Result<Connection, McpError> {
        let start_error = |why: String| McpError::Start {
            server: server.to_string(),
            why,
        };
        config
            .validate(server)
            .map_err(|e| start_error(e.to_string()))?;
        let mut handler = Handler::offering(config.roots.unwrap_or(true));
        handler.legacy = lifecycle == ClientLifecycleMode::Initialize;
        handler.set_roots(scope.roots());
        let handshake_error = |why: String| McpError::Handshake {
            server: server.to_string(),
            why,
        };
        let timeout = config.timeout();
        let tail = StderrTail::default();
        let Some(program) = &config.command else {
            let url = config.url.clone().unwrap_or_default();
            let http = crate::http::config(&url, &config.headers, env).map_err(&start_error)?;
            let tokens = scope
                .data
                .as_ref()
                .map(|d| crate::oauth::token_file(d, server));
            let signed = match &tokens {
                Some(tokens) => crate::oauth::signed_client(
                    &url,
                    tokens,
                    config.pre_registered(&|var| env(var)),
                )
                .await
                .map_err(&start_error)?,
                None => None,
            };
            let served = match signed {
                Some(client) => {
                    let transport =
                        rmcp::transport::StreamableHttpClientTransport::with_client(client, http);
                    serve_http(&handler, transport, lifecycle, timeout).await
                }
                None => {
                    let transport =
                        rmcp::transport::StreamableHttpClientTransport::from_config(http);
                    serve_http(&handler, transport, lifecycle, timeout).await
                }
            };
            let service = served.map_err(|failure| match failure {
                HttpFailure::Timeout => start_error(format!(
                    "{url} did not complete the MCP handshake within {} s",
                    timeout.as_secs()
                )),
                HttpFailure::Refused(code) => start_error(format!(
                    "{url} refused Errand's credentials (HTTP {code}); sign in with `errand mcp login {server}`, or give a token in the server's `headers`, e.g. headers = {{ Authorization = \"Bearer ${{TOKEN}}\" }}"
                )),
                HttpFailure::Other(text) => handshake_error(format!("{url}: {text}")),
            })?;
            return Ok(Connection::ready(server, service, handler, tail, timeout));
        };
        let (command, pending_proxy) = if config.sandbox {
            crate::confine::command(server, program, config, scope, env)
                .map_err(|why| start_error(format!("cannot start it in the sandbox: {why}")))?
        } else {
            let mut command = tokio::process::Command::new(program);
            command.args(&config.args);
            for (key, value) in &config.env {
                command.env(key, crate::config::expand_env(value, env));
            }
            if let Some(cwd) = &config.cwd {
                command.current_dir(cwd);
            }
            (command, None)
        };
        let (transport, stderr) = rmcp::transport::TokioChildProcess::builder(command)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => start_error(format!(
                    "`{program}` was not found; install it or give its full path in `command`"
                )),
                _ => start_error(format!("cannot run `{program}`: {e}")),
            })?;
        // The allowlisting proxy: its listener comes from inside the server's namespace.
        let proxy = match pending_proxy {
            Some(pending) => Some(
                tokio::task::spawn_blocking(move || pending.start())
                    .await
                    .map_err(|e| start_error(e.to_string()))?
                    .map_err(|e| start_error(format!("cannot start it in the sandbox: {e}")))?,
            ),
            None => None,
        };
        if let Some(stderr) = stderr {
            let tail = tail.clone();
            let server = server.to_string();
            tokio::spawn(async move {
                let mut lines = tokio::io::BufReader::new(stderr).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    tracing::debug!(server = %server, "{line}");
                    tail.push(line);
                }
            });
        }
        let service = tokio::time::timeout(
            timeout,
            handler.clone().serve_with_lifecycle(transport, lifecycle),
        )
        .await
        .map_err(|_| {
            start_error(format!(
                "it did not complete the MCP handshake within {} s{}",
                timeout.as_secs(),
                tail.last()
                    .map(|l| format!(" (it said: {l})"))
                    .unwrap_or_default()
            ))
        })?
        .map_err(|e| {
            handshake_error(format!(
                "{e}{}",
                tail.last()
                    .map(|l| format!(" (it said: {l})"))
                    .unwrap_or_default()
            ))
        })?;
        let mut connection = Connection::ready(server, service, handler, tail, timeout);
        connection.proxy = proxy;
        Ok(connection)
    }

    fn ready(
        server: &str,
        service: RunningService<RoleClient, Handler>,
        handler: Handler,
        stderr: StderrTail,
        timeout: std::time::Duration,
    ) -> Connection {
        let facts = service
            .peer_info()
            .map(|info| {
                let wire = serde_json::to_value(info.as_ref()).unwrap_or_default();
                ServerFacts {
                    protocol_version: info.protocol_version.to_string(),
                    name: info
                        .server_info
                        .as_ref()
                        .map(|i| i.name.clone())
                        .unwrap_or_default(),
                    version: info
                        .server_info
                        .as_ref()
                        .map(|i| i.version.clone())
                        .unwrap_or_default(),
                    instructions: info.instructions.clone(),
                    has_tools: wire.pointer("/capabilities/tools").is_some(),
                    has_resources: wire.pointer("/capabilities/resources").is_some(),
                    has_prompts: wire.pointer("/capabilities/prompts").is_some(),
                }
            })
            .unwrap_or_default();
        Connection {
            server: server.to_string(),
            facts,
            service,
            handler,
            stderr,
            next_token: AtomicI64::new(1),
            timeout,
            proxy: None,
        }
    }

    pub fn is_closed(&self) -> bool {
        self.service.is_closed() || self.service.peer().is_transport_closed()
    }

    pub fn set_roots(&self, roots: Vec<PathBuf>) {
        self.handler.set_roots(roots);
    }

    /// Every tool, all pages.
    pub async fn tools(&self) -> Result<Vec<ListedTool>, McpError> {
        if !self.facts.has_tools {
            return Ok(Vec::new());
        }
        let tools = self
            .request("tools/list", self.service.peer().list_all_tools())
            .await?;
        Ok(items(tools)
            .iter()
            .filter_map(ListedTool::from_wire)
            .collect())
    }

    /// How many resources and prompts the server offers (for listings); 0 when it cannot say.
    pub async fn counts(&self) -> (usize, usize) {
        let resources = self.resources().await.map_or(0, |r| r.len());
        let prompts = self.prompts().await.map_or(0, |p| p.len());
        (resources, prompts)
    }

    /// Every resource the server lists, in the wire's shape.
    pub async fn resources(&self) -> Result<Vec<Value>, McpError> {
        if !self.facts.has_resources {
            return Ok(Vec::new());
        }
        let listed = self
            .request("resources/list", self.service.peer().list_all_resources())
            .await?;
        Ok(items(listed))
    }

    /// One resource's contents, in the wire's shape.
    pub async fn read_resource(&self, uri: &str) -> Result<Value, McpError> {
        let params = rmcp::model::ReadResourceRequestParams::new(uri.to_string());
        self.request("resources/read", self.service.peer().read_resource(params))
            .await
    }

    /// Every prompt the server lists, in the wire's shape.
    pub async fn prompts(&self) -> Result<Vec<Value>, McpError> {
        if !self.facts.has_prompts {
            return Ok(Vec::new());
        }
        let listed = self
            .request("prompts/list", self.service.peer().list_all_prompts())
            .await?;
        Ok(items(listed))
    }

    /// A prompt filled with `arguments`, in the wire's shape (`messages`).
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: serde_json::Map<String, Value>,
    ) -> Result<Value, McpError> {
        let mut params = rmcp::model::GetPromptRequestParams::new(name.to_string());
        params.arguments = Some(arguments);
        self.request(name, self.service.peer().get_prompt(params))
            .await
    }

    /// One request within the server's timeout, its answer in the wire's shape: rmcp's types
    /// follow the spec's changes, Errand reads the few fields it needs.
    async fn request<T: serde::Serialize>(
        &self,
        what: &str,
        request: impl std::future::Future<Output = Result<T, ServiceError>>,
    ) -> Result<Value, McpError> {
        // The timeout is for the server: time the person spends answering its question
        // does not count.
        tokio::pin!(request);
        let answer = loop {
            match tokio::time::timeout(self.timeout, &mut request).await {
                Ok(answer) => break answer.map_err(|e| self.service_error(what, e))?,
                Err(_) if self.handler.asking.load(Ordering::Relaxed) > 0 => continue,
                Err(_) => return Err(self.timed_out(what)),
            }
        };
        serde_json::to_value(&answer).map_err(|e| McpError::Garbled {
            server: self.server.clone(),
            what: what.to_string(),
            why: e.to_string(),
        })
    }

    fn timed_out(&self, what: &str) -> McpError {
        McpError::Timeout {
            server: self.server.clone(),
            tool: what.into(),
            seconds: self.timeout.as_secs(),
        }
    }

    /// Calls a tool and returns the result in its wire form. Dropping the future (the task
    /// was cancelled) sends the server `notifications/cancelled`.
    pub async fn call(
        &self,
        tool: &str,
        arguments: serde_json::Map<String, Value>,
        hooks: CallHooks,
    ) -> Result<Value, McpError> {
        let mut params = CallToolRequestParams::new(tool.to_string()).with_arguments(arguments);
        if let Ok(mut asker) = self.handler.asker.lock() {
            asker.clone_from(&hooks.asker);
        }
        let token = hooks.progress.map(|sink| {
            let id = self.next_token.fetch_add(1, Ordering::Relaxed);
            let token = ProgressToken(rmcp::model::NumberOrString::Number(id));
            if let Ok(mut sinks) = self.handler.progress.lock() {
                sinks.insert(token_key(&token), sink);
            }
            token
        });
        if let Some(token) = &token {
            params.meta = Some(RequestMetaObject::with_progress_token(token.clone()));
        }
        let result = self
            .request(tool, self.service.peer().call_tool(params))
            .await;
        if let (Some(token), Ok(mut sinks)) = (&token, self.handler.progress.lock()) {
            sinks.remove(&token_key(token));
        }
        result
    }

    fn service_error(&self, what: &str, error: ServiceError) -> McpError {
        let server = self.server.clone();
        let what = what.to_string();
        match error {
            ServiceError::McpError(data) => McpError::Refused {
                server,
                what,
                why: data.message.to_string(),
            },
            ServiceError::UnexpectedResponse => McpError::Garbled {
                server,
                what,
                why: "an unexpected kind of response".into(),
            },
            ServiceError::Timeout { timeout } => McpError::Timeout {
                server,
                tool: what,
                seconds: timeout.as_secs(),
            },
            other if crate::oauth::needed_scope(&other).is_some() => McpError::NeedsScope {
                server,
                what,
                scope: crate::oauth::needed_scope(&other).unwrap_or_default(),
            },
            other => McpError::Gone {
                server,
                during: format!(" during `{what}`"),
                why: match self.stderr.last() {
                    Some(line) => format!("{other} (it last said: {line})"),
                    None => other.to_string(),
                },
            },
        }
    }

    /// Stops the server (a stdio child is ended).
    pub async fn close(self) {
        let _ = self.service.cancel().await;
    }
}
