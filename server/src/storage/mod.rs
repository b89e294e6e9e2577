//! Durable storage of rooms and messages through sqlx: SQLite in the data directory by
//! default, PostgreSQL or MySQL/MariaDB when given a URL. Migrations are embedded and run at
//! start. Queries are written once with `?` placeholders ([`Store::sql`] adapts them).
//!
//! Messages are only ever written by the [`writer`] task, which commits them in batches.

mod api_keys;
pub mod direct;
mod grants;
mod reaction_reads;
pub mod reactions;
mod read_state;
mod rows;
pub mod sequencer;
pub mod sessions;
pub mod writer;

use std::borrow::Cow;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use shared::{ChatMessage, Nickname, Reply, RoomName, Seq};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Connection, Executor, Row};

pub use self::api_keys::ApiKeyRow;
pub use self::sequencer::Sequencing;
pub use self::writer::{NewMessage, Outcome, WriterHandle};

/// How long start-up waits for the database before giving up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Which database is behind the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (the default).
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
}

/// A storage failure. Details go to the log; clients get `storage_unavailable`.
#[derive(Debug, Clone, thiserror::Error)]
#[error("storage error: {0}")]
pub struct StoreError(pub std::sync::Arc<sqlx::Error>);

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        Self(std::sync::Arc::new(e))
    }
}

/// Handle to the database: a connection pool and the message writer.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    writer: WriterHandle,
}

/// Where the data lives: `database_url` if given, else SQLite in `data_dir`.
pub fn database_url(
    data_dir: &Path,
    database_url: Option<&str>,
) -> anyhow::Result<(String, Backend)> {
    let Some(url) = database_url else {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
        let dir = data_dir.canonicalize()?;
        let file = dir.join("parley.db");
        return Ok((
            format!("sqlite://{}?mode=rwc", file.display()),
            Backend::Sqlite,
        ));
    };
    let backend = match url.split(':').next().unwrap_or_default() {
        "sqlite" => Backend::Sqlite,
        "postgres" | "postgresql" => Backend::Postgres,
        "mysql" | "mariadb" => Backend::MySql,
        other => anyhow::bail!(
            "unsupported database URL scheme {other:?}: use sqlite://, postgres:// or mysql:// (MariaDB too)"
        ),
    };
    let url = match url.strip_prefix("mariadb:") {
        Some(rest) => format!("mysql:{rest}"),
        None => url.to_owned(),
    };
    Ok((url, backend))
}

/// The URL without credentials, for messages: `postgres://db.example:5432/parley`.
pub fn describe_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if u.scheme() == "sqlite" => url.split('?').next().unwrap_or(url).to_owned(),
        Ok(u) => {
            let host = u.host_str().unwrap_or("localhost");
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!("{}://{host}{port}{}", u.scheme(), u.path())
        }
        Err(_) => "(unparsable database URL)".into(),
    }
}

