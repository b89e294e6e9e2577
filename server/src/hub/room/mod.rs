//! A room: an actor task that owns the room's members, its sequence counter and its recent
//! messages, and a cloneable [`RoomHandle`] that sends it commands.
//!
//! Everything that must happen in one order (seq assignment, fan-out, joins and leaves)
//! happens in this one task, so every member sees the same order.
//!
//! Sends are durable: a room hands its pending messages to the storage writer and waits for
//! the commit before it acknowledges or delivers any of them; messages that arrive meanwhile
//! form the next batch. Joins, leaves and reads go on while a commit is in flight.
//!
//! A room starts with no recent messages in memory, and an idle room forgets them. Its next
//! join reads the latest back from storage once, for everyone: after a restart every member
//! rejoins at once, and each catch-up would otherwise be a read of its own (ten thousand
//! reads queueing for a few database connections, and failing once they wait too long).

mod members;
pub mod recent;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use shared::{
    ChatMessage, ClientMsgId, ErrorCode, MessageText, Nickname, PresenceChange, RoomName, Seq,
    ServerMsg,
};
use tokio::sync::mpsc;
use tracing::{instrument, warn};

use self::members::Members;
use self::recent::{CacheBudget, Recent};
use super::outbox::Outbox;
use super::{ConnId, User};
use crate::now_ms;
use crate::storage::writer::Pending;
use crate::storage::{NewMessage, Outcome, Store, StoreError};
use crate::wire;

/// Pause between attempts to read the room's state from storage at start.
const LOAD_RETRY: Duration = Duration::from_secs(1);
/// Attempts at reading the latest messages on the first join (joins wait meanwhile) before
/// each join reads its own: a storm can keep the database busy past one attempt.
const WARM_ATTEMPTS: u32 = 3;
/// Most messages that read brings back (one catch-up read's worth, so its memory is bounded
/// like one: members back from a restart miss a few; an older resume point reads its own).
const WARM_LEN: u64 = 64;

/// Commands a room accepts.
enum RoomCmd {
    Join {
        conn: ConnId,
        user: User,
        outbox: Arc<Outbox>,
        after: Option<Seq>,
    },
    Leave {
        conn: ConnId,
        change: PresenceChange,
    },
    Send {
        conn: ConnId,
        client_id: ClientMsgId,
        text: MessageText,
    },
    /// A member's catch-up (number `epoch` of its joins) has been queued in full.
    CaughtUp { conn: ConnId, epoch: u64 },
}

/// Settings a room needs.
#[derive(Debug, Clone)]
pub struct RoomSettings {
    /// Messages sent with a join without a resume point.
    pub history_page: u32,
    /// Messages kept in memory.
    pub recent_len: usize,
    /// Bytes of messages kept in memory.
    pub recent_bytes: usize,
    /// What all rooms together keep in memory.
    pub recent_budget: Arc<CacheBudget>,
    /// How long a room without members keeps its recent messages.
    pub recent_idle: Duration,
}

/// A room that is new: record it with its creator.
pub struct Creation {
    /// Who created it.
    pub by: Nickname,
}

/// Cloneable handle to a room task.
#[derive(Clone)]
pub struct RoomHandle {
    name: RoomName,
    tx: mpsc::Sender<RoomCmd>,
    members: Arc<AtomicU32>,
}

impl RoomHandle {
    /// Starts the room's task; `creation` is set for a room that does not exist yet.
    pub fn spawn(
        name: RoomName,
        settings: RoomSettings,
        store: Store,
        creation: Option<Creation>,
    ) -> Self {
        let (tx, rx) = mpsc::channel(1024);
        let members = Arc::new(AtomicU32::new(0));
        let room = Room {
            members: Members::new(name.clone(), members.clone(), store.clone(), tx.downgrade()),
            name: name.clone(),
            last_seq: Seq(0),
            recent: Recent::new(
                settings.recent_len,
                settings.recent_bytes,
                settings.recent_budget.clone(),
            ),
            cold: true,
            settings,
            store,
            waiting: Vec::new(),
        };
        tokio::spawn(room.run(rx, creation));
        Self { name, tx, members }
    }

    /// The room's name.
    pub fn name(&self) -> &RoomName {
        &self.name
    }

    /// How many members the room has now.
    pub fn member_count(&self) -> u32 {
        self.members.load(Ordering::Relaxed)
    }

