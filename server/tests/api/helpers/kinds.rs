//! Typed server messages for the readers of [`super::Client`].

use shared::{ChatMessage, ErrorCode, MessageId, PresenceChange, RoomSummary, Seq, ServerMsg};

/// One type of server message, picked out of the stream by the typed helpers
/// ([`Client::recv_kind`], [`Client::expect_next`], [`expect_kind`]) with its fields.
pub trait Kind: Sized + std::fmt::Debug {
    /// Its `"type"` on the wire, for panic messages.
    const TYPE: &'static str;
    /// The message's fields, or the message back when it is of another type.
    // The message back whole, as the readers skip it: a test helper, not a hot path.
    #[allow(clippy::result_large_err)]
    fn pick(msg: ServerMsg) -> Result<Self, ServerMsg>;
}

/// A `welcome` frame.
#[derive(Debug, Clone)]
pub struct Welcome {
    pub protocol: u32,
    pub rooms: Vec<RoomSummary>,
    /// (room, the other person).
    pub directs: Vec<(String, String)>,
}

/// A `joined` frame.
#[derive(Debug, Clone)]
pub struct Joined {
    pub room: String,
    pub nickname: String,
    pub members: Vec<String>,
    pub member_count: u32,
    pub after: Seq,
    pub last_seq: Seq,
    pub read_seq: Seq,
    pub unread: u32,
    pub mentions: u32,
    pub direct: Option<String>,
    pub notify: shared::NotifyLevel,
}

/// A `left` frame.
#[derive(Debug, Clone)]
pub struct Left {
    pub room: String,
}

/// A `presence` frame.
#[derive(Debug, Clone)]
pub struct Presence {
    pub room: String,
    pub nickname: String,
    pub change: PresenceChange,
}

/// A `room_list` frame.
#[derive(Debug, Clone)]
pub struct RoomList {
    pub prefix: String,
    pub rooms: Vec<RoomSummary>,
    pub next: Option<String>,
}

/// A `room_counts` frame.
#[derive(Debug, Clone)]
pub struct RoomCounts {
    pub rooms: Vec<RoomSummary>,
}

/// A `read` frame.
#[derive(Debug, Clone)]
pub struct Read {
    pub room: String,
    pub seq: Seq,
}

/// A `typing` frame.
#[derive(Debug, Clone)]
pub struct Typing {
    pub room: String,
    pub nickname: String,
    pub typing: bool,
}

/// An `ack` frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub room: String,
    pub client_id: String,
    pub seq: Seq,
    pub id: MessageId,
    pub ts: i64,
    pub duplicate: bool,
}

/// A `history` frame (or the same JSON from `GET /api/rooms/{room}/messages`).
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub room: String,
    pub messages: Vec<ChatMessage>,
    pub has_more: bool,
}

/// A `reaction` frame.
#[derive(Debug, Clone)]
pub struct ReactionNews {
    pub room: String,
    pub seq: Seq,
    pub rev: u64,
    pub nickname: String,
    pub emoji: String,
    pub added: bool,
    pub reactions: Vec<shared::Reaction>,
}

/// A `reactions` frame.
#[derive(Debug, Clone)]
pub struct ReactionsFrame {
    pub room: String,
    pub rev: u64,
    pub messages: Vec<shared::MessageReactions>,
    pub partial: bool,
}

/// A `reacted` frame.
#[derive(Debug, Clone)]
pub struct Reacted {
    pub client_id: String,
    pub seq: Seq,
    pub changed: bool,
}

/// An `error` frame.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub code: ErrorCode,
    pub message: String,
    pub room: Option<String>,
    pub client_id: Option<String>,
}

/// Implements [`Kind`] for `$ty`: a message matching `$pat` gives `$fields`.
macro_rules! kind {
    ($ty:ty, $wire:literal, $pat:pat => $fields:expr) => {
        impl Kind for $ty {
            const TYPE: &'static str = $wire;
            fn pick(msg: ServerMsg) -> Result<Self, ServerMsg> {
                match msg {
                    $pat => Ok($fields),
                    other => Err(other),
                }
            }
        }
    };
}

kind!(Welcome, "welcome", ServerMsg::Welcome { protocol, rooms, directs } => Welcome {
    protocol,
    rooms,
    directs: directs.into_iter().map(|d| (d.room.to_string(), d.with.to_string())).collect(),
});
kind!(Joined, "joined", ServerMsg::Joined { room, nickname, members, member_count, after, last_seq, read_seq, unread, mentions, direct, notify } => Joined {
    room: room.to_string(),
    nickname: nickname.to_string(),
    members: members.into_iter().map(String::from).collect(),
    member_count,
    after,
    last_seq,
    read_seq,
    unread,
    mentions,
    direct: direct.map(String::from),
    notify,
});
kind!(Left, "left", ServerMsg::Left { room } => Left { room: room.to_string() });
kind!(Presence, "presence", ServerMsg::Presence { room, nickname, change } => Presence {
    room: room.to_string(),
    nickname: nickname.to_string(),
    change,
});
kind!(RoomList, "room_list", ServerMsg::RoomList { prefix, rooms, next } => RoomList {
    prefix,
    rooms,
    next: next.map(|n| n.to_string()),
});
kind!(RoomCounts, "room_counts", ServerMsg::RoomCounts { rooms } => RoomCounts { rooms });
kind!(ChatMessage, "message", ServerMsg::Message(m) => m);
kind!(Read, "read", ServerMsg::Read { room, seq } => Read { room: room.to_string(), seq });
kind!(Typing, "typing", ServerMsg::Typing { room, nickname, typing } => Typing {
    room: room.to_string(),
    nickname: nickname.to_string(),
    typing,
});
kind!(Ack, "ack", ServerMsg::Ack { room, client_id, seq, id, ts, duplicate } => Ack {
    room: room.to_string(),
    client_id: client_id.to_string(),
    seq,
    id,
    ts,
    duplicate,
});
kind!(HistoryPage, "history", ServerMsg::History { room, messages, has_more, .. } => HistoryPage {
    room: room.to_string(),
    messages,
    has_more,
});
kind!(ReactionNews, "reaction", ServerMsg::Reaction { room, seq, rev, nickname, emoji, added, reactions } => ReactionNews {
    room: room.to_string(),
    seq,
    rev,
    nickname: nickname.to_string(),
    emoji: emoji.to_string(),
    added,
    reactions,
});
kind!(ReactionsFrame, "reactions", ServerMsg::Reactions { room, rev, messages, partial } => ReactionsFrame {
    room: room.to_string(),
    rev,
    messages,
    partial,
});
kind!(Reacted, "reacted", ServerMsg::Reacted { client_id, seq, changed, .. } => Reacted {
    client_id: client_id.to_string(),
    seq,
    changed,
});
kind!(Refusal, "error", ServerMsg::Error { code, message, room, client_id } => Refusal {
    code,
    message,
    room: room.map(String::from),
    client_id: client_id.map(String::from),
});

/// `msg` as a `T`, or a panic saying what it was instead.
pub fn expect_kind<T: Kind>(msg: ServerMsg) -> T {
    T::pick(msg).unwrap_or_else(|other| panic!("expected {}, got {other:?}", T::TYPE))
}

/// Panics if any of `seen` is `unwanted`; `what` says what must not have come.
pub fn assert_none(seen: &[ServerMsg], what: &str, unwanted: impl Fn(&ServerMsg) -> bool) {
    let found: Vec<_> = seen.iter().filter(|m| unwanted(m)).collect();
    assert!(
        found.is_empty(),
        "expected no {what}, got {found:?} (among {seen:?})"
    );
}
