//! A server's tools as Errand tools: `mcp__SERVER__TOOL`, in a group per server sent on
//! demand, their effect read from the server's annotations, their results read as data.
use crate::client::ListedTool;
use crate::pool::Connectors;
use async_trait::async_trait;
use errand_core::tool::Assessment;
use errand_core::{Effect, Tool, ToolContext, ToolError, ToolOutput, ToolRegistry, ToolSpec};
use serde_json::Value;
use std::sync::Arc;

/// Tool descriptions past this are clipped: some servers ship pages of prose.
const DESCRIPTION_LIMIT: usize = 1_000;

pub fn tool_name(server: &str, tool: &str) -> String {
    format!("mcp__{server}__{tool}")
}

pub fn group_name(server: &str) -> String {
    format!("mcp__{server}")
}

pub struct McpTool {
    server: String,
    listed: ListedTool,
    connectors: Arc<Connectors>,
}

impl McpTool {
    pub fn new(server: &str, listed: ListedTool, connectors: Arc<Connectors>) -> McpTool {
        McpTool {
            server: server.to_string(),
            listed,
            connectors,
        }
    }
}

#[async_trait]
impl Tool for McpTool {
    fn spec(&self) -> ToolSpec {
        let mut description: String = self
            .listed
            .description
            .chars()
            .take(DESCRIPTION_LIMIT)
            .collect();
        if description.is_empty() {
            description = format!("`{}` of the MCP server {}", self.listed.name, self.server);
        }
        ToolSpec {
            name: tool_name(&self.server, &self.listed.name),
            description,
            input_schema: self.listed.input_schema.clone(),
        }
    }

    /// Only what the server declares: `readOnlyHint` reads, `destructiveHint` deletes
    /// (always asks), anything else acts on the world (asks in ask mode).
    fn effect(&self) -> Effect {
        if self.listed.read_only {
            Effect::Read
        } else if self.listed.destructive {
            Effect::Delete
        } else {
            Effect::Exec
        }
    }

    fn assess(&self, _ctx: &ToolContext, input: &Value) -> Result<Assessment, ToolError> {
        if !(input.is_object() || input.is_null()) {
            return Err(ToolError::new(format!(
                "the input of {} must be a JSON object of its arguments",
                tool_name(&self.server, &self.listed.name)
            )));
        }
        let arguments = input.to_string();
        let shown: String = arguments.chars().take(300).collect();
        Ok(Assessment {
            summary: format!(
                "{} on the MCP server {} with {}{}",
                self.listed.name,
                self.server,
                shown,
                if shown.len() < arguments.len() {
                    "…"
                } else {
                    ""
                }
            ),
            preview: Vec::new(),
            subjects: Vec::new(),
            replaces_existing: false,
            no_lease: true,
            always_ask: None,
        })
    }

    async fn call(&self, ctx: &ToolContext, input: Value) -> Result<ToolOutput, ToolError> {
        let arguments = match input {
            Value::Object(map) => map,
            Value::Null => serde_json::Map::new(),
            _ => return Err(ToolError::new("the input must be a JSON object")),
        };
        if ctx.resuming && !self.listed.read_only {
            // The call started before a crash and may have acted: repeating it could act twice.
            return Err(ToolError::new(format!(
                "interrupted; effect unknown: {} on the MCP server {} was running when Errand stopped. Check its result before calling it again.",
                self.listed.name, self.server
            )));
        }
        let sink_ctx = ctx.progress.clone();
        let progress: crate::client::ProgressSink = Arc::new(move |message, done, total| {
            let label = if message.is_empty() {
                "working"
            } else {
                message
            };
            sink_ctx(
                label,
                done.max(0.0) as u64,
                total.unwrap_or(0.0).max(0.0) as u64,
            );
        });
        let hooks = || crate::client::CallHooks {
            progress: Some(progress.clone()),
            asker: ctx.asker.clone(),
        };
        let mut result = self.cancellable(ctx, arguments.clone(), hooks()).await?;
        // Signed in with too little for this: the person may sign in again, once, for more.
        if let Err(scope) = &result
            && let Some(scope) = scope.needed_scope()
            && self.signed_in_again(ctx, scope).await
        {
            result = self.cancellable(ctx, arguments, hooks()).await?;
        }
        let result = result.map_err(|e| ToolError::new(e.to_string()))?;
        crate::results::render_result(&self.server, &self.listed.name, &result, &|full| {
            ctx.store.put_blob(full.as_bytes()).ok()
        })
    }
}

