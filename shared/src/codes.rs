//! Typed error codes carried by [`ServerMsg::Error`](crate::ServerMsg::Error) and by every
//! HTTP refusal's JSON body (`{"error": code, "message": …}`).

use serde::{Deserialize, Serialize};

/// What was wrong with a client's frame or request. Sent in an `error` message, where the
/// connection stays open unless a [`CloseReason`](crate::CloseReason) follows; the codes
/// marked "HTTP" are only ever the `error` of an HTTP answer.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
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
    /// The nickname breaks the rules ([`Nickname::parse`](crate::Nickname::parse)): 1–32
    /// characters after NFKC; no control, invisible or formatting characters (bidi controls,
    /// zero-width characters, fillers); nothing outside Unicode TS #39's identifier profile
    /// but ASCII punctuation and the space; no mix of scripts beyond TS #39's "moderately
    /// restrictive" level. The message says which rule.
    BadNickname,
    /// HTTP (`POST /api/session`, 409): another live session holds the nickname, or a name
    /// that looks like it, or a registered name looks like it (the same
    /// [`Nickname::key`](crate::Nickname::key): confusable skeleton, any case).
    NicknameTaken,
    /// The join names a nickname that is not the session's.
    NicknameMismatch,
    /// The room name breaks the rules (1–48 of `a-z 0-9 - _`).
    BadRoomName,
    /// The text is empty or only whitespace.
    EmptyText,
    /// The text is longer than 4,000 characters (or 16,000 bytes once escaped for JSON).
    TextTooLong,
    /// The text holds a control character other than newline and tab (U+0000–U+001F,
    /// U+007F–U+009F; CRLF is accepted and stored as LF).
    BadText,
    /// The client message id breaks the rules (1–64 of `A-Z a-z 0-9 - _`).
    BadClientId,
    /// The room exists but this connection has not joined it.
    NotInRoom,
    /// No such room.
    NoSuchRoom,
    /// The room is a direct conversation of two others (or a name kept for those): only
    /// its two people may join it or read it.
    Forbidden,
    /// Nobody holds that nickname now, and it is not registered.
    NoSuchUser,
    /// A `send`'s `reply_to`, or a `react`'s `seq`, names no message of the room.
    NoSuchMessage,
    /// A `react`'s `emoji` is not a single emoji.
    BadEmoji,
    /// A reaction would give the message more than 20 different emoji, or its user more
    /// than 10 on it.
    TooManyReactions,
    /// The server could not store (or read) messages; nothing was acknowledged. Retry.
    StorageUnavailable,
    /// Too many messages too fast: wait before sending more.
    SlowDown,
    /// A `history` request while this connection's previous one is still being answered:
    /// wait for its page.
    HistoryBusy,
    /// The user is in as many rooms as allowed, counting all the user's connections.
    TooManyRooms,
    /// A join would create a room, and the user has created as many rooms as one user may,
    /// or is creating them too fast: join an existing room (or wait, as the message says).
    TooManyRoomsCreated,
    /// `room_counts` (or `GET /api/rooms?names=`) asked for more than 200 rooms.
    TooManyNames,
    /// HTTP (426): `/ws` was asked for without a WebSocket upgrade.
    WebsocketRequired,
    /// HTTP (400): a WebSocket version other than 13.
    WebsocketVersion,
    /// HTTP (400): no `Sec-WebSocket-Key`, or one that is not the base64 of 16 bytes.
    WebsocketKey,
    /// HTTP (403): the page's origin may not open the WebSocket.
    OriginNotAllowed,
    /// HTTP (401): no valid session.
    Unauthorized,
    /// HTTP (503): no connection slot is free, in all or for the client's address.
    TooManyConnections,
    /// HTTP (429): too many sign-ins (or registrations) from the client's address;
    /// `Retry-After` says when.
    TooManyAttempts,
    /// HTTP (429): too many requests from the client's address; `Retry-After` says when.
    TooManyRequests,
    /// HTTP (408): the request, its body included, did not arrive in time.
    RequestTimeout,
    /// HTTP (400): the request's body, path or query string is malformed.
    BadRequest,
    /// HTTP (405): the route does not take the request's method; `Allow` lists those it
    /// takes.
    MethodNotAllowed,
    /// HTTP (413): the request's body is larger than the API takes (16 KiB).
    PayloadTooLarge,
    /// HTTP (415): the request's body is not `Content-Type: application/json`.
    UnsupportedMediaType,
    /// HTTP (500): the server could not answer the request (logged); try again.
    InternalError,
    /// HTTP (401): the nickname is registered: its password is needed.
    NicknameRegistered,
    /// HTTP (401): the password does not match, or breaks the length rules.
    BadPassword,
    /// HTTP (404): no such API route.
    NotFound,
    /// HTTP (421): the request's `Host` is not one of the server's public origins
    /// (`--public-origin`); every route but `/healthz` refuses it.
    BadHost,
    /// HTTP (503): the server is checking as many passwords as it can at once; `Retry-After`
    /// says when to try again.
    ServerBusy,
}

impl ErrorCode {
    /// Every code, for documentation and catalogue tests.
    pub const ALL: &'static [ErrorCode] = <Self as strum::VariantArray>::VARIANTS;

    /// The `snake_case` name used on the wire.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde() {
        for &code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
        }
        assert_eq!(ErrorCode::WebsocketRequired.as_str(), "websocket_required");
    }
}