    /// Whether this is the room's only handle: nobody is in it or on the way in (the
    /// participants of its members, and a join under way, hold handles of their own).
    pub fn is_unused(&self) -> bool {
        self.tx.strong_count() == 1 && self.member_count() == 0
    }

    async fn cmd(&self, cmd: RoomCmd) {
        // The room task lives as long as the server; a failed send means shutdown.
        let _ = self.tx.send(cmd).await;
    }

    /// Adds a member. The room answers through the member's outbox: `joined`, the messages
    /// after `after` (or the latest history page), then live traffic.
    pub async fn join(&self, conn: ConnId, user: User, outbox: Arc<Outbox>, after: Option<Seq>) {
        self.cmd(RoomCmd::Join {
            conn,
            user,
            outbox,
            after,
        })
        .await
    }

    /// Removes a member and tells the others.
    pub async fn leave(&self, conn: ConnId, change: PresenceChange) {
        self.cmd(RoomCmd::Leave { conn, change }).await
    }

    /// Sends a chat message from a member.
    pub async fn send(&self, conn: ConnId, client_id: ClientMsgId, text: MessageText) {
        self.cmd(RoomCmd::Send {
            conn,
            client_id,
            text,
        })
        .await
    }
}

/// A send waiting for its commit.
struct WaitingSend {
    outbox: Arc<Outbox>,
    message: NewMessage,
}

struct Room {
    name: RoomName,
    members: Members,
    last_seq: Seq,
    recent: Recent,
    /// No join since the room started or went idle: `recent` is not read from storage yet.
    cold: bool,
    settings: RoomSettings,
    store: Store,
    /// Sends not yet handed to the writer.
    waiting: Vec<WaitingSend>,
}

