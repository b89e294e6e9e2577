//! One WebSocket connection's loop: read client messages, write what the outbox holds, ping,
//! and clean up (leave rooms, give back its room claims) however the connection ends.
//!
//! One task does it all with `select!`, so an idle connection costs one task. Every frame
//! queued since the last write goes out in one vectored write.

use std::collections::{HashMap, VecDeque};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use shared::{CloseReason, ErrorCode, PresenceChange, RoomName, Seq, ServerMsg};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::{Instant, MissedTickBehavior};
use tracing::{debug, info_span, Instrument};

use super::frame::{self, DecodeError, Incoming};
use super::gate::Slot;
use super::rate::RateLimit;
use super::socket::{Socket, WriteError};
use crate::auth;
use crate::config::Limits;
use crate::hub::outbox::{Outbox, Outgoing};
use crate::hub::room::RoomHandle;
use crate::hub::{ConnId, Hub};
use crate::now_ms;
use crate::AppState;

/// How long to wait for a close frame to go out, and for the peer's answer.
const CLOSE_GRACE: Duration = Duration::from_secs(2);
/// How long a slow consumer's close frame may wait behind what the client has not read yet:
/// a client that resumes reading within this time learns why it was cut off. Meanwhile the
/// connection holds no queued messages, only its socket.
const SLOW_CONSUMER_CLOSE_GRACE: Duration = Duration::from_secs(30);
/// Messages read from storage per query during a catch-up.
const CATCH_UP_PAGE: u32 = 500;
/// Bytes of catch-up frames gathered before they are written.
const CATCH_UP_CHUNK: usize = 256 * 1024;

/// Runs a connection of an authenticated session to its end. `slot` is its place in the
/// connection limits, given back when it ends. (A plain function returning the session's
/// future, so the arguments are not kept twice in every connection's task.)
pub fn run<S>(
    socket: Socket<S>,
    state: AppState,
    version: u32,
    identity: auth::Session,
    slot: Slot,
) -> impl std::future::Future<Output = ()>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let greet = version == shared::PROTOCOL_VERSION;
    let (conn, outbox) = state.hub.connect(&identity.id, greet);
    let span = info_span!("conn", conn, nickname = %identity.nickname);
    let session = Session {
        conn,
        outbox,
        hub: state.hub.clone(),
        rate: RateLimit::new(state.limits.message_rate, state.limits.message_burst),
        limits: state.limits.clone(),
        identity,
        rooms: HashMap::new(),
        _slot: slot,
    };
    session.run(socket, version).instrument(span)
}

/// A connection's state.
pub(super) struct Session {
    pub(super) conn: ConnId,
    pub(super) outbox: Arc<Outbox>,
    pub(super) hub: Hub,
    pub(super) limits: Arc<Limits>,
    /// Who this connection is.
    pub(super) identity: auth::Session,
    /// How fast it may send.
    pub(super) rate: RateLimit,
    /// Rooms this connection is in.
    pub(super) rooms: HashMap<RoomName, RoomHandle>,
    _slot: Slot,
}

/// How the loop goes on after reading.
enum Next {
    Continue,
    /// The peer closed (and was answered) or the socket failed: nothing more to send.
    Gone,
    /// Close with this reason.
    Close(CloseReason),
}

impl From<DecodeError> for CloseReason {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::TooBig => CloseReason::TooBig,
            DecodeError::BadUtf8 => CloseReason::InvalidUtf8,
            DecodeError::Protocol(_) => CloseReason::ProtocolError,
        }
    }
}

impl Session {
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
        self.cleanup(end).await;
        if let Some(reason) = end {
            debug!(?reason, "closing");
            // What was queued before the close (a last error, a notice) goes out first.
            let mut rest = self.outbox.take_remaining();
            if !rest.is_empty() {
                let _ = tokio::time::timeout(CLOSE_GRACE, self.write_batch(&mut socket, &mut rest))
                    .await;
            }
            let close = frame::close(reason.code(), reason.as_str());
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
        socket.shutdown().await;
    }

