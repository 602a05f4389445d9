//! Live events over SSE. A task's stream sends its log from `Last-Event-ID` (or `?after=`)
//! on, then each new event as the store changes, whichever process appended it: each
//! event once, in order, with its `seq` as the SSE id, so a reconnecting page loses and
//! repeats nothing. The list stream sends tasks as they change.
use crate::AppState;
use crate::error::ApiResult;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use errand_core::Store;
use futures_util::Stream;
use serde::Deserialize;
use std::collections::{HashSet, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

const KEEP_ALIVE: Duration = Duration::from_secs(15);

pub(crate) fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/tasks/{id}/events", get(task_events))
        .route("/api/stream", get(task_list))
}

#[derive(Deserialize)]
struct After {
    after: Option<i64>,
}

/// A live stream, with a comment line now and then so proxies and browsers keep it open.
fn live(stream: impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static) -> Response {
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE).text("keep-alive"))
        .into_response()
}

/// Where a task's stream is, between sends.
struct TaskFeed {
    app: Arc<AppState>,
    id: String,
    seq: i64,
    queue: VecDeque<SseEvent>,
    changes: tokio::sync::watch::Receiver<u64>,
    progress: tokio::sync::broadcast::Receiver<errand_runtime::Progress>,
    stopping: tokio::sync::watch::Receiver<bool>,
}

impl TaskFeed {
    /// Queues everything after `seq`; false when the store cannot be read.
    fn catch_up(&mut self) -> bool {
        // Marked seen first: a change landing after the read wakes the next wait.
        self.changes.borrow_and_update();
        match self.app.runtime.store().events_after(&self.id, self.seq) {
            Ok(events) => {
                for event in events {
                    self.seq = event.seq;
                    match serde_json::to_string(&event) {
                        Ok(json) => self
                            .queue
                            .push_back(SseEvent::default().id(event.seq.to_string()).data(json)),
                        Err(e) => tracing::warn!(error = %e, "cannot encode an event"),
                    }
                }
                true
            }
            Err(e) => {
                tracing::warn!(task = %self.id, error = %e, "cannot read the task's events");
                false
            }
        }
    }

    async fn next(mut self) -> Option<(Result<SseEvent, Infallible>, TaskFeed)> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some((Ok(event), self));
            }
            if !self.catch_up() {
                return None;
            }
            if !self.queue.is_empty() {
                continue;
            }
            tokio::select! {
                changed = self.changes.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                }
                progress = self.progress.recv() => {
                    if let Ok(p) = progress
                        && p.task_id == self.id
                        && let Ok(json) = serde_json::to_string(&p)
                    {
                        self.queue.push_back(SseEvent::default().data(json));
                    }
                }
                _ = self.stopping.changed() => return None,
            }
        }
    }
}

async fn task_events(
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(query): Query<After>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let row = app.runtime.task(&id)?;
    let resume_from = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let feed = TaskFeed {
        changes: app.runtime.store_changes(),
        progress: app.runtime.progress(),
        stopping: app.stopping.clone(),
        app,
        id: row.id,
        seq: resume_from.or(query.after).unwrap_or(0).max(0),
        queue: VecDeque::new(),
    };
    let stream = futures_util::stream::unfold(feed, TaskFeed::next);
    Ok(live(stream))
}

/// Where the list stream is: tasks changed at `since` already sent, by id.
struct ListFeed {
    app: Arc<AppState>,
    since: i64,
    sent_at_since: HashSet<(String, &'static str)>,
    queue: VecDeque<SseEvent>,
    changes: tokio::sync::watch::Receiver<u64>,
    stopping: tokio::sync::watch::Receiver<bool>,
}

impl ListFeed {
    fn catch_up(&mut self) {
        self.changes.borrow_and_update();
        let rows = match self
            .app
            .runtime
            .store()
            .tasks_updated_since(self.since, 500)
        {
            Ok(rows) => rows,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read changed tasks");
                return;
            }
        };
        for row in rows {
            let key = (row.id.clone(), row.state.as_str());
            if row.updated_at == self.since && self.sent_at_since.contains(&key) {
                continue;
            }
            if row.updated_at > self.since {
                self.since = row.updated_at;
                self.sent_at_since.clear();
            }
            self.sent_at_since.insert(key);
            let json = serde_json::json!({"type": "task", "task": row});
            self.queue
                .push_back(SseEvent::default().data(json.to_string()));
        }
    }

    async fn next(mut self) -> Option<(Result<SseEvent, Infallible>, ListFeed)> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Some((Ok(event), self));
            }
            tokio::select! {
                changed = self.changes.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                }
                _ = self.stopping.changed() => return None,
            }
            self.catch_up();
        }
    }
}

async fn task_list(State(app): State<Arc<AppState>>) -> ApiResult<Response> {
    let mut feed = ListFeed {
        changes: app.runtime.store_changes(),
        stopping: app.stopping.clone(),
        app,
        since: errand_core::now_ms(),
        sent_at_since: HashSet::new(),
        queue: VecDeque::new(),
    };
    feed.changes.borrow_and_update();
    let stream = futures_util::stream::unfold(feed, ListFeed::next);
    Ok(live(stream))
}
