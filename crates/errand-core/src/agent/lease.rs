//! File leases taken before a call writes, so two workers never write one file at once
//! and every replaced version reaches the journal.
use super::{Agent, AgentError, RunOutcome};
use crate::grant::Grant;
use crate::task::TaskView;
use crate::tool::{Assessment, Effect};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How long a writer waits for a path another holds before its call is refused.
pub const DEFAULT_LEASE_WAIT: Duration = Duration::from_secs(60);
const LEASE_POLL: Duration = Duration::from_millis(25);

#[derive(Debug, Clone, Copy)]
pub struct Leasing {
    /// Off only in tests that show what leases prevent.
    pub enabled: bool,
    pub wait: Duration,
}

impl Default for Leasing {
    fn default() -> Self {
        Leasing {
            enabled: true,
            wait: DEFAULT_LEASE_WAIT,
        }
    }
}

pub(crate) enum Refusal {
    /// Another writer kept the path past the wait; the message names it.
    Held(String),
    Stop(RunOutcome),
}

/// The absolute path a tool path names, as leases key it; `None` if it names no grant.
pub fn lease_key(grants: &[Grant], tool_path: &str) -> Option<String> {
    let mut parts = tool_path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .peekable();
    let root = if grants.len() == 1 {
        &grants[0]
    } else {
        let first = parts.next()?;
        grants.iter().find(|g| g.name == first)?
    };
    let mut path: PathBuf = root.path.clone();
    path.extend(parts);
    Some(path.to_string_lossy().into_owned())
}

impl Agent {
    /// Leases what a writing call touches, waiting while another writer holds any of it.
    pub(crate) async fn lease(
        &self,
        view: &TaskView,
        effect: Effect,
        assessment: &Assessment,
    ) -> Result<Option<Refusal>, AgentError> {
        if !self.leases.enabled
            || assessment.no_lease
            || !matches!(effect, Effect::Write | Effect::Delete)
        {
            return Ok(None);
        }
        let keys: Vec<String> = assessment
            .subjects
            .iter()
            .filter_map(|s| lease_key(&view.grants, s))
            .collect();
        if keys.is_empty() {
            return Ok(None);
        }
        let started = Instant::now();
        loop {
            let Some(holder) = self
                .store
                .lease_acquire(&view.id, self.who.as_deref(), &keys)?
            else {
                return Ok(None);
            };
            if started.elapsed() >= self.leases.wait {
                let whom = match (&holder.agent, holder.task_id == view.id) {
                    (Some(agent), true) => format!("sub-agent {agent} of this task"),
                    (None, true) => "this task's main agent".to_string(),
                    (_, false) => match self.store.resolve_task(&holder.task_id) {
                        Ok(row) => format!("task {} (\"{}\")", row.id, row.outcome),
                        Err(_) => format!("task {}", holder.task_id),
                    },
                };
                let shown = assessment
                    .subjects
                    .iter()
                    .find(|s| lease_key(&view.grants, s).as_ref() == Some(&holder.path))
                    .cloned()
                    .unwrap_or(holder.path);
                return Ok(Some(Refusal::Held(format!(
                    "`{shown}` is being written by {whom}, which holds it until it finishes \
                     (waited {}s); write a different file, or come back to this one later",
                    self.leases.wait.as_secs()
                ))));
            }
            tokio::time::sleep(LEASE_POLL).await;
            if self.interrupt.load(Ordering::Relaxed) {
                return Ok(Some(Refusal::Stop(RunOutcome::Interrupted)));
            }
            if let Some(stop) = self.steer(&view.id).await? {
                return Ok(Some(Refusal::Stop(stop)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_absolute_and_name_the_grant() {
        let one = vec![Grant {
            name: "docs".into(),
            path: "/home/p/docs".into(),
            writable: true,
        }];
        assert_eq!(
            lease_key(&one, "./a//b.md").as_deref(),
            Some("/home/p/docs/a/b.md")
        );
        let two = vec![
            one[0].clone(),
            Grant {
                name: "out".into(),
                path: "/tmp/out".into(),
                writable: true,
            },
        ];
        assert_eq!(
            lease_key(&two, "out/r.xlsx").as_deref(),
            Some("/tmp/out/r.xlsx")
        );
        assert_eq!(lease_key(&two, "elsewhere/r.xlsx"), None);
    }
}
