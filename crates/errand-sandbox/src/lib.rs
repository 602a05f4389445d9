//! The sandbox `run_command` uses: a command confined by Landlock (files and TCP), new
//! user, PID, mount, IPC, UTS and network namespaces, a seccomp filter and rlimits.
//! Nothing here needs privileges, and nothing is silently skipped: `check` says what this
//! machine enforces, and a run refuses when a layer it needs is missing.
pub mod cgroup;
pub mod check;
pub mod output;
pub mod proxy;
pub mod rules;
pub mod run;
pub mod spawn;

pub use check::{Enforcement, check};
pub use run::{Confinement, Ending, Limits, NetworkAccess, Outcome, Overlay, run, run_unconfined};
pub use spawn::{PendingProxy, ServerProxy, confine};

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error(
        "the sandbox cannot be set up on this machine (missing: {0}); see `errand sandbox check`"
    )]
    Unavailable(String),
    #[error("landlock: {0}")]
    Landlock(String),
    #[error("seccomp: {0}")]
    Seccomp(String),
    #[error("{0}")]
    Path(String),
    #[error("{0}")]
    Spawn(String),
}
