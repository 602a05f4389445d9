//! The JSON API: tasks and everything a person says to them (docs/api.md).
use crate::AppState;
use crate::error::{ApiError, ApiResult};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use errand_core::Mode;
use errand_runtime::{FolderRequest, Steered, TaskRequest};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::sync::Arc;

type App = State<Arc<AppState>>;

/// Pages are at most this long, so one request stays cheap at any store size.
const MAX_PAGE: usize = 200;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/tasks", get(list).post(create))
        .route("/api/tasks/{id}", get(show))
        .route("/api/tasks/{id}/approvals", get(approvals))
        .route("/api/tasks/{id}/changes", get(changes))
        .route("/api/tasks/{id}/approve", post(approve))
        .route("/api/tasks/{id}/deny", post(deny))
        .route("/api/tasks/{id}/answer", post(answer))
        .route("/api/tasks/{id}/say", post(say))
        .route("/api/tasks/{id}/pause", post(pause))
        .route("/api/tasks/{id}/continue", post(resume))
        .route("/api/tasks/{id}/cancel", post(cancel))
        .route("/api/tasks/{id}/undo", post(undo))
        .route("/api/trash", get(trash))
        .route("/api/trash/{id}/restore", post(restore))
        .route("/api/models", get(models))
        .route("/api/projects", get(projects))
        .route("/api/schedules", get(schedules))
        .route("/api/schedules/{id}/pause", post(pause_schedule))
        .route("/api/schedules/{id}/resume", post(resume_schedule))
        .route("/api/schedules/{id}/run", post(run_schedule))
        .route("/api/schedules/{id}/remove", post(remove_schedule))
}

/// A JSON body, with an error that says which field is wrong; an empty body is `{}`.
pub(crate) fn body<T: DeserializeOwned>(bytes: &Bytes) -> ApiResult<T> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("the request body is not what this needs: {e}")))
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    offset: usize,
    limit: Option<usize>,
}

async fn list(State(app): App, Query(query): Query<ListQuery>) -> ApiResult<Json<Value>> {
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let (tasks, total) = app.runtime.tasks_page(&query.q, query.offset, limit)?;
    Ok(Json(json!({
        "tasks": tasks, "total": total, "offset": query.offset, "limit": limit,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    outcome: String,
    #[serde(default)]
    folders: Vec<FolderRequest>,
    mode: Option<String>,
    model: Option<String>,
    #[serde(alias = "budget")]
    max_tokens_total: Option<u64>,
    /// A project's name: its folders are added, its instructions and memory read.
    project: Option<String>,
}

async fn create(State(app): App, bytes: Bytes) -> ApiResult<(StatusCode, Json<Value>)> {
    let request: CreateBody = body(&bytes)?;
    let mode = match request.mode.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(text.parse::<Mode>().map_err(ApiError::bad_request)?),
    };
    let created = app
        .runtime
        .create_from(TaskRequest {
            outcome: request.outcome,
            folders: request.folders,
            mode,
            model: request.model,
            max_tokens_total: request.max_tokens_total.filter(|n| *n > 0),
            roots: Some(app.roots.clone()),
            project: request.project.filter(|p| !p.trim().is_empty()),
            ..TaskRequest::default()
        })
        .await?;
    app.runner.start(&created.id);
    Ok((StatusCode::CREATED, Json(json!({ "id": created.id }))))
}

/// The projects, for the workspace's new-task form.
async fn projects(State(app): App) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "projects": app.runtime.projects()? })))
}

/// The schedules, as `errand schedule list --json` prints them.
async fn schedules(State(app): App) -> ApiResult<Json<Value>> {
    Ok(Json(
        json!({ "schedules": app.runtime.schedule_summaries()? }),
    ))
}

async fn pause_schedule(State(app): App, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let schedule = app.runtime.set_schedule_paused(&id, true)?;
    Ok(Json(json!({ "schedule": schedule })))
}

/// Resuming counts from now: the time it was paused is not "missed".
async fn resume_schedule(State(app): App, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let schedule = app.runtime.set_schedule_paused(&id, false)?;
    Ok(Json(json!({ "schedule": schedule })))
}

