//! The web workspace: the task runtime over HTTP (JSON under `/api`), every task's events
//! live over SSE, and the UI embedded in the binary. It is a door like the CLI: it only
//! translates between the wire and [`errand_runtime::Runtime`]. Tasks started here run in
//! this process and wait in place for the person; tasks other processes run show up live
//! because the store is shared. Every request needs the token (see `guard`).
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod api;
mod error;
mod files;
mod guard;
mod mcp;
mod notify;
mod runner;
mod scheduler;
mod skills;
mod stream;
mod ui;

use axum::Router;
use errand_runtime::Runtime;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use mcp::McpDoor;
pub use runner::Runner;

/// How often the store is checked for other processes' appends. SQLite's `data_version`
/// costs microseconds, and a CLI run's events should reach an open page promptly.
const OTHER_PROCESSES_POLL: Duration = Duration::from_millis(20);

/// What a server needs to run.
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// The secret every request must carry.
    pub token: String,
    /// Folders a task may be granted, and the folder picker's tops.
    pub roots: Vec<PathBuf>,
}

/// Shared by every request.
pub(crate) struct AppState {
    pub runtime: Arc<Runtime>,
    pub runner: Arc<Runner>,
    pub token: String,
    /// The port requests must be addressed to (`Host`).
    pub port: u16,
    pub roots: Vec<PathBuf>,
    /// Flips to true when the server stops, ending live streams.
    pub stopping: tokio::sync::watch::Receiver<bool>,
    /// Cancelled when the server stops, ending MCP sessions.
    pub mcp_stop: tokio_util::sync::CancellationToken,
}

/// A bound server: its address is known (for `--port 0`) before it serves.
pub struct Server {
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Server {
    /// Binds the port and prepares the runtime; nothing is served or resumed yet.
    pub async fn bind(runtime: Arc<Runtime>, options: ServeOptions) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(options.listen).await?;
        let port = listener.local_addr()?.port();
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let runner = Arc::new(Runner::new(runtime.clone()));
        let state = Arc::new(AppState {
            runtime,
            runner,
            token: options.token,
            port,
            roots: options.roots,
            stopping,
            mcp_stop: tokio_util::sync::CancellationToken::new(),
        });
        Ok(Server {
            listener,
            state,
            stop,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Resumes interrupted tasks, then serves until `shutdown` completes; then stops the
    /// tasks it runs at their next step (they keep their place in the log).
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let watcher = self
            .state
            .runtime
            .watch_other_processes(OTHER_PROCESSES_POLL);
        match self.state.runtime.interrupted() {
            Ok(rows) => {
                for row in rows {
                    tracing::info!(task = %row.id, "resuming an interrupted task");
                    self.state.runner.start(&row.id);
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot look for interrupted tasks"),
        }
        let schedules = tokio::spawn(scheduler::run(
            self.state.runtime.clone(),
            self.state.runner.clone(),
            self.state.stopping.clone(),
        ));
        let app = router(self.state.clone());
        let stop = self.stop;
        let mcp_stop = self.state.mcp_stop.clone();
        let result = axum::serve(self.listener, app)
            .with_graceful_shutdown(async move {
                shutdown.await;
                // Live streams never end on their own; tell them to.
                let _ = stop.send(true);
                mcp_stop.cancel();
            })
            .await;
        watcher.abort();
        schedules.abort();
        self.state.runner.stop_all(Duration::from_secs(5)).await;
        result
    }
}

/// Every route, behind the guard.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let door = mcp::McpDoor::with_runner(
        state.runtime.clone(),
        state.runner.clone(),
        state.roots.clone(),
    );
    let routes = api::routes()
        .merge(stream::routes())
        .merge(files::routes())
        .merge(skills::routes())
        .merge(ui::routes())
        .route_service("/mcp", mcp::http_service(door, state.mcp_stop.clone()));
    routes
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ))
        .with_state(state)
}
