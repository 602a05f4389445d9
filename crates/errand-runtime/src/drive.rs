//! Running a task in this process until it ends or must wait for the person.
use crate::config::Config;
use crate::{Progress, Runtime, RuntimeError};
use errand_core::agent::{Delegation, Leasing};
use errand_core::{
    Agent, Approver, Event, Observer, Policy, RunOutcome, Store, TaskView, store::TaskLock,
};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// How a front end watches and answers a run.
pub struct Driver {
    /// Sees every event as it is appended, and transient progress.
    pub observer: Arc<dyn Observer>,
    /// Asks the person on the spot (a terminal); `None`: a request waits in the log.
    pub approver: Option<Arc<dyn Approver>>,
    /// Wait in place for approvals and answers (a background run, the server) instead of
    /// stopping with `RunOutcome::Waiting`.
    pub hold: bool,
    /// Set to stop at the next step; the log keeps the task's place.
    pub interrupt: Arc<AtomicBool>,
}

impl Runtime {
    /// Runs (or resumes) the task here until it ends or waits. A task another process
    /// runs is a `Conflict`.
    pub async fn drive(&self, task_id: &str, driver: Driver) -> Result<RunOutcome, RuntimeError> {
        let Some(_lock) = self.lock_soon(task_id).await? else {
            return Err(RuntimeError::conflict(format!(
                "task {task_id} is running in another process; follow it with `errand watch {task_id}`"
            )));
        };
        let view = TaskView::fold(&self.store.events(task_id)?);
        let config = Config::load().map_err(RuntimeError::config)?;
        let (spec, env) = config.resolve_model(&view.model);
        let model = env
            .build(&spec)
            .map_err(|e| RuntimeError::invalid(e.to_string()))?;
        let reusable = crate::plugins::gather(&view.grants);
        for problem in &reusable.problems {
            driver.observer.progress(problem, 0, 0);
        }
        // Skills' own files are readable by their full path, and their scripts runnable.
        let mut mounts = Vec::new();
        let mut workspace = crate::open_folders(&view.grants)?;
        for root in &reusable.catalog.roots {
            match workspace.mount(root) {
                Ok(()) => mounts.push(root.clone()),
                Err(e) => driver.observer.progress(&e.0, 0, 0),
            }
        }
        let workspace = Arc::new(workspace);
        let mut extra_read = config.sandbox_read();
        extra_read.extend(mounts.iter().cloned());
        let options = errand_tools::ToolOptions {
            commands: errand_tools::command::CommandSettings {
                unsandboxed: view.commands.unsandboxed,
                extra_read,
                network: view.commands.network.clone(),
            },
            ..errand_tools::ToolOptions::default()
        };
        let agents = config.agents.clone();
        let mut servers = config.mcp.servers.clone();
        for (name, server) in reusable.servers.clone() {
            servers.entry(name).or_insert(server);
        }
        let connectors = Arc::new(errand_mcp::Connectors::new(
            servers,
            crate::config::data_dir().ok().map(|d| d.join("mcp")),
        ));
        connectors.set_folders(
            view.grants
                .iter()
                .map(|g| (g.path.clone(), g.writable))
                .collect(),
        );
        let mut tools =
            crate::team::task_tools(workspace.clone(), options.clone(), agents.max_depth > 0);
        let use_skill: Option<Arc<dyn errand_core::Tool>> =
            (!reusable.catalog.is_empty()).then(|| {
                Arc::new(errand_skills::UseSkill::new(
                    reusable.catalog.clone(),
                    &view.outcome,
                )) as Arc<dyn errand_core::Tool>
            });
        if let Some(tool) = &use_skill {
            tools.register(tool.clone());
        }
        if let Some(file) = crate::instructions::memory_for(view.project.as_deref()) {
            tools.register(Arc::new(crate::instructions::Remember { file }));
        }
        tools.register(Arc::new(crate::schedule_tool::ScheduleTask {
            store: self.store.clone(),
            grants: view.grants.clone(),
            mode: view.mode.to_string(),
            model: view.model.clone(),
            project: view.project.clone(),
        }));
        // Sent on demand: most tasks neither remember nor recur.
        tools.add_group(
            "later",
            "remember a preference for later tasks; make this request recur",
            &["remember", "schedule_task"],
        );
        // The web tools, on demand too; one page cache for the task and its sub-agents.
        let web = errand_web::Web::new(view.commands.network.clone(), &config.web);
        web.register(&mut tools);
        let (server_tools, problems) = errand_mcp::ServerTools::collect(&connectors).await;
        for problem in problems {
            driver.observer.progress(&problem.to_string(), 0, 0);
        }
        server_tools.add_to(&mut tools);
        let mut rules = config.rules().map_err(RuntimeError::config)?;
        rules.extend(web.search_rule());
        let policy = Policy::new(view.mode, rules);
        let folder = Config::folder().map_err(RuntimeError::config)?;
        let mut roles = crate::plugins::roles(&reusable.plugins, &config);
        // The person's own roles win over a plugin's of the same name.
        roles.extend(crate::roles::load(&folder).map_err(RuntimeError::config)?);
        let plugin_hooks =
            crate::hooks::PluginHooks::of(&reusable.plugins, &view.grants, mounts.clone())
                .map(Arc::new);
        let mut chain: Vec<Arc<dyn errand_core::agent::Hooks>> = Vec::new();
        if let Some(limits) = errand_skills::limits::SkillLimits::of(
            &reusable.catalog,
            crate::plugins::errand_tool_name,
        ) {
            chain.push(Arc::new(limits));
        }
        if let Some(hooks) = &plugin_hooks {
            chain.push(hooks.clone());
        }
        let hooks: Option<Arc<dyn errand_core::agent::Hooks>> = match chain.len() {
            0 => None,
            1 => chain.pop(),
            _ => Some(Arc::new(errand_core::agent::HookChain(chain))),
        };
        let team = crate::team::Team {
            grants: view.grants.clone(),
            options: options.clone(),
            roles,
            server_tools,
            mounts,
            use_skill,
            web,
            config: Arc::new(config),
        };
        let fanout: Arc<dyn Observer> = Arc::new(Fanout {
            front: driver.observer,
            progress: self.progress.clone(),
            task_id: task_id.to_string(),
        });
        let traced = crate::telemetry::start(
            &team.config,
            &view,
            &self.store.events(task_id)?,
            fanout.clone(),
        );
        let observer: Arc<dyn Observer> = match &traced {
            Some(traced) => traced.clone(),
            None => fanout,
        };
        let checker = Arc::new(errand_tools::check::ResultChecker::new(
            workspace.clone(),
            self.store.clone(),
        ));
        let agent = Agent {
            store: self.store.clone(),
            tools,
            model,
            policy,
            observer,
            approver: driver.approver,
            max_turns: team.config.max_turns.unwrap_or(200),
            stall_turns: team
                .config
                .stall_turns
                .unwrap_or(errand_core::agent::STALLED_TURNS_BEFORE_NUDGE),
            interrupt: driver.interrupt,
            who: None,
            hold: driver.hold,
            delegation: Some(Arc::new(Delegation {
                factory: Arc::new(team),
                concurrency: agents.concurrency.max(1),
                max_depth: agents.max_depth,
                default_max_turns: agents.max_turns.max(1),
                depth: 0,
                spent: Default::default(),
            })),
            leases: Leasing {
                enabled: !leases_off_for_tests(),
                wait: std::time::Duration::from_secs(agents.lease_wait_s),
            },
            checker: Some(checker),
            hooks,
        };
        let outcome = agent
            .run(task_id)
            .await
            .map_err(|e| RuntimeError::internal(e.to_string()));
        connectors.close_all().await;
        if let Some(traced) = &traced
            && let Ok(events) = self.store.events(task_id)
        {
            crate::telemetry::end(traced, &TaskView::fold(&events));
        }
        if let Some(hooks) = &plugin_hooks
            && let Ok(events) = self.store.events(task_id)
        {
            hooks.ended(&TaskView::fold(&events)).await;
        }
        outcome
    }

