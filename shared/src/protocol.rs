//! The two message enums: [`ClientMsg`] (client → server) and [`ServerMsg`] (server → client).

use serde::{Deserialize, Serialize};

use crate::codes::ErrorCode;
use crate::model::{
    ChatMessage, ClientMsgId, DirectRoom, MessageId, Nickname, NotifyLevel, PresenceChange,
    RoomName, RoomSummary, Seq,
};
use crate::reaction::{Emoji, MessageReactions, Reaction};

/// A message from a client. Names and text arrive as plain strings and are validated by the
/// server, so that a bad value gets an error naming the field rather than a parse failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::VariantNames)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ClientMsg {
    /// Join a room (created on first join). The connection appears under its session's
    /// nickname.
    Join {
        /// Room to join.
        room: String,
        /// Optional: the nickname the client believes it has. If given, it must be its
        /// session's (case-insensitively), or the join is refused with `nickname_mismatch`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        nickname: Option<String>,
        /// The last `seq` this client has seen in the room, to resume after a reconnect:
        /// the server then sends every message after it. Absent: the latest history page.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<Seq>,
        /// The `rev` of the last `reactions` frame this client had for the room, to resume
        /// after a reconnect: the join's `reactions` frame then also lists the messages
        /// whose reactions changed since, older ones included.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        changes_after: Option<u64>,
    },
    /// Leave a room.
    Leave {
        /// Room to leave.
        room: String,
    },
    /// Send a chat message to a joined room.
    Send {
        /// Room to send to.
        room: String,
        /// Client-generated id, unique per sender; echoed in the [`ServerMsg::Ack`].
        client_id: String,
        /// The text.
        text: String,
        /// The seq of the room's message it answers, if it answers one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_to: Option<Seq>,
    },
    /// Add (or, with `remove`, take back) this user's reaction with `emoji` to the message
    /// `seq` of a joined room. Setting what is already so changes nothing, so a retry has
    /// one effect. Answered with [`ServerMsg::Reacted`]; the room gets a `reaction`.
    React {
        /// The room.
        room: String,
        /// The message.
        seq: Seq,
        /// One emoji ([`Emoji`](crate::Emoji)).
        emoji: String,
        /// Client-generated id (as a `send`'s); echoed in the answer.
        client_id: String,
        /// Take the reaction back instead.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        remove: bool,
    },
    /// Ask for a page of a room's messages: before a seq (scroll-back), after one (a gap
    /// between two pages held), or around one (a permalink, a reply's original); at most
    /// one of the three ([`HistoryFrom::of`]), none for the latest page.
    History {
        /// The room.
        room: String,
        /// Only messages with a smaller `seq`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<Seq>,
        /// Only messages with a larger `seq`, the oldest of them first.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<Seq>,
        /// The messages around this `seq`: half the page up to it (it included), half after.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        around: Option<Seq>,
        /// Page size, 1–200; default the server's history page size.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
    },
    /// Ask for a page of the room directory: the rooms whose names start with `prefix`, by
    /// name, after `after`. Answered with [`ServerMsg::RoomList`].
    ListRooms {
        /// What the names start with (0–48 of `a-z 0-9 - _`); absent or empty: every room.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        prefix: Option<String>,
        /// Only rooms after this name (the previous page's `next`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<String>,
        /// Page size, 1–500; default 100.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u32>,
    },
    /// Ask for the member counts of these rooms (at most 200), to keep a list current.
    /// Answered with [`ServerMsg::RoomCounts`].
    RoomCounts {
        /// The rooms.
        rooms: Vec<String>,
    },
    /// This user is typing in a joined room (`typing: true`, at most every
    /// [`TYPING_SEND_EVERY_MS`](crate::TYPING_SEND_EVERY_MS) while it lasts), or stopped
    /// (`false`: sent, cleared the text, or left the field). Never stored, never answered.
    Typing {
        /// The room.
        room: String,
        /// Typing (true) or stopped (false).
        typing: bool,
    },
    /// Open the direct conversation with the user called `nickname` (created the first
    /// time): this connection joins it (`joined` names the other person in `direct`), and
    /// the two people's other connections are told (`direct`).
    OpenDirect {
        /// The other person.
        nickname: String,
    },
    /// Choose what in a joined room notifies this user (kept per user: it follows them to
    /// every device; a registered user keeps it across sessions). The user's other
    /// connections in the room are told ([`ServerMsg::Notify`]).
    SetNotify {
        /// The room.
        room: String,
        /// The level.
        level: NotifyLevel,
    },
    /// This user has read a joined room up to `seq` (the room is in view in a focused
    /// window). The server keeps it per user, only moving forward, and tells the user's
    /// other connections in the room ([`ServerMsg::Read`]).
    Read {
        /// The room.
        room: String,
        /// The last seq read.
        seq: Seq,
    },
}

