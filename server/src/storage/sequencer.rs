//! Where seqs and message ids come from.
//!
//! One node alone keeps both in memory: each room actor knows its last seq, and the writer
//! counts ids up from the highest stored. In cluster mode several nodes write the same rooms,
//! so the database hands both out:
//! - a room's seqs from its row's `last_seq`, raised in the transaction that inserts its
//!   messages. The `UPDATE` locks the row until the commit, so two nodes writing one room
//!   take turns, and a rolled-back transaction gives its seqs back: seqs stay gapless.
//! - message ids in blocks of [`ID_BLOCK`] from the `counters` row `message_id`, reserved in
//!   a transaction of their own (one short lock every few thousand messages, not one per
//!   commit). Ids are unique, not ordered across nodes.

use sqlx::{AnyConnection, AnyPool, Row};

use super::{Backend, Store};

/// Message ids a node reserves at a time in cluster mode.
const ID_BLOCK: i64 = 4096;

/// How seqs are assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sequencing {
    /// One node: rooms count their own seqs; ids count up in memory.
    Local,
    /// A cluster: the database hands out seqs and id blocks.
    Database,
}

/// The ids this writer may hand out: `next..=end`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ids {
    /// The next free id.
    pub next: i64,
    end: i64,
}

impl Ids {
    /// One node: every id from `next` on.
    pub fn local(next: i64) -> Self {
        Self {
            next,
            end: i64::MAX,
        }
    }

    /// A cluster node: none yet; [`Ids::ensure`] reserves them.
    pub fn cluster() -> Self {
        Self { next: 1, end: 0 }
    }

    /// Makes sure `n` ids are free, reserving a new block if not (the rest of the old one
    /// is given up).
    pub async fn ensure(&mut self, pool: &AnyPool, backend: Backend, n: usize) -> sqlx::Result<()> {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        if self.end.saturating_sub(self.next) + 1 >= n {
            return Ok(());
        }
        let size = ID_BLOCK.max(n);
        let mut tx = pool.begin().await?;
        let end = raise(
            &mut tx,
            backend,
            "counters",
            "value",
            "name",
            "message_id",
            size,
        )
        .await?;
        tx.commit().await?;
        self.next = end - size + 1;
        self.end = end;
        Ok(())
    }
}

/// Reserves `n` seqs of `room` in the transaction `conn` is in: the first of them.
pub(super) async fn reserve_seqs(
    conn: &mut AnyConnection,
    backend: Backend,
    room: &str,
    n: usize,
) -> sqlx::Result<i64> {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    let last = raise(conn, backend, "rooms", "last_seq", "name", room, n).await?;
    Ok(last - n + 1)
}

/// Raises `room`'s change counter by `n` in the transaction `conn` is in: the last of the
/// `n` change numbers it reserves (see [`super::reactions`]).
pub(super) async fn raise_change(
    conn: &mut AnyConnection,
    backend: Backend,
    room: &str,
    n: usize,
) -> sqlx::Result<i64> {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    raise(conn, backend, "rooms", "last_change", "name", room, n).await
}

/// `UPDATE table SET column = column + by WHERE key = value`, then the new value, in the
/// caller's transaction (whose row lock keeps it until the commit).
async fn raise(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    column: &str,
    key: &str,
    value: &str,
    by: i64,
) -> sqlx::Result<i64> {
    let update = Store::sql_owned(
        backend,
        format!("UPDATE {table} SET {column} = {column} + ? WHERE {key} = ?"),
    );
    let done = sqlx::query(&update)
        .bind(by)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() != 1 {
        return Err(sqlx::Error::RowNotFound);
    }
    let select = Store::sql_owned(
        backend,
        format!("SELECT {column} FROM {table} WHERE {key} = ?"),
    );
    let row = sqlx::query(&select)
        .bind(value)
        .fetch_one(&mut *conn)
        .await?;
    row.try_get(0)
}

/// Brings the counters up to what is stored, for a node starting in cluster mode on a
/// database that one node alone may have written (it leaves them be). Only ever raises
/// them, so nodes already running lose nothing.
pub(super) async fn catch_up_counters(pool: &AnyPool) -> sqlx::Result<()> {
    const ROOMS: &str = "UPDATE rooms SET last_seq = \
        (SELECT COALESCE(MAX(seq), 0) FROM messages WHERE messages.room = rooms.name) \
        WHERE last_seq < (SELECT COALESCE(MAX(seq), 0) FROM messages WHERE messages.room = rooms.name)";
    const IDS: &str = "UPDATE counters SET value = (SELECT COALESCE(MAX(id), 0) FROM messages) \
        WHERE name = 'message_id' AND value < (SELECT COALESCE(MAX(id), 0) FROM messages)";
    sqlx::query(ROOMS).execute(pool).await?;
    sqlx::query(IDS).execute(pool).await?;
    Ok(())
}
