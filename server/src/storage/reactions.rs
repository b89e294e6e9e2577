//! Writing reactions: one transaction per writer round for every reaction queued in it
//! (group commit, as for messages), run by the [`writer`](super::writer) task.
//!
//! Each room's changes are numbered from its `rooms.last_change`, raised once per room and
//! round in the same transaction: the row lock orders a room's changes across nodes, and a
//! reader that sees `last_change` = n also sees every change up to n. A change writes the
//! `reactions` row, the message's reactions as sent (`messages.reactions`, JSON, with its
//! `rev`) and the message's entry in `message_changes` (what a resuming client missed).
//!
//! Every check runs under that lock, so two nodes adding a room's 21st emoji at once cannot
//! both succeed (on MySQL the transaction is READ COMMITTED, so that what it reads under the
//! lock is what the other node committed).

use std::collections::HashMap;
use std::sync::Arc;

use shared::{Emoji, Nickname, Reaction, RoomName, Seq, REACTIONS_DISTINCT_MAX};
use shared::{REACTIONS_PER_USER_MAX, REACTION_NAMES_MAX};
use sqlx::{AnyConnection, AnyPool, Row};

use super::{rows, sequencer, Backend, Store, StoreError};

/// One reaction to add or take back.
#[derive(Debug, Clone)]
pub struct ReactionChange {
    /// The room.
    pub room: RoomName,
    /// The message.
    pub seq: Seq,
    /// The emoji.
    pub emoji: Emoji,
    /// Who (nickname key).
    pub user: Arc<str>,
    /// The nickname shown.
    pub nickname: Nickname,
    /// Added (true) or taken back.
    pub add: bool,
    /// Server time, ms since the Unix epoch.
    pub ts: i64,
}

/// What became of a [`ReactionChange`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReactOutcome {
    /// Stored as change `rev`; the message's reactions are now `reactions`.
    Changed {
        /// The room's change number.
        rev: u64,
        /// The message's reactions after it (without `mine`).
        reactions: Vec<Reaction>,
    },
    /// It was so already: nothing changed.
    Unchanged,
    /// The room has no message of that seq.
    NoSuchMessage,
    /// It would pass a limit (the sentence says which).
    TooMany(&'static str),
}

