//! Validated value types used in messages: names, ids, sequence numbers and the chat message.

use serde::{Deserialize, Serialize};

use crate::reaction::Reaction;
use std::fmt;

use crate::limits::{
    CLIENT_ID_MAX_CHARS, ROOM_NAME_MAX_CHARS, TEXT_MAX_CHARS, TEXT_MAX_JSON_BYTES,
};

/// Why a value was refused. The `Display` text is meant for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// Empty (after trimming, for nicknames).
    #[error("must not be empty")]
    Empty,
    /// Longer than the limit, in characters.
    #[error("is {len} characters long; the limit is {max}")]
    TooLong {
        /// Length of the refused value, in characters.
        len: usize,
        /// The limit, in characters.
        max: usize,
    },
    /// Larger than the limit, in bytes (as sent in a frame).
    #[error("is {bytes} bytes long as sent; the limit is {max}")]
    TooLarge {
        /// Size of the refused value, in bytes.
        bytes: usize,
        /// The limit, in bytes.
        max: usize,
    },
    /// Holds a character that is not allowed.
    #[error("contains {0:?}, which is not allowed here")]
    BadChar(char),
    /// Holds an invisible or formatting character (a bidi control, a zero-width character, a
    /// filler): it could make a name look like another, or flip the text around it.
    #[error(
        "contains U+{:04X}, an invisible or formatting character (such as a bidi control, \
         a zero-width character or a filler), which could disguise a name",
        *.0 as u32
    )]
    Invisible(char),
    /// Mixes scripts beyond Unicode TS #39's "moderately restrictive" level (such as Latin
    /// with Cyrillic or Greek letters): it could imitate a name written in one script.
    #[error(
        "mixes letters of different scripts (such as Latin with Cyrillic or Greek), which \
         could imitate another name: use one script, or Latin with one other (not Cyrillic \
         or Greek)"
    )]
    MixedScripts,
    /// Not a single emoji (a reaction's).
    #[error("is not a single emoji")]
    NotEmoji,
}

pub(crate) fn check_len(s: &str, max: usize) -> Result<(), ValidationError> {
    if s.is_empty() {
        return Err(ValidationError::Empty);
    }
    // Count at most max+1 characters: a 1 MB string costs no more than a short one.
    let len = s.chars().take(max + 1).count();
    if len > max {
        return Err(ValidationError::TooLong {
            len: s.chars().count(),
            max,
        });
    }
    Ok(())
}

macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        string_newtype!($(#[$meta])* $name, parse);
    };
    // `$decode` is what decoding a received value calls (the strict `parse`, unless the type
    // reads older data more leniently than it accepts new input).
    ($(#[$meta:meta])* $name:ident, $decode:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(pub(crate) String);

        impl $name {
            /// The validated text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::$decode(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_newtype!(
    /// A nickname: 1–32 characters once normalised (NFKC, see [`Nickname::parse`] for the
    /// rules), unique among users under its confusable skeleton (see [`Nickname::key`]).
    ///
    /// New input is checked with [`Nickname::parse`]. Decoding a received nickname, or
    /// reading a stored one ([`Nickname::stored`]), checks only the rules it was accepted
    /// under before (length, no control characters), so a name registered before a rule was
    /// added still works for its owner.
    Nickname,
    stored
);

string_newtype!(
    /// A room name: 1–48 characters of `a-z`, `0-9`, `-` and `_`.
    RoomName
);

/// Rooms are ordered as their names are (the derived order is `String`'s), so a map of rooms
/// can be searched by a `&str` range (a name prefix).
impl std::borrow::Borrow<str> for RoomName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl RoomName {
    /// Checks length and characters. No trimming or case folding: `Lobby` is refused.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        check_len(raw, ROOM_NAME_MAX_CHARS)?;
        if let Some(c) = raw
            .chars()
            .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '-' | '_'))
        {
            return Err(ValidationError::BadChar(c));
        }
        Ok(Self(raw.to_owned()))
    }

    /// Checks a search prefix: what a room name may start with (0–48 of `a-z 0-9 - _`; empty
    /// matches every room).
    pub fn check_prefix(raw: &str) -> Result<&str, ValidationError> {
        if raw.is_empty() {
            return Ok(raw);
        }
        Self::parse(raw).map(|_| raw)
    }

    /// The room every new user joins first.
    pub fn lobby() -> Self {
        Self("lobby".to_owned())
    }
}

string_newtype!(
    /// A client-generated message id, unique per sender: 1–64 characters of
    /// `A-Z a-z 0-9 - _`. A send retried with the same id is acknowledged again, never stored
    /// or delivered twice.
    ClientMsgId
);

impl ClientMsgId {
    /// Checks length and characters.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        check_len(raw, CLIENT_ID_MAX_CHARS)?;
        if let Some(c) = raw
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            return Err(ValidationError::BadChar(c));
        }
        Ok(Self(raw.to_owned()))
    }
}

string_newtype!(
    /// Chat message text: 1–4,000 characters, at most [`TEXT_MAX_JSON_BYTES`] once escaped
    /// for JSON, no control characters but newline and tab (CRLF becomes LF). Whitespace-only
    /// text is refused; otherwise the text is kept as sent (no trimming), and always shown as
    /// text, never as HTML.
    ///
    /// New input is checked with [`MessageText::parse`]. Decoding a received message, or
    /// reading a stored one ([`MessageText::stored`]), checks only what was checked when it
    /// was accepted (length, not blank), so a message stored under older rules never breaks
    /// a room's history.
    MessageText,
    stored
);