/// A message from the server.
#[derive(
    Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::VariantNames,
)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ServerMsg {
    /// First frame on every connection.
    Welcome {
        /// The server's protocol version.
        protocol: u32,
        /// The user's own rooms (the lobby, those the user created or is in), with their
        /// member counts; at most 200. The rest are in the directory (`list_rooms`).
        rooms: Vec<RoomSummary>,
        /// The user's direct conversations (at most 200), to keep joined.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        directs: Vec<DirectRoom>,
    },
    /// This connection joined a room. The server then sends, as `message` frames and in
    /// order, every message with `after < seq <= last_seq`, then live messages.
    Joined {
        /// The room.
        room: RoomName,
        /// The nickname this connection appears under.
        nickname: Nickname,
        /// Who is in the room now, by name, this connection included: at most
        /// [`JOINED_MEMBERS_MAX`](crate::JOINED_MEMBERS_MAX) of them (the first by name).
        members: Vec<Nickname>,
        /// How many people are in the room now (more than `members` lists, in a big room).
        member_count: u32,
        /// Messages after this seq follow (the resume point, or the start of the history
        /// page). Zero means from the start of the room.
        after: Seq,
        /// The room's latest seq at the time of the join.
        last_seq: Seq,
        /// The last seq this user has read here, on any device (`last_seq` on a first join:
        /// nothing before it is unread).
        #[serde(default)]
        read_seq: Seq,
        /// Messages from others after `read_seq`, up to `last_seq`.
        #[serde(default)]
        unread: u32,
        /// Of those, the ones that mention this user (counted among the latest
        /// [`MENTIONS_COUNTED_MAX`](crate::MENTIONS_COUNTED_MAX) that hold an `@`).
        #[serde(default)]
        mentions: u32,
        /// For a direct conversation: the other person.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        direct: Option<Nickname>,
        /// What in the room notifies this user.
        #[serde(default)]
        notify: NotifyLevel,
    },
    /// This connection left a room.
    Left {
        /// The room.
        room: RoomName,
    },
    /// Someone joined or left a room this connection is in. Clients show it as a system
    /// notice ("alice joined").
    Presence {
        /// The room.
        room: RoomName,
        /// Who.
        nickname: Nickname,
        /// What happened.
        change: PresenceChange,
    },
    /// A page of the room directory, answering [`ClientMsg::ListRooms`].
    RoomList {
        /// The prefix asked for (empty: every room).
        prefix: String,
        /// The rooms, by name, with their member counts.
        rooms: Vec<RoomSummary>,
        /// The `after` of the next page; absent on the last page.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next: Option<RoomName>,
    },
    /// Member counts, answering [`ClientMsg::RoomCounts`]: the rooms asked for that exist.
    RoomCounts {
        /// The rooms, with their member counts.
        rooms: Vec<RoomSummary>,
    },
    /// A direct conversation of this user's was opened (by the other person, or on another
    /// connection): join it to get its messages.
    Direct {
        /// Its room.
        room: RoomName,
        /// The other person.
        with: Nickname,
    },
    /// This user chose what in a joined room notifies them, on another connection.
    Notify {
        /// The room.
        room: RoomName,
        /// The level.
        level: NotifyLevel,
    },
    /// This user read a joined room up to `seq`, on another connection (tab or device).
    Read {
        /// The room.
        room: RoomName,
        /// The last seq read.
        seq: Seq,
    },
    /// A chat message in a joined room (the sender gets it too).
    Message(ChatMessage),
    /// Someone (the receiver included) added or took back a reaction in a joined room:
    /// `reactions` are the message's reactions after it (without `mine`).
    Reaction {
        /// The room.
        room: RoomName,
        /// The message.
        seq: Seq,
        /// The room's change number of it: a client keeps a message's reactions from the
        /// frame with the highest.
        rev: u64,
        /// Who.
        nickname: Nickname,
        /// With what.
        emoji: Emoji,
        /// Added (true) or taken back (false).
        added: bool,
        /// The message's reactions now.
        reactions: Vec<Reaction>,
    },
    /// After a join's messages: the reactions of those of them that have any, and of every
    /// message whose reactions changed since the join's `changes_after`. Sent when the room
    /// has ever had a reaction.
    Reactions {
        /// The room.
        room: RoomName,
        /// Every change up to this one is included: the next join's `changes_after`.
        rev: u64,
        /// The messages, by seq.
        messages: Vec<MessageReactions>,
        /// More messages changed than a frame lists
        /// ([`REACTIONS_FRAME_MAX`](crate::REACTIONS_FRAME_MAX)): older pages held may be
        /// out of date and should be read again.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        partial: bool,
    },
    /// The answer to a `react`: the reaction is now as asked (`changed: false` if it was
    /// so already).
    Reacted {
        /// The room.
        room: RoomName,
        /// The id the client gave it.
        client_id: ClientMsgId,
        /// The message.
        seq: Seq,
        /// The emoji.
        emoji: Emoji,
        /// False when it was already as asked: nothing was stored or sent.
        changed: bool,
    },
    /// Someone else in a joined room is typing (`true`), or stopped (`false`). A client
    /// forgets a `true` after [`TYPING_EXPIRE_MS`](crate::TYPING_EXPIRE_MS) without another,
    /// and when a message from that person arrives. The first frame dropped when the
    /// client reads slowly: never counted on.
    Typing {
        /// The room.
        room: RoomName,
        /// Who.
        nickname: Nickname,
        /// Typing (true) or stopped (false).
        typing: bool,
    },
    /// The sender's message was stored and delivered: `seq`, `id` and `ts` are its own.
    Ack {
        /// The room.
        room: RoomName,
        /// The id the client gave the message.
        client_id: ClientMsgId,
        /// Its seq in the room.
        seq: Seq,
        /// Its server id.
        id: MessageId,
        /// Its server timestamp (ms since the Unix epoch).
        ts: i64,
        /// True when this id had been accepted before: nothing new was stored or delivered.
        #[serde(default)]
        duplicate: bool,
    },
    /// A page of messages, oldest first, answering [`ClientMsg::History`].
    History {
        /// The room.
        room: RoomName,
        /// The page, in seq order.
        messages: Vec<ChatMessage>,
        /// False when the page reaches the first message of the room.
        has_more: bool,
        /// Messages newer than the page exist: said by `after` and `around` pages only
        /// (absent: false).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        has_newer: bool,
    },
    /// Something the client sent was refused. The connection stays open.
    Error {
        /// What was wrong.
        code: ErrorCode,
        /// A sentence for people.
        message: String,
        /// The room concerned, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        room: Option<RoomName>,
        /// The refused message's client id, for a refused send.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<ClientMsgId>,
    },
}

