//! Connectors: Errand as an MCP client of the person's servers (tools `mcp__SERVER__TOOL`,
//! started when first called, failures named and survived) on the official SDK, `rmcp`.
//! Configuration lives in `config`, one live server in `client`, the process's servers in
//! `pool`, and what a task sees of them in `tools`.
pub mod client;
pub mod config;
mod confine;
mod elicit;
mod http;
pub mod oauth;
mod pages;
pub mod pool;
pub mod prompts;
pub mod resources;
pub mod results;
pub mod tools;

pub use client::{CallHooks, ListedTool, McpError, ServerFacts};
pub use config::{ConfigError, ServerConfig, parse_mcp_json, validate_name};
pub use confine::Scope;
pub use pool::Connectors;
pub use tools::{ServerTools, group_name, tool_name};