impl Store {
    /// Connects, applies the migrations and starts the writer, numbering as `seqs` says.
    pub async fn open(
        data_dir: &Path,
        database_url_arg: Option<&str>,
        seqs: Sequencing,
    ) -> anyhow::Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, backend) = database_url(data_dir, database_url_arg)?;
        // One plain connection first: its error says why (refused, unknown host, bad
        // password), where the pool's would only say it timed out.
        let probe = tokio::time::timeout(CONNECT_TIMEOUT, sqlx::AnyConnection::connect(&url))
            .await
            .map_err(|_| anyhow::anyhow!("no answer within {CONNECT_TIMEOUT:?}"))
            .and_then(|r| r.map_err(anyhow::Error::from))
            .with_context(|| format!("cannot connect to the database at {}", describe_url(&url)))?;
        probe.close().await.ok();
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .acquire_timeout(CONNECT_TIMEOUT)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; NORMAL syncs at checkpoints,
                        // which survives a crash of the process (not of the machine).
                        // Checkpoints run in the background (see `checkpoints`), so no commit
                        // ever waits for an fsync.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                        conn.execute("PRAGMA wal_autocheckpoint = 0").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .with_context(|| format!("cannot connect to the database at {}", describe_url(&url)))?;
        migrator(backend)
            .run(&pool)
            .await
            .with_context(|| format!("cannot apply migrations to {}", describe_url(&url)))?;
        let next_id = max_id(&pool)
            .await
            .context("reading the latest message id")?
            + 1;
        if seqs == Sequencing::Database {
            sequencer::catch_up_counters(&pool)
                .await
                .context("bringing the cluster's counters up to date")?;
        }
        let writer = writer::spawn(pool.clone(), backend, seqs, next_id);
        if backend == Backend::Sqlite {
            tokio::spawn(checkpoints(pool.clone()));
        }
        tracing::info!(database = %describe_url(&url), ?backend, "storage ready");
        Ok(Store {
            pool,
            backend,
            writer,
        })
    }

    /// Adapts a query written with `?` placeholders to the backend.
    pub(crate) fn sql(backend: Backend, query: &'static str) -> Cow<'static, str> {
        if backend != Backend::Postgres {
            return Cow::Borrowed(query);
        }
        Cow::Owned(Self::sql_owned(backend, query.to_owned()))
    }

    /// [`Store::sql`] for a query built at run time.
    pub(crate) fn sql_owned(backend: Backend, query: String) -> String {
        if backend != Backend::Postgres {
            return query;
        }
        let mut out = String::with_capacity(query.len() + 8);
        let mut n = 0;
        for c in query.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        out
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The message writer.
    pub fn writer(&self) -> &WriterHandle {
        &self.writer
    }

    /// The pool, for tests that look at the tables.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Every room's name with its creator's nickname, oldest first.
    pub async fn rooms(&self) -> Result<Vec<(RoomName, String)>, StoreError> {
        let rows = sqlx::query("SELECT name, created_by FROM rooms ORDER BY created_at, name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| Ok((rows::room_name(row)?, row.try_get::<String, _>(1)?)))
            .collect()
    }

    /// The nickname (as stored) of whoever created `name`, if it is a room.
    pub async fn room_creator(&self, name: &RoomName) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(&Self::sql(
            self.backend,
            "SELECT created_by FROM rooms WHERE name = ?",
        ))
        .bind(name.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.try_get::<String, _>(0)).transpose()?)
    }

    /// Records a new room (no-op if it exists).
    pub async fn create_room(
        &self,
        name: &RoomName,
        created_by: &str,
        created_at: i64,
    ) -> Result<(), StoreError> {
        let exists = sqlx::query(&Self::sql(
            self.backend,
            "SELECT 1 FROM rooms WHERE name = ?",
        ))
        .bind(name.as_str())
        .fetch_optional(&self.pool)
        .await?;
        if exists.is_none() {
            sqlx::query(&Self::sql(
                self.backend,
                "INSERT INTO rooms (name, created_by, created_at) VALUES (?, ?, ?)",
            ))
            .bind(name.as_str())
            .bind(created_by)
            .bind(created_at)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Whether the room has a message.
    pub async fn has_messages(&self, room: &RoomName) -> Result<bool, StoreError> {
        let row = sqlx::query(&Self::sql(
            self.backend,
            "SELECT 1 FROM messages WHERE room = ? LIMIT 1",
        ))
        .bind(room.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Deletes a room unless it has a message; returns who created it if it did.
    pub async fn delete_room_if_empty(
        &self,
        room: &RoomName,
    ) -> Result<Option<String>, StoreError> {
        let creator = sqlx::query(&Self::sql(
            self.backend,
            "SELECT created_by FROM rooms WHERE name = ?",
        ))
        .bind(room.as_str())
        .fetch_optional(&self.pool)
        .await?;
        let Some(creator) = creator else {
            return Ok(None);
        };
        let done = sqlx::query(&Self::sql(
            self.backend,
            "DELETE FROM rooms WHERE name = ? AND NOT EXISTS (SELECT 1 FROM messages WHERE room = ?)",
        ))
        .bind(room.as_str())
        .bind(room.as_str())
        .execute(&self.pool)
        .await?;
        Ok((done.rows_affected() > 0).then(|| creator.get::<String, _>(0)))
    }

    /// The room's latest seq (0 if it has no message).
    pub async fn last_seq(&self, room: &RoomName) -> Result<Seq, StoreError> {
        let row = sqlx::query(&Self::sql(
            self.backend,
            "SELECT MAX(seq) FROM messages WHERE room = ?",
        ))
        .bind(room.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(Seq(row.try_get::<Option<i64>, _>(0)?.unwrap_or(0) as u64))
    }

    /// Messages with `after < seq <= until`, oldest first, at most `limit`.
    pub async fn messages_after(
        &self,
        room: &RoomName,
        after: Seq,
        until: Seq,
        limit: u32,
    ) -> Result<Vec<ChatMessage>, StoreError> {
        let q = Self::sql_owned(
            self.backend,
            format!(
                "SELECT {} FROM messages WHERE room = ? AND seq > ? AND seq <= ? \
                 ORDER BY seq LIMIT ?",
                rows::MESSAGE_COLUMNS
            ),
        );
        let rows = sqlx::query(&q)
            .bind(room.as_str())
            .bind(after.0 as i64)
            .bind(until.0 as i64)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(rows::chat_message).collect()
    }

    /// The quote a reply to the message at `seq` of `room` carries, if there is one.
    pub async fn quote(&self, room: &RoomName, seq: Seq) -> Result<Option<Reply>, StoreError> {
        let q = Self::sql(
            self.backend,
            "SELECT nickname, body FROM messages WHERE room = ? AND seq = ?",
        );
        let Ok(at) = i64::try_from(seq.0) else {
            return Ok(None);
        };
        let row = sqlx::query(&q)
            .bind(room.as_str())
            .bind(at)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let nickname: String = row.try_get(0)?;
        let body: String = row.try_get(1)?;
        Ok(Some(Reply {
            seq,
            nickname: Nickname::stored(&nickname)
                .map_err(|e| sqlx::Error::Decode(format!("stored nickname: {e}").into()))?,
            snippet: shared::format::snippet(&body),
        }))
    }

    /// Up to `limit` messages with `seq < before`, oldest first, and whether older ones exist.
    pub async fn messages_before(
        &self,
        room: &RoomName,
        before: Seq,
        limit: u32,
    ) -> Result<(Vec<ChatMessage>, bool), StoreError> {
        let q = Self::sql_owned(
            self.backend,
            format!(
                "SELECT {} FROM messages WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                rows::MESSAGE_COLUMNS
            ),
        );
        let before = i64::try_from(before.0).unwrap_or(i64::MAX);
        let rows: Vec<AnyRow> = sqlx::query(&q)
            .bind(room.as_str())
            .bind(before)
            .bind(i64::from(limit) + 1)
            .fetch_all(&self.pool)
            .await?;
        let has_more = rows.len() > limit as usize;
        let mut page = rows
            .iter()
            .take(limit as usize)
            .map(rows::chat_message)
            .collect::<Result<Vec<_>, _>>()?;
        page.reverse();
        Ok((page, has_more))
    }
}

/// How often the SQLite write-ahead log is copied into the database file. Each checkpoint
/// ends with an fsync, which on this kind of disk stalls other writes for a few
/// milliseconds (docs/PERFORMANCE.md), so they are spaced out; the log grows meanwhile
/// (about 12 KiB per commit).
const CHECKPOINT_EVERY: Duration = Duration::from_secs(10);

/// Checkpoints the SQLite WAL off the write path: a passive checkpoint never blocks the
/// writer, and its fsync happens on this task's connection, not in a commit.
async fn checkpoints(pool: AnyPool) {
    let mut tick = tokio::time::interval_at(
        tokio::time::Instant::now() + CHECKPOINT_EVERY,
        CHECKPOINT_EVERY,
    );
    loop {
        tick.tick().await;
        if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::warn!(cause = %err, "WAL checkpoint failed");
        }
    }
}

async fn max_id(pool: &AnyPool) -> Result<i64, sqlx::Error> {
    let row = sqlx::query("SELECT MAX(id) FROM messages")
        .fetch_one(pool)
        .await?;
    Ok(row.try_get::<Option<i64>, _>(0)?.unwrap_or(0))
}

fn migrator(backend: Backend) -> sqlx::migrate::Migrator {
    match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        Backend::MySql => sqlx::migrate!("./migrations/mysql"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_for_postgres() {
        let q = "SELECT a FROM t WHERE b = ? AND c = ?";
        assert_eq!(
            Store::sql(Backend::Postgres, q),
            "SELECT a FROM t WHERE b = $1 AND c = $2"
        );
        assert_eq!(Store::sql(Backend::MySql, q), q);
        assert_eq!(Store::sql(Backend::Sqlite, q), q);
    }

    #[test]
    fn urls_are_described_without_credentials() {
        assert_eq!(
            describe_url("postgres://bob:s3cret@db.example:5433/parley"),
            "postgres://db.example:5433/parley"
        );
        assert_eq!(
            describe_url("mysql://root:pw@127.0.0.1/test"),
            "mysql://127.0.0.1/test"
        );
        assert!(!describe_url("postgres://u:topsecret@h/d").contains("topsecret"));
        assert_eq!(
            describe_url("sqlite:///tmp/x.db?mode=rwc"),
            "sqlite:///tmp/x.db"
        );
    }

    #[test]
    fn url_schemes() {
        let dir = std::env::temp_dir();
        assert_eq!(
            database_url(&dir, Some("mariadb://h/d")).unwrap(),
            ("mysql://h/d".into(), Backend::MySql)
        );
        assert_eq!(
            database_url(&dir, Some("postgresql://h/d")).unwrap().1,
            Backend::Postgres
        );
        assert!(database_url(&dir, Some("redis://h")).is_err());
        assert_eq!(database_url(&dir, None).unwrap().1, Backend::Sqlite);
    }
}
