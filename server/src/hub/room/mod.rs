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

mod elsewhere;
mod members;
mod order;
pub mod recent;
mod typing;

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use shared::{
    ChatMessage, ClientMsgId, ErrorCode, MessageText, Nickname, PresenceChange, Reply, RoomName,
    Seq, ServerMsg,
};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tracing::{instrument, warn};

use self::members::Members;
use self::order::{Ahead, Arrival};
use self::recent::{CacheBudget, Recent};
use super::outbox::Outbox;
use super::reactions::ReactionsJob;
use super::{ConnId, User};
use crate::cluster::presence::PresenceMsg;
use crate::cluster::{fanout, Cluster};
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
/// Cluster mode: how long a message after a gap waits for the missing ones to come over the
/// broker before they are read from storage.
const GAP_WAIT: Duration = Duration::from_millis(50);
/// Messages read from storage at a time to fill a gap.
const READ_BACK_PAGE: u32 = 256;

/// Commands a room accepts.
enum RoomCmd {
    Join {
        conn: ConnId,
        user: User,
        outbox: Arc<Outbox>,
        after: Option<Seq>,
        changes_after: Option<u64>,
        read: Personal,
    },
    Leave {
        conn: ConnId,
        change: PresenceChange,
    },
    Send {
        conn: ConnId,
        client_id: ClientMsgId,
        text: MessageText,
        reply: Option<Box<Reply>>,
    },
    /// A message from outside the room (the publish API): its ack or error goes to `outbox`.
    Publish {
        message: NewMessage,
        outbox: Arc<Outbox>,
    },
    /// A member is typing, or stopped.
    Typing { conn: ConnId, typing: bool },
    /// A member read the room up to `seq`: the user's other connections hear of it.
    Read { conn: ConnId, seq: Seq },
    /// A member chose what here notifies them: the user's other connections hear of it.
    Notify {
        conn: ConnId,
        level: shared::NotifyLevel,
    },
    /// A member's catch-up (number `epoch` of its joins) has been queued in full.
    CaughtUp { conn: ConnId, epoch: u64 },
    /// Cluster mode: a message another node committed.
    Remote { seq: Seq, frame: Bytes },
    /// A reaction committed as change `rev`: its `reaction` frame, for the members (and, if
    /// `publish`, the other nodes).
    Changed {
        rev: u64,
        frame: Bytes,
        publish: bool,
    },
    /// Cluster mode: read back from storage what the broker may have lost.
    Resync,
    /// Cluster mode: another node's news of its people here.
    Presence(PresenceMsg),
    /// Cluster mode: a node fell silent (its name on the broker).
    NodeGone(Arc<str>),
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
    /// Cluster mode: the broker the room's messages go out on and come in from.
    pub cluster: Option<Cluster>,
}

/// A room that is new: record it with its creator.
pub struct Creation {
    /// Who created it.
    pub by: Nickname,
}

/// What a join's `joined` says of the joiner alone, found before the join: the user's read
/// state here, and for a direct conversation the other person.
#[derive(Debug, Clone, Default)]
pub struct Personal {
    /// The last seq the user read here; None: never (nothing before the join is unread).
    pub read_seq: Option<Seq>,
    /// Storage says the user was never here: the room keeps its latest seq at the join as
    /// the user's read position (the room's, not a handle's copy, which lags at start).
    pub first: bool,
    /// Unread messages that mention the user (in a direct conversation: every one from the
    /// other person).
    pub mentions: u32,
    /// For a direct conversation: the other person.
    pub direct: Option<Nickname>,
    /// What in the room notifies the user.
    pub notify: shared::NotifyLevel,
}

