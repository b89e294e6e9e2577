//! One WebSocket connection's loop: read client frames, write what the outbox holds, ping,
//! and clean up (leave rooms, free the nickname) however the connection ends.
//!
//! One task does it all with `select!`: it owns both halves of the socket, so an idle
//! connection costs one task. Writes gather every queued frame and flush once.

use std::collections::{HashMap, VecDeque};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use shared::{CloseReason, ErrorCode, Nickname, PresenceChange, RoomName, Seq, ServerMsg};
use tokio::time::{Instant, MissedTickBehavior};
use tracing::{debug, info_span, Instrument};

use crate::config::Limits;
use crate::hub::outbox::{Outbox, Outgoing};
use crate::hub::room::RoomHandle;
use crate::hub::{ConnId, Hub};
use crate::AppState;

/// How long to wait for a close frame to go out before dropping the connection.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

type Sink = SplitSink<WebSocket, Message>;

/// Runs a connection to its end.
pub async fn run(socket: WebSocket, state: AppState, version: u32) {
    let (conn, outbox) = state.hub.connect();
    let span = info_span!("conn", conn);
    let session = Session {
        conn,
        outbox,
        hub: state.hub.clone(),
        limits: state.limits.clone(),
        nickname: None,
        rooms: HashMap::new(),
    };
    session.run(socket, version).instrument(span).await
}

/// A connection's state.
pub(super) struct Session {
    pub(super) conn: ConnId,
    pub(super) outbox: Arc<Outbox>,
    pub(super) hub: Hub,
    pub(super) limits: Arc<Limits>,
    /// Claimed by the first join.
    pub(super) nickname: Option<Nickname>,
    /// Rooms this connection is in.
    pub(super) rooms: HashMap<RoomName, RoomHandle>,
}

/// How the read side wants the loop to go on.
pub(super) enum Read {
    Continue,
    /// The peer closed or the socket failed: nothing more to send.
    Gone,
    /// Close with this reason.
    Close(CloseReason),
}

impl Session {
    async fn run(mut self, socket: WebSocket, version: u32) {
        let (mut sink, mut stream) = socket.split();
        let end = if version != shared::PROTOCOL_VERSION {
            Some(CloseReason::ProtocolVersion)
        } else {
            self.send(&ServerMsg::Welcome {
                protocol: shared::PROTOCOL_VERSION,
                rooms: self.hub.rooms(),
            });
            self.serve(&mut sink, &mut stream).await
        };
        if let Some(reason) = end {
            debug!(?reason, "closing");
            let frame = CloseFrame {
                code: reason.code(),
                reason: Utf8Bytes::from_static(reason.as_str()),
            };
            let _ = tokio::time::timeout(CLOSE_GRACE, sink.send(Message::Close(Some(frame)))).await;
            // Read until the peer answers the close (or the grace ends): closing a socket
            // with unread input makes the kernel send a reset, which can destroy the close
            // frame before the peer reads it.
            let drain = async {
                while let Some(Ok(msg)) = stream.next().await {
                    if matches!(msg, Message::Close(_)) {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(CLOSE_GRACE, drain).await;
        }
        let _ = tokio::time::timeout(CLOSE_GRACE, sink.close()).await;
        self.cleanup(end).await;
    }

    /// The main loop; returns the reason to close with, if any.
    async fn serve(
        &mut self,
        sink: &mut Sink,
        stream: &mut SplitStream<WebSocket>,
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
                    if let Err(err) = self.write_batch(sink, &mut batch).await {
                        debug!(%err, "write failed");
                        return match err {
                            WriteError::Stalled => self.outbox.closed().or(Some(CloseReason::SlowConsumer)),
                            WriteError::Socket(_) => None,
                        };
                    }
                    batch.clear();
                    if batch.capacity() > 256 {
                        batch.shrink_to(16);
                    }
                }
                frame = stream.next() => {
                    last_heard = Instant::now();
                    match self.read(frame).await {
                        Read::Continue => {}
                        Read::Gone => return None,
                        Read::Close(reason) => return Some(reason),
                    }
                }
                _ = ping.tick() => {
                    if last_heard.elapsed() >= limits.idle_timeout {
                        return Some(CloseReason::IdleTimeout);
                    }
                    if sink.send(Message::Ping(Default::default())).await.is_err() {
                        return None;
                    }
                }
            }
        }
    }

