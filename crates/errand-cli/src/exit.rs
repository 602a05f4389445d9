//! The CLI's exit codes, a public contract (see DESIGN.md).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Done = 0,
    Failed = 1,
    Usage = 2,
    Waiting = 3,
    Cancelled = 4,
    /// Finished, but the result check found problems (`errand show` lists them).
    Problems = 5,
}

/// An error that is the person's to fix (usage or configuration): exit 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Exit(pub String);

impl Exit {
    pub fn usage(message: impl Into<String>) -> Exit {
        Exit(message.into())
    }
}