impl McpTool {
    /// The call, ended early when the person cancels the task or interrupts the run
    /// (dropping the call tells the server to stop).
    async fn cancellable(
        &self,
        ctx: &ToolContext,
        arguments: serde_json::Map<String, Value>,
        hooks: crate::client::CallHooks,
    ) -> Result<Result<Value, crate::McpError>, ToolError> {
        let call = self
            .connectors
            .call(&self.server, &self.listed.name, arguments, hooks);
        tokio::select! {
            result = call => Ok(result),
            why = stopped(ctx) => Err(ToolError::new(format!(
                "{} on the MCP server {} was cancelled: {why}",
                self.listed.name, self.server
            ))),
        }
    }

    /// Asks the person whether to sign in again for `scope`, and does so when they agree.
    async fn signed_in_again(&self, ctx: &ToolContext, scope: &str) -> bool {
        let Some(asker) = &ctx.asker else {
            return false;
        };
        let question = format!(
            "The MCP server {} needs more access for {} (scope: {scope}). Sign in again now? A browser page will open. Answer yes or no.",
            self.server, self.listed.name
        );
        let agreed = asker
            .ask(&question)
            .await
            .is_some_and(|a| a.trim().to_ascii_lowercase().starts_with('y'));
        if !agreed {
            return false;
        }
        let server = self.server.clone();
        let open = move |page: &str| crate::oauth::open_in_browser(&server, page);
        match self
            .connectors
            .sign_in_again(&self.server, scope, &open)
            .await
        {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(server = %self.server, error = %e, "signing in again failed");
                false
            }
        }
    }
}

/// Resolves when the person cancels the task or interrupts the run; never otherwise.
async fn stopped(ctx: &ToolContext) -> &'static str {
    loop {
        if ctx.interrupted() {
            return "the run was interrupted";
        }
        let cancelled = ctx
            .store
            .resolve_task(&ctx.task_id)
            .is_ok_and(|row| row.state == errand_core::TaskState::Cancelled);
        if cancelled {
            return "the task was cancelled";
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

/// Arguments that fit a tool's input schema: each required property (every property when
/// none is marked) gets its default, or a plain value of its type.
pub fn example_arguments(schema: &Value) -> serde_json::Map<String, Value> {
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut arguments = serde_json::Map::new();
    for (i, (name, property)) in properties.iter().enumerate() {
        if !required.is_empty() && !required.contains(&name.as_str()) {
            continue;
        }
        let value = property.get("default").cloned().unwrap_or_else(|| {
            match property.get("type").and_then(Value::as_str) {
                Some("number") | Some("integer") => Value::from(i as i64 + 1),
                Some("boolean") => Value::Bool(true),
                Some("array") => Value::Array(Vec::new()),
                Some("object") => Value::Object(serde_json::Map::new()),
                _ => property
                    .get("enum")
                    .and_then(|e| e.get(0))
                    .cloned()
                    .unwrap_or_else(|| Value::from("errand")),
            }
        });
        arguments.insert(name.clone(), value);
    }
    arguments
}

/// Every configured server's tools, listed once per task and added to the task's registry
/// and to each sub-agent's.
#[derive(Clone, Default)]
pub struct ServerTools {
    connectors: Option<Arc<Connectors>>,
    /// (server, its tools)
    servers: Vec<(String, Vec<ListedTool>)>,
}

impl ServerTools {
    /// Lists each server's tools (from the cache, else by starting it). A server that cannot
    /// be listed is left out, and its error returned so the front end can say so.
    pub async fn collect(
        connectors: &Arc<Connectors>,
    ) -> (ServerTools, Vec<crate::client::McpError>) {
        let mut problems = Vec::new();
        let mut servers = Vec::new();
        for server in connectors.names() {
            match connectors.tools(&server).await {
                Ok(listed) => servers.push((server, listed)),
                Err(e) => {
                    tracing::warn!(server = %server, error = %e, "an MCP server's tools are not available");
                    problems.push(e);
                }
            }
        }
        let collected = ServerTools {
            connectors: Some(connectors.clone()),
            servers,
        };
        (collected, problems)
    }

    /// Each server's tools as a group `mcp__SERVER`, sent on demand, and the resource tools.
    pub fn add_to(&self, registry: &mut ToolRegistry) {
        let Some(connectors) = &self.connectors else {
            return;
        };
        crate::resources::register(registry, connectors);
        for (server, listed) in &self.servers {
            let names: Vec<String> = listed.iter().map(|t| tool_name(server, &t.name)).collect();
            for tool in listed {
                registry.register(Arc::new(McpTool::new(
                    server,
                    tool.clone(),
                    connectors.clone(),
                )));
            }
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            registry.add_group(
                &group_name(server),
                &format!("tools of the MCP server {server} ({} tools)", names.len()),
                &refs,
            );
        }
    }
}
