//! Errand's built-in tools: the folder-scoped filesystem, its journal and undo.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod exec;
pub mod filetype;
pub mod moves;
pub mod ops;
pub mod read;
pub mod state;
pub mod undo;
pub mod workspace;
pub mod write;

use errand_core::ToolRegistry;
use std::sync::Arc;
pub use workspace::Workspace;

/// Every built-in tool, scoped to the task's folders.
pub fn builtin_tools(workspace: Arc<Workspace>) -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    read::register(&mut registry, &workspace);
    write::register(&mut registry, &workspace);
    moves::register(&mut registry, &workspace);
    state::register(&mut registry);
    registry
}
