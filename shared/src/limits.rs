//! Protocol-level limits. Server-side operational limits (frame size, queue sizes, rates)
//! are configurable and live in the server's configuration; these are fixed by the protocol.

/// Longest nickname, in characters, after trimming surrounding whitespace.
pub const NICKNAME_MAX_CHARS: usize = 32;
/// Longest room name, in characters (`a-z`, `0-9`, `-`, `_`).
pub const ROOM_NAME_MAX_CHARS: usize = 48;
/// Longest chat message text, in characters (Unicode scalar values).
pub const TEXT_MAX_CHARS: usize = 4_000;
/// Largest chat message text once escaped for JSON, in bytes: 4,000 characters of up to 4
/// bytes each. It bounds every `message` frame (with its envelope, under 17 KiB).
pub const TEXT_MAX_JSON_BYTES: usize = 16_000;
/// Longest quote of the original a reply carries, in characters (its `snippet`).
pub const REPLY_SNIPPET_MAX_CHARS: usize = 100;
/// Longest client-generated message id, in characters (`A-Z a-z 0-9 - _`).
pub const CLIENT_ID_MAX_CHARS: usize = 64;
/// Most messages a history page may hold, over WebSocket or REST.
pub const HISTORY_PAGE_MAX: u32 = 200;
/// Most rooms a `welcome` lists: the user's own (the lobby, the rooms the user created, the
/// rooms the user is in). The whole directory is paged over REST (`GET /api/rooms`).
pub const WELCOME_ROOMS_MAX: usize = 200;
/// Most members a `joined` lists by name (the first by name); `member_count` counts all.
pub const JOINED_MEMBERS_MAX: usize = 100;
/// Most rooms one page of `GET /api/rooms` holds.
pub const ROOMS_PAGE_MAX: usize = 500;
/// Rooms one page of the directory holds unless asked otherwise.
pub const ROOMS_PAGE_DEFAULT: usize = 100;
/// Most rooms one `room_counts` (or `GET /api/rooms?names=`) asks for.
pub const ROOM_COUNTS_MAX: usize = 200;
/// A client typing says so at most this often (ms); the server relays one person's typing at
/// most every second.
pub const TYPING_SEND_EVERY_MS: u32 = 3_000;
/// A typing indicator with no news for this long (ms) is over, in the server and in clients.
pub const TYPING_EXPIRE_MS: u32 = 6_000;
/// Most unread messages with an `@` that a `joined`'s mention count looks at (the latest).
pub const MENTIONS_COUNTED_MAX: u32 = 1_000;
/// Longest emoji a reaction may be, in characters (a family of four with its joiners is 7).
pub const EMOJI_MAX_CHARS: usize = 16;
/// Most different emoji one message may have reactions with.
pub const REACTIONS_DISTINCT_MAX: usize = 20;
/// Most reactions (different emoji) one user may have on one message.
pub const REACTIONS_PER_USER_MAX: usize = 10;
/// Most names a reaction lists (the first to react); `count` counts them all.
pub const REACTION_NAMES_MAX: usize = 3;
/// Most messages a `reactions` frame lists (those changed most recently); more changed
/// since the resume point are said by its `partial`.
pub const REACTIONS_FRAME_MAX: usize = 500;
/// Most names one page of `GET /api/rooms/{room}/messages/{seq}/reactions` (who reacted
/// with an emoji) lists; `next` says where the next page starts.
pub const REACTORS_PAGE_MAX: usize = 200;
