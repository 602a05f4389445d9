//! Errand as an MCP server: other agents and editors hand it knowledge work. A door like
//! the HTTP API — each tool translates to one runtime call — served over stdio by
//! `errand mcp serve`. Tasks started here run in this process and wait in place for
//! approvals, which any door (this one, the workspace, the CLI) may give.
use crate::runner::Runner;
use errand_core::{Mode, Store};
use errand_runtime::{FolderRequest, Runtime, RuntimeError, Steered, TaskRequest};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, ServerHandler};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Tasks as resources: `errand://tasks/ID`.
const TASK_URI: &str = "errand://tasks/";

/// The longest a `get_task` call waits for the task to end or need the person.
const MAX_WAIT_S: u64 = 600;

#[derive(Clone)]
pub struct McpDoor {
    runtime: Arc<Runtime>,
    runner: Arc<Runner>,
    roots: Vec<PathBuf>,
}

impl McpDoor {
    /// `roots` bounds the folders a task may be granted, as in the workspace.
    pub fn new(runtime: Arc<Runtime>, roots: Vec<PathBuf>) -> McpDoor {
        let runner = Arc::new(Runner::new(runtime.clone()));
        McpDoor::with_runner(runtime, runner, roots)
    }

    /// Sharing a server's runner: tasks started over MCP run beside the workspace's.
    pub(crate) fn with_runner(
        runtime: Arc<Runtime>,
        runner: Arc<Runner>,
        roots: Vec<PathBuf>,
    ) -> McpDoor {
        McpDoor {
            runtime,
            runner,
            roots,
        }
    }

