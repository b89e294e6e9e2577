//! Direct messages: a private room of two people, named for the pair (see
//! [`crate::hub::direct`]), with who the two are.

use shared::RoomName;
use sqlx::Row;

use super::{Store, StoreError};

/// A direct-message room's two people: (nickname key, nickname) each, in key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectRow {
    /// The room.
    pub room: RoomName,
    /// The first person, by key.
    pub a: (String, String),
    /// The other.
    pub b: (String, String),
}

impl Store {
    /// Records a direct-message room, unless it exists (recorded at once by another node).
    pub async fn create_direct(&self, row: &DirectRow) -> Result<(), StoreError> {
        let exists = self.direct(&row.room).await?;
        if exists.is_some() {
            return Ok(());
        }
        let q = Self::sql(
            self.backend,
            "INSERT INTO direct_rooms (room, key_a, nick_a, key_b, nick_b) VALUES (?, ?, ?, ?, ?)",
        );
        let done = sqlx::query(&q)
            .bind(row.room.as_str())
            .bind(&row.a.0)
            .bind(&row.a.1)
            .bind(&row.b.0)
            .bind(&row.b.1)
            .execute(&self.pool)
            .await;
        match done {
            Ok(_) => Ok(()),
            // Another node recorded it meanwhile: the same two people.
            Err(_) if self.direct(&row.room).await?.is_some() => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// The direct-message room of that name, if it is one.
    pub async fn direct(&self, room: &RoomName) -> Result<Option<DirectRow>, StoreError> {
        let q = Self::sql(
            self.backend,
            "SELECT room, key_a, nick_a, key_b, nick_b FROM direct_rooms WHERE room = ?",
        );
        let row = sqlx::query(&q)
            .bind(room.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| direct_row(&r)).transpose()
    }

    /// Every direct-message room.
    pub async fn directs(&self) -> Result<Vec<DirectRow>, StoreError> {
        let rows = sqlx::query("SELECT room, key_a, nick_a, key_b, nick_b FROM direct_rooms")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(direct_row).collect()
    }

    /// The nickname, as its user has it, of the user of that key if there is one: signed
    /// in now, or registered.
    pub async fn user_nickname(&self, key: &str, now: i64) -> Result<Option<String>, StoreError> {
        let q = Self::sql(
            self.backend,
            "SELECT nickname FROM accounts WHERE nickname_key = ? \
             UNION ALL SELECT nickname FROM sessions \
             WHERE nickname_key = ? AND expires_at > ? AND revoked = 0",
        );
        let row = sqlx::query(&q)
            .bind(key)
            .bind(key)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }
}

fn direct_row(r: &sqlx::any::AnyRow) -> Result<DirectRow, StoreError> {
    Ok(DirectRow {
        room: super::rows::room_name(r)?,
        a: (r.try_get(1)?, r.try_get(2)?),
        b: (r.try_get(3)?, r.try_get(4)?),
    })
}