/// One run now, as `errand schedule run` makes it, driven by this server like any task.
async fn run_schedule(
    State(app): App,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let (_, task) = app.runtime.run_schedule_now(&id)?;
    app.runner.start(&task);
    Ok((StatusCode::CREATED, Json(json!({ "task": task }))))
}

async fn remove_schedule(State(app): App, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let schedule = app.runtime.remove_schedule(&id)?;
    Ok(Json(json!({ "removed": schedule.id })))
}

async fn show(State(app): App, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(app.runtime.show(&id)?))
}

async fn approvals(State(app): App, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "approvals": app.runtime.approvals(&id)? })))
}

async fn changes(State(app): App, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let changes = app.runtime.changes(&id)?;
    Ok(Json(json!({ "count": changes.len(), "changes": changes })))
}

/// Answers a steering request, and runs the task here when no process does, so what
/// the person allowed happens even if the process that asked has gone.
fn steered(app: &AppState, steered: &Steered, carry_on: bool) -> ApiResult<Json<Value>> {
    if carry_on && !steered.running {
        app.runner.start(&steered.id);
    }
    let state = app.runtime.task(&steered.id)?.state;
    Ok(Json(json!({ "ok": true, "state": state })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApproveBody {
    call_id: Option<String>,
    #[serde(default)]
    always: bool,
}

async fn approve(State(app): App, Path(id): Path<String>, bytes: Bytes) -> ApiResult<Json<Value>> {
    let request: ApproveBody = body(&bytes)?;
    let resolved = app
        .runtime
        .resolve(&id, request.call_id.as_deref(), true, request.always)?;
    steered(&app, &resolved.steered, true)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DenyBody {
    call_id: Option<String>,
}

async fn deny(State(app): App, Path(id): Path<String>, bytes: Bytes) -> ApiResult<Json<Value>> {
    let request: DenyBody = body(&bytes)?;
    let resolved = app
        .runtime
        .resolve(&id, request.call_id.as_deref(), false, false)?;
    steered(&app, &resolved.steered, true)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerBody {
    #[serde(alias = "text")]
    answer: String,
}

async fn answer(State(app): App, Path(id): Path<String>, bytes: Bytes) -> ApiResult<Json<Value>> {
    let request: AnswerBody = body(&bytes)?;
    let (done, _) = app.runtime.answer(&id, &request.answer)?;
    steered(&app, &done, true)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SayBody {
    #[serde(alias = "text")]
    message: String,
}

async fn say(State(app): App, Path(id): Path<String>, bytes: Bytes) -> ApiResult<Json<Value>> {
    let request: SayBody = body(&bytes)?;
    let done = app.runtime.say(&id, &request.message)?;
    steered(&app, &done, false)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

async fn pause(State(app): App, Path(id): Path<String>, bytes: Bytes) -> ApiResult<Json<Value>> {
    body::<Empty>(&bytes)?;
    let done = app.runtime.pause(&id)?;
    steered(&app, &done, false)
}

async fn resume(State(app): App, Path(id): Path<String>, bytes: Bytes) -> ApiResult<Json<Value>> {
    body::<Empty>(&bytes)?;
    let done = app.runtime.resume_paused(&id)?;
    steered(&app, &done, true)
}

async fn cancel(State(app): App, Path(id): Path<String>, bytes: Bytes) -> ApiResult<Json<Value>> {
    body::<Empty>(&bytes)?;
    let done = app.runtime.cancel(&id)?;
    steered(&app, &done, false)
}

async fn undo(State(app): App, Path(id): Path<String>, bytes: Bytes) -> ApiResult<Json<Value>> {
    body::<Empty>(&bytes)?;
    Ok(Json(serde_json::to_value(app.runtime.undo(&id)?).map_err(
        |e| ApiError::bad_request(format!("cannot encode the undo report: {e}")),
    )?))
}

async fn trash(State(app): App) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "items": app.runtime.trash()? })))
}

async fn restore(State(app): App, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    let path = app.runtime.restore(id)?;
    Ok(Json(json!({ "restored": path })))
}

async fn models(State(_app): App) -> ApiResult<Json<Value>> {
    let list = errand_runtime::ModelList::probe().await?;
    Ok(Json(
        json!({ "models": list.models, "default": list.default }),
    ))
}
