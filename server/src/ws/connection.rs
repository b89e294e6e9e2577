//! One WebSocket connection's loop: read client messages and hand them to the chat
//! command layer ([`Participant`]), write what its outbox holds, ping, and close with a
//! typed reason however the connection ends.
//!
//! One task does it all with `select!`, so an idle connection costs one task. Every frame
//! queued since the last write goes out in one vectored write.

use std::ops::ControlFlow;
use std::time::Duration;

use parley_ws::{encode, DecodeError, Incoming, Socket, WriteError};
use shared::{CloseReason, ErrorCode};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::{Instant, MissedTickBehavior};
use tracing::{debug, info_span, Instrument};

use super::gate::Slot;
use crate::auth::Identity;
use crate::chat::Participant;
use crate::now_ms;
use crate::AppState;

/// How long to wait for a close frame to go out, and for the peer's answer.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// How long a slow consumer's close frame may wait behind what the client has not read yet:
/// a client that resumes reading within this time learns why it was cut off. Meanwhile the
/// connection holds no queued messages, only its socket.
const SLOW_CONSUMER_CLOSE_GRACE: Duration = Duration::from_secs(30);

/// Runs a connection of an authenticated client to its end. `slot` is its place in the
/// connection limits, given back when it ends. (A plain function returning the connection's
/// future, so the arguments are not kept twice in every connection's task.)
pub fn run<S>(
    socket: Socket<S>,
    state: AppState,
    version: u32,
    identity: Identity,
    slot: (Slot, Option<Box<Slot>>),
) -> impl std::future::Future<Output = ()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let greet = version == shared::PROTOCOL_VERSION;
    let chat = Participant::connect(&state.hub, state.limits.clone(), identity, greet);
    let span = info_span!("conn", conn = chat.conn(), nickname = %chat.identity().user);
    let connection = Connection { chat, _slot: slot };
    connection.run(socket, version).instrument(span)
}

/// A connection's state.
struct Connection {
    chat: Participant,
    /// Its WebSocket and TCP slots.
    _slot: (Slot, Option<Box<Slot>>),
}

/// How the loop goes on after reading.
enum Next {
    Continue,
    /// The peer closed (and was answered) or the socket failed: nothing more to send.
    Gone,
    /// Close with this reason.
    Close(CloseReason),
}

fn close_reason(e: DecodeError) -> CloseReason {
    match e {
        DecodeError::TooBig => CloseReason::TooBig,
        DecodeError::BadUtf8 => CloseReason::InvalidUtf8,
        DecodeError::Protocol(_) => CloseReason::ProtocolError,
    }
}

/// Turns a client away on a socket that was just upgraded: sends the close frame for
/// `reason` (and nothing else), waits a little for the answer and shuts the socket.
pub async fn refuse<S: AsyncRead + AsyncWrite + Unpin>(mut socket: Socket<S>, reason: CloseReason) {
    close_handshake(&mut socket, reason).await;
    socket.shutdown().await;
}

/// Sends the close frame for `reason` and waits (within a grace) for the peer's answer.
async fn close_handshake<S: AsyncRead + AsyncWrite + Unpin>(
    socket: &mut Socket<S>,
    reason: CloseReason,
) {
    let close = encode::close(reason.code(), reason.as_str());
    let grace = if reason == CloseReason::SlowConsumer {
        SLOW_CONSUMER_CLOSE_GRACE
    } else {
        CLOSE_GRACE
    };
    let _ = socket.write_frames_within(&mut vec![close], grace).await;
    // Read until the peer answers the close (or the grace ends): closing a socket
    // with unread input makes the kernel send a reset, which can destroy the close
    // frame before the peer reads it. Input that cannot be decoded (what got the
    // connection closed: an oversized or malformed frame) is thrown away as it comes,
    // so the buffer stays at one read's size.
    let drain = async {
        while let Ok(true) = socket.fill().await {
            loop {
                match socket.next_message() {
                    Ok(Some(Incoming::Close(_))) => return,
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(_) => {
                        socket.discard_input();
                        break;
                    }
                }
            }
        }
    };
    let _ = tokio::time::timeout(CLOSE_GRACE, drain).await;
}

impl Connection {
    async fn run<S: AsyncRead + AsyncWrite + Unpin>(mut self, mut socket: Socket<S>, version: u32) {
        // A compatible client's `welcome` is already queued (see `Hub::connect`).
        let end = if version != shared::PROTOCOL_VERSION {
            Some(CloseReason::ProtocolVersion)
        } else {
            self.serve(&mut socket).await
        };
        // Boxed, like the other rarely taken paths below: kept inline, their futures would
        // make every idle connection's task larger.
        Box::pin(self.finish(socket, end)).await;
    }

