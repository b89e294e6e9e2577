//! The chat command layer: what a client may do (join, leave, send, read history), callable
//! from any transport. A transport (the WebSocket today) authenticates the client, makes a
//! [`Participant`] for it, hands it every text message the client sends, and writes what the
//! participant's outbox holds; it knows nothing of rooms. The commands validate with the
//! shared rules, answer a bad message with a typed error, and hand a good one to the hub.

pub mod commands;
mod direct;
mod directory;
pub mod rate;
mod react;
mod read;

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use shared::{CloseReason, ErrorCode, PresenceChange, RoomName, ServerMsg};
use tracing::debug;

use self::rate::{FrameKind, RateLimit, Verdict};
use crate::auth::Identity;
use crate::bucket::Bucket;
use crate::config::Limits;
use crate::hub::outbox::Outbox;
use crate::hub::room::RoomHandle;
use crate::hub::{ConnId, Hub};
use crate::wire;

/// Free joins per connection when the number of rooms per user is not capped.
const UNCAPPED_REJOINS: usize = 100;

/// One connected client in the chat, whatever its transport.
pub struct Participant {
    conn: ConnId,
    outbox: Arc<Outbox>,
    hub: Hub,
    limits: Arc<Limits>,
    /// Who it is.
    identity: Identity,
    /// How fast it may send.
    rate: RateLimit,
    /// Rooms it is in, with the read position it last told in each.
    rooms: HashMap<RoomName, (RoomHandle, shared::Seq)>,
    /// History pages being read for it.
    reads: Arc<AtomicUsize>,
}

impl Participant {
    /// Registers a new client of `identity` with the hub. With `greet`, its outbox starts with
    /// the `welcome` frame (see [`Hub::connect`]).
    pub fn connect(hub: &Hub, limits: Arc<Limits>, identity: Identity, greet: bool) -> Self {
        let (conn, outbox) = hub.connect(&identity.id, &identity.user, greet);
        let user = hub.user_bucket(&identity.user, || {
            Bucket::new(limits.message_rate, limits.message_burst)
        });
        let rejoins = match limits.max_rooms_per_user {
            0 => UNCAPPED_REJOINS,
            n => n,
        };
        Self {
            conn,
            outbox,
            hub: hub.clone(),
            rate: RateLimit::new(limits.message_rate, limits.message_burst, user, rejoins),
            limits,
            identity,
            rooms: HashMap::new(),
            reads: Arc::default(),
        }
    }

    /// Its id in the hub.
    pub fn conn(&self) -> ConnId {
        self.conn
    }

    /// Who it is.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The limits it is held to (the transport's timeouts among them).
    pub fn limits(&self) -> &Arc<Limits> {
        &self.limits
    }

    /// What the transport must write to the client.
    pub fn outbox(&self) -> &Arc<Outbox> {
        &self.outbox
    }

    /// Counts a frame the transport handles itself (a ping, a pong, a binary frame)
    /// against the client's rate: `Continue(true)` to handle it, `Continue(false)` to ignore
    /// it, `Break` to close the connection (flood).
    pub fn transport_frame(&mut self) -> ControlFlow<CloseReason, bool> {
        match self.rate.check(FrameKind::Transport) {
            Verdict::Accept => ControlFlow::Continue(true),
            Verdict::SlowDown => ControlFlow::Continue(false),
            Verdict::Flood => ControlFlow::Break(CloseReason::Flood),
        }
    }

    /// Queues a message for this client.
    pub fn send(&self, msg: &ServerMsg) {
        let _ = self.outbox.push_frame(wire::encode(msg));
    }

    /// Queues an error frame.
    pub fn error(&self, code: ErrorCode, message: impl Into<String>) {
        self.send(&ServerMsg::error(code, message));
    }

    /// Leaves every room at once (the rooms see the departure, the user's room claims come
    /// back) and closes the outbox: the client is gone, for `end` if given.
    pub async fn leave_all(&mut self, end: Option<CloseReason>) {
        let change = match end {
            Some(CloseReason::SlowConsumer) => PresenceChange::DroppedSlow,
            _ => PresenceChange::Disconnected,
        };
        for (name, (room, _)) in self.rooms.drain() {
            room.leave(self.conn, change).await;
            self.hub.release_room(&self.identity.user, &name);
        }
        self.outbox.close(end.unwrap_or(CloseReason::GoingAway));
        self.hub.disconnect(self.conn);
        debug!(?end, "participant gone");
    }
}
