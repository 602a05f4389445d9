//! The SQLite [`Store`]: tasks and their append-only event logs, the file journal,
//! content-addressed blobs and cross-process run locks, all under one data directory.
//!
//! Several processes share the directory at once (one runs a task while another appends
//! an approval), so every write runs in a `BEGIN IMMEDIATE` transaction: SQLite then
//! serialises writers on the file lock, and a sequence number read inside the
//! transaction cannot be taken by anyone else before it commits.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod blobs;
mod leases;
mod lock;
mod schedules;
mod schema;
#[cfg(test)]
mod tests;
mod worklist;

use errand_core::store::TaskLock;
use errand_core::{
    Claim, Event, EventKind, JournalOp, JournalRecord, JournalState, LeaseHolder, Store,
    StoreError, TaskRow, TaskState, WorkItem, WorkStatus, now_ms,
};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// A [`Store`] kept in `home/errand.db`, with blobs, trash and locks beside it.
pub struct SqliteStore {
    home: PathBuf,
    conn: Mutex<Connection>,
    /// Told of every event this store appends, after it is committed (a server wakes its
    /// live streams with it); other processes' appends show in [`SqliteStore::data_version`].
    listener: std::sync::OnceLock<Listener>,
}

/// Called with each event appended through this store.
pub type Listener = Box<dyn Fn(&Event) + Send + Sync>;

impl SqliteStore {
    /// Opens the store in `home`, creating the directory layout and database if missing
    /// and applying any pending schema migrations.
    pub fn open(home: &Path) -> Result<SqliteStore, StoreError> {
        for dir in [
            home.to_path_buf(),
            home.join("blobs"),
            home.join("trash"),
            home.join("locks"),
        ] {
            fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        }
        let conn = schema::open(&home.join("errand.db"))?;
        Ok(SqliteStore {
            home: home.to_path_buf(),
            conn: Mutex::new(conn),
            listener: std::sync::OnceLock::new(),
        })
    }

    /// Sets the one listener told of every event appended through this store; a second
    /// call is ignored.
    pub fn set_listener(&self, listener: Listener) {
        let _ = self.listener.set(listener);
    }

    fn tell(&self, event: &Event) {
        if let Some(listener) = self.listener.get() {
            listener(event);
        }
    }

    /// Tasks changed at or after `since` (milliseconds), oldest change first, at most
    /// `limit`: what a live task list needs after the store changed.
    pub fn tasks_updated_since(
        &self,
        since: i64,
        limit: usize,
    ) -> Result<Vec<TaskRow>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {TASK_COLUMNS} FROM tasks WHERE updated_at >= ?1 ORDER BY updated_at LIMIT ?2"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query_map(params![since, limit as i64], task_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db_err)?;
        rows.into_iter().map(finish_task).collect()
    }

    /// SQLite's `data_version`: it changes when another connection (another process)
    /// commits, so polling it is a cheap way to notice their appends.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.conn()?
            .query_row("PRAGMA data_version", [], |row| row.get(0))
            .map_err(db_err)
    }

    /// Appends one event in its own transaction. With `unanswered`, only if that call has
    /// no answer (approval or reply) in the log yet, checked inside the transaction, so
    /// two people answering one request from two processes cannot both win.
    fn append_checked(
        &self,
        task_id: &str,
        agent: Option<&str>,
        kind: EventKind,
        unanswered: Option<&str>,
    ) -> Result<Option<Event>, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        // One query tells "no task" (no row) from "task without events" (NULL max).
        let last: Option<Option<i64>> = tx
            .query_row(
                "SELECT (SELECT MAX(seq) FROM events WHERE task_id = ?1) FROM tasks WHERE id = ?1",
                [task_id],
                |row| row.get(0),
            )
            .optional()
            .map_err(db_err)?;
        let Some(last) = last else {
            return Err(StoreError::NoSuchTask(task_id.to_string()));
        };
        if let Some(call_id) = unanswered {
            let answered: bool = tx
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM events WHERE task_id = ?1
                       AND kind IN ('approval_resolved', 'question_answered')
                       AND json_extract(body, '$.call_id') = ?2)",
                    params![task_id, call_id],
                    |row| row.get(0),
                )
                .map_err(db_err)?;
            if answered {
                return Ok(None);
            }
        }
        let seq = last.unwrap_or(0) + 1;
        let at = now_ms();
        insert_event(&tx, task_id, seq, at, agent, &kind)?;
        match &kind {
            // The listed state is the task's; sub-agents never change it.
            EventKind::StateChanged { state, .. } if agent.is_none() => tx.execute(
                "UPDATE tasks SET updated_at = ?2, state = ?3 WHERE id = ?1",
                params![task_id, at, state.as_str()],
            ),
            _ => tx.execute(
                "UPDATE tasks SET updated_at = ?2 WHERE id = ?1",
                params![task_id, at],
            ),
        }
        .map_err(db_err)?;
        tx.commit().map_err(db_err)?;
        drop(conn);
        let event = Event {
            task_id: task_id.to_string(),
            seq,
            at,
            agent: agent.map(str::to_string),
            kind,
        };
        self.tell(&event);
        Ok(Some(event))
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        // A panic while holding the guard may have left a transaction half-done in
        // memory; refuse rather than build on it.
        self.conn
            .lock()
            .map_err(|_| StoreError::Database("store lock poisoned".into()))
    }
}