impl ServerMsg {
    /// Every server message type, as written in `"type"`.
    pub const TYPES: &'static [&'static str] = <Self as strum::VariantNames>::VARIANTS;

    /// This message's `"type"`.
    pub fn kind(&self) -> &'static str {
        self.into()
    }

    /// An error frame not tied to a room or message.
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Error {
            code,
            message: message.into(),
            room: None,
            client_id: None,
        }
    }

    /// Serializes to the JSON text sent in a frame.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("ServerMsg always serializes")
    }
}

impl ClientMsg {
    /// Serializes to the JSON text sent in a frame.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("ClientMsg always serializes")
    }
}

/// Where a history page starts, from a `history` request's (or REST's) `before`, `after` and
/// `around`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryFrom {
    /// The latest messages (none of the three given).
    Latest,
    /// Messages before this seq, the newest of them.
    Before(Seq),
    /// Messages after this seq, the oldest of them.
    After(Seq),
    /// Messages around this seq.
    Around(Seq),
}

impl HistoryFrom {
    /// The start the fields name: at most one may be given.
    pub fn of(
        before: Option<Seq>,
        after: Option<Seq>,
        around: Option<Seq>,
    ) -> Result<Self, &'static str> {
        match (before, after, around) {
            (None, None, None) => Ok(Self::Latest),
            (Some(b), None, None) => Ok(Self::Before(b)),
            (None, Some(a), None) => Ok(Self::After(a)),
            (None, None, Some(c)) => Ok(Self::Around(c)),
            _ => Err("a history page starts at one of `before`, `after` and `around`, not two"),
        }
    }
}
