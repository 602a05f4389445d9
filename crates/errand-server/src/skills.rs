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