    /// The main loop; returns the reason to close with, if any.
    async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        socket: &mut Socket<S>,
    ) -> Option<CloseReason> {
        let limits = self.limits.clone();
        let mut ping =
            tokio::time::interval_at(Instant::now() + limits.ping_interval, limits.ping_interval);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut last_heard = Instant::now();
        let mut batch = VecDeque::new();
        let outbox = self.outbox.clone();
        loop {
            tokio::select! {
                queued = outbox.recv_batch(&mut batch) => {
                    if let Err(reason) = queued {
                        return Some(reason);
                    }
                    if let Err(err) = Box::pin(self.write_batch(socket, &mut batch)).await {
                        debug!(%err, "write failed");
                        return match err {
                            WriteError::Stalled => self.outbox.closed().or(Some(CloseReason::SlowConsumer)),
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
                    if self.identity.expires_at <= now_ms() {
                        return Some(CloseReason::Unauthorized);
                    }
                    if Box::pin(socket.write_frame(frame::ping())).await.is_err() {
                        return None;
                    }
                }
            }
        }
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
                    return Next::Close(err.into());
                }
            };
            match msg {
                Incoming::Text(text) => {
                    if let ControlFlow::Break(reason) = self.handle_text(&text).await {
                        return Next::Close(reason);
                    }
                }
                Incoming::Binary => self.error(
                    ErrorCode::BinaryNotSupported,
                    "binary frames are not supported: send JSON text frames",
                ),
                Incoming::Ping(payload) => {
                    if socket.write_frame(frame::pong(&payload)).await.is_err() {
                        return Next::Gone;
                    }
                }
                Incoming::Pong => {}
                Incoming::Close(code) => {
                    // Answer the close handshake with the peer's code, then end.
                    let _ = socket
                        .write_frame(frame::close(code.unwrap_or(1000), ""))
                        .await;
                    return Next::Gone;
                }
            }
        }
    }

    /// Queues a message for this connection.
    pub(super) fn send(&self, msg: &ServerMsg) {
        let _ = self.outbox.push_frame(frame::message(msg));
    }

    /// Queues an error frame.
    pub(super) fn error(&self, code: ErrorCode, message: impl Into<String>) {
        self.send(&ServerMsg::error(code, message));
    }

    /// Writes a batch: ready frames as they are, catch-ups and history pages fetched now.
    async fn write_batch<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        socket: &mut Socket<S>,
        batch: &mut VecDeque<Outgoing>,
    ) -> Result<(), WriteError> {
        let mut frames = Vec::with_capacity(batch.len());
        for item in batch.drain(..) {
            match item {
                Outgoing::Frame(bytes) => frames.push(bytes),
                // Boxed: these futures hold storage queries and are rare; kept inline they
                // would make every idle connection's task larger.
                Outgoing::CatchUp { room, after, until } => {
                    Box::pin(self.catch_up(socket, &mut frames, &room, after, until)).await?
                }
                Outgoing::History {
                    room,
                    before,
                    limit,
                } => frames.push(frame::message(
                    &Box::pin(self.history(&room, before, limit)).await,
                )),
            }
        }
        socket.write_frames(&mut frames).await
    }

    /// Adds the messages a join must catch up on: from storage as far as the room no longer
    /// holds them in memory, then from the room's memory. Writes as it goes when large.
    async fn catch_up<S: AsyncRead + AsyncWrite + Unpin>(
        &self,
        socket: &mut Socket<S>,
        frames: &mut Vec<Bytes>,
        room: &RoomName,
        after: Seq,
        until: Seq,
    ) -> Result<(), WriteError> {
        let Some(handle) = self.rooms.get(room) else {
            return Ok(()); // Left before the catch-up was written.
        };
        let recent = handle.recent(after, until).await;
        if let Some(stored_until) = recent.missing_until {
            let mut from = after;
            let mut pending_bytes = 0;
            while from < stored_until {
                let page = match self
                    .hub
                    .store()
                    .messages_after(room, from, stored_until, CATCH_UP_PAGE)
                    .await
                {
                    Ok(page) if !page.is_empty() => page,
                    Ok(_) => break,
                    Err(err) => {
                        // The client keeps its resume point; it gets the rest on its next join.
                        tracing::warn!(cause = %err, %room, "catch-up from storage failed");
                        frames.push(frame::message(&ServerMsg::Error {
                            code: ErrorCode::StorageUnavailable,
                            message: "missed messages could not be read; rejoin to get them".into(),
                            room: Some(room.clone()),
                            client_id: None,
                        }));
                        return Ok(());
                    }
                };
                from = page.last().map_or(stored_until, |m| m.seq);
                for m in page {
                    let f = frame::message(&ServerMsg::Message(m));
                    pending_bytes += f.len();
                    frames.push(f);
                }
                if pending_bytes > CATCH_UP_CHUNK {
                    socket.write_frames(frames).await?;
                    pending_bytes = 0;
                }
            }
        }
        frames.extend(recent.frames);
        Ok(())
    }

    async fn history(&self, room: &RoomName, before: Seq, limit: u32) -> ServerMsg {
        match self.hub.store().messages_before(room, before, limit).await {
            Ok((messages, has_more)) => ServerMsg::History {
                room: room.clone(),
                messages,
                has_more,
            },
            Err(err) => {
                tracing::warn!(cause = %err, %room, "history read failed");
                ServerMsg::Error {
                    code: ErrorCode::StorageUnavailable,
                    message: "history could not be read; try again".into(),
                    room: Some(room.clone()),
                    client_id: None,
                }
            }
        }
    }

    async fn cleanup(&mut self, end: Option<CloseReason>) {
        let change = match end {
            Some(CloseReason::SlowConsumer) => PresenceChange::DroppedSlow,
            _ => PresenceChange::Disconnected,
        };
        for (name, room) in self.rooms.drain() {
            room.leave(self.conn, change).await;
            self.hub.release_room(&self.identity.nickname, &name);
        }
        self.outbox.close(end.unwrap_or(CloseReason::GoingAway));
        self.hub.disconnect(self.conn);
        debug!(?end, "session ended");
    }
}