/// Writes `changes` in one transaction: an outcome for each, in order.
pub(super) async fn commit(
    pool: &AnyPool,
    backend: Backend,
    changes: &[ReactionChange],
) -> Result<Vec<ReactOutcome>, StoreError> {
    let mut conn = pool.acquire().await?;
    if backend == Backend::MySql {
        // InnoDB's default (REPEATABLE READ) would read every room's message rows as of the
        // first read: a later room's lock, waited for behind another node's commit, would
        // then be read from before that commit, and its change overwritten. Each statement
        // reads what is committed now (as on PostgreSQL), and no gap locks are taken.
        sqlx::Executor::execute(&mut *conn, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            .await?;
    }
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    // Each room's block of change numbers: one raise per room, by name (as messages lock
    // rooms, so that two nodes never wait on each other).
    let mut per_room: Vec<(&str, usize)> = Vec::new();
    for c in changes {
        match per_room.iter_mut().find(|(r, _)| *r == c.room.as_str()) {
            Some((_, n)) => *n += 1,
            None => per_room.push((c.room.as_str(), 1)),
        }
    }
    per_room.sort_unstable();
    let mut next_rev: HashMap<&str, i64> = HashMap::with_capacity(per_room.len());
    for (room, n) in per_room {
        let last = sequencer::raise_change(&mut tx, backend, room, n).await?;
        next_rev.insert(room, last - n as i64 + 1);
    }
    let mut out = Vec::with_capacity(changes.len());
    for c in changes {
        let rev = next_rev.get_mut(c.room.as_str()).expect("raised above");
        let outcome = one(&mut tx, backend, c, *rev).await?;
        *rev += 1;
        out.push(outcome);
    }
    tx.commit().await?;
    Ok(out)
}

/// One change, as change number `rev`.
async fn one(
    tx: &mut AnyConnection,
    backend: Backend,
    c: &ReactionChange,
    rev: i64,
) -> Result<ReactOutcome, StoreError> {
    let (room, seq) = (c.room.as_str(), c.seq.0 as i64);
    let held = sqlx::query(&Store::sql(
        backend,
        "SELECT reactions FROM messages WHERE room = ? AND seq = ?",
    ))
    .bind(room)
    .bind(seq)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(held) = held else {
        return Ok(ReactOutcome::NoSuchMessage);
    };
    let mut list = rows::reactions(held.try_get(0)?)?;
    if c.add {
        let mine: Vec<String> = sqlx::query(&Store::sql(
            backend,
            "SELECT emoji FROM reactions WHERE room = ? AND seq = ? AND user_key = ?",
        ))
        .bind(room)
        .bind(seq)
        .bind(&*c.user)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<_, _>>()?;
        if mine.iter().any(|e| e == c.emoji.as_str()) {
            return Ok(ReactOutcome::Unchanged);
        }
        if mine.len() >= REACTIONS_PER_USER_MAX {
            return Ok(ReactOutcome::TooMany(
                "you have 10 reactions on this message, the most one person may; take one back first",
            ));
        }
        if list.len() >= REACTIONS_DISTINCT_MAX && !list.iter().any(|r| r.emoji == c.emoji) {
            return Ok(ReactOutcome::TooMany(
                "this message has reactions with 20 different emoji, the most it may have; \
                 add one of those",
            ));
        }
        sqlx::query(&Store::sql(
            backend,
            "INSERT INTO reactions (room, seq, emoji, user_key, nickname, ts) \
             VALUES (?, ?, ?, ?, ?, ?)",
        ))
        .bind(room)
        .bind(seq)
        .bind(c.emoji.as_str())
        .bind(&*c.user)
        .bind(c.nickname.as_str())
        .bind(c.ts)
        .execute(&mut *tx)
        .await?;
        shared::apply_reaction(&mut list, &c.emoji, &c.nickname, true);
    } else {
        let gone = sqlx::query(&Store::sql(
            backend,
            "DELETE FROM reactions WHERE room = ? AND seq = ? AND emoji = ? AND user_key = ?",
        ))
        .bind(room)
        .bind(seq)
        .bind(c.emoji.as_str())
        .bind(&*c.user)
        .execute(&mut *tx)
        .await?;
        if gone.rows_affected() == 0 {
            return Ok(ReactOutcome::Unchanged);
        }
        shared::apply_reaction(&mut list, &c.emoji, &c.nickname, false);
        relist_names(tx, backend, c, &mut list).await?;
    }
    let json = serde_json::to_string(&list).expect("reactions serialize");
    sqlx::query(&Store::sql(
        backend,
        "UPDATE messages SET reactions = ?, rev = ? WHERE room = ? AND seq = ?",
    ))
    .bind((!list.is_empty()).then_some(json))
    .bind(rev)
    .bind(room)
    .bind(seq)
    .execute(&mut *tx)
    .await?;
    let moved = sqlx::query(&Store::sql(
        backend,
        "UPDATE message_changes SET rev = ? WHERE room = ? AND seq = ?",
    ))
    .bind(rev)
    .bind(room)
    .bind(seq)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        sqlx::query(&Store::sql(
            backend,
            "INSERT INTO message_changes (room, seq, rev) VALUES (?, ?, ?)",
        ))
        .bind(room)
        .bind(seq)
        .bind(rev)
        .execute(&mut *tx)
        .await?;
    }
    Ok(ReactOutcome::Changed {
        rev: rev as u64,
        reactions: list,
    })
}

/// After a removal: the emoji's first names again, when the one who left them was listed
/// and others remain to take the place.
async fn relist_names(
    tx: &mut AnyConnection,
    backend: Backend,
    c: &ReactionChange,
    list: &mut [Reaction],
) -> Result<(), StoreError> {
    let Some(r) = list.iter_mut().find(|r| r.emoji == c.emoji) else {
        return Ok(());
    };
    if r.names.len() >= REACTION_NAMES_MAX || r.names.len() as u32 >= r.count {
        return Ok(());
    }
    let names = sqlx::query(&Store::sql(
        backend,
        "SELECT nickname FROM reactions WHERE room = ? AND seq = ? AND emoji = ? \
         ORDER BY ts, user_key LIMIT ?",
    ))
    .bind(c.room.as_str())
    .bind(c.seq.0 as i64)
    .bind(c.emoji.as_str())
    .bind(REACTION_NAMES_MAX as i64)
    .fetch_all(&mut *tx)
    .await?;
    r.names = rows::nicknames(&names)?;
    Ok(())
}
