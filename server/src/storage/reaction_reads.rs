//! Reading reactions: what a join's `reactions` frame lists, and which of a page's reactions
//! are the reader's own (`mine`).

use std::collections::HashSet;

use shared::{Emoji, MessageReactions, Nickname, RoomName, Seq};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{rows, Store, StoreError};

/// Most of a user's own reactions one `mine` read looks at.
const MINE_MAX: i64 = 5_000;

fn message_reactions(row: &AnyRow) -> Result<MessageReactions, StoreError> {
    Ok(MessageReactions {
        seq: Seq(row.try_get::<i64, _>(0)? as u64),
        rev: row.try_get::<i64, _>(1)? as u64,
        reactions: rows::reactions(row.try_get(2)?)?,
    })
}

impl Store {
    /// Who reacted to the message `seq` of `room` with `emoji`: how many, and at most
    /// `limit` of them from the `from`th on, in the order they reacted. None: the room has no
    /// such message.
    pub async fn reactors(
        &self,
        (room, seq): (&RoomName, Seq),
        emoji: &Emoji,
        from: u32,
        limit: usize,
    ) -> Result<Option<(u32, Vec<Nickname>)>, StoreError> {
        let seq = i64::try_from(seq.0).unwrap_or(i64::MAX);
        let held = sqlx::query(&Self::sql(
            self.backend,
            "SELECT reactions FROM messages WHERE room = ? AND seq = ?",
        ))
        .bind(room.as_str())
        .bind(seq)
        .fetch_optional(&self.pool)
        .await?;
        let Some(held) = held else {
            return Ok(None);
        };
        let count = rows::reactions(held.try_get(0)?)?
            .iter()
            .find(|r| r.emoji == *emoji)
            .map_or(0, |r| r.count);
        if count <= from {
            return Ok(Some((count, Vec::new())));
        }
        let names = sqlx::query(&Self::sql(
            self.backend,
            "SELECT nickname FROM reactions WHERE room = ? AND seq = ? AND emoji = ? \
             ORDER BY ts, user_key LIMIT ? OFFSET ?",
        ))
        .bind(room.as_str())
        .bind(seq)
        .bind(emoji.as_str())
        .bind(limit as i64)
        .bind(i64::from(from))
        .fetch_all(&self.pool)
        .await?;
        Ok(Some((count, rows::nicknames(&names)?)))
    }

    /// The room's last change number (0: no reaction was ever added).
    pub async fn last_change(&self, room: &RoomName) -> Result<u64, StoreError> {
        let row = sqlx::query(&Self::sql(
            self.backend,
            "SELECT last_change FROM rooms WHERE name = ?",
        ))
        .bind(room.as_str())
        .fetch_optional(&self.pool)
        .await?;
        Ok(match row {
            Some(r) => r.try_get::<i64, _>(0)?.max(0) as u64,
            None => 0,
        })
    }

    /// The messages whose reactions changed after change `rev`, the latest changed first, at
    /// most `limit`.
    pub async fn changed_since(
        &self,
        room: &RoomName,
        rev: u64,
        limit: usize,
    ) -> Result<Vec<MessageReactions>, StoreError> {
        let rows = sqlx::query(&Self::sql(
            self.backend,
            "SELECT m.seq, m.rev, m.reactions FROM message_changes c \
             JOIN messages m ON m.room = c.room AND m.seq = c.seq \
             WHERE c.room = ? AND c.rev > ? ORDER BY c.rev DESC LIMIT ?",
        ))
        .bind(room.as_str())
        .bind(i64::try_from(rev).unwrap_or(i64::MAX))
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message_reactions).collect()
    }

    /// The messages after `after` that have (or had) reactions, the latest first, at most
    /// `limit`.
    pub async fn reacted_after(
        &self,
        room: &RoomName,
        after: Seq,
        limit: usize,
    ) -> Result<Vec<MessageReactions>, StoreError> {
        let rows = sqlx::query(&Self::sql(
            self.backend,
            "SELECT seq, rev, reactions FROM messages WHERE room = ? AND seq > ? AND rev > 0 \
             ORDER BY seq DESC LIMIT ?",
        ))
        .bind(room.as_str())
        .bind(i64::try_from(after.0).unwrap_or(i64::MAX))
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message_reactions).collect()
    }

    /// `user`'s own reactions to the messages `seqs` of `room` (at most 500): (seq, emoji).
    pub async fn own_reactions(
        &self,
        room: &RoomName,
        user: &str,
        seqs: &[Seq],
    ) -> Result<HashSet<(u64, String)>, StoreError> {
        let marks = vec!["?"; seqs.len()].join(", ");
        let sql = Self::sql_owned(
            self.backend,
            format!(
                "SELECT seq, emoji FROM reactions WHERE room = ? AND user_key = ? \
                 AND seq IN ({marks}) LIMIT ?"
            ),
        );
        let mut query = sqlx::query(&sql).bind(room.as_str()).bind(user);
        for seq in seqs {
            query = query.bind(i64::try_from(seq.0).unwrap_or(i64::MAX));
        }
        let rows = query.bind(MINE_MAX).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<i64, _>(0)? as u64, r.try_get(1)?)))
            .collect()
    }

    /// Sets `mine` on the reactions of `messages` (of `room`) that are `user`'s own.
    pub async fn mark_own<'a, I>(
        &self,
        room: &RoomName,
        user: &str,
        messages: I,
    ) -> Result<(), StoreError>
    where
        I: IntoIterator<Item = (Seq, &'a mut Vec<shared::Reaction>)>,
    {
        let held: Vec<_> = messages
            .into_iter()
            .filter(|(_, r)| !r.is_empty())
            .collect();
        if held.is_empty() {
            return Ok(());
        }
        let seqs: Vec<Seq> = held.iter().map(|(s, _)| *s).collect();
        let own = self.own_reactions(room, user, &seqs).await?;
        for (seq, list) in held {
            for r in list.iter_mut() {
                r.mine = own.contains(&(seq.0, r.emoji.as_str().to_owned()));
            }
        }
        Ok(())
    }
}
