//! Sessions and registered nicknames.

use shared::Nickname;
use sqlx::Row;

use super::{Store, StoreError};
use crate::auth::Identity;

impl Store {
    /// Sessions neither expired nor revoked at `now`.
    pub async fn live_sessions(&self, now: i64) -> Result<Vec<Identity>, StoreError> {
        let q = Self::sql(
            self.backend,
            "SELECT id, nickname, expires_at FROM sessions WHERE revoked = 0 AND expires_at > ?",
        );
        let rows = sqlx::query(&q).bind(now).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                let nickname: String = row.try_get(1)?;
                Ok(Identity {
                    id: row.try_get(0)?,
                    nickname: Nickname::parse(&nickname)
                        .map_err(|e| sqlx::Error::Decode(format!("stored nickname: {e}").into()))?,
                    expires_at: row.try_get(2)?,
                })
            })
            .collect()
    }

    /// Records a new session.
    pub async fn insert_session(&self, s: &Identity, now: i64) -> Result<(), StoreError> {
        let q = Self::sql(
            self.backend,
            "INSERT INTO sessions (id, nickname_key, nickname, created_at, expires_at, revoked) VALUES (?, ?, ?, ?, ?, 0)",
        );
        sqlx::query(&q)
            .bind(s.id.as_str())
            .bind(s.nickname.key())
            .bind(s.nickname.as_str())
            .bind(now)
            .bind(s.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends a session.
    pub async fn revoke_session(&self, id: &str) -> Result<(), StoreError> {
        let q = Self::sql(self.backend, "UPDATE sessions SET revoked = 1 WHERE id = ?");
        sqlx::query(&q).bind(id).execute(&self.pool).await?;
        Ok(())
    }

    /// Ends every session of a nickname (sign-out everywhere).
    pub async fn revoke_sessions_of(&self, nickname: &Nickname) -> Result<(), StoreError> {
        let q = Self::sql(
            self.backend,
            "UPDATE sessions SET revoked = 1 WHERE nickname_key = ?",
        );
        sqlx::query(&q)
            .bind(nickname.key())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes the sessions that have expired by `now` or were revoked; returns how many.
    pub async fn prune_sessions(&self, now: i64) -> Result<u64, StoreError> {
        let q = Self::sql(
            self.backend,
            "DELETE FROM sessions WHERE revoked <> 0 OR expires_at <= ?",
        );
        let done = sqlx::query(&q).bind(now).execute(&self.pool).await?;
        Ok(done.rows_affected())
    }

    /// The password hash of a registered nickname.
    pub async fn account_hash(&self, nickname: &Nickname) -> Result<Option<String>, StoreError> {
        let q = Self::sql(
            self.backend,
            "SELECT password_hash FROM accounts WHERE nickname_key = ?",
        );
        let row = sqlx::query(&q)
            .bind(nickname.key())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| r.try_get(0)).transpose()?)
    }

    /// Registers a nickname with a password hash.
    pub async fn insert_account(
        &self,
        nickname: &Nickname,
        hash: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let q = Self::sql(
            self.backend,
            "INSERT INTO accounts (nickname_key, nickname, password_hash, created_at) VALUES (?, ?, ?, ?)",
        );
        sqlx::query(&q)
            .bind(nickname.key())
            .bind(nickname.as_str())
            .bind(hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Replaces a registered nickname's password hash.
    pub async fn update_account_hash(
        &self,
        nickname: &Nickname,
        hash: &str,
    ) -> Result<(), StoreError> {
        let q = Self::sql(
            self.backend,
            "UPDATE accounts SET password_hash = ? WHERE nickname_key = ?",
        );
        sqlx::query(&q)
            .bind(hash)
            .bind(nickname.key())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
