//! Cluster mode: which session holds each unregistered nickname (`nickname_grants`, one row
//! per nickname key). A row changes only by an insert of a new key or a compare-and-swap of
//! its session, so two nodes granting one nickname at once cannot both win.

use sqlx::Row;

use super::{Store, StoreError};

/// Times a grant looks again after losing a race, before it gives the nickname up as taken.
const ATTEMPTS: usize = 3;

impl Store {
    /// Grants the nickname filed under `key` to the session `id` if it is free at `now`: no
    /// row, or a row held by `current` (the session `id` replaces) or by a session no longer
    /// live. Whether it was granted.
    pub async fn grant_nickname(
        &self,
        key: &str,
        id: &str,
        current: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        for _ in 0..ATTEMPTS {
            let holder = self.nickname_holder(key).await?;
            let Some(holder) = holder else {
                let insert = sqlx::query(&Self::sql(
                    self.backend,
                    "INSERT INTO nickname_grants (nickname_key, session_id) VALUES (?, ?)",
                ))
                .bind(key)
                .bind(id)
                .execute(&self.pool)
                .await;
                match insert {
                    Ok(_) => return Ok(true),
                    // Another node inserted it first: look again.
                    Err(sqlx::Error::Database(_)) => continue,
                    Err(err) => return Err(err.into()),
                }
            };
            let free = current == Some(holder.as_str())
                || self.live_session(&holder, now).await?.is_none();
            if !free {
                return Ok(false);
            }
            let swapped = sqlx::query(&Self::sql(
                self.backend,
                "UPDATE nickname_grants SET session_id = ? WHERE nickname_key = ? AND session_id = ?",
            ))
            .bind(id)
            .bind(key)
            .bind(&holder)
            .execute(&self.pool)
            .await?;
            if swapped.rows_affected() == 1 {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn nickname_holder(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(&Self::sql(
            self.backend,
            "SELECT session_id FROM nickname_grants WHERE nickname_key = ?",
        ))
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?)
    }

    /// Deletes the grants whose session is gone (pruned); returns how many.
    pub async fn prune_nickname_grants(&self) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM nickname_grants WHERE session_id NOT IN (SELECT id FROM sessions)",
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
