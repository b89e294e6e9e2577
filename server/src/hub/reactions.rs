//! The `reactions` frame a join ends its catch-up with: the current reactions of the
//! messages it sent, and of every message changed since the client's `changes_after`, each
//! with the reader's own marked (`mine`).
//!
//! Its `rev` is the room's last change read *before* the messages: every change up to it is
//! in the frame or in an earlier one, so it is the client's next resume point, whatever order
//! the live `reaction` frames arrived in.

use std::collections::BTreeMap;
use std::sync::Arc;

use shared::{MessageReactions, RoomName, Seq, ServerMsg, REACTIONS_FRAME_MAX};

use crate::hub::history::HISTORY_PAGE_MAX_BYTES;
use crate::storage::{Store, StoreError};

/// What a join's `reactions` frame is read for.
#[derive(Debug, Clone)]
pub struct ReactionsJob {
    /// The reader (nickname key), for `mine`.
    pub user: Arc<str>,
    /// The client's resume point, if it gave one.
    pub changes_after: Option<u64>,
}

/// Reads the frame for a join that sent the messages after `after`; `None` when the room has
/// no reaction at all.
pub async fn join_frame(
    store: &Store,
    room: &RoomName,
    after: Seq,
    job: &ReactionsJob,
) -> Result<Option<ServerMsg>, StoreError> {
    let rev = store.last_change(room).await?;
    if rev == 0 {
        return Ok(None);
    }
    // Half the frame for each: the messages sent, and the older ones changed since.
    let half = REACTIONS_FRAME_MAX / 2;
    let mut by_seq: BTreeMap<Seq, MessageReactions> = BTreeMap::new();
    let mut partial = false;
    if let Some(since) = job.changes_after.filter(|c| *c < rev) {
        let changed = store.changed_since(room, since, half + 1).await?;
        partial |= changed.len() > half;
        by_seq.extend(changed.into_iter().take(half).map(|m| (m.seq, m)));
    }
    let sent = store.reacted_after(room, after, half + 1).await?;
    partial |= sent.len() > half;
    by_seq.extend(sent.into_iter().take(half).map(|m| (m.seq, m)));
    let mut messages: Vec<MessageReactions> = by_seq.into_values().collect();
    store
        .mark_own(
            room,
            &job.user,
            messages.iter_mut().map(|m| (m.seq, &mut m.reactions)),
        )
        .await?;
    partial |= keep_newest_within(&mut messages, HISTORY_PAGE_MAX_BYTES);
    Ok(Some(ServerMsg::Reactions {
        room: room.clone(),
        rev,
        messages,
        partial,
    }))
}

/// Drops the oldest messages until the rest fit in `max` bytes; true if any was dropped.
fn keep_newest_within(messages: &mut Vec<MessageReactions>, max: usize) -> bool {
    let mut total = 0;
    let keep = messages
        .iter()
        .rev()
        .take_while(|m| {
            total += serde_json::to_string(m).map_or(max, |s| s.len() + 1);
            total <= max
        })
        .count();
    let drop = messages.len() - keep;
    messages.drain(..drop);
    drop > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::{Emoji, Nickname, Reaction};

    #[test]
    fn a_frame_keeps_the_newest_messages_within_its_bytes() {
        let chip = Reaction {
            emoji: Emoji::parse("👍").unwrap(),
            count: 1,
            names: vec![Nickname::stored("alice").unwrap()],
            mine: false,
        };
        let mut messages: Vec<MessageReactions> = (11..=20)
            .map(|seq| MessageReactions {
                seq: Seq(seq),
                rev: seq,
                reactions: vec![chip.clone()],
            })
            .collect();
        let one = serde_json::to_string(&messages[0]).unwrap().len() + 1;
        assert!(!keep_newest_within(&mut messages, one * 10));
        assert_eq!(messages.len(), 10);
        assert!(keep_newest_within(&mut messages, one * 4 + 1));
        assert_eq!(
            messages.iter().map(|m| m.seq.0).collect::<Vec<_>>(),
            [17, 18, 19, 20]
        );
    }
}
