//! Schedules and their history, kept as JSON documents: the store does not interpret them
//! (errand-schedule does), it keeps them whole and changes one at a time in a transaction,
//! so the daemon moving a schedule on and a person pausing it never lose each other's change.
use crate::{SqliteStore, db_err};
use errand_core::StoreError;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Database(format!("a schedule does not read back: {e}"))
}

impl SqliteStore {
    pub fn add_schedule<T: Serialize>(&self, id: &str, schedule: &T) -> Result<(), StoreError> {
        let body = serde_json::to_string(schedule).map_err(json_err)?;
        let now = crate::now_ms();
        self.conn()?
            .execute(
                "INSERT INTO schedules (id, body, created_at) VALUES (?1, ?2, ?3)",
                params![id, body, now],
            )
            .map_err(db_err)?;
        Ok(())
    }

    /// Every schedule, oldest first.
    pub fn schedules<T: DeserializeOwned>(&self) -> Result<Vec<T>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare_cached("SELECT body FROM schedules ORDER BY created_at, id")
            .map_err(db_err)?;
        let rows = statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(db_err)?;
        let mut out = Vec::new();
        for body in rows {
            out.push(serde_json::from_str(&body.map_err(db_err)?).map_err(json_err)?);
        }
        Ok(out)
    }

    pub fn schedule<T: DeserializeOwned>(&self, id: &str) -> Result<Option<T>, StoreError> {
        let body: Option<String> = self
            .conn()?
            .query_row("SELECT body FROM schedules WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()
            .map_err(db_err)?;
        body.map(|b| serde_json::from_str(&b).map_err(json_err))
            .transpose()
    }

    /// Reads, changes and writes back one schedule in one transaction. `false`: no such
    /// schedule.
    pub fn update_schedule<T: Serialize + DeserializeOwned>(
        &self,
        id: &str,
        change: &mut dyn FnMut(&mut T),
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db_err)?;
        let body: Option<String> = tx
            .query_row("SELECT body FROM schedules WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()
            .map_err(db_err)?;
        let Some(body) = body else {
            return Ok(false);
        };
        let mut schedule: T = serde_json::from_str(&body).map_err(json_err)?;
        change(&mut schedule);
        let body = serde_json::to_string(&schedule).map_err(json_err)?;
        tx.execute(
            "UPDATE schedules SET body = ?2 WHERE id = ?1",
            params![id, body],
        )
        .map_err(db_err)?;
        tx.commit().map_err(db_err)?;
        Ok(true)
    }

    /// Removes a schedule; its history stays, for the record. `false`: no such schedule.
    pub fn remove_schedule(&self, id: &str) -> Result<bool, StoreError> {
        let removed = self
            .conn()?
            .execute("DELETE FROM schedules WHERE id = ?1", [id])
            .map_err(db_err)?;
        Ok(removed > 0)
    }

    pub fn add_schedule_history<T: Serialize>(
        &self,
        id: &str,
        at_ms: i64,
        entry: &T,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(entry).map_err(json_err)?;
        self.conn()?
            .execute(
                "INSERT INTO schedule_history (schedule_id, at, body) VALUES (?1, ?2, ?3)",
                params![id, at_ms, body],
            )
            .map_err(db_err)?;
        Ok(())
    }

    /// A schedule's history, oldest first: (milliseconds since the epoch, entry).
    pub fn schedule_history<T: DeserializeOwned>(
        &self,
        id: &str,
    ) -> Result<Vec<(i64, T)>, StoreError> {
        let conn = self.conn()?;
        let mut statement = conn
            .prepare_cached(
                "SELECT at, body FROM schedule_history WHERE schedule_id = ?1 ORDER BY seq",
            )
            .map_err(db_err)?;
        let rows = statement
            .query_map([id], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
            })
            .map_err(db_err)?;
        let mut out = Vec::new();
        for row in rows {
            let (at, body) = row.map_err(db_err)?;
            out.push((at, serde_json::from_str(&body).map_err(json_err)?));
        }
        Ok(out)
    }
}