    /// Takes the task's run lock, retrying briefly: `watch`, `say` and `run --detach`
    /// probe the lock for a moment to see whether anyone runs the task, and such a probe
    /// must not turn a starting run away.
    async fn lock_soon(&self, task_id: &str) -> Result<Option<Box<dyn TaskLock>>, RuntimeError> {
        for _ in 0..25 {
            if let Some(lock) = self.store.lock_task(task_id)? {
                return Ok(Some(lock));
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        Ok(None)
    }
}

/// The front end's observer, plus progress for anyone else following the process's tasks.
struct Fanout {
    front: Arc<dyn Observer>,
    progress: tokio::sync::broadcast::Sender<Progress>,
    task_id: String,
}

impl Observer for Fanout {
    fn event(&self, event: &Event) {
        self.front.event(event);
    }
    fn progress(&self, label: &str, done: u64, total: u64) {
        self.front.progress(label, done, total);
        // Nobody listening is the common case, not an error.
        let _ = self.progress.send(Progress {
            task_id: self.task_id.clone(),
            label: label.to_string(),
            done,
            total,
        });
    }
}

/// Tests that show what leases prevent turn them off; only a debug build listens.
fn leases_off_for_tests() -> bool {
    cfg!(debug_assertions) && std::env::var("ERRAND_TEST_NO_LEASES").is_ok_and(|v| v == "1")
}
