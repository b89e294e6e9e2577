//! Parley's wire protocol, compiled into both the server and the browser SPA.
//!
//! Every WebSocket frame is a JSON text frame holding one internally tagged message:
//! [`ClientMsg`] from client to server, [`ServerMsg`] from server to client. The field
//! `"type"` names the variant in `snake_case`. `docs/PROTOCOL.md` documents every message with
//! an example; this crate is the source of truth it is checked against.
//!
//! Validation rules (nickname, room name, message text, client message id) live here so both
//! sides apply the same ones: see [`Nickname::parse`], [`RoomName::parse`],
//! [`MessageText::parse`] and [`ClientMsgId::parse`].
//!
//! The crate has no runtime dependencies beyond serde, the Unicode tables the nickname
//! rules need (`unicode-normalization`, `unicode-security`) and `linkify` (addresses in
//! message text, [`format`]), so it builds for `wasm32` and native.
#![deny(missing_docs)]

mod backoff;
mod close;
mod codes;
mod decode;
pub mod format;
mod limits;
pub mod mentions;
mod model;
mod nickname;
mod protocol;
mod reaction;

pub use backoff::Backoff;
pub use close::CloseReason;
pub use codes::ErrorCode;
pub use decode::{decode_client_msg, DecodeError, CLIENT_TYPES};
pub use limits::*;
pub use model::{
    is_forbidden_control, json_escaped_len, ChatMessage, ClientMsgId, DirectRoom, MessageId,
    MessageText, Nickname, NotifyLevel, PresenceChange, Reply, RoomName, RoomSummary, Seq,
    ValidationError,
};
pub use protocol::{ClientMsg, HistoryFrom, ServerMsg};
pub use reaction::{apply as apply_reaction, Emoji, MessageReactions, Reaction, Reactors};

/// Version of this protocol. A client states it in the WebSocket URL (`/ws?v=8`); a server
/// that speaks another version closes the socket with [`CloseReason::ProtocolVersion`].
pub const PROTOCOL_VERSION: u32 = 8;
