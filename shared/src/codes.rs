//! Typed error codes carried by [`ServerMsg::Error`](crate::ServerMsg::Error).

use serde::{Deserialize, Serialize};

/// What was wrong with a client's frame or request. Sent in an `error` message; the
/// connection stays open unless a [`CloseReason`](crate::CloseReason) follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not valid JSON.
    InvalidJson,
    /// The JSON has no string field `"type"`.
    MissingType,
    /// `"type"` names no client message.
    UnknownType,
    /// A known type with a missing or mistyped field.
    BadMessage,
    /// A binary frame: the protocol uses JSON text frames only.
    BinaryNotSupported,
    /// The nickname breaks the rules (1–32 characters, no control characters).
    BadNickname,
    /// The nickname is in use by another connected user (case-insensitive).
    NicknameTaken,
    /// The join names a nickname that is not the session's.
    NicknameMismatch,
    /// The room name breaks the rules (1–48 of `a-z 0-9 - _`).
    BadRoomName,
    /// The text is empty or only whitespace.
    EmptyText,
    /// The text is longer than 4,000 characters.
    TextTooLong,
    /// The client message id breaks the rules (1–64 of `A-Z a-z 0-9 - _`).
    BadClientId,
    /// The room exists but this connection has not joined it.
    NotInRoom,
    /// No such room.
    NoSuchRoom,
    /// The server could not store the message; it was not acknowledged. Retry it.
    StorageUnavailable,
    /// Too many messages too fast: wait before sending more.
    SlowDown,
    /// This connection has joined as many rooms as allowed.
    TooManyRooms,
    /// Unexpected server-side failure; details are in the server log.
    Internal,
}

impl ErrorCode {
    /// Every code, for documentation and catalogue tests.
    pub const ALL: [ErrorCode; 18] = [
        Self::InvalidJson,
        Self::MissingType,
        Self::UnknownType,
        Self::BadMessage,
        Self::BinaryNotSupported,
        Self::BadNickname,
        Self::NicknameTaken,
        Self::NicknameMismatch,
        Self::BadRoomName,
        Self::EmptyText,
        Self::TextTooLong,
        Self::BadClientId,
        Self::NotInRoom,
        Self::NoSuchRoom,
        Self::StorageUnavailable,
        Self::SlowDown,
        Self::TooManyRooms,
        Self::Internal,
    ];

    /// The `snake_case` name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid_json",
            Self::MissingType => "missing_type",
            Self::UnknownType => "unknown_type",
            Self::BadMessage => "bad_message",
            Self::BinaryNotSupported => "binary_not_supported",
            Self::BadNickname => "bad_nickname",
            Self::NicknameTaken => "nickname_taken",
            Self::NicknameMismatch => "nickname_mismatch",
            Self::BadRoomName => "bad_room_name",
            Self::EmptyText => "empty_text",
            Self::TextTooLong => "text_too_long",
            Self::BadClientId => "bad_client_id",
            Self::NotInRoom => "not_in_room",
            Self::NoSuchRoom => "no_such_room",
            Self::StorageUnavailable => "storage_unavailable",
            Self::SlowDown => "slow_down",
            Self::TooManyRooms => "too_many_rooms",
            Self::Internal => "internal",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
    }
}