    /// Handles one item from the socket.
    async fn read(&mut self, frame: Option<Result<Message, axum::Error>>) -> Read {
        match frame {
            None => Read::Gone,
            Some(Err(err)) => {
                if is_too_big(err) {
                    Read::Close(CloseReason::TooBig)
                } else {
                    Read::Gone
                }
            }
            Some(Ok(Message::Text(text))) => match self.handle_text(text.as_str()).await {
                ControlFlow::Continue(()) => Read::Continue,
                ControlFlow::Break(reason) => Read::Close(reason),
            },
            Some(Ok(Message::Binary(_))) => {
                self.error(
                    ErrorCode::BinaryNotSupported,
                    "binary frames are not supported: send JSON text frames",
                );
                Read::Continue
            }
            // Pongs to our pings are queued by tungstenite and flushed with the next write.
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => Read::Continue,
            Some(Ok(Message::Close(_))) => Read::Gone,
        }
    }

    /// Queues a message for this connection.
    pub(super) fn send(&self, msg: &ServerMsg) {
        let _ = self.outbox.push_frame(Utf8Bytes::from(msg.to_json()));
    }

    /// Queues an error frame.
    pub(super) fn error(&self, code: ErrorCode, message: impl Into<String>) {
        self.send(&ServerMsg::error(code, message));
    }

    /// Writes a batch: every frame is fed, then one flush. Each step that makes no progress
    /// for the write timeout fails the write (a stalled client).
    async fn write_batch(
        &self,
        sink: &mut Sink,
        batch: &mut VecDeque<Outgoing>,
    ) -> Result<(), WriteError> {
        for item in batch.drain(..) {
            match item {
                Outgoing::Frame(bytes) => self.feed(sink, bytes).await?,
                Outgoing::CatchUp { room, after, until } => {
                    self.catch_up(sink, &room, after, until).await?
                }
                Outgoing::History {
                    room,
                    before,
                    limit,
                } => {
                    let msg = self.history(&room, before, limit).await;
                    self.feed(sink, Utf8Bytes::from(msg.to_json())).await?;
                }
            }
        }
        timed(self.limits.write_timeout, sink.flush()).await
    }

    async fn feed(&self, sink: &mut Sink, bytes: Utf8Bytes) -> Result<(), WriteError> {
        timed(self.limits.write_timeout, sink.feed(Message::Text(bytes))).await
    }

    /// Writes the messages a join must catch up on: from storage as far as the room no
    /// longer holds them in memory, then from the room's memory.
    async fn catch_up(
        &self,
        sink: &mut Sink,
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
                        let error = ServerMsg::Error {
                            code: ErrorCode::StorageUnavailable,
                            message: "missed messages could not be read; rejoin to get them".into(),
                            room: Some(room.clone()),
                            client_id: None,
                        };
                        return self.feed(sink, Utf8Bytes::from(error.to_json())).await;
                    }
                };
                from = page.last().map_or(stored_until, |m| m.seq);
                for m in page {
                    self.feed(sink, Utf8Bytes::from(ServerMsg::Message(m).to_json()))
                        .await?;
                }
            }
        }
        for bytes in recent.frames {
            self.feed(sink, bytes).await?;
        }
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
        for (_, room) in self.rooms.drain() {
            room.leave(self.conn, change).await;
        }
        self.outbox.close(end.unwrap_or(CloseReason::GoingAway));
        self.hub.disconnect(self.conn, self.nickname.as_ref());
        debug!(?end, "session ended");
    }
}

/// Why a write failed.
#[derive(Debug, thiserror::Error)]
enum WriteError {
    /// No progress within the write timeout.
    #[error("write stalled")]
    Stalled,
    /// The socket failed.
    #[error("socket: {0}")]
    Socket(#[from] axum::Error),
}

/// Runs a socket operation under the write timeout.
async fn timed<F: std::future::Future<Output = Result<(), axum::Error>>>(
    limit: Duration,
    op: F,
) -> Result<(), WriteError> {
    match tokio::time::timeout(limit, op).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(WriteError::Stalled),
    }
}

/// Messages read from storage per query during a catch-up.
const CATCH_UP_PAGE: u32 = 500;

/// Whether a read error is tungstenite's "message or frame too big".
fn is_too_big(err: axum::Error) -> bool {
    matches!(
        err.into_inner()
            .downcast::<tungstenite::Error>()
            .map(|e| *e),
        Ok(tungstenite::Error::Capacity(_))
    )
}
