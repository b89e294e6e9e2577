//! Read state: per user (nickname key) and room, the last seq the user has read. It only
//! moves forward.

use shared::{Nickname, NotifyLevel, RoomName, Seq};
use sqlx::Row;

use super::{Backend, Store, StoreError};

impl Store {
    /// The last seq `user_key` has read in `room` and what there notifies the user, if the
    /// user was ever in it.
    pub async fn read_state(
        &self,
        user_key: &str,
        room: &RoomName,
    ) -> Result<Option<(Seq, NotifyLevel)>, StoreError> {
        let q = Self::sql(
            self.backend,
            "SELECT read_seq, notify FROM read_state WHERE user_key = ? AND room = ?",
        );
        let row = sqlx::query(&q)
            .bind(user_key)
            .bind(room.as_str())
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let seq = Seq(r.try_get::<i64, _>(0)?.max(0) as u64);
        let level: Option<String> = r.try_get(1)?;
        let level = level
            .as_deref()
            .and_then(NotifyLevel::parse)
            .unwrap_or_default();
        Ok(Some((seq, level)))
    }

    /// Sets what in `room` notifies `user_key` (a first row reads up to `read_seq`).
    pub async fn set_notify(
        &self,
        user_key: &str,
        room: &RoomName,
        (level, read_seq): (NotifyLevel, Seq),
        now: i64,
    ) -> Result<(), StoreError> {
        let upsert = match self.backend {
            Backend::Sqlite | Backend::Postgres => {
                "INSERT INTO read_state (user_key, room, read_seq, updated_at, notify) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_key, room) DO UPDATE SET \
                 notify = excluded.notify, updated_at = excluded.updated_at"
            }
            Backend::MySql => {
                "INSERT INTO read_state (user_key, room, read_seq, updated_at, notify) \
                 VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE \
                 notify = VALUES(notify), updated_at = VALUES(updated_at)"
            }
        };
        sqlx::query(&Self::sql(self.backend, upsert))
            .bind(user_key)
            .bind(room.as_str())
            .bind(read_seq.0 as i64)
            .bind(now)
            .bind(level.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Moves `user_key`'s read position in `room` up to `seq` (never back).
    pub async fn mark_read(
        &self,
        user_key: &str,
        room: &RoomName,
        seq: Seq,
        now: i64,
    ) -> Result<(), StoreError> {
        let upsert = match self.backend {
            Backend::Sqlite => {
                "INSERT INTO read_state (user_key, room, read_seq, updated_at) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (user_key, room) DO UPDATE SET \
                 read_seq = MAX(read_state.read_seq, excluded.read_seq), updated_at = excluded.updated_at"
            }
            Backend::Postgres => {
                "INSERT INTO read_state (user_key, room, read_seq, updated_at) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (user_key, room) DO UPDATE SET \
                 read_seq = GREATEST(read_state.read_seq, excluded.read_seq), updated_at = excluded.updated_at"
            }
            Backend::MySql => {
                "INSERT INTO read_state (user_key, room, read_seq, updated_at) VALUES (?, ?, ?, ?) \
                 ON DUPLICATE KEY UPDATE \
                 read_seq = GREATEST(read_seq, VALUES(read_seq)), updated_at = VALUES(updated_at)"
            }
        };
        sqlx::query(&Self::sql(self.backend, upsert))
            .bind(user_key)
            .bind(room.as_str())
            .bind(seq.0 as i64)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many of the latest `limit` messages of `room` after `after` that others sent
    /// (people or bots; `user_key` is the reader's) mention `nickname`, by
    /// [`shared::format::mentions`] (outside code).
    pub async fn mentions_after(
        &self,
        room: &RoomName,
        after: Seq,
        (user_key, nickname): (&str, &Nickname),
        limit: u32,
    ) -> Result<u32, StoreError> {
        let q = Self::sql(
            self.backend,
            "SELECT body FROM messages WHERE room = ? AND seq > ? AND sender <> ? \
             AND body LIKE '%@%' ORDER BY seq DESC LIMIT ?",
        );
        let rows = sqlx::query(&q)
            .bind(room.as_str())
            .bind(after.0 as i64)
            .bind(user_key)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut count = 0;
        for r in rows {
            let body: String = r.try_get(0)?;
            count += u32::from(shared::format::mentions(&body, nickname));
        }
        Ok(count)
    }

    /// How many messages of `room` after `after` others sent (`user_key` is the reader's).
    pub async fn sent_by_others(
        &self,
        room: &RoomName,
        after: Seq,
        user_key: &str,
    ) -> Result<u32, StoreError> {
        let q = Self::sql(
            self.backend,
            "SELECT COUNT(*) FROM messages WHERE room = ? AND seq > ? AND sender <> ?",
        );
        let row = sqlx::query(&q)
            .bind(room.as_str())
            .bind(after.0 as i64)
            .bind(user_key)
            .fetch_one(&self.pool)
            .await?;
        Ok(u32::try_from(row.try_get::<i64, _>(0)?).unwrap_or(u32::MAX))
    }

    /// Forgets the read state of users with neither a session nor a password (a nickname
    /// without a password is free again once its last session ends: whoever takes it next
    /// inherits nothing); returns how many rows went.
    pub async fn prune_read_state(&self) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM read_state WHERE user_key NOT IN (SELECT nickname_key FROM sessions) \
             AND user_key NOT IN (SELECT nickname_key FROM accounts)",
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
