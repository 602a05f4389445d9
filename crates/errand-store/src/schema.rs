//! Opening the database and bringing its schema up to date.
use crate::db_err;
use errand_core::StoreError;
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;
use std::time::Duration;

/// Ordered migrations; entry `i` takes the schema from version `i` to `i + 1`.
/// Never edit a shipped entry: append a new one instead.
const MIGRATIONS: &[&str] = &[
    // 1: tasks, their append-only events, and the file journal.
    "CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        outcome TEXT NOT NULL,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE TABLE events (
        task_id TEXT NOT NULL REFERENCES tasks(id),
        seq INTEGER NOT NULL,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (task_id, seq)
    );
    CREATE TABLE journal (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id TEXT NOT NULL,
        call_id TEXT NOT NULL,
        op TEXT NOT NULL,
        state TEXT NOT NULL,
        at INTEGER NOT NULL
    );
    CREATE INDEX journal_task_call ON journal (task_id, call_id);",
    // 2: sub-agents log into their parent's events; the shared work list; file leases.
    "ALTER TABLE events ADD COLUMN agent TEXT;
    CREATE TABLE work_items (
        task_id TEXT NOT NULL,
        id INTEGER NOT NULL,
        title TEXT NOT NULL,
        status TEXT NOT NULL,
        owner TEXT,
        note TEXT NOT NULL DEFAULT '',
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (task_id, id)
    );
    CREATE TABLE leases (
        path TEXT NOT NULL,
        task_id TEXT NOT NULL,
        agent TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (path, task_id, agent)
    );
    CREATE INDEX leases_task ON leases (task_id, agent);",
    // 3: the workspace pages through tasks newest first.
    "CREATE INDEX tasks_created ON tasks (created_at DESC, id DESC);
    CREATE INDEX tasks_updated ON tasks (updated_at);",
    // 4: recurring tasks (each a JSON document errand-schedule reads) and their history.
    "CREATE TABLE schedules (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE schedule_history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        schedule_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        body TEXT NOT NULL
    );
    CREATE INDEX schedule_history_of ON schedule_history (schedule_id, seq);",
];

/// The schema version this build writes.
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Opens (creating if needed) the database at `path`, configured and migrated.
pub(crate) fn open(path: &Path) -> Result<Connection, StoreError> {
    let mut conn = Connection::open(path).map_err(db_err)?;
    // Set first so that everything below waits for other processes instead of failing.
    conn.busy_timeout(Duration::from_secs(10)).map_err(db_err)?;
    // WAL lets readers (e.g. `errand status`) proceed while a running task writes.
    let mode: String =
        retry_busy(|| conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0)))
            .map_err(db_err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, db = %path.display(), "SQLite refused WAL journal mode");
    }
    // NORMAL is durable in WAL mode except for the last commits on power loss, never corrupt.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(db_err)?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(db_err)?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// Retries an operation SQLite refused as busy without consulting the busy handler, as it
/// does when several processes switch a fresh database to WAL at once.
fn retry_busy<T>(mut op: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let mut delay = Duration::from_millis(5);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match op() {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(delay);
                delay = (delay * 2).min(Duration::from_millis(200));
            }
            other => return other,
        }
    }
}

/// Applies missing migrations. IMMEDIATE takes the write lock before reading the
/// version, so two processes opening a fresh database cannot both migrate it.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_err)?;
    let current: i64 = tx
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(db_err)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::Database(format!(
            "database schema version {current} is newer than this errand understands \
             ({SCHEMA_VERSION}); upgrade errand"
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as i64 + 1;
        tx.execute_batch(sql).map_err(|e| {
            StoreError::Database(format!("migration to schema version {version} failed: {e}"))
        })?;
        // user_version lives in the file header and is transactional with the DDL above.
        tx.pragma_update(None, "user_version", version)
            .map_err(db_err)?;
        tracing::debug!(version, "applied store migration");
    }
    tx.commit().map_err(db_err)
}

/// The schema version recorded in the database.
#[cfg(test)]
pub(crate) fn version(conn: &Connection) -> Result<i64, StoreError> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(db_err)
}
