//! What a task's agents are built from: the tool set (scoped for sub-agents), roles and
//! models. The core's `delegate` asks this for each sub-agent it starts.
use crate::config::Config;
use errand_core::agent::{Role, SubagentFactory, register_agent_tools};
use errand_core::{Grant, Model, ToolRegistry};
use errand_tools::{ToolOptions, Workspace, builtin_tools_with};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Every tool a task offers: the built-in ones over `workspace`, plus `ask_user` and,
/// where allowed, `delegate`.
pub fn task_tools(workspace: Arc<Workspace>, options: ToolOptions, delegate: bool) -> ToolRegistry {
    let mut registry = builtin_tools_with(workspace, options);
    register_agent_tools(&mut registry, delegate);
    registry
}

pub struct Team {
    pub grants: Vec<Grant>,
    pub options: ToolOptions,
    pub roles: BTreeMap<String, Role>,
    /// The MCP servers' tools, listed once for the task: sub-agents get them too.
    pub server_tools: errand_mcp::ServerTools,
    /// Skill folders readable by full path, and `use_skill`, for sub-agents too.
    pub mounts: Vec<std::path::PathBuf>,
    pub use_skill: Option<Arc<dyn errand_core::Tool>>,
    /// `web_fetch` and `web_search`, sharing the task's page cache.
    pub web: Arc<errand_web::Web>,
    pub config: Arc<Config>,
}

impl SubagentFactory for Team {
    fn role(&self, name: &str) -> Option<Role> {
        self.roles.get(name).cloned()
    }

    fn role_names(&self) -> Vec<String> {
        self.roles.keys().cloned().collect()
    }

    fn tools(&self, folders: &[String], names: &[String]) -> Result<ToolRegistry, String> {
        let mut workspace = Workspace::scoped(&self.grants, folders).map_err(|e| e.0)?;
        for mount in &self.mounts {
            workspace.mount(mount).map_err(|e| e.0)?;
        }
        // Whether `delegate` survives is decided by `names`, which the core limits by depth.
        let mut registry = task_tools(Arc::new(workspace), self.options.clone(), true);
        self.server_tools.add_to(&mut registry);
        if let Some(tool) = &self.use_skill {
            registry.register(tool.clone());
        }
        self.web.register(&mut registry);
        registry.retain(names);
        Ok(registry)
    }

    fn model(&self, spec: &str, ordinal: usize) -> Result<Arc<dyn Model>, String> {
        let (spec, env) = self.config.resolve_model(spec);
        env.build_subagent(&spec, ordinal)
            .map_err(|e| e.to_string())
    }
}
