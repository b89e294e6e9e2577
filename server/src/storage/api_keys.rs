//! API keys of the publish API: a name, the SHA-256 of the key, when it was made and, once
//! revoked, when.

use sqlx::Row;

use super::{Store, StoreError};

/// An API key as stored (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRow {
    /// Its name (the author its messages show).
    pub name: String,
    /// When it was made, ms since the Unix epoch.
    pub created_at: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<i64>,
}

impl Store {
    /// Records a key; `false` if a key of that name exists and is not revoked (a revoked
    /// one is replaced).
    pub async fn create_api_key(
        &self,
        name: &str,
        hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(&Self::sql(
            self.backend,
            "DELETE FROM api_keys WHERE name = ? AND revoked_at IS NOT NULL",
        ))
        .bind(name)
        .execute(&mut *tx)
        .await?;
        let exists = sqlx::query(&Self::sql(
            self.backend,
            "SELECT 1 FROM api_keys WHERE name = ?",
        ))
        .bind(name)
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_some() {
            return Ok(false);
        }
        sqlx::query(&Self::sql(
            self.backend,
            "INSERT INTO api_keys (name, hash, created_at) VALUES (?, ?, ?)",
        ))
        .bind(name)
        .bind(hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Every key, by name.
    pub async fn api_keys(&self) -> Result<Vec<ApiKeyRow>, StoreError> {
        let rows = sqlx::query("SELECT name, created_at, revoked_at FROM api_keys ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiKeyRow {
                    name: r.try_get(0)?,
                    created_at: r.try_get(1)?,
                    revoked_at: r.try_get(2)?,
                })
            })
            .collect()
    }

    /// Revokes the key `name` at `now`; `false` if there is no live key of that name.
    pub async fn revoke_api_key(&self, name: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(&Self::sql(
            self.backend,
            "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
        ))
        .bind(now)
        .bind(name)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The name of the live (not revoked) key with this hash.
    pub async fn api_key_named(&self, hash: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(&Self::sql(
            self.backend,
            "SELECT name FROM api_keys WHERE hash = ? AND revoked_at IS NULL",
        ))
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?)
    }
}
