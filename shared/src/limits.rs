//! Protocol-level limits. Server-side operational limits (frame size, queue sizes, rates)
//! are configurable and live in the server's configuration; these are fixed by the protocol.

/// Longest nickname, in characters, after trimming surrounding whitespace.
pub const NICKNAME_MAX_CHARS: usize = 32;
/// Longest room name, in characters (`a-z`, `0-9`, `-`, `_`).
pub const ROOM_NAME_MAX_CHARS: usize = 48;
/// Longest chat message text, in characters (Unicode scalar values).
pub const TEXT_MAX_CHARS: usize = 4_000;
/// Longest client-generated message id, in characters (`A-Z a-z 0-9 - _`).
pub const CLIENT_ID_MAX_CHARS: usize = 64;
/// Most messages a history page may hold, over WebSocket or REST.
pub const HISTORY_PAGE_MAX: u32 = 200;