    /// Leaves the rooms (at once: the room sees the departure and the user's room claims
    /// come back), then closes with `end`, if given.
    async fn finish<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        mut socket: Socket<S>,
        end: Option<CloseReason>,
    ) {
        self.chat.leave_all(end).await;
        if let Some(reason) = end {
            debug!(?reason, "closing");
            // What was queued before the close (a last error, a notice) goes out first.
            let mut rest = self.chat.outbox().take_remaining();
            if !rest.is_empty() {
                let _ = tokio::time::timeout(CLOSE_GRACE, socket.write_frames(&mut rest)).await;
            }
            close_handshake(&mut socket, reason).await;
        }
        socket.shutdown().await;
    }

    /// The main loop; returns the reason to close with, if any.
    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        socket: &mut Socket<S>,
    ) -> Option<CloseReason> {
        let limits = self.chat.limits().clone();
        let mut ping =
            tokio::time::interval_at(Instant::now() + limits.ping_interval, limits.ping_interval);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last_heard = Instant::now();
        let mut batch = Vec::new();
        let outbox = self.chat.outbox().clone();
        // Frames that came with the upgrade request are buffered already: handle them now,
        // not at the next read (which may never come).
        match Box::pin(self.read_messages(socket)).await {
            Next::Continue => {}
            Next::Gone => return None,
            Next::Close(reason) => return Some(reason),
        }
        loop {
            tokio::select! {
                queued = outbox.recv_batch(&mut batch) => {
                    if let Err(reason) = queued {
                        return Some(reason);
                    }
                    // Boxed, like the other rare or large futures here: kept inline, it would
                    // make every idle connection's task larger.
                    if let Err(err) = Box::pin(socket.write_frames(&mut batch)).await {
                        debug!(%err, "write failed");
                        return match err {
                            WriteError::Stalled => outbox.closed().or(Some(CloseReason::SlowConsumer)),
                            WriteError::Io(_) => None,
                        };
                    }
                    if batch.capacity() > 256 {
                        batch.shrink_to(16);
                    }
                }
                filled = socket.fill() => {
                    last_heard = Instant::now();
                    if !matches!(filled, Ok(true)) {
                        return None;
                    }
                    match Box::pin(self.read_messages(socket)).await {
                        Next::Continue => {}
                        Next::Gone => return None,
                        Next::Close(reason) => return Some(reason),
                    }
                }
                _ = ping.tick() => {
                    if last_heard.elapsed() >= limits.idle_timeout {
                        return Some(CloseReason::IdleTimeout);
                    }
                    if self.chat.identity().expires_at <= now_ms() {
                        return Some(CloseReason::Unauthorized);
                    }
                    if Box::pin(socket.write_frame(encode::ping())).await.is_err() {
                        return None;
                    }
                }
            }
        }
    }

    /// Answers a binary frame or a ping (a pong needs nothing).
    async fn transport_message<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        socket: &mut Socket<S>,
        msg: Incoming,
    ) -> Next {
        match msg {
            Incoming::Binary(_) => self.chat.error(
                ErrorCode::BinaryNotSupported,
                "binary frames are not supported: send JSON text frames",
            ),
            Incoming::Ping(payload)
                if socket.write_frame(encode::pong(&payload)).await.is_err() =>
            {
                return Next::Gone;
            }
            _ => {}
        }
        Next::Continue
    }

    /// Handles every complete message in the input buffer.
    async fn read_messages<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        socket: &mut Socket<S>,
    ) -> Next {
        loop {
            let msg = match socket.next_message() {
                Ok(Some(msg)) => msg,
                Ok(None) => return Next::Continue,
                Err(err) => {
                    debug!(%err, "unreadable frame");
                    return Next::Close(close_reason(err));
                }
            };
            match msg {
                Incoming::Text(text) => {
                    if let ControlFlow::Break(reason) = self.chat.handle_text(&text).await {
                        return Next::Close(reason);
                    }
                }
                Incoming::Binary(_) | Incoming::Ping(_) | Incoming::Pong => {
                    // Every frame counts against the client's rate, control frames included.
                    match self.chat.transport_frame() {
                        ControlFlow::Break(reason) => return Next::Close(reason),
                        ControlFlow::Continue(false) => {}
                        ControlFlow::Continue(true) => {
                            if let Next::Gone = self.transport_message(socket, msg).await {
                                return Next::Gone;
                            }
                        }
                    }
                }
                Incoming::Close(code) => {
                    // Answer the close handshake with the peer's code, then end.
                    let _ = socket
                        .write_frame(encode::close(code.unwrap_or(1000), ""))
                        .await;
                    return Next::Gone;
                }
            }
        }
    }
}
