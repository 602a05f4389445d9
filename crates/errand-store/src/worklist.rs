//! The per-task work list that a task's agent and its sub-agents share.
use crate::db_err;
use errand_core::{Claim, StoreError, WorkItem, WorkStatus, now_ms};
use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

const COLUMNS: &str = "id, title, status, owner, note";

fn item(row: &Row<'_>) -> rusqlite::Result<(WorkItem, String)> {
    let status: String = row.get(2)?;
    Ok((
        WorkItem {
            id: row.get(0)?,
            title: row.get(1)?,
            status: WorkStatus::Pending,
            owner: row.get(3)?,
            note: row.get(4)?,
        },
        status,
    ))
}

fn typed((mut item, status): (WorkItem, String)) -> Result<WorkItem, StoreError> {
    item.status = WorkStatus::parse(&status).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "work item {} has unknown status `{status}`",
            item.id
        ))
    })?;
    Ok(item)
}

fn one(conn: &Connection, task_id: &str, id: i64) -> Result<Option<WorkItem>, StoreError> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM work_items WHERE task_id = ?1 AND id = ?2"),
        params![task_id, id],
        item,
    )
    .optional()
    .map_err(db_err)?
    .map(typed)
    .transpose()
}

pub(crate) fn list(conn: &Connection, task_id: &str) -> Result<Vec<WorkItem>, StoreError> {
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM work_items WHERE task_id = ?1 ORDER BY id"
        ))
        .map_err(db_err)?;
    let rows = stmt
        .query_map([task_id], item)
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
        .map_err(db_err)?;
    rows.into_iter().map(typed).collect()
}

pub(crate) fn add(
    conn: &mut Connection,
    task_id: &str,
    titles: &[String],
) -> Result<Vec<WorkItem>, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_err)?;
    let last: i64 = tx
        .query_row(
            "SELECT COALESCE(MAX(id), 0) FROM work_items WHERE task_id = ?1",
            [task_id],
            |row| row.get(0),
        )
        .map_err(db_err)?;
    let at = now_ms();
    let mut added = Vec::with_capacity(titles.len());
    for (offset, title) in titles.iter().enumerate() {
        let id = last + 1 + offset as i64;
        tx.execute(
            "INSERT INTO work_items (task_id, id, title, status, updated_at)
             VALUES (?1, ?2, ?3, 'pending', ?4)",
            params![task_id, id, title, at],
        )
        .map_err(db_err)?;
        added.push(WorkItem {
            id,
            title: title.clone(),
            status: WorkStatus::Pending,
            owner: None,
            note: String::new(),
        });
    }
    tx.commit().map_err(db_err)?;
    Ok(added)
}

pub(crate) fn claim(
    conn: &mut Connection,
    task_id: &str,
    id: Option<i64>,
    owner: &str,
) -> Result<Claim, StoreError> {
    // IMMEDIATE: the read and the update below happen under one write lock, so two
    // processes cannot both see an item pending and both take it.
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_err)?;
    let target = match id {
        Some(id) => match one(&tx, task_id, id)? {
            Some(found) => found,
            None => return Ok(Claim::NoSuchItem(id)),
        },
        None => {
            let first = tx
                .query_row(
                    &format!(
                        "SELECT {COLUMNS} FROM work_items
                         WHERE task_id = ?1 AND status = 'pending' ORDER BY id LIMIT 1"
                    ),
                    [task_id],
                    item,
                )
                .optional()
                .map_err(db_err)?;
            match first {
                Some(found) => typed(found)?,
                None => return Ok(Claim::NothingPending),
            }
        }
    };
    let mine = target.status == WorkStatus::Claimed && target.owner.as_deref() == Some(owner);
    if target.status != WorkStatus::Pending && !mine {
        return Ok(Claim::Taken(target));
    }
    tx.execute(
        "UPDATE work_items SET status = 'claimed', owner = ?3, updated_at = ?4
         WHERE task_id = ?1 AND id = ?2",
        params![task_id, target.id, owner, now_ms()],
    )
    .map_err(db_err)?;
    tx.commit().map_err(db_err)?;
    Ok(Claim::Claimed(WorkItem {
        status: WorkStatus::Claimed,
        owner: Some(owner.to_string()),
        ..target
    }))
}

pub(crate) fn update(
    conn: &mut Connection,
    task_id: &str,
    id: i64,
    status: Option<WorkStatus>,
    note: Option<&str>,
) -> Result<Option<WorkItem>, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db_err)?;
    let Some(current) = one(&tx, task_id, id)? else {
        return Ok(None);
    };
    let status = status.unwrap_or(current.status);
    // Back to pending means nobody has it any more.
    let owner = if status == WorkStatus::Pending {
        None
    } else {
        current.owner.clone()
    };
    let note = note.map(str::to_string).unwrap_or(current.note.clone());
    tx.execute(
        "UPDATE work_items SET status = ?3, owner = ?4, note = ?5, updated_at = ?6
         WHERE task_id = ?1 AND id = ?2",
        params![task_id, id, status.as_str(), owner, note, now_ms()],
    )
    .map_err(db_err)?;
    tx.commit().map_err(db_err)?;
    Ok(Some(WorkItem {
        status,
        owner,
        note,
        ..current
    }))
}

pub(crate) fn release(conn: &Connection, task_id: &str, owner: &str) -> Result<usize, StoreError> {
    conn.execute(
        "UPDATE work_items SET status = 'pending', owner = NULL, updated_at = ?3
         WHERE task_id = ?1 AND owner = ?2 AND status = 'claimed'",
        params![task_id, owner, now_ms()],
    )
    .map_err(db_err)
}