/// Cloneable handle to a room task.
#[derive(Clone)]
pub struct RoomHandle {
    name: RoomName,
    tx: mpsc::Sender<RoomCmd>,
    members: Arc<AtomicU32>,
    last: Arc<AtomicU64>,
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
        let last = Arc::new(AtomicU64::new(0));
        let room = Room {
            last: last.clone(),
            members: Members::new(
                name.clone(),
                members.clone(),
                store.clone(),
                tx.downgrade(),
                settings.cluster.clone(),
            ),
            name: name.clone(),
            last_seq: Seq(0),
            recent: Recent::new(
                settings.recent_len,
                settings.recent_bytes,
                settings.recent_budget.clone(),
            ),
            cold: true,
            cluster: settings.cluster.clone(),
            settings,
            store,
            waiting: Vec::new(),
            ahead: Ahead::default(),
            gap_since: None,
            last_change: 0,
        };
        tokio::spawn(room.run(rx, creation));
        Self {
            name,
            tx,
            members,
            last,
        }
    }

    /// The room's latest seq, as last published by its task.
    pub fn last_seq(&self) -> Seq {
        Seq(self.last.load(Ordering::Relaxed))
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
    pub async fn join(
        &self,
        (conn, user, outbox): (ConnId, User, Arc<Outbox>),
        (after, changes_after): (Option<Seq>, Option<u64>),
        read: Personal,
    ) {
        self.cmd(RoomCmd::Join {
            conn,
            user,
            outbox,
            after,
            changes_after,
            read,
        })
        .await
    }

    /// A reaction here was committed as change `rev`: the members get its `frame`, and so do
    /// the other nodes' (cluster mode).
    pub async fn changed(&self, rev: u64, frame: Bytes) {
        self.cmd(RoomCmd::Changed {
            rev,
            frame,
            publish: true,
        })
        .await
    }

    /// A member read the room up to `seq`; its user's other connections hear of it.
    pub async fn read(&self, conn: ConnId, seq: Seq) {
        self.cmd(RoomCmd::Read { conn, seq }).await
    }

    /// A member chose what here notifies them; its user's other connections hear of it.
    pub async fn notify(&self, conn: ConnId, level: shared::NotifyLevel) {
        self.cmd(RoomCmd::Notify { conn, level }).await
    }

    /// Removes a member and tells the others.
    pub async fn leave(&self, conn: ConnId, change: PresenceChange) {
        self.cmd(RoomCmd::Leave { conn, change }).await
    }

    /// A message another node committed (cluster mode). Never waits: with the room's queue
    /// full it is dropped, and read back from storage with the gap it leaves.
    pub fn remote(&self, seq: Seq, frame: Bytes) {
        let _ = self.tx.try_send(RoomCmd::Remote { seq, frame });
    }

    /// A reaction another node committed as change `rev` (cluster mode). Never waits: with
    /// the room's queue full it is dropped (members get it at their next join).
    pub fn remote_change(&self, rev: u64, frame: Bytes) {
        let _ = self.tx.try_send(RoomCmd::Changed {
            rev,
            frame,
            publish: false,
        });
    }

    /// Has the room read back from storage what the broker may have lost (cluster mode).
    pub fn resync(&self) {
        let _ = self.tx.try_send(RoomCmd::Resync);
    }

    /// Cluster mode: another node's news of its people here.
    pub async fn presence(&self, msg: PresenceMsg) {
        self.cmd(RoomCmd::Presence(msg)).await
    }

    /// Cluster mode: a node fell silent; its people leave.
    pub async fn node_gone(&self, node: Arc<str>) {
        self.cmd(RoomCmd::NodeGone(node)).await
    }

    /// Posts a message from outside the room (the publish API); its `ack` (or `error`) frame
    /// goes to `outbox`, as a member's would.
    pub async fn publish(&self, message: NewMessage, outbox: Arc<Outbox>) {
        self.cmd(RoomCmd::Publish { message, outbox }).await
    }

    /// A member is typing (or stopped). Never waits: with the room's queue full it is
    /// dropped, as typing is.
    pub fn typing(&self, conn: ConnId, typing: bool) {
        let _ = self.tx.try_send(RoomCmd::Typing { conn, typing });
    }

    /// Sends a chat message from a member (answering the message `reply` quotes, if any).
    pub async fn send(
        &self,
        conn: ConnId,
        client_id: ClientMsgId,
        text: MessageText,
        reply: Option<Box<Reply>>,
    ) {
        self.cmd(RoomCmd::Send {
            conn,
            client_id,
            text,
            reply,
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
    /// `last_seq`, published for the handles.
    last: Arc<AtomicU64>,
    members: Members,
    last_seq: Seq,
    recent: Recent,
    /// No join since the room started or went idle: `recent` is not read from storage yet.
    cold: bool,
    settings: RoomSettings,
    store: Store,
    /// Sends not yet handed to the writer.
    waiting: Vec<WaitingSend>,
    /// Cluster mode: the broker.
    cluster: Option<Cluster>,
    /// Cluster mode: messages after a gap, waiting for it to fill.
    ahead: Ahead,
    /// Since when a gap has been waiting.
    gap_since: Option<Instant>,
    /// The last reaction change known here (0: the room has none): joins of a room without
    /// any read none.
    last_change: u64,
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
                    Some(RoomCmd::Resync) => {
                        // An empty room catches up at its next join.
                        if !self.members.is_empty() {
                            self.resync().await;
                        }
                    }
                    Some(cmd) => {
                        if matches!(cmd, RoomCmd::Join { .. }) {
                            // Later commands wait in the channel, in order.
                            if self.cluster.is_some() && self.members.is_empty() {
                                // Nobody here was told of the other nodes' messages.
                                self.resync().await;
                            }
                            if self.cold {
                                self.warm().await;
                            }
                        }
                        self.handle(cmd)
                    }
                    None => break,
                },
                () = tokio::time::sleep_until(self.gap_since.unwrap_or_else(Instant::now) + GAP_WAIT),
                    if self.gap_since.is_some() => self.fill_gap().await,
                result = async { (&mut inflight.as_mut().expect("guarded").1).await }, if inflight.is_some() => {
                    let (sends, _) = inflight.take().expect("guarded");
                    let result = result.unwrap_or_else(|_| Err(sqlx::Error::PoolClosed.into()));
                    self.committed(sends, result);
                }
                () = tokio::time::sleep_until(self.members.typing_deadline().unwrap_or_else(Instant::now)),
                    if self.members.typing_deadline().is_some() => self.members.expire_typing(),
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

    fn set_last(&mut self, seq: Seq) {
        self.last_seq = seq;
        self.last.store(seq.0, Ordering::Relaxed);
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
                Ok(()) => match self.read_counters().await {
                    Ok((seq, change)) => {
                        self.set_last(seq);
                        self.last_change = change;
                        if let Some(cluster) = &self.cluster {
                            if let Some(c) = &creation {
                                cluster.tell_room_created(&self.name, c.by.as_str());
                            }
                            let who = PresenceMsg::Who {
                                node: cluster.node().clone(),
                            };
                            cluster.tell_presence(&self.name, &who);
                        }
                        return;
                    }
                    Err(err) => warn!(cause = %err, "cannot read the room's latest seq; retrying"),
                },
                Err(err) => warn!(cause = %err, "cannot record the new room; retrying"),
            }
            tokio::time::sleep(LOAD_RETRY).await;
        }
    }

    /// The room's latest seq and reaction change, from storage.
    async fn read_counters(&self) -> Result<(Seq, u64), StoreError> {
        let seq = self.store.last_seq(&self.name).await?;
        Ok((seq, self.store.last_change(&self.name).await?))
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
                changes_after,
                read,
            } => {
                let page = u64::from(self.settings.history_page);
                let after = after
                    .unwrap_or(Seq(self.last_seq.0.saturating_sub(page)))
                    .min(self.last_seq);
                let catch_up = self.recent.range(after, self.last_seq, self.last_seq);
                let missed = changes_after.is_some_and(|c| c < self.last_change);
                let reactions =
                    (self.last_change > 0 && (after < self.last_seq || missed)).then(|| {
                        ReactionsJob {
                            user: user.key.clone(),
                            changes_after,
                        }
                    });
                self.members.join(
                    (conn, user, outbox),
                    (after, self.last_seq, read),
                    (catch_up, reactions),
                )
            }
            RoomCmd::Leave { conn, change } => self.members.leave(conn, change),
            RoomCmd::Send {
                conn,
                client_id,
                text,
                reply,
            } => self.send(conn, client_id, text, reply.map(|r| *r)),
            RoomCmd::Publish { message, outbox } => {
                self.waiting.push(WaitingSend { outbox, message })
            }
            RoomCmd::Typing { conn, typing } => self.members.typing(conn, typing),
            RoomCmd::Read { conn, seq } => self.members.read(conn, seq),
            RoomCmd::Notify { conn, level } => self.members.notify(conn, level),
            RoomCmd::CaughtUp { conn, epoch } => self.members.caught_up(conn, epoch),
            RoomCmd::Remote { seq, frame } => self.arrive(seq, Arrival { frame, ack: None }),
            RoomCmd::Changed {
                rev,
                frame,
                publish,
            } => {
                self.last_change = self.last_change.max(rev);
                if let (true, Some(cluster)) = (publish, &self.cluster) {
                    cluster.publish(
                        fanout::subject(&self.name),
                        fanout::change_payload(rev, &frame),
                    );
                }
                self.members.broadcast(&frame);
            }
            RoomCmd::Resync => {}
            RoomCmd::Presence(msg) => self.members.remote(msg),
            RoomCmd::NodeGone(node) => self.members.node_gone(&node),
        }
    }

    /// Cluster mode: a committed message, from this node or another. Members get it once,
    /// in seq order: one after a gap waits for the gap (see [`order`]).
    fn arrive(&mut self, seq: Seq, arrival: Arrival) {
        if seq <= self.last_seq {
            // Delivered already (read back from storage before the broker brought it).
            if let Some((outbox, ack)) = arrival.ack {
                let _ = outbox.push_frame(ack);
            }
            return;
        }
        let mut next = if seq.0 == self.last_seq.0 + 1 {
            // Its turn: delivered at once, however full the buffer is.
            Some(arrival)
        } else {
            self.ahead.insert(seq, arrival);
            None
        };
        while let Some(arrival) = next.or_else(|| self.ahead.take_next(self.last_seq)) {
            self.set_last(Seq(self.last_seq.0 + 1));
            if let Some((outbox, ack)) = arrival.ack {
                let _ = outbox.push_frame(ack);
            }
            self.members.broadcast(&arrival.frame);
            self.recent.remember(self.last_seq, arrival.frame);
            next = None;
        }
        self.gap_since = match self.ahead.first() {
            Some(_) => Some(self.gap_since.unwrap_or_else(Instant::now)),
            None => None,
        };
    }

    /// A gap waited [`GAP_WAIT`]: its messages are read from storage (they are committed: a
    /// later seq is only taken once the earlier ones are).
    async fn fill_gap(&mut self) {
        self.gap_since = None;
        if let Some(first) = self.ahead.first() {
            self.read_back(Seq(first.0 - 1)).await;
        }
        if self.ahead.first().is_some() && self.gap_since.is_none() {
            // The read failed: try again after another wait.
            self.gap_since = Some(Instant::now());
        }
    }

    /// Reads the messages after the last one delivered, up to `until`, from storage and
    /// delivers them.
    async fn read_back(&mut self, until: Seq) {
        while self.last_seq < until {
            let before = self.last_seq;
            let read = self
                .store
                .messages_after(&self.name, self.last_seq, until, READ_BACK_PAGE);
            match read.await {
                Ok(messages) if !messages.is_empty() => {
                    for m in messages {
                        let seq = m.seq;
                        let frame = wire::encode(&ServerMsg::Message(m));
                        self.arrive(seq, Arrival { frame, ack: None });
                    }
                    if self.last_seq == before {
                        warn!(after = before.0, "storage skipped a seq; the gap waits");
                        return;
                    }
                }
                Ok(_) => return,
                Err(err) => {
                    warn!(cause = %err, "cannot read back the messages of a gap");
                    return;
                }
            }
        }
        for (outbox, ack) in self.ahead.delivered_up_to(self.last_seq) {
            let _ = outbox.push_frame(ack);
        }
    }

    /// Cluster mode: catches up with what the other nodes committed that this node has not
    /// delivered (the broker lost it, or nobody here was listening).
    async fn resync(&mut self) {
        let last = match self.read_counters().await {
            Ok((last, change)) => {
                // A change the broker lost: joins read it (members already here get it at
                // their next join).
                self.last_change = self.last_change.max(change);
                last
            }
            Err(err) => {
                warn!(cause = %err, "cannot read the room's latest seq");
                return;
            }
        };
        if last <= self.last_seq {
            return;
        }
        if self.members.is_empty() && self.ahead.first().is_none() {
            // Nobody to tell: the next join reads the latest messages.
            self.recent.clear();
            self.set_last(last);
            self.cold = true;
        } else {
            self.read_back(last).await;
        }
    }

    /// Queues a member's message for the next commit.
    fn send(
        &mut self,
        conn: ConnId,
        client_id: ClientMsgId,
        text: MessageText,
        reply: Option<Reply>,
    ) {
        let Some((user, outbox)) = self.members.sender(conn) else {
            return; // Left or dropped while the send was on its way; the participant said so.
        };
        let message = NewMessage {
            sender: user.key,
            nickname: user.nickname,
            client_id,
            text,
            ts: now_ms(),
            bot: false,
            reply,
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
                bot,
                reply,
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
                    let ack = wire::encode(&ack);
                    let msg = ChatMessage {
                        room: self.name.clone(),
                        seq,
                        id,
                        nickname,
                        text,
                        ts,
                        bot,
                        reply,
                        reactions: Vec::new(),
                        rev: 0,
                    };
                    let bytes = wire::encode(&ServerMsg::Message(msg));
                    if let Some(cluster) = &self.cluster {
                        cluster.publish(fanout::subject(&self.name), fanout::payload(seq, &bytes));
                        let ack = Some((s.outbox, ack));
                        self.arrive(seq, Arrival { frame: bytes, ack });
                        continue;
                    }
                    self.set_last(seq);
                    let _ = s.outbox.push_frame(ack);
                    self.members.broadcast(&bytes);
                    self.recent.remember(seq, bytes);
                }
            }
        }
    }
}
