//! Errand's built-in tools: the folder-scoped filesystem, its journal and undo.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod changes;
pub mod check;
pub mod command;
pub mod documents;
pub mod exec;
pub mod filetype;
pub mod moves;
pub mod office;
pub mod ops;
mod pictures;
pub mod read;
pub mod state;
pub mod undo;
pub mod worklist;
pub mod workspace;
pub mod write;

use errand_core::ToolRegistry;
use std::sync::Arc;
pub use workspace::Workspace;

/// How the built-in tools behave; the default is what a task uses.
#[derive(Debug, Clone)]
pub struct ToolOptions {
    /// Answer a repeated read of an unchanged file with a pointer to the earlier result.
    pub dedup_reads: bool,
    pub commands: command::CommandSettings,
}

impl Default for ToolOptions {
    fn default() -> Self {
        ToolOptions {
            dedup_reads: true,
            commands: command::CommandSettings::default(),
        }
    }
}

/// Every built-in tool, scoped to the task's folders.
pub fn builtin_tools(workspace: Arc<Workspace>) -> ToolRegistry {
    builtin_tools_with(workspace, ToolOptions::default())
}

pub fn builtin_tools_with(workspace: Arc<Workspace>, options: ToolOptions) -> ToolRegistry {
    let mut registry = ToolRegistry::new();
    read::register(&mut registry, &workspace, options.dedup_reads);
    write::register(&mut registry, &workspace);
    moves::register(&mut registry, &workspace);
    command::register(&mut registry, &workspace, options.commands);
    office::register(&mut registry, &workspace);
    state::register(&mut registry);
    worklist::register(&mut registry);
    group(&mut registry);
    registry
}

/// Tools sent only when loaded: their schemas are most of the fixed context, and most
/// tasks need one group or none. Listing, reading, writing, editing, moving and trashing
/// files, the plan, questions and `finish` are always sent (measured: each group moved out
/// of the core saved its bytes on every request of the local model's eval).
fn group(registry: &mut ToolRegistry) {
    registry.add_group(
        "more_files",
        "search, copy, make folders",
        &["search_files", "copy_path", "make_dir"],
    );
    registry.add_group(
        "office",
        "xlsx with formulas, docx, pptx, pdf",
        &[
            "create_spreadsheet",
            "create_document",
            "create_presentation",
            "create_pdf",
        ],
    );
    registry.add_group("charts", "png/svg", &["create_chart"]);
    registry.add_group("shell", "sandboxed commands", &["run_command"]);
    registry.add_group(
        "worklist",
        "shared with sub-agents",
        &["tasks_list", "task_claim", "task_update"],
    );
    registry.add_group("details", "type, dates, EXIF", &["file_info"]);
}