pub(crate) fn db_err(e: rusqlite::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn insert_event(
    conn: &Connection,
    task_id: &str,
    seq: i64,
    at: i64,
    agent: Option<&str>,
    kind: &EventKind,
) -> Result<(), StoreError> {
    let body = serde_json::to_string(kind)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode event for task {task_id}: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO events (task_id, seq, at, kind, body, agent) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut stmt| stmt.execute(params![task_id, seq, at, kind.name(), body, agent]))
    .map_err(db_err)?;
    Ok(())
}

const TASK_COLUMNS: &str = "id, outcome, state, created_at, updated_at";

fn task_row(row: &Row<'_>) -> rusqlite::Result<(TaskRow, String)> {
    let state: String = row.get(2)?;
    let task = TaskRow {
        id: row.get(0)?,
        outcome: row.get(1)?,
        state: TaskState::default(),
        created_at: row.get(3)?,
        updated_at: row.get(4)?,
    };
    Ok((task, state))
}

/// Turns the raw state column into a [`TaskState`]; an unknown word is corruption.
fn finish_task((mut task, state): (TaskRow, String)) -> Result<TaskRow, StoreError> {
    task.state = TaskState::parse(&state).ok_or_else(|| {
        StoreError::Corrupt(format!("task {} has unknown state `{state}`", task.id))
    })?;
    Ok(task)
}

/// Escapes LIKE wildcards so a prefix matches only itself (used with `ESCAPE '\'`).
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn task_exists(conn: &Connection, task_id: &str) -> Result<bool, StoreError> {
    conn.query_row("SELECT 1 FROM tasks WHERE id = ?1", [task_id], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
        .map_err(db_err)
}

/// The events after `after`; with `only_for`, just that sub-agent's own, the task-wide
/// ones and approvals (small), not its siblings' turns and tool results.
fn read_events(
    conn: &Connection,
    task_id: &str,
    after: i64,
    only_for: Option<&str>,
) -> Result<Vec<Event>, StoreError> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, at, body, agent FROM events WHERE task_id = ?1 AND seq > ?2
             AND (?3 IS NULL OR agent IS NULL OR agent = ?3
                  OR kind IN ('approval_requested', 'approval_resolved'))
             ORDER BY seq",
        )
        .map_err(db_err)?;
    let rows = stmt
        .query_map(params![task_id, after, only_for], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })
        .map_err(db_err)?;
    let mut events = Vec::new();
    for row in rows {
        let (seq, at, body, agent) = row.map_err(db_err)?;
        let kind = serde_json::from_str(&body).map_err(|e| {
            StoreError::Corrupt(format!("event {seq} of task {task_id} does not parse: {e}"))
        })?;
        events.push(Event {
            task_id: task_id.to_string(),
            seq,
            at,
            agent,
            kind,
        });
    }
    // Nothing new is normal past the end of a log; for an unknown task, though, an empty
    // log would fold into a blank task, so say there is no such task instead.
    if events.is_empty() && !task_exists(conn, task_id)? {
        return Err(StoreError::NoSuchTask(task_id.to_string()));
    }
    Ok(events)
}

const JOURNAL_COLUMNS: &str = "id, task_id, call_id, op, state, at";

fn read_journal(
    conn: &Connection,
    filter: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<JournalRecord>, StoreError> {
    let sql = format!("SELECT {JOURNAL_COLUMNS} FROM journal WHERE {filter} ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
    let rows = stmt
        .query_map(args, |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, i64>(5)?,
            ))
        })
        .map_err(db_err)?;
    let mut records = Vec::new();
    for row in rows {
        let (id, task_id, call_id, op, state, at) = row.map_err(db_err)?;
        let op = serde_json::from_str(&op).map_err(|e| {
            StoreError::Corrupt(format!(
                "journal entry {id} (task {task_id}) does not parse: {e}"
            ))
        })?;
        let state = JournalState::parse(&state).ok_or_else(|| {
            StoreError::Corrupt(format!("journal entry {id} has unknown state `{state}`"))
        })?;
        records.push(JournalRecord {
            id,
            task_id,
            call_id,
            op,
            state,
            at,
        });
    }
    Ok(records)
}