    /// Serves one client on stdin/stdout until it hangs up; then the tasks this process
    /// runs stop at their next step, keeping their place.
    pub async fn serve_stdio(self) -> Result<(), String> {
        use rmcp::ServiceExt;
        let runner = self.runner.clone();
        let service = self
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| format!("the MCP client did not connect: {e}"))?;
        let ended = service.waiting().await;
        runner.stop_all(Duration::from_secs(5)).await;
        ended.map(|_| ()).map_err(|e| e.to_string())
    }

    async fn call(
        &self,
        name: &str,
        input: Value,
        context: &RequestContext<RoleServer>,
    ) -> Result<Value, String> {
        let text = |key: &str| -> Result<String, String> {
            input
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("`{key}` (a string) is required"))
        };
        let runtime = &self.runtime;
        match name {
            "start_task" => {
                let folders: Vec<FolderRequest> = serde_json::from_value(
                    input.get("folders").cloned().unwrap_or_else(|| json!([])),
                )
                .map_err(|e| format!("`folders` must be a list of folder paths: {e}"))?;
                let mode = match input.get("mode").and_then(Value::as_str) {
                    None | Some("") => None,
                    Some(text) => Some(text.parse::<Mode>()?),
                };
                let created = runtime
                    .create_from(TaskRequest {
                        outcome: text("outcome")?,
                        folders,
                        mode,
                        model: input
                            .get("model")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        roots: Some(self.roots.clone()),
                        ..TaskRequest::default()
                    })
                    .await
                    .map_err(words)?;
                self.runner.start(&created.id);
                Ok(
                    json!({"id": created.id, "hint": "follow it with get_task (wait_s waits for it to end or need you)"}),
                )
            }
            "get_task" => {
                let id = text("id")?;
                let wait = input
                    .get("wait_s")
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
                    .min(MAX_WAIT_S);
                self.wait(&id, Duration::from_secs(wait), context).await?;
                runtime.show(&id).map_err(words)
            }
            "list_tasks" => {
                let query = input.get("query").and_then(Value::as_str).unwrap_or("");
                let limit = input
                    .get("limit")
                    .and_then(Value::as_u64)
                    .unwrap_or(20)
                    .clamp(1, 200);
                let (tasks, total) = runtime
                    .tasks_page(query, 0, limit as usize)
                    .map_err(words)?;
                Ok(json!({"tasks": tasks, "total": total}))
            }
            "approve" | "deny" => {
                let approved = name == "approve";
                let always = approved
                    && input
                        .get("always")
                        .and_then(Value::as_bool)
                        .unwrap_or(false);
                let call_id = input.get("call_id").and_then(Value::as_str);
                let resolved = runtime
                    .resolve(&text("id")?, call_id, approved, always)
                    .map_err(words)?;
                self.carry_on(&resolved.steered, true)
            }
            "answer" => {
                let (steered, _) = runtime
                    .answer(&text("id")?, &text("text")?)
                    .map_err(words)?;
                self.carry_on(&steered, true)
            }
            "say" => {
                let steered = runtime.say(&text("id")?, &text("text")?).map_err(words)?;
                self.carry_on(&steered, false)
            }
            "cancel" => {
                let steered = runtime.cancel(&text("id")?).map_err(words)?;
                self.carry_on(&steered, false)
            }
            "undo" => serde_json::to_value(runtime.undo(&text("id")?).map_err(words)?)
                .map_err(|e| e.to_string()),
            other => Err(format!(
                "no tool `{other}`; the tools are {}",
                TOOLS.iter().map(|t| t.0).collect::<Vec<_>>().join(", ")
            )),
        }
    }

    /// Runs the task here when no process does, so what the client allowed happens.
    fn carry_on(&self, steered: &Steered, run: bool) -> Result<Value, String> {
        if run && !steered.running {
            self.runner.start(&steered.id);
        }
        let state = self.runtime.task(&steered.id).map_err(words)?.state;
        Ok(json!({"ok": true, "state": state}))
    }

    /// Waits until the task ends or waits for the person, sending each new event to the
    /// client as a progress notification when it asked for progress.
    async fn wait(
        &self,
        id: &str,
        limit: Duration,
        context: &RequestContext<RoleServer>,
    ) -> Result<(), String> {
        let id = self.runtime.task(id).map_err(words)?.id;
        let id = id.as_str();
        let deadline = tokio::time::Instant::now() + limit;
        let token = context.meta.get_progress_token();
        // Only what is new since the last look: a long task's log is not read again each time.
        let mut last_seq = 0;
        loop {
            let events = self
                .runtime
                .store()
                .events_after(id, last_seq)
                .map_err(|e| e.to_string())?;
            if let Some(token) = &token {
                for event in &events {
                    let params = serde_json::from_value(json!({
                        "progressToken": token.0, "progress": event.seq, "message": event.kind.name(),
                    }));
                    if let Ok(params) = params {
                        let _ = context.peer.notify_progress(params).await;
                    }
                }
            }
            last_seq = events.last().map_or(last_seq, |e| e.seq);
            let state = self.runtime.task(id).map_err(words)?.state;
            let settled = state.is_terminal() || state == errand_core::TaskState::Waiting;
            if settled || tokio::time::Instant::now() >= deadline || context.ct.is_cancelled() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn words(error: RuntimeError) -> String {
    error.to_string()
}

/// (name, description, input schema, read-only, destructive).
type ToolRow = (&'static str, &'static str, fn() -> Value, bool, bool);

const TOOLS: &[ToolRow] = &[
    (
        "start_task",
        "Start an Errand task: describe the outcome and grant folders. Returns its id; it runs in the background.",
        || {
            json!({"type": "object", "required": ["outcome", "folders"], "properties": {
            "outcome": {"type": "string", "description": "What the person wants done, e.g. \"organize my downloads by type and date\""},
            "folders": {"type": "array", "description": "Folders to grant: paths, or {path, writable}", "items": {}},
            "mode": {"type": "string", "enum": ["ask", "auto", "plan"], "description": "ask (default): approve each change; auto: changes run, deletes ask; plan: read-only"},
            "model": {"type": "string", "description": "A model spec or profile name; default: the configured one"}}})
        },
        false,
        false,
    ),
    (
        "get_task",
        "A task's state, plan, activity summary, deliverables and anything waiting for approval. wait_s waits (up to 600 s) for it to end or need the person, sending progress.",
        || {
            json!({"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"}, "wait_s": {"type": "integer", "minimum": 0, "maximum": MAX_WAIT_S}}})
        },
        true,
        false,
    ),
    (
        "list_tasks",
        "Tasks, newest first.",
        || {
            json!({"type": "object", "properties": {
            "query": {"type": "string", "description": "Words the outcome contains"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 200}}})
        },
        true,
        false,
    ),
    (
        "approve",
        "Approve what a task is waiting for (the first request, or call_id), then let it go on.",
        || {
            json!({"type": "object", "required": ["id"], "properties": {
            "id": {"type": "string"}, "call_id": {"type": "string"},
            "always": {"type": "boolean", "description": "Also approve later calls of the same tool in this task"}}})
        },
        false,
        false,
    ),
    (
        "deny",
        "Refuse what a task is waiting for; the task goes on without it.",
        || json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "call_id": {"type": "string"}}}),
        false,
        false,
    ),
    (
        "answer",
        "Answer the question a task asked.",
        || json!({"type": "object", "required": ["id", "text"], "properties": {"id": {"type": "string"}, "text": {"type": "string"}}}),
        false,
        false,
    ),
    (
        "say",
        "Tell a running task something; it reads it before its next step.",
        || json!({"type": "object", "required": ["id", "text"], "properties": {"id": {"type": "string"}, "text": {"type": "string"}}}),
        false,
        false,
    ),
    (
        "cancel",
        "Stop a task for good at its next step (what it did stays; undo reverses it).",
        || json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}),
        false,
        true,
    ),
    (
        "undo",
        "Reverse everything a task changed, byte for byte; replaced files go to Errand's trash.",
        || json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}),
        false,
        true,
    ),
];

