//! A room: an actor task that owns the room's members, its sequence counter and its recent
//! messages, and a cloneable [`RoomHandle`] that sends it commands.
//!
//! Everything that must happen in one order (seq assignment, fan-out, joins and leaves)
//! happens in this one task, so every member sees the same order.
//!
//! Sends are durable: a room hands its pending messages to the storage writer and waits for
//! the commit before it acknowledges or delivers any of them; messages that arrive meanwhile
//! form the next batch. Joins, leaves and reads go on while a commit is in flight.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use shared::{
    ChatMessage, ClientMsgId, ErrorCode, MessageText, Nickname, PresenceChange, RoomName, Seq,
    ServerMsg,
};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, instrument, warn};

use super::outbox::{Outbox, Outgoing};
use super::ConnId;
use crate::now_ms;
use crate::storage::writer::Pending;
use crate::storage::{NewMessage, Outcome, Store, StoreError};

/// Pause between attempts to read the room's state from storage at start.
const LOAD_RETRY: Duration = Duration::from_secs(1);

/// Commands a room accepts.
enum RoomCmd {
    Join {
        conn: ConnId,
        nickname: Nickname,
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
    Recent {
        after: Seq,
        until: Seq,
        reply: oneshot::Sender<RecentFrames>,
    },
}

/// Frames of a seq range, as far as the room still holds them in memory.
#[derive(Debug, Default)]
pub struct RecentFrames {
    /// The frames held, in seq order.
    pub frames: Vec<Bytes>,
    /// The first seq of the range the room no longer holds in memory, if any: the range
    /// `(after, missing_until]` must come from storage.
    pub missing_until: Option<Seq>,
}

/// Settings a room needs.
#[derive(Debug, Clone)]
pub struct RoomSettings {
    /// Messages sent with a join without a resume point.
    pub history_page: u32,
    /// Messages kept in memory.
    pub recent_len: usize,
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
            name: name.clone(),
            members: Vec::new(),
            index: HashMap::new(),
            people: HashMap::new(),
            last_seq: Seq(0),
            recent: VecDeque::new(),
            settings,
            store,
            waiting: Vec::new(),
            member_count: members.clone(),
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

    async fn cmd(&self, cmd: RoomCmd) {
        // The room task lives as long as the server; a failed send means shutdown.
        let _ = self.tx.send(cmd).await;
    }

