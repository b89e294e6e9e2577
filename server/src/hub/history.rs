//! Reading a room's history: the one place every transport reads it through. A page of
//! older messages ([`Hub::history_page`]: the WebSocket's `history` and REST's
//! `GET /api/rooms/{room}/messages`), and the catch-up a join starts ([`catch_up`]:
//! everything after the client's resume point, from storage as far as the room no longer
//! holds it in memory, at the pace the client reads).

use bytes::Bytes;
use shared::{ChatMessage, ErrorCode, HistoryFrom, RoomName, Seq, ServerMsg, HISTORY_PAGE_MAX};

use super::outbox::Outbox;
use super::reactions::ReactionsJob;
use super::room::recent::RecentFrames;
use super::Hub;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::storage::{Store, StoreError};
use crate::wire;

/// Messages read from storage per query during a catch-up: at most about 1 MiB (64
/// messages of the largest size), held until the client has read the one before.
const CATCH_UP_PAGE: u32 = 64;

/// Largest history page, in bytes of its messages' frames (a page of large messages holds
/// fewer than it was asked for, and says `has_more`).
pub const HISTORY_PAGE_MAX_BYTES: usize = 256 * 1024;

/// A page of a room's messages, oldest first.
#[derive(Debug)]
pub struct HistoryPage {
    /// The room.
    pub room: RoomName,
    /// The messages.
    pub messages: Vec<ChatMessage>,
    /// Older messages exist.
    pub has_more: bool,
    /// Newer messages exist (said by `after` and `around` pages).
    pub has_newer: bool,
}

impl From<HistoryPage> for ServerMsg {
    fn from(page: HistoryPage) -> Self {
        ServerMsg::History {
            room: page.room,
            messages: page.messages,
            has_more: page.has_more,
            has_newer: page.has_newer,
        }
    }
}

/// Why a history page cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// No room of that name.
    #[error("there is no room #{0}")]
    NoSuchRoom(RoomName),
    /// Storage failed (the cause is logged).
    #[error("history could not be read; try again")]
    Unavailable(#[source] StoreError),
}

impl HistoryError {
    /// The protocol's code for it.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NoSuchRoom(_) => ErrorCode::NoSuchRoom,
            Self::Unavailable(_) => ErrorCode::StorageUnavailable,
        }
    }

    /// The error frame a client gets for it.
    pub fn to_msg(&self, room: &RoomName) -> ServerMsg {
        ServerMsg::Error {
            code: self.code(),
            message: self.to_string(),
            room: Some(room.clone()),
            client_id: None,
        }
    }
}

impl Hub {
    /// Up to `limit` (default: the configured page, at most [`HISTORY_PAGE_MAX`]) messages
    /// of `room` from `from`: the latest, those before or after a seq, or those around one
    /// (half the page up to it, it included, and half after). The reactions of `reader`
    /// (a nickname key) are marked `mine`.
    pub async fn history_page(
        &self,
        (room, reader): (&RoomName, &str),
        from: HistoryFrom,
        limit: Option<u32>,
    ) -> Result<HistoryPage, HistoryError> {
        if self.existing_room(room).is_none() {
            return Err(HistoryError::NoSuchRoom(room.clone()));
        }
        let limit = limit
            .unwrap_or(self.history_page_len())
            .clamp(1, HISTORY_PAGE_MAX);
        let max = HISTORY_PAGE_MAX_BYTES.min(self.outbox_bytes() / 4);
        let mut read = read_page(self.store(), room, from, limit).await;
        if let Ok(page) = &mut read {
            let own = page.messages.iter_mut().map(|m| (m.seq, &mut m.reactions));
            if let Err(err) = self.store().mark_own(room, reader, own).await {
                read = Err(err);
            }
        }
        match read {
            Ok(mut page) => {
                if matches!(from, HistoryFrom::After(_)) {
                    page.has_newer |= keep_oldest_within(&mut page.messages, max);
                } else {
                    page.has_more |= keep_newest_within(&mut page.messages, max);
                }
                Ok(page)
            }
            Err(err) => {
                tracing::warn!(cause = %err, %room, "history read failed");
                Err(HistoryError::Unavailable(err))
            }
        }
    }
}