impl Room {
    #[instrument(name = "room", skip_all, fields(room = %self.name))]
    async fn run(mut self, mut rx: mpsc::Receiver<RoomCmd>, creation: Option<Creation>) {
        self.load(creation).await;
        // The batch being committed: its sends and the writer's answer.
        let mut inflight: Option<(Vec<WaitingSend>, Pending)> = None;
        loop {
            if inflight.is_none() && !self.waiting.is_empty() {
                let sends = std::mem::take(&mut self.waiting);
                let rows = sends.iter().map(|s| s.message.clone()).collect();
                let next = Seq(self.last_seq.0 + 1);
                let pending = self
                    .store
                    .writer()
                    .append(self.name.clone(), next, rows)
                    .await;
                inflight = Some((sends, pending));
            }
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    Some(cmd) => {
                        if self.cold && matches!(cmd, RoomCmd::Join { .. }) {
                            // Later commands wait in the channel, in order.
                            self.warm().await;
                        }
                        self.handle(cmd)
                    }
                    None => break,
                },
                result = async { (&mut inflight.as_mut().expect("guarded").1).await }, if inflight.is_some() => {
                    let (sends, _) = inflight.take().expect("guarded");
                    let result = result.unwrap_or_else(|_| Err(sqlx::Error::PoolClosed.into()));
                    self.committed(sends, result);
                }
                // Nobody here for a while: the recent messages go (storage has them).
                () = tokio::time::sleep(self.settings.recent_idle),
                    if self.members.is_empty() && !self.recent.is_empty() => {
                    self.recent.clear();
                    // The next join reads them back once, for everyone.
                    self.cold = true;
                }
            }
        }
    }

    /// Records a new room and reads the latest seq, retrying until storage answers.
    async fn load(&mut self, creation: Option<Creation>) {
        loop {
            let created = match &creation {
                Some(c) => {
                    self.store
                        .create_room(&self.name, c.by.as_str(), now_ms())
                        .await
                }
                None => Ok(()),
            };
            match created.and(Ok(())) {
                Ok(()) => match self.store.last_seq(&self.name).await {
                    Ok(seq) => {
                        self.last_seq = seq;
                        return;
                    }
                    Err(err) => warn!(cause = %err, "cannot read the room's latest seq; retrying"),
                },
                Err(err) => warn!(cause = %err, "cannot record the new room; retrying"),
            }
            tokio::time::sleep(LOAD_RETRY).await;
        }
    }

    /// Reads the latest messages into `recent`, once (see the module docs). Without members
    /// nothing was sent here, so `recent` is empty. If storage fails, joins read on their own.
    async fn warm(&mut self) {
        self.cold = false;
        let len = WARM_LEN.min(self.settings.recent_len as u64);
        if self.last_seq.0 == 0 || len == 0 {
            return;
        }
        let from = Seq(self.last_seq.0.saturating_sub(len));
        let limit = u32::try_from(len).unwrap_or(u32::MAX);
        for attempt in 1..=WARM_ATTEMPTS {
            let read = self
                .store
                .messages_after(&self.name, from, self.last_seq, limit);
            match read.await {
                Ok(messages) => {
                    for m in messages {
                        let seq = m.seq;
                        self.recent
                            .remember(seq, wire::encode(&ServerMsg::Message(m)));
                    }
                    return;
                }
                Err(err) if attempt < WARM_ATTEMPTS => {
                    warn!(cause = %err, "cannot read the latest messages; retrying");
                    tokio::time::sleep(LOAD_RETRY).await;
                }
                Err(err) => {
                    warn!(cause = %err, "cannot read the latest messages; joins read their own")
                }
            }
        }
    }

    fn handle(&mut self, cmd: RoomCmd) {
        match cmd {
            RoomCmd::Join {
                conn,
                user,
                outbox,
                after,
            } => {
                let page = u64::from(self.settings.history_page);
                let after = after
                    .unwrap_or(Seq(self.last_seq.0.saturating_sub(page)))
                    .min(self.last_seq);
                let catch_up = self.recent.range(after, self.last_seq, self.last_seq);
                self.members
                    .join(conn, user, outbox, after, self.last_seq, catch_up)
            }
            RoomCmd::Leave { conn, change } => self.members.leave(conn, change),
            RoomCmd::Send {
                conn,
                client_id,
                text,
            } => self.send(conn, client_id, text),
            RoomCmd::CaughtUp { conn, epoch } => self.members.caught_up(conn, epoch),
        }
    }

    /// Queues a member's message for the next commit.
    fn send(&mut self, conn: ConnId, client_id: ClientMsgId, text: MessageText) {
        let Some((user, outbox)) = self.members.sender(conn) else {
            return; // Left or dropped while the send was on its way; the participant said so.
        };
        let message = NewMessage {
            sender: user.key,
            nickname: user.nickname,
            client_id,
            text,
            ts: now_ms(),
        };
        self.waiting.push(WaitingSend { outbox, message });
    }

    /// Tells a sender its message was not stored.
    fn not_stored(&self, s: &WaitingSend) {
        let _ = s.outbox.push_frame(wire::encode(&ServerMsg::Error {
            code: ErrorCode::StorageUnavailable,
            message: "the message could not be stored; it was not sent: retry it".into(),
            room: Some(self.name.clone()),
            client_id: Some(s.message.client_id.clone()),
        }));
    }

    /// A batch was committed (or not): ack and deliver, or tell each sender it failed.
    fn committed(&mut self, sends: Vec<WaitingSend>, result: Result<Vec<Outcome>, StoreError>) {
        let outcomes = match result {
            Ok(outcomes) => outcomes,
            Err(err) => {
                warn!(cause = %err, messages = sends.len(), "messages not stored");
                for s in sends {
                    self.not_stored(&s);
                }
                return;
            }
        };
        for (s, outcome) in sends.into_iter().zip(outcomes) {
            if outcome == Outcome::Failed {
                self.not_stored(&s);
                continue;
            }
            let NewMessage {
                nickname,
                client_id,
                text,
                ts,
                ..
            } = s.message;
            match outcome {
                Outcome::Failed => unreachable!("answered above"),
                Outcome::Duplicate { room, seq, id, ts } => {
                    let ack = ServerMsg::Ack {
                        room,
                        client_id,
                        seq,
                        id,
                        ts,
                        duplicate: true,
                    };
                    let _ = s.outbox.push_frame(wire::encode(&ack));
                }
                Outcome::Stored { seq, id } => {
                    self.last_seq = seq;
                    let ack = ServerMsg::Ack {
                        room: self.name.clone(),
                        client_id,
                        seq,
                        id,
                        ts,
                        duplicate: false,
                    };
                    // The ack goes first so the sender's UI turns its pending line into the
                    // stored message before the broadcast copy arrives (recognised by seq).
                    let _ = s.outbox.push_frame(wire::encode(&ack));
                    let msg = ChatMessage {
                        room: self.name.clone(),
                        seq,
                        id,
                        nickname,
                        text,
                        ts,
                    };
                    let bytes = wire::encode(&ServerMsg::Message(msg));
                    self.members.broadcast(&bytes);
                    self.recent.remember(seq, bytes);
                }
            }
        }
    }
}
