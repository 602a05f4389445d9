//! The web UI: static files compiled into the binary. No CDN, no build step; the
//! page is plain ES modules and talks to the API like any other client.
use crate::AppState;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;

const INDEX: &str = include_str!("../ui/index.html");
const SCRIPT: &str = include_str!("../ui/app.js");
const CONNECTORS: &str = include_str!("../ui/connectors.js");
const SCHEDULES: &str = include_str!("../ui/schedules.js");
const STYLE: &str = include_str!("../ui/style.css");

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/",
            get(|| async { page(INDEX, "text/html; charset=utf-8") }),
        )
        .route(
            "/app.js",
            get(|| async { page(SCRIPT, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/connectors.js",
            get(|| async { page(CONNECTORS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/schedules.js",
            get(|| async { page(SCHEDULES, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/style.css",
            get(|| async { page(STYLE, "text/css; charset=utf-8") }),
        )
}

fn page(body: &'static str, kind: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
}