/// Reads the page `from` names.
async fn read_page(
    store: &Store,
    room: &RoomName,
    from: HistoryFrom,
    limit: u32,
) -> Result<HistoryPage, StoreError> {
    let newer_than = |after: Seq, n: u32| async move {
        // One more than asked for says whether there are newer ones.
        let mut got = store
            .messages_after(room, after, Seq(i64::MAX as u64), n + 1)
            .await?;
        let has_newer = got.len() > n as usize;
        got.truncate(n as usize);
        Ok::<_, StoreError>((got, has_newer))
    };
    let (messages, has_more, has_newer) = match from {
        HistoryFrom::Latest => {
            let (m, more) = store.messages_before(room, Seq(u64::MAX), limit).await?;
            (m, more, false)
        }
        HistoryFrom::Before(before) => {
            let (m, more) = store.messages_before(room, before, limit).await?;
            (m, more, false)
        }
        HistoryFrom::After(after) => {
            let (m, newer) = newer_than(after, limit).await?;
            let more = m.first().map_or(after.0 > 0, |f| f.seq.0 > 1);
            (m, more, newer)
        }
        HistoryFrom::Around(at) => {
            let up_to = limit - limit / 2;
            let (mut m, more) = store
                .messages_before(room, Seq(at.0.saturating_add(1)), up_to)
                .await?;
            let (after, newer) = newer_than(at, limit / 2).await?;
            m.extend(after);
            (m, more, newer)
        }
    };
    Ok(HistoryPage {
        room: room.clone(),
        messages,
        has_more,
        has_newer,
    })
}

/// Drops the newest of `messages` (oldest first) until the frames of the rest fit in `max`
/// bytes, keeping at least one; true if any was dropped.
fn keep_oldest_within(messages: &mut Vec<ChatMessage>, max: usize) -> bool {
    messages.reverse();
    let dropped = keep_newest_within(messages, max);
    messages.reverse();
    dropped
}

/// Drops the oldest of `messages` (oldest first) until the frames of the rest fit in `max`
/// bytes, keeping at least one; true if any was dropped.
fn keep_newest_within(messages: &mut Vec<ChatMessage>, max: usize) -> bool {
    let mut bytes = 0;
    let keep = messages
        .iter()
        .rev()
        .take_while(|m| {
            bytes += frame_len(m);
            bytes <= max
        })
        .count()
        .max(1);
    let drop = messages.len().saturating_sub(keep);
    messages.drain(..drop);
    drop > 0
}

/// About the size of a message's frame (its text, nickname and quote escaped, plus the
/// envelope).
fn frame_len(m: &ChatMessage) -> usize {
    const ENVELOPE: usize = 160;
    const QUOTE_ENVELOPE: usize = 60;
    const CHIP_ENVELOPE: usize = 60;
    let chips: usize = m
        .reactions
        .iter()
        .map(|r| {
            r.emoji.as_str().len() * 6
                + r.names
                    .iter()
                    .map(|n| shared::json_escaped_len(n.as_str()) + 3)
                    .sum::<usize>()
                + CHIP_ENVELOPE
        })
        .sum();
    let quote = m.reply.as_ref().map_or(0, |r| {
        shared::json_escaped_len(&r.snippet)
            + shared::json_escaped_len(r.nickname.as_str())
            + QUOTE_ENVELOPE
    });
    shared::json_escaped_len(m.text.as_str())
        + shared::json_escaped_len(m.nickname.as_str())
        + quote
        + chips
        + ENVELOPE
}

