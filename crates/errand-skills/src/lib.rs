//! Reusable work, in one home: plugins in the Claude format (skills, slash commands,
//! sub-agent roles, hooks, MCP servers), the marketplaces they come from, and the person's
//! own skills, and the built-in recipes the offline planner runs (`recipes`). Front ends and the runtime reach it through [`Library`] (what is installed),
//! [`Catalog`] (what a task may use) and [`commands::expand`] (what `/name` means).
pub mod catalog;
pub mod commands;
pub mod frontmatter;
pub mod hooks;
pub mod library;
pub mod limits;
pub mod marketplace;
pub mod plugin;
pub mod recipes;

pub use catalog::{Catalog, USE_SKILL, UseSkill};
pub use library::{Installed, Library, Origin};
pub use marketplace::{Marketplace, Source};
pub use plugin::{AgentDef, Plugin, Skill};

use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum SkillsError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    /// A git source could not be fetched (no network, no such commit).
    #[error("{0}")]
    Fetch(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl SkillsError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> SkillsError {
        SkillsError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