fn tool_list() -> Result<ListToolsResult, ErrorData> {
    let tools: Vec<Value> = TOOLS
        .iter()
        .map(|(name, description, schema, read_only, destructive)| {
            json!({
                "name": name, "description": description, "inputSchema": schema(),
                "annotations": {"readOnlyHint": read_only, "destructiveHint": destructive,
                    "idempotentHint": *read_only, "openWorldHint": false},
            })
        })
        .collect();
    serde_json::from_value(json!({ "tools": tools }))
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))
}

fn result(outcome: Result<Value, String>) -> CallToolResponse {
    let (text, is_error, structured) = match outcome {
        Ok(value) => (
            serde_json::to_string_pretty(&value).unwrap_or_default(),
            false,
            Some(value),
        ),
        Err(message) => (message, true, None),
    };
    let mut wire = json!({"content": [{"type": "text", "text": text}], "isError": is_error});
    if let Some(value) = structured.filter(Value::is_object) {
        wire["structuredContent"] = value;
    }
    let result: CallToolResult =
        serde_json::from_value(wire).unwrap_or_else(|_| CallToolResult::success(Vec::new()));
    CallToolResponse::Complete(result)
}

impl ServerHandler for McpDoor {
    fn get_info(&self) -> ServerConfig {
        let capabilities: ServerCapabilities =
            serde_json::from_value(json!({"tools": {}, "resources": {}, "logging": {}}))
                .unwrap_or_default();
        let mut info = ServerConfig::new(capabilities).with_instructions(
            "Errand does knowledge work on a person's folders: start_task, then get_task with wait_s to follow it. Changes may need approval (approve/deny); undo reverses a task.",
        );
        info.server_info = rmcp::model::Implementation::new("errand", env!("CARGO_PKG_VERSION"));
        info
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        tool_list()
    }

    /// Tasks, newest first, as `errand://tasks/ID`: what `get_task` returns, readable as data.
    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::ListResourcesResult, ErrorData> {
        let (tasks, _) = self
            .runtime
            .tasks_page("", 0, 50)
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        let resources: Vec<Value> = tasks
            .iter()
            .filter_map(|t| serde_json::to_value(t).ok())
            .map(|t| {
                let id = t.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
                json!({
                    "uri": format!("{TASK_URI}{id}"),
                    "name": format!("task {id}"),
                    "title": t.get("outcome").and_then(Value::as_str).unwrap_or_default(),
                    "description": format!("state: {}", t.get("state").and_then(Value::as_str).unwrap_or("?")),
                    "mimeType": "application/json",
                })
            })
            .collect();
        serde_json::from_value(json!({ "resources": resources }))
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))
    }

    async fn read_resource(
        &self,
        request: rmcp::model::ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::ReadResourceResponse, ErrorData> {
        let Some(id) = request.uri.strip_prefix(TASK_URI) else {
            return Err(ErrorData::resource_not_found(
                format!(
                    "no resource {}; Errand's resources are {TASK_URI}ID",
                    request.uri
                ),
                None,
            ));
        };
        let shown = self
            .runtime
            .show(id)
            .map_err(|e| ErrorData::resource_not_found(e.to_string(), None))?;
        let read: rmcp::model::ReadResourceResult = serde_json::from_value(json!({"contents": [{
            "uri": request.uri, "mimeType": "application/json",
            "text": serde_json::to_string_pretty(&shown).unwrap_or_default(),
        }]}))
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        Ok(read.into())
    }

    /// Accepted: Errand sends no log messages over MCP; task events go as progress. (Logging
    /// is deprecated by the 2026 spec; clients on 2025-11-25 still set a level.)
    #[allow(deprecated)]
    async fn set_level(
        &self,
        _request: rmcp::model::SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        Ok(())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let input = Value::Object(request.arguments.unwrap_or_default());
        Ok(result(self.call(&request.name, input, &context).await))
    }
}

/// `/mcp` on `errand serve`: the same tools over streamable HTTP, behind the workspace's
/// guard (token, Host and Origin checks), so rmcp's own Host check is not needed.
pub(crate) fn http_service(
    door: McpDoor,
    stop: tokio_util::sync::CancellationToken,
) -> rmcp::transport::StreamableHttpService<
    McpDoor,
    rmcp::transport::streamable_http_server::session::local::LocalSessionManager,
> {
    let config = rmcp::transport::StreamableHttpServerConfig::default()
        .disable_allowed_hosts()
        .with_cancellation_token(stop);
    rmcp::transport::StreamableHttpService::new(move || Ok(door.clone()), Arc::default(), config)
}