/// A join's catch-up: the messages after `after`; `recent` holds those the room still had in
/// memory and says which came before them.
pub(crate) struct CatchUp {
    pub store: Store,
    pub room: RoomName,
    pub after: Seq,
    pub recent: RecentFrames,
    pub outbox: Arc<Outbox>,
    /// Cancelled when the member leaves or joins again: nothing more may be queued then.
    pub cancel: CancellationToken,
    /// The room has reactions: end with a `reactions` frame.
    pub reactions: Option<ReactionsJob>,
}

/// Queues a catch-up into the member's outbox, paced by its reading. A storage failure is
/// reported to the client, which keeps its resume point and gets the rest on its next join.
pub(crate) async fn catch_up(job: CatchUp) {
    let CatchUp {
        store,
        room,
        after,
        recent,
        outbox,
        cancel,
        reactions,
    } = job;
    let cancel = Some(&cancel);
    if let Some(stored_until) = recent.missing_until {
        let mut from = after;
        while from < stored_until {
            let _turn = outbox.read_turn().await;
            let page = match store
                .messages_after(&room, from, stored_until, CATCH_UP_PAGE)
                .await
            {
                Ok(page) if !page.is_empty() => page,
                Ok(_) => break,
                Err(err) => {
                    tracing::warn!(cause = %err, %room, "catch-up from storage failed");
                    let error = wire::encode(&ServerMsg::Error {
                        code: ErrorCode::StorageUnavailable,
                        message: "missed messages could not be read; rejoin to get them".into(),
                        room: Some(room.clone()),
                        client_id: None,
                    });
                    let _ = outbox.push_paced([error], cancel).await;
                    break;
                }
            };
            from = page.last().map_or(stored_until, |m| m.seq);
            let frames: Vec<Bytes> = page
                .into_iter()
                .map(|m| wire::encode(&ServerMsg::Message(m)))
                .collect();
            if outbox.push_paced(frames, cancel).await.is_err() {
                return;
            }
        }
    }
    if outbox.push_paced(recent.frames, cancel).await.is_err() {
        return;
    }
    let Some(job) = reactions else { return };
    match super::reactions::join_frame(&store, &room, after, &job).await {
        Ok(Some(frame)) => {
            let _ = outbox.push_paced([wire::encode(&frame)], cancel).await;
        }
        Ok(None) => {}
        // The client keeps its resume point and gets them at its next join.
        Err(err) => tracing::warn!(cause = %err, %room, "reactions for a join could not be read"),
    }
}

#[cfg(test)]
mod tests {
    use super::frame_len;
    use shared::{ChatMessage, MessageId, MessageText, Nickname, Reply, RoomName, Seq, ServerMsg};

    #[test]
    fn a_frames_estimate_covers_its_quote_and_reactions() {
        let widest_name = Nickname::stored(&"\"".repeat(32)).unwrap();
        let m = ChatMessage {
            room: RoomName::parse("lobby").unwrap(),
            seq: Seq(u64::MAX),
            id: MessageId(u64::MAX),
            nickname: widest_name.clone(),
            text: MessageText::parse("ok").unwrap(),
            ts: i64::MIN,
            bot: true,
            reply: Some(Reply {
                seq: Seq(u64::MAX),
                nickname: widest_name,
                snippet: "\u{1}".repeat(shared::REPLY_SNIPPET_MAX_CHARS),
            }),
            reactions: ["👍", "👨‍👩‍👧‍👦", "🇫🇷"]
                .into_iter()
                .map(|e| shared::Reaction {
                    emoji: shared::Emoji::parse(e).unwrap(),
                    count: u32::MAX,
                    names: vec![Nickname::stored(&"\"".repeat(32)).unwrap(); 3],
                    mine: true,
                })
                .collect(),
            rev: u64::MAX,
        };
        let sent = serde_json::to_string(&ServerMsg::Message(m.clone()))
            .unwrap()
            .len();
        assert!(
            frame_len(&m) >= sent,
            "estimated {} < {sent}",
            frame_len(&m)
        );
    }
}
