//! Folders a person granted to a task, and how freely the task may act in them.
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// One granted folder. `name` is how tool paths address it when a task has several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub name: String,
    pub path: PathBuf,
    pub writable: bool,
}

/// How much the task may do without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Approve the plan, then each write, delete and exec.
    #[default]
    Ask,
    /// Act without asking, except deletes, replacing files the task did not make, and `ask` rules.
    Auto,
    /// Read-only: produce a plan only.
    Plan,
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ask" => Ok(Mode::Ask),
            "auto" => Ok(Mode::Auto),
            "plan" => Ok(Mode::Plan),
            other => Err(format!("unknown mode `{other}`: use ask, auto or plan")),
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Ask => "ask",
            Mode::Auto => "auto",
            Mode::Plan => "plan",
        })
    }
}

/// Network access for commands a task runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "hosts")]
pub enum Network {
    /// None at all (the default).
    #[default]
    Off,
    /// Only these hosts, through Errand's allowlisting proxy (`*.example.com` for subdomains).
    Hosts(Vec<String>),
    /// Everything the machine reaches.
    All,
}

/// What the person allowed the task's commands beyond the sandbox's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandGrant {
    #[serde(default)]
    pub network: Network,
    /// Run commands unconfined where the sandbox cannot be set up (`--unsafe-no-sandbox`).
    #[serde(default)]
    pub unsandboxed: bool,
}

impl CommandGrant {
    pub fn is_default(&self) -> bool {
        self == &CommandGrant::default()
    }
}