impl Store for SqliteStore {
    fn home(&self) -> &Path {
        &self.home
    }

    fn create_task(&self, id: &str, created: EventKind) -> Result<Event, StoreError> {
        let EventKind::TaskCreated { outcome, .. } = &created else {
            return Err(StoreError::Corrupt(format!(
                "task {id} must start with task_created, not {}",
                created.name()
            )));
        };
        let at = now_ms();
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        tx.execute(
            "INSERT INTO tasks (id, outcome, state, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![id, outcome, TaskState::Created.as_str(), at],
        )
        .map_err(db_err)?;
        insert_event(&tx, id, 1, at, None, &created)?;
        tx.commit().map_err(db_err)?;
        drop(conn);
        let event = Event {
            task_id: id.to_string(),
            seq: 1,
            at,
            agent: None,
            kind: created,
        };
        self.tell(&event);
        Ok(event)
    }

    fn append_as(
        &self,
        task_id: &str,
        agent: Option<&str>,
        kind: EventKind,
    ) -> Result<Event, StoreError> {
        let event = self.append_checked(task_id, agent, kind, None)?;
        event.ok_or_else(|| StoreError::Corrupt("an unchecked append was refused".into()))
    }

    fn append_answer(
        &self,
        task_id: &str,
        agent: Option<&str>,
        kind: EventKind,
    ) -> Result<Option<Event>, StoreError> {
        let call_id = kind.answered_call().map(str::to_string);
        self.append_checked(task_id, agent, kind, call_id.as_deref())
    }

    fn events(&self, task_id: &str) -> Result<Vec<Event>, StoreError> {
        read_events(&*self.conn()?, task_id, 0, None)
    }

    fn events_after(&self, task_id: &str, seq: i64) -> Result<Vec<Event>, StoreError> {
        read_events(&*self.conn()?, task_id, seq, None)
    }

    fn events_after_for(
        &self,
        task_id: &str,
        seq: i64,
        agent: &str,
    ) -> Result<Vec<Event>, StoreError> {
        read_events(&*self.conn()?, task_id, seq, Some(agent))
    }

