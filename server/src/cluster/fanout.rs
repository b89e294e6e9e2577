//! A room's committed messages, from the node that committed them to every other node.
//!
//! After its commit, a room publishes each message on `parley.room.<name>` as its seq (8
//! bytes, big-endian) followed by the `message` frame its members get. Each node subscribes
//! to `parley.room.*` and hands each frame to its own actor of that room, which delivers in
//! seq order ([`crate::hub::room`]). NATS core delivers at most once: a room that sees a gap
//! reads it from the database, and every room reads back what it missed when the link comes
//! back (and every [`RESYNC_EVERY`]), so that a lost frame only delays.
//!
//! A reaction goes out on the same subject, as its change number with the top bit set
//! ([`change_payload`]), and is delivered as it comes: a client keeps each message's
//! reactions from the frame with the highest change number, so their order does not matter.
//! One the broker loses reaches members at their next join (and every room reads its last
//! change number back at each resync).
//!
//! The broker is trusted like the database: whoever can publish on it can speak in any room.
//! Keep it on a private network (docs/SECURITY.md).

use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::StreamExt;
use shared::{RoomName, Seq};
use tokio_util::sync::CancellationToken;
use tracing::warn;

use super::Cluster;
use crate::hub::Hub;

/// How often every room checks the database for messages the broker lost, besides after
/// each return of the link.
pub const RESYNC_EVERY: Duration = Duration::from_secs(30);

/// Subjects of the rooms' messages.
const ROOMS: &str = "parley.room.*";

/// The subject a room's messages go out on.
pub fn subject(room: &RoomName) -> String {
    format!("parley.room.{room}")
}

/// A message's payload: its seq, then its frame.
pub fn payload(seq: Seq, frame: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(8 + frame.len());
    out.put_u64(seq.0);
    out.extend_from_slice(frame);
    out.freeze()
}

/// The top bit of a payload's first 8 bytes: set, the rest is a reaction's change number
/// and its `reaction` frame follows; clear, a message's seq.
const CHANGE: u64 = 1 << 63;

/// A reaction's payload: its change number (with [`CHANGE`] set), then its frame.
pub fn change_payload(rev: u64, frame: &[u8]) -> Bytes {
    payload(Seq(rev | CHANGE), frame)
}

/// What a room's payload holds.
#[derive(Debug, PartialEq, Eq)]
pub enum News {
    /// A message of this seq.
    Message(Seq),
    /// A reaction of this change number.
    Change(u64),
}

/// The room, what it is and the frame of a payload received on `subject`; `None` if it is
/// not one.
pub fn parse_news(subject: &str, payload: Bytes) -> Option<(RoomName, News, Bytes)> {
    let (room, head, frame) = parse(subject, payload)?;
    let news = if head.0 & CHANGE != 0 {
        News::Change(head.0 & !CHANGE)
    } else {
        News::Message(head)
    };
    Some((room, news, frame))
}

/// The room, seq and frame of a payload received on `subject`; `None` if it is not one.
pub fn parse(subject: &str, mut payload: Bytes) -> Option<(RoomName, Seq, Bytes)> {
    let room = RoomName::parse(subject.strip_prefix("parley.room.")?).ok()?;
    if payload.len() <= 8 {
        return None;
    }
    let seq = u64::from_be_bytes(payload.split_to(8)[..].try_into().ok()?);
    Some((room, Seq(seq), payload))
}

impl Cluster {
    /// Hands every message the other nodes commit to this node's room of that name, and has
    /// every room read back what the broker may have lost after each return of the link and
    /// every [`RESYNC_EVERY`]. Runs until `stop`.
    pub fn serve_rooms(&self, hub: Hub, stop: CancellationToken) {
        let cluster = self.clone();
        let receiving = {
            let (hub, stop) = (hub.clone(), stop.clone());
            async move {
                let Some(mut sub) = cluster.subscribe(ROOMS, "the rooms' messages").await else {
                    return;
                };
                loop {
                    let msg = tokio::select! {
                        () = stop.cancelled() => return,
                        msg = sub.next() => match msg {
                            Some(msg) => msg,
                            None => return,
                        },
                    };
                    match parse_news(msg.subject.as_str(), msg.payload) {
                        Some((room, News::Message(seq), frame)) => {
                            hub.remote_message(&room, seq, frame)
                        }
                        Some((room, News::Change(rev), frame)) => {
                            hub.remote_change(&room, rev, frame)
                        }
                        None => warn!(subject = %msg.subject, "not a room message; ignored"),
                    }
                }
            }
        };
        tokio::spawn(receiving);
        let mut links = self.links();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(RESYNC_EVERY);
            every.tick().await;
            loop {
                tokio::select! {
                    () = stop.cancelled() => return,
                    changed = links.changed() => if changed.is_err() { return },
                    _ = every.tick() => {}
                }
                hub.resync_rooms();
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_reads_back_and_junk_is_refused() {
        let room = RoomName::parse("gardening").unwrap();
        let p = payload(Seq(42), b"\x81\x02hi");
        assert_eq!(
            parse(&subject(&room), p),
            Some((room.clone(), Seq(42), Bytes::from_static(b"\x81\x02hi")))
        );
        assert_eq!(
            parse("parley.room.gardening", Bytes::from_static(b"short")),
            None
        );
        assert_eq!(parse("parley.room.Bad!", payload(Seq(1), b"x")), None);
        assert_eq!(parse("other.gardening", payload(Seq(1), b"x")), None);
        assert_eq!(
            parse_news(&subject(&room), change_payload(7, b"r")),
            Some((room.clone(), News::Change(7), Bytes::from_static(b"r")))
        );
        assert_eq!(
            parse_news(&subject(&room), payload(Seq(7), b"m")),
            Some((
                room.clone(),
                News::Message(Seq(7)),
                Bytes::from_static(b"m")
            ))
        );
    }
}
