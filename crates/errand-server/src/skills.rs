//! Reusable work in the workspace: the commands the outcome box completes after `/`, and a
//! finished task saved as a skill (a recipe's at once; a model's draft shown for review).
use crate::AppState;
use crate::api::body;
use crate::error::{ApiError, ApiResult};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

type App = State<Arc<AppState>>;

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/commands", get(commands))
        .route("/api/tasks/{id}/skill", post(save))
        .route("/api/plugins", get(plugins))
        .route("/api/plugins/{name}/{action}", post(set_enabled))
        .route("/api/connectors", get(connectors))
}

fn library() -> ApiResult<errand_skills::Library> {
    Ok(errand_runtime::plugins::library()?)
}

fn skills_error(e: errand_skills::SkillsError) -> ApiError {
    match e {
        errand_skills::SkillsError::NotFound(m) | errand_skills::SkillsError::Invalid(m) => {
            ApiError::bad_request(m)
        }
        other => ApiError::from(errand_runtime::RuntimeError::internal(other.to_string())),
    }
}

async fn plugins(State(_app): App) -> ApiResult<Json<Value>> {
    let rows = tokio::task::spawn_blocking(|| -> ApiResult<Vec<Value>> {
        let library = library()?;
        let plugins = library.plugins().map_err(skills_error)?;
        Ok(plugins
            .iter()
            .map(|(i, p)| errand_skills::library::row(i, p))
            .collect())
    })
    .await
    .map_err(|e| ApiError::from(errand_runtime::RuntimeError::internal(e.to_string())))??;
    Ok(Json(json!({ "plugins": rows })))
}

async fn set_enabled(
    State(_app): App,
    Path((name, action)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    body::<serde_json::Map<String, Value>>(&bytes)?;
    let enabled = match action.as_str() {
        "enable" => true,
        "disable" => false,
        other => {
            return Err(ApiError::bad_request(format!(
                "`{other}` is not enable or disable"
            )));
        }
    };
    library()?
        .set_enabled(&name, enabled)
        .map_err(skills_error)?;
    Ok(Json(json!({ "name": name, "enabled": enabled })))
}

/// The person's configured MCP servers, each connected to now (as `errand mcp list`), and
/// the servers plugins bring, listed without connecting.
async fn connectors(State(_app): App) -> ApiResult<Json<Value>> {
    let config =
        errand_runtime::Config::load().map_err(|e| ApiError::bad_request(format!("{e:#}")))?;
    let configured = errand_runtime::mcp::list(&config).await;
    let from_plugins = tokio::task::spawn_blocking(|| -> Vec<Value> {
        let Ok(library) = errand_runtime::plugins::library() else {
            return Vec::new();
        };
        library
            .enabled()
            .unwrap_or_default()
            .iter()
            .flat_map(|p| {
                p.mcp_servers.iter().map(|s| {
                    json!({
                        "name": errand_runtime::plugins::connector_name(&p.name, &s.name),
                        "plugin": p.name,
                        "transport": s.transport,
                        "target": s.target,
                        "needs": s.needs,
                    })
                })
            })
            .collect()
    })
    .await
    .unwrap_or_default();
    Ok(Json(
        json!({ "servers": configured, "from_plugins": from_plugins }),
    ))
}

async fn commands(State(_app): App) -> ApiResult<Json<Value>> {
    let reusable = tokio::task::spawn_blocking(|| errand_runtime::plugins::gather(&[]))
        .await
        .map_err(|e| ApiError::from(errand_runtime::RuntimeError::internal(e.to_string())))?;
    let list = errand_skills::commands::invocables(&reusable.plugins, &reusable.catalog);
    Ok(Json(json!({ "commands": list })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveRequest {
    name: String,
    /// The SKILL.md the person reviewed; absent: draft it (or save a recipe's at once).
    #[serde(default)]
    text: Option<String>,
}

async fn save(State(app): App, Path(id): Path<String>, bytes: Bytes) -> ApiResult<Json<Value>> {
    let request: SaveRequest = body(&bytes)?;
    let draft = match &request.text {
        Some(text) => errand_runtime::reviewed_skill(&request.name, text)?,
        None => {
            let draft = app.runtime.draft_skill(&id, &request.name, None).await?;
            if draft.drafted {
                return Ok(Json(
                    json!({"saved": false, "name": draft.name, "draft": draft.text}),
                ));
            }
            draft
        }
    };
    draft.save()?;
    Ok(Json(
        json!({"saved": true, "name": draft.name, "path": draft.path}),
    ))
}