    fn resolve_task(&self, id_or_prefix: &str) -> Result<TaskRow, StoreError> {
        if id_or_prefix.is_empty() {
            return Err(StoreError::NoSuchTask(String::new()));
        }
        let conn = self.conn()?;
        let exact = conn
            .query_row(
                &format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = ?1"),
                [id_or_prefix],
                task_row,
            )
            .optional()
            .map_err(db_err)?;
        if let Some(found) = exact {
            return finish_task(found);
        }
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {TASK_COLUMNS} FROM tasks WHERE id LIKE ?1 || '%' ESCAPE '\\' LIMIT 2"
            ))
            .map_err(db_err)?;
        let mut found = stmt
            .query_map([escape_like(id_or_prefix)], task_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db_err)?;
        match found.len() {
            0 => Err(StoreError::NoSuchTask(id_or_prefix.to_string())),
            1 => finish_task(found.remove(0)),
            _ => Err(StoreError::Ambiguous(id_or_prefix.to_string())),
        }
    }

    fn tasks(&self) -> Result<Vec<TaskRow>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare_cached(&format!(
                // Ids sort by creation time too, which breaks ties within a millisecond.
                "SELECT {TASK_COLUMNS} FROM tasks ORDER BY created_at DESC, id DESC"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query_map([], task_row)
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db_err)?;
        rows.into_iter().map(finish_task).collect()
    }

    fn tasks_page(
        &self,
        query: &str,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<TaskRow>, usize), StoreError> {
        let conn = self.conn()?;
        let pattern = format!("%{}%", escape_like(query.trim()));
        let prefix = format!("{}%", escape_like(query.trim()));
        // Newest first by the (created_at, id) index; a search scans outcomes, which
        // stays fast at tens of thousands of tasks.
        let filter = "(?1 = '%%' OR outcome LIKE ?1 ESCAPE '\\' OR id LIKE ?2 ESCAPE '\\')";
        let total: i64 = conn
            .prepare_cached(&format!("SELECT COUNT(*) FROM tasks WHERE {filter}"))
            .and_then(|mut stmt| stmt.query_row(params![pattern, prefix], |row| row.get(0)))
            .map_err(db_err)?;
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {TASK_COLUMNS} FROM tasks WHERE {filter}
                 ORDER BY created_at DESC, id DESC LIMIT ?3 OFFSET ?4"
            ))
            .map_err(db_err)?;
        let rows = stmt
            .query_map(
                params![pattern, prefix, limit as i64, offset as i64],
                task_row,
            )
            .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db_err)?;
        let rows = rows
            .into_iter()
            .map(finish_task)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((rows, total.max(0) as usize))
    }

    fn lock_task(&self, task_id: &str) -> Result<Option<Box<dyn TaskLock>>, StoreError> {
        let lock = lock::try_lock(&self.home.join("locks"), task_id)?;
        Ok(lock.map(|held| Box::new(held) as Box<dyn TaskLock>))
    }

    fn task_running(&self, task_id: &str) -> Result<bool, StoreError> {
        lock::is_held(&self.home.join("locks"), task_id)
    }

    fn journal_plan(
        &self,
        task_id: &str,
        call_id: &str,
        ops: &[JournalOp],
    ) -> Result<Vec<i64>, StoreError> {
        let at = now_ms();
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        let mut ids = Vec::with_capacity(ops.len());
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO journal (task_id, call_id, op, state, at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(db_err)?;
            for op in ops {
                let json = serde_json::to_string(op).map_err(|e| {
                    StoreError::Corrupt(format!("cannot encode journal op for {call_id}: {e}"))
                })?;
                let id = stmt
                    .insert(params![
                        task_id,
                        call_id,
                        json,
                        JournalState::Planned.as_str(),
                        at
                    ])
                    .map_err(db_err)?;
                ids.push(id);
            }
        }
        tx.commit().map_err(db_err)?;
        Ok(ids)
    }

    fn journal_set(&self, ids: &[i64], state: JournalState) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        {
            let mut stmt = tx
                .prepare_cached("UPDATE journal SET state = ?2 WHERE id = ?1")
                .map_err(db_err)?;
            for id in ids {
                stmt.execute(params![id, state.as_str()]).map_err(db_err)?;
            }
        }
        tx.commit().map_err(db_err)
    }

    fn journal(&self, task_id: &str) -> Result<Vec<JournalRecord>, StoreError> {
        read_journal(&*self.conn()?, "task_id = ?1", &[&task_id])
    }

    fn journal_for_call(
        &self,
        task_id: &str,
        call_id: &str,
    ) -> Result<Vec<JournalRecord>, StoreError> {
        read_journal(
            &*self.conn()?,
            "task_id = ?1 AND call_id = ?2",
            &[&task_id, &call_id],
        )
    }

    fn journal_all(&self) -> Result<Vec<JournalRecord>, StoreError> {
        // SQL narrows to the two op kinds; the typed check below has the final word.
        let records = read_journal(
            &*self.conn()?,
            "json_extract(op, '$.op') IN ('trash', 'write')",
            &[],
        )?;
        Ok(records
            .into_iter()
            .filter(|r| match &r.op {
                JournalOp::Trash { .. } => true,
                JournalOp::Write { before, .. } => before.is_some(),
                _ => false,
            })
            .collect())
    }

    fn work_add(&self, task_id: &str, titles: &[String]) -> Result<Vec<WorkItem>, StoreError> {
        worklist::add(&mut *self.conn()?, task_id, titles)
    }

    fn work_items(&self, task_id: &str) -> Result<Vec<WorkItem>, StoreError> {
        worklist::list(&*self.conn()?, task_id)
    }

    fn work_claim(&self, task_id: &str, id: Option<i64>, owner: &str) -> Result<Claim, StoreError> {
        worklist::claim(&mut *self.conn()?, task_id, id, owner)
    }

    fn work_update(
        &self,
        task_id: &str,
        id: i64,
        status: Option<WorkStatus>,
        note: Option<&str>,
    ) -> Result<Option<WorkItem>, StoreError> {
        worklist::update(&mut *self.conn()?, task_id, id, status, note)
    }

    fn work_release(&self, task_id: &str, owner: &str) -> Result<usize, StoreError> {
        worklist::release(&*self.conn()?, task_id, owner)
    }

    fn lease_acquire(
        &self,
        task_id: &str,
        agent: Option<&str>,
        paths: &[String],
    ) -> Result<Option<LeaseHolder>, StoreError> {
        leases::acquire(
            &mut *self.conn()?,
            &self.home.join("locks"),
            task_id,
            agent,
            paths,
        )
    }

    fn lease_release(&self, task_id: &str, agent: Option<&str>) -> Result<(), StoreError> {
        leases::release(&*self.conn()?, task_id, agent)
    }

    fn put_blob(&self, bytes: &[u8]) -> Result<String, StoreError> {
        blobs::put(&self.home.join("blobs"), bytes)
    }

    fn blob_path(&self, sha256: &str) -> PathBuf {
        blobs::path(&self.home.join("blobs"), sha256)
    }
}