impl MessageText {
    /// Checks new input: length, characters and escaped size; refuses text made only of
    /// whitespace. CRLF line ends become LF first.
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let text = if raw.contains("\r\n") {
            std::borrow::Cow::Owned(raw.replace("\r\n", "\n"))
        } else {
            std::borrow::Cow::Borrowed(raw)
        };
        if let Some(c) = text.chars().find(|&c| is_forbidden_control(c)) {
            return Err(ValidationError::BadChar(c));
        }
        let checked = Self::stored(&text)?;
        let escaped = json_escaped_len(&text);
        if escaped > TEXT_MAX_JSON_BYTES {
            return Err(ValidationError::TooLarge {
                bytes: escaped,
                max: TEXT_MAX_JSON_BYTES,
            });
        }
        Ok(checked)
    }

    /// Checks text accepted earlier (stored, or received from a server): length and not
    /// blank only.
    pub fn stored(raw: &str) -> Result<Self, ValidationError> {
        if raw.trim().is_empty() {
            return Err(ValidationError::Empty);
        }
        check_len(raw, TEXT_MAX_CHARS)?;
        Ok(Self(raw.to_owned()))
    }
}

/// C0 and C1 control characters (and DEL), but newline and tab: they swell a message
/// (U+0001 is six bytes in JSON), and U+0000 cannot be stored by every database.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// The size of `s` as a JSON string's contents (serde_json's escaping: `"`, `\\` and
/// control characters are escaped; everything else is written as UTF-8).
pub fn json_escaped_len(s: &str) -> usize {
    s.chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\t' | '\r' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            c => c.len_utf8(),
        })
        .sum()
}

/// Server-assigned message id, unique across the server's rooms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageId(pub u64);

/// Per-room sequence number: the first chat message of a room has seq 1, and each next one
/// the next number.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Seq(pub u64);

/// A chat message as stored and delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// The room it was sent to.
    pub room: RoomName,
    /// Its place in the room.
    pub seq: Seq,
    /// Server-assigned id.
    pub id: MessageId,
    /// Who sent it.
    pub nickname: Nickname,
    /// The text, to be shown as text.
    pub text: MessageText,
    /// When the server accepted it, in milliseconds since the Unix epoch.
    pub ts: i64,
    /// Sent by a service through the publish API (`nickname` is its API key's name), not by
    /// a person; absent (false) for people.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bot: bool,
    /// The message it answers, quoted: absent when it answers none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<Reply>,
    /// Its reactions, in history pages and catch-up read from storage (a live `message` has
    /// none; `reactions` and `reaction` frames bring the rest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// The room's change that last changed its reactions (0: none ever).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rev: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The message a reply answers, as the reply carries it: enough to show the quote without
/// another request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// The original's seq in the same room.
    pub seq: Seq,
    /// Who wrote it.
    pub nickname: Nickname,
    /// The start of its plain text (formatting marks removed, whitespace runs as one
    /// space), at most [`REPLY_SNIPPET_MAX_CHARS`](crate::REPLY_SNIPPET_MAX_CHARS)
    /// characters, with `…` when cut.
    pub snippet: String,
}

impl Reply {
    /// The quote of `original`.
    pub fn to(original: &ChatMessage) -> Self {
        Self {
            seq: original.seq,
            nickname: original.nickname.clone(),
            snippet: crate::format::snippet(original.text.as_str()),
        }
    }
}

/// A room as listed in the sidebar and by `GET /api/rooms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    /// Its name.
    pub name: RoomName,
    /// How many users are in it now.
    pub members: u32,
}

/// A direct conversation of this user's: its room, and the other person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectRoom {
    /// Its room (`dm-` and 32 hex digits).
    pub room: RoomName,
    /// The other person.
    pub with: Nickname,
}

/// What in a room notifies a user (desktop notifications), chosen per room and kept per user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyLevel {
    /// Every message from someone else.
    All,
    /// Messages that mention the user (and, in a direct conversation, every message).
    #[default]
    Mentions,
    /// Nothing: the room is muted.
    Nothing,
}

impl NotifyLevel {
    /// Every level, as offered.
    pub const ALL: [NotifyLevel; 3] = [
        NotifyLevel::All,
        NotifyLevel::Mentions,
        NotifyLevel::Nothing,
    ];

    /// Its name on the wire (and in storage).
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyLevel::All => "all",
            NotifyLevel::Mentions => "mentions",
            NotifyLevel::Nothing => "nothing",
        }
    }

    /// The level of that name, if it is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// Whether a message from someone else notifies at this level (`for_me`: it mentions the
    /// user, or is a direct message).
    pub fn notifies(self, for_me: bool) -> bool {
        match self {
            NotifyLevel::All => true,
            NotifyLevel::Mentions => for_me,
            NotifyLevel::Nothing => false,
        }
    }
}

/// What happened to a member of a room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PresenceChange {
    /// Joined the room.
    Joined,
    /// Left the room on purpose.
    Left,
    /// Disconnected (closed the page, lost the network, or timed out).
    Disconnected,
    /// Was disconnected by the server for not reading its messages fast enough.
    DroppedSlow,
}
