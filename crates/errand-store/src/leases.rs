//! File leases: a writer's claim on a path, shared by every process using this store.
use crate::{db_err, lock};
use errand_core::{LeaseHolder, StoreError, now_ms};
use rusqlite::{Connection, TransactionBehavior, params};
use std::path::Path;

/// The task's own agent, as stored (the key column cannot be NULL).
const MAIN: &str = "";

/// Whether `(task, agent)` may write a path `(held_task, held_agent)` holds. A task's own
/// agent and its sub-agents may share paths (the parent waits while they run); siblings
/// and other tasks may not.
fn compatible(task: &str, agent: &str, held_task: &str, held_agent: &str) -> bool {
    task == held_task && (agent == held_agent || agent == MAIN || held_agent == MAIN)
}

pub(crate) fn acquire(
    conn: &mut Connection,
    locks: &Path,
    task_id: &str,
    agent: Option<&str>,
    paths: &[String],
) -> Result<Option<LeaseHolder>, StoreError> {
    let agent = agent.unwrap_or(MAIN);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_err)?;
    let mut dead: Vec<String> = Vec::new();
    {
        let mut holders = tx
            .prepare_cached("SELECT task_id, agent FROM leases WHERE path = ?1")
            .map_err(db_err)?;
        for path in paths {
            let rows = holders
                .query_map([path], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .map_err(db_err)?;
            for (held_task, held_agent) in rows {
                if compatible(task_id, agent, &held_task, &held_agent) || dead.contains(&held_task)
                {
                    continue;
                }
                // Leases die with their holder: a task no process runs holds nothing.
                if held_task != task_id && !lock::is_held(locks, &held_task)? {
                    dead.push(held_task);
                    continue;
                }
                return Ok(Some(LeaseHolder {
                    path: path.clone(),
                    task_id: held_task,
                    agent: (held_agent != MAIN).then_some(held_agent),
                }));
            }
        }
    }
    for task in &dead {
        tx.execute("DELETE FROM leases WHERE task_id = ?1", [task])
            .map_err(db_err)?;
    }
    {
        let mut insert = tx
            .prepare_cached(
                "INSERT OR IGNORE INTO leases (path, task_id, agent, at) VALUES (?1, ?2, ?3, ?4)",
            )
            .map_err(db_err)?;
        let at = now_ms();
        for path in paths {
            insert
                .execute(params![path, task_id, agent, at])
                .map_err(db_err)?;
        }
    }
    tx.commit().map_err(db_err)?;
    Ok(None)
}

pub(crate) fn release(
    conn: &Connection,
    task_id: &str,
    agent: Option<&str>,
) -> Result<(), StoreError> {
    match agent {
        Some(agent) => conn.execute(
            "DELETE FROM leases WHERE task_id = ?1 AND agent = ?2",
            params![task_id, agent],
        ),
        None => conn.execute("DELETE FROM leases WHERE task_id = ?1", [task_id]),
    }
    .map_err(db_err)?;
    Ok(())
}
