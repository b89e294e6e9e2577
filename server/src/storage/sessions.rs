//! Sessions and registered nicknames.

use shared::Nickname;
use sqlx::Row;

use super::{Store, StoreError};
use crate::auth::Identity;
use crate::hub::User;

/// A registered nickname, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The key it is filed under (unique).
    pub key: String,
    /// The nickname as registered.
    pub nickname: String,
    /// Its password hash (argon2id, PHC string).
    pub hash: String,
}

fn account(row: &sqlx::any::AnyRow) -> Result<Account, StoreError> {
    Ok(Account {
        key: row.try_get(0)?,
        nickname: row.try_get(1)?,
        hash: row.try_get(2)?,
    })
}

/// A session row (id, nickname, expires_at) as an [`Identity`].
fn identity(row: &sqlx::any::AnyRow) -> Result<Identity, StoreError> {
    let nickname: String = row.try_get(1)?;
    Ok(Identity {
        id: row.try_get(0)?,
        user: User::new(
            Nickname::stored(&nickname)
                .map_err(|e| sqlx::Error::Decode(format!("stored nickname: {e}").into()))?,
        ),
        expires_at: row.try_get(2)?,
    })
}

impl Store {
    /// Sessions neither expired nor revoked at `now`.
    pub async fn live_sessions(&self, now: i64) -> Result<Vec<Identity>, StoreError> {
        let q = Self::sql(
            self.backend,
            "SELECT id, nickname, expires_at FROM sessions WHERE revoked = 0 AND expires_at > ?",
        );
        let rows = sqlx::query(&q).bind(now).fetch_all(&self.pool).await?;
        rows.iter().map(identity).collect()
    }

    /// The session `id`, if neither expired nor revoked at `now` (cluster mode: another node
    /// may have made it).
    pub async fn live_session(&self, id: &str, now: i64) -> Result<Option<Identity>, StoreError> {
        let q = Self::sql(
            self.backend,
            "SELECT id, nickname, expires_at FROM sessions \
             WHERE id = ? AND revoked = 0 AND expires_at > ?",
        );
        let row = sqlx::query(&q)
            .bind(id)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(identity).transpose()
    }

    /// The live sessions holding the nickname filed under `key` at `now`, on any node.
    pub async fn live_sessions_of(&self, key: &str, now: i64) -> Result<Vec<String>, StoreError> {
        let q = Self::sql(
            self.backend,
            "SELECT id FROM sessions WHERE nickname_key = ? AND revoked = 0 AND expires_at > ?",
        );
        let rows = sqlx::query(&q)
            .bind(key)
            .bind(now)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| row.try_get(0).map_err(StoreError::from))
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
            .bind(&*s.user.key)
            .bind(s.user.nickname.as_str())
            .bind(now)
            .bind(s.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends a session, at `now`.
    pub async fn revoke_session(&self, id: &str, now: i64) -> Result<(), StoreError> {
        let q = Self::sql(
            self.backend,
            "UPDATE sessions SET revoked = 1, revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",
        );
        sqlx::query(&q)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The ids of the sessions revoked at `since` or later (and not pruned yet).
    pub async fn sessions_revoked_since(&self, since: i64) -> Result<Vec<String>, StoreError> {
        let q = Self::sql(
            self.backend,
            "SELECT id FROM sessions WHERE revoked_at >= ?",
        );
        let rows = sqlx::query(&q).bind(since).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| row.try_get(0).map_err(StoreError::from))
            .collect()
    }

    /// Deletes the sessions that have expired by `now`, and those revoked before
    /// `revoked_before` (or at an unknown time); returns how many.
    pub async fn prune_sessions(&self, now: i64, revoked_before: i64) -> Result<u64, StoreError> {
        let q = Self::sql(
            self.backend,
            "DELETE FROM sessions WHERE expires_at <= ? \
             OR (revoked <> 0 AND (revoked_at IS NULL OR revoked_at < ?))",
        );
        let done = sqlx::query(&q)
            .bind(now)
            .bind(revoked_before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// The registered nicknames filed under `nickname`'s key, or under its lower-case form
    /// (the key of the rules before the confusable skeleton, which a registered name keeps
    /// when another took its new key first: see [`crate::auth::names`]).
    pub async fn accounts_like(&self, nickname: &Nickname) -> Result<Vec<Account>, StoreError> {
        let q = Self::sql(
            self.backend,
            "SELECT nickname_key, nickname, password_hash FROM accounts WHERE nickname_key IN (?, ?)",
        );
        let rows = sqlx::query(&q)
            .bind(nickname.key())
            .bind(nickname.as_str().to_lowercase())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(account).collect()
    }

    /// Every registered nickname, oldest first.
    pub async fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let q = "SELECT nickname_key, nickname, password_hash FROM accounts ORDER BY created_at, nickname_key";
        let rows = sqlx::query(q).fetch_all(&self.pool).await?;
        rows.iter().map(account).collect()
    }

    /// Files a registered nickname under another key.
    pub async fn rekey_account(&self, old: &str, new: &str) -> Result<(), StoreError> {
        let q = Self::sql(
            self.backend,
            "UPDATE accounts SET nickname_key = ? WHERE nickname_key = ?",
        );
        sqlx::query(&q)
            .bind(new)
            .bind(old)
            .execute(&self.pool)
            .await?;
        Ok(())
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

    /// Replaces the password hash of the account filed under `key`.
    pub async fn update_account_hash(&self, key: &str, hash: &str) -> Result<(), StoreError> {
        let q = Self::sql(
            self.backend,
            "UPDATE accounts SET password_hash = ? WHERE nickname_key = ?",
        );
        sqlx::query(&q)
            .bind(hash)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
