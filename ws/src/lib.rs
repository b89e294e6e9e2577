//! Parley's WebSocket stack (RFC 6455), server side: the opening [`handshake`], frame
//! [`encode`] and [`decode`], and a [`Socket`] that reads into a small buffer and writes
//! ready frames with vectored writes. It knows nothing of chat: its callers get text,
//! binary, ping, pong and close messages and hand it ready frames.
//!
//! # Why Parley has its own
//!
//! Chat fan-out sends one message to many connections, and most connections are idle most of
//! the time. Here a frame is encoded once into reference-counted bytes that every recipient's
//! queue shares; an idle connection holds no read or write buffer (reads land in a per-thread
//! scratch buffer, only an unfinished frame is kept); a connection writes everything queued
//! for it in one vectored write. Measured on Parley's 2-core benchmark machine
//! (docs/PERFORMANCE.md): with axum's WebSocket (tungstenite) an idle joined connection took
//! 14.1 KiB and fan-out to 1,000 clients ran at 1.83 M deliveries/s; on this stack 4.6 KiB
//! (3.3 KiB after later work) and 2.26 M/s (3.2 M/s later).
//!
//! # What would have to be true to switch to a library
//!
//! A library (fastwebsockets, tokio-tungstenite) would do if it (1) accepted a frame encoded
//! once and shared (`Bytes`) for many connections, without a copy per recipient, (2) kept no
//! per-connection read or write buffer while idle, (3) wrote a batch of frames in one vectored
//! write, and (4) finished a half-written frame before a close frame after a write timeout;
//! and if, on `scripts/bench`, it matched this stack's idle memory per connection and fan-out
//! within a few percent. The server uses this crate only through [`Socket`], [`encode`] and
//! [`handshake`], so a switch touches one module of the server.
//!
//! Read from fastwebsockets 0.10.0's source (2026-12; not yet measured on `scripts/bench`):
//! its read half allocates an 8 KiB buffer per connection at the handshake and keeps it
//! (more than this stack's whole 3.3 KiB per idle connection); it writes one frame per write
//! call, not a batch; and it copies every frame of up to 1,024 bytes (most chat frames) into a
//! per-connection write buffer that keeps the size of the largest such frame, writing larger
//! ones from the caller's bytes with a two-slice vectored write. So (1) holds above 1 KiB
//! only, and (2) and (3) do not hold today.
//!
//! # Limits
//!
//! Messages (and fragmented messages in all) over [`Limits::max_message`] are refused as
//! soon as a header announces them ([`DecodeError::TooBig`]). A write that makes no progress
//! for [`Limits::write_timeout`] fails with [`WriteError::Stalled`]. No extensions
//! (permessage-deflate) are negotiated: frames with reserved bits set are protocol errors.

pub mod decode;
pub mod encode;
pub mod handshake;
mod socket;
pub mod upgrade;

use std::time::Duration;

pub use decode::{DecodeError, Decoder, Incoming};
pub use socket::{Socket, WriteError};

/// The limits a [`Socket`] enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest message a peer may send, in bytes (fragments added up).
    pub max_message: usize,
    /// How long one step of a write may make no progress.
    pub write_timeout: Duration,
}

/// The close code a decoding failure maps to (RFC 6455 §7.4.1).
impl DecodeError {
    /// 1009 (too big), 1007 (invalid UTF-8) or 1002 (protocol error).
    pub fn close_code(self) -> u16 {
        match self {
            DecodeError::TooBig => 1009,
            DecodeError::BadUtf8 => 1007,
            DecodeError::Protocol(_) => 1002,
        }
    }
}
