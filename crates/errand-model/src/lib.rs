//! Model providers behind errand-core's `Model` trait, and the choice among them.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod context;
pub mod http;
pub mod offline;
#[cfg(test)]
pub(crate) mod replay;
pub mod retry;
pub mod scripted;
pub mod sse;

use errand_core::Model;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    #[error(
        "unknown model spec `{0}`: use offline, scripted:PATH, anthropic:MODEL, openai:MODEL, ollama:MODEL or openai-compatible:MODEL@URL"
    )]
    Unknown(String),
    #[error(
        "the `{0}` provider is not available in this build yet; use `offline` or `scripted:PATH`"
    )]
    NotYet(String),
    #[error("{0}")]
    Script(String),
}

/// Builds the model a spec names (`--model SPEC` / `ERRAND_MODEL`).
pub fn from_spec(spec: &str) -> Result<Arc<dyn Model>, SelectError> {
    let (kind, rest) = spec.split_once(':').unwrap_or((spec, ""));
    match kind {
        "offline" if rest.is_empty() => Ok(Arc::new(offline::Offline)),
        "scripted" if !rest.is_empty() => {
            let model = scripted::Scripted::load(std::path::Path::new(rest))
                .map_err(|e| SelectError::Script(e.to_string()))?;
            Ok(Arc::new(model))
        }
        "anthropic" | "openai" | "ollama" | "openai-compatible" if !rest.is_empty() => {
            Err(SelectError::NotYet(kind.to_string()))
        }
        _ => Err(SelectError::Unknown(spec.to_string())),
    }
}

/// The spec used when none is given: `ERRAND_MODEL`, else the offline planner. Providers
/// chosen by credentials join this list as they are built.
pub fn default_spec(env_model: Option<String>) -> String {
    env_model
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "offline".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_are_checked() {
        assert!(from_spec("offline").is_ok());
        assert!(matches!(from_spec("gpt"), Err(SelectError::Unknown(_))));
        assert!(matches!(
            from_spec("anthropic:claude"),
            Err(SelectError::NotYet(_))
        ));
        assert!(matches!(
            from_spec("scripted:/nonexistent.json"),
            Err(SelectError::Script(_))
        ));
        assert_eq!(default_spec(None), "offline");
        assert_eq!(default_spec(Some("scripted:x".into())), "scripted:x");
    }
}
