//! What can go wrong when a front end asks the runtime for something, sorted by whose it
//! is to fix: the CLI turns the kind into an exit code, the server into a status.
use errand_core::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The request or the configuration is wrong; the message says how to fix it.
    Invalid,
    /// No such task (or item).
    NotFound,
    /// The request is right but the task is not in a state for it (already answered,
    /// already ended, running elsewhere).
    Conflict,
    /// Errand itself failed (the store, the disk).
    Internal,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct RuntimeError {
    pub kind: ErrorKind,
    pub message: String,
}

impl RuntimeError {
    pub fn invalid(message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            kind: ErrorKind::Invalid,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            kind: ErrorKind::NotFound,
            message: message.into(),
        }
    }
    pub fn conflict(message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            kind: ErrorKind::Conflict,
            message: message.into(),
        }
    }
    pub fn internal(message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            kind: ErrorKind::Internal,
            message: message.into(),
        }
    }
    /// A configuration problem (config.toml, a role file), with its whole chain of causes.
    pub(crate) fn config(e: anyhow::Error) -> RuntimeError {
        RuntimeError::invalid(format!("{e:#}"))
    }
}

impl From<StoreError> for RuntimeError {
    fn from(e: StoreError) -> RuntimeError {
        match e {
            StoreError::NoSuchTask(id) if id.is_empty() => {
                RuntimeError::invalid("give a task id (errand tasks lists them)")
            }
            StoreError::NoSuchTask(_) => RuntimeError::not_found(e.to_string()),
            StoreError::Ambiguous(_) => RuntimeError::invalid(e.to_string()),
            other => RuntimeError::internal(other.to_string()),
        }
    }
}