    /// Adds a member. The room answers through the member's outbox: `joined`, the messages
    /// after `after` (or the latest history page), then live traffic.
    pub async fn join(
        &self,
        conn: ConnId,
        nickname: Nickname,
        outbox: Arc<Outbox>,
        after: Option<Seq>,
    ) {
        self.cmd(RoomCmd::Join {
            conn,
            nickname,
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

    /// The frames of messages `after < seq <= until` still held in memory.
    pub async fn recent(&self, after: Seq, until: Seq) -> RecentFrames {
        let (reply, rx) = oneshot::channel();
        self.cmd(RoomCmd::Recent {
            after,
            until,
            reply,
        })
        .await;
        rx.await.unwrap_or_default()
    }
}

struct Member {
    conn: ConnId,
    nickname: Nickname,
    outbox: Arc<Outbox>,
}

/// A send waiting for its commit.
struct WaitingSend {
    outbox: Arc<Outbox>,
    message: NewMessage,
}

struct Room {
    name: RoomName,
    /// Members in join order; `index` maps a connection to its place here.
    members: Vec<Member>,
    index: HashMap<ConnId, usize>,
    /// The people in the room: nickname key → (nickname, connections here).
    people: HashMap<String, (Nickname, u32)>,
    last_seq: Seq,
    /// The latest messages as ready frames, oldest first.
    recent: VecDeque<(Seq, Bytes)>,
    settings: RoomSettings,
    store: Store,
    /// Sends not yet handed to the writer.
    waiting: Vec<WaitingSend>,
    member_count: Arc<AtomicU32>,
}

fn frame(msg: &ServerMsg) -> Bytes {
    crate::ws::frame::message(msg)
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
                    Some(cmd) => self.handle(cmd),
                    None => break,
                },
                result = async { (&mut inflight.as_mut().expect("guarded").1).await }, if inflight.is_some() => {
                    let (sends, _) = inflight.take().expect("guarded");
                    let result = result.unwrap_or_else(|_| Err(sqlx::Error::PoolClosed.into()));
                    self.committed(sends, result);
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

    fn handle(&mut self, cmd: RoomCmd) {
        match cmd {
            RoomCmd::Join {
                conn,
                nickname,
                outbox,
                after,
            } => self.join(conn, nickname, outbox, after),
            RoomCmd::Leave { conn, change } => self.leave(conn, change),
            RoomCmd::Send {
                conn,
                client_id,
                text,
            } => self.send(conn, client_id, text),
            RoomCmd::Recent {
                after,
                until,
                reply,
            } => {
                let _ = reply.send(self.recent(after, until));
            }
        }
    }

    fn join(&mut self, conn: ConnId, nickname: Nickname, outbox: Arc<Outbox>, after: Option<Seq>) {
        if !self.index.contains_key(&conn) {
            // One person may be here from several connections (tabs): the room hears of
            // them when the first arrives and when the last goes.
            let first = !self.people.contains_key(&nickname.key());
            if first {
                let presence = frame(&ServerMsg::Presence {
                    room: self.name.clone(),
                    nickname: nickname.clone(),
                    change: PresenceChange::Joined,
                });
                self.broadcast(&presence);
            }
            self.people
                .entry(nickname.key())
                .or_insert_with(|| (nickname.clone(), 0))
                .1 += 1;
            self.index.insert(conn, self.members.len());
            self.members.push(Member {
                conn,
                nickname: nickname.clone(),
                outbox: outbox.clone(),
            });
            self.member_count
                .store(self.people.len() as u32, Ordering::Relaxed);
            debug!(conn, %nickname, members = self.members.len(), "joined");
        }
        let page = u64::from(self.settings.history_page);
        let after = after
            .unwrap_or(Seq(self.last_seq.0.saturating_sub(page)))
            .min(self.last_seq);
        let joined = frame(&ServerMsg::Joined {
            room: self.name.clone(),
            nickname,
            members: self.people_sorted(),
            after,
            last_seq: self.last_seq,
        });
        let mut ok = outbox.push_frame(joined).is_ok();
        if ok && after < self.last_seq {
            let catch_up = Outgoing::CatchUp {
                room: self.name.clone(),
                after,
                until: self.last_seq,
            };
            ok = outbox.push(catch_up).is_ok();
        }
        if !ok {
            self.remove(conn, PresenceChange::DroppedSlow);
        }
    }

    fn leave(&mut self, conn: ConnId, change: PresenceChange) {
        if let Some(member) = self.remove(conn, change) {
            if change == PresenceChange::Left {
                let _ = member.outbox.push_frame(frame(&ServerMsg::Left {
                    room: self.name.clone(),
                }));
            }
        }
    }

    /// Removes a member and tells the others; returns it if it was one.
    fn remove(&mut self, conn: ConnId, change: PresenceChange) -> Option<Member> {
        let idx = self.index.remove(&conn)?;
        let member = self.members.swap_remove(idx);
        if let Some(moved) = self.members.get(idx) {
            self.index.insert(moved.conn, idx);
        }
        let key = member.nickname.key();
        let last = match self.people.get_mut(&key) {
            Some((_, n)) if *n > 1 => {
                *n -= 1;
                false
            }
            _ => {
                self.people.remove(&key);
                true
            }
        };
        self.member_count
            .store(self.people.len() as u32, Ordering::Relaxed);
        debug!(conn, nickname = %member.nickname, ?change, "left");
        if last {
            let presence = frame(&ServerMsg::Presence {
                room: self.name.clone(),
                nickname: member.nickname.clone(),
                change,
            });
            self.broadcast(&presence);
        }
        Some(member)
    }

    /// Everyone here, by nickname.
    fn people_sorted(&self) -> Vec<Nickname> {
        let mut people: Vec<_> = self.people.iter().collect();
        people.sort_by(|a, b| a.0.cmp(b.0));
        people
            .into_iter()
            .map(|(_, (nick, _))| nick.clone())
            .collect()
    }

    /// Pushes a frame to every member. Members whose outbox overflows are removed (and the
    /// others told), which may cascade; the loop ends because each round removes someone.
    fn broadcast(&mut self, frame: &Bytes) {
        let dropped: Vec<ConnId> = self
            .members
            .iter()
            .filter(|m| m.outbox.push_frame(frame.clone()).is_err())
            .map(|m| m.conn)
            .collect();
        for conn in dropped {
            self.remove(conn, PresenceChange::DroppedSlow);
        }
    }

    /// Queues a member's message for the next commit.
    fn send(&mut self, conn: ConnId, client_id: ClientMsgId, text: MessageText) {
        let Some(&idx) = self.index.get(&conn) else {
            return; // Left or dropped while the send was on its way; the session said so.
        };
        let m = &self.members[idx];
        let message = NewMessage {
            sender: m.nickname.key(),
            nickname: m.nickname.clone(),
            client_id,
            text,
            ts: now_ms(),
        };
        self.waiting.push(WaitingSend {
            outbox: m.outbox.clone(),
            message,
        });
    }

    /// A batch was committed (or not): ack and deliver, or tell each sender it failed.
    fn committed(&mut self, sends: Vec<WaitingSend>, result: Result<Vec<Outcome>, StoreError>) {
        let outcomes = match result {
            Ok(outcomes) => outcomes,
            Err(err) => {
                warn!(cause = %err, messages = sends.len(), "messages not stored");
                for s in sends {
                    let _ = s.outbox.push_frame(frame(&ServerMsg::Error {
                        code: ErrorCode::StorageUnavailable,
                        message: "the message could not be stored; it was not sent: retry it"
                            .into(),
                        room: Some(self.name.clone()),
                        client_id: Some(s.message.client_id),
                    }));
                }
                return;
            }
        };
        for (s, outcome) in sends.into_iter().zip(outcomes) {
            let NewMessage {
                nickname,
                client_id,
                text,
                ts,
                ..
            } = s.message;
            match outcome {
                Outcome::Duplicate { room, seq, id, ts } => {
                    let ack = ServerMsg::Ack {
                        room,
                        client_id,
                        seq,
                        id,
                        ts,
                        duplicate: true,
                    };
                    let _ = s.outbox.push_frame(frame(&ack));
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
                    let _ = s.outbox.push_frame(frame(&ack));
                    let msg = ChatMessage {
                        room: self.name.clone(),
                        seq,
                        id,
                        nickname,
                        text,
                        ts,
                    };
                    let bytes = frame(&ServerMsg::Message(msg));
                    self.broadcast(&bytes);
                    self.remember(seq, bytes);
                }
            }
        }
    }

    fn remember(&mut self, seq: Seq, bytes: Bytes) {
        if self.settings.recent_len == 0 {
            return;
        }
        if self.recent.len() == self.settings.recent_len {
            self.recent.pop_front();
        }
        self.recent.push_back((seq, bytes));
    }

    fn recent(&self, after: Seq, until: Seq) -> RecentFrames {
        let first_held = self
            .recent
            .front()
            .map_or(Seq(self.last_seq.0 + 1), |(s, _)| *s);
        let missing_until =
            (after.0 + 1 < first_held.0).then(|| Seq((first_held.0 - 1).min(until.0)));
        let frames = self
            .recent
            .iter()
            .filter(|(s, _)| *s > after && *s <= until)
            .map(|(_, b)| b.clone())
            .collect();
        RecentFrames {
            frames,
            missing_until,
        }
    }
}
