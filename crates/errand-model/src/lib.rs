//! Model providers behind errand-core's `Model` trait, and the choice among them.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod anthropic;
pub mod context;
pub mod http;
/// The offline planner's recipes live with the rest of Errand's reusable work.
pub use errand_skills::recipes as offline;
pub mod openai;
pub mod pictures;
pub mod retry;
pub mod scripted;
pub mod select;
pub mod sse;

pub use select::{ModelEnv, SelectError};

/// Builds the model a spec names, with credentials and endpoints from the environment.
pub fn from_spec(spec: &str) -> Result<std::sync::Arc<dyn errand_core::Model>, SelectError> {
    ModelEnv::from_process().build(spec)
}
