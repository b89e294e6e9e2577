//! A room's members: who is here (from how many connections), fan-out to their outboxes,
//! and the catch-up that a join starts.
//!
//! A join that must catch up (messages after the member's resume point) starts a catch-up
//! task ([`super::super::history::catch_up`]) that queues those messages at the pace the
//! member reads them. Meanwhile the member's live traffic is held here, in order, and queued
//! behind the catch-up when it is done: a member always gets `joined`, then every message
//! after its resume point once and in seq order, then live traffic.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use shared::{CloseReason, Nickname, PresenceChange, RoomName, Seq, ServerMsg};
use tokio::sync::mpsc::WeakSender;
use tokio_util::sync::CancellationToken;
use tracing::debug;

use super::elsewhere::Elsewhere;
use super::recent::RecentFrames;
use super::typing::Typists;
use super::{Personal, RoomCmd};
use crate::cluster::presence::PresenceMsg;
use crate::cluster::Cluster;
use crate::hub::history::{self, CatchUp};
use crate::hub::outbox::Outbox;
use crate::hub::reactions::ReactionsJob;
use crate::hub::{ConnId, User};
use crate::storage::Store;
use crate::wire;

pub(super) struct Member {
    conn: ConnId,
    pub(super) user: User,
    outbox: Arc<Outbox>,
    /// Counts the member's joins, so a finished catch-up is matched to its join.
    epoch: u64,
    /// Set while a catch-up is being queued (boxed: rare, and every member pays for its size).
    catching_up: Option<Box<Held>>,
}

/// Live traffic held for a member whose catch-up is being queued.
struct Held {
    frames: Vec<Bytes>,
    bytes: usize,
    cancel: CancellationToken,
}

impl Member {
    /// Queues a frame, or holds it behind a catch-up; false if the member cannot keep up.
    fn deliver(&mut self, frame: &Bytes) -> bool {
        match &mut self.catching_up {
            None => self.outbox.push_frame(frame.clone()).is_ok(),
            Some(held) => {
                held.bytes += frame.len();
                held.frames.push(frame.clone());
                if held.bytes > self.outbox.max_bytes() {
                    self.outbox.close(CloseReason::SlowConsumer);
                    return false;
                }
                true
            }
        }
    }
}

/// See the module docs.
pub(super) struct Members {
    pub(super) room: RoomName,
    /// Members in join order; `index` maps a connection to its place here.
    list: Vec<Member>,
    index: HashMap<ConnId, usize>,
    /// The people in the room: nickname key → (nickname, connections here).
    people: HashMap<Arc<str>, (Nickname, u32)>,
    /// Published for the room list.
    count: Arc<AtomicU32>,
    store: Store,
    /// The room's own commands, for catch-ups to say they are done (weak: the room ends
    /// when its handles are gone).
    room_tx: WeakSender<RoomCmd>,
    /// Cluster mode: the broker, to tell the other nodes of this node's people.
    cluster: Option<Cluster>,
    /// Cluster mode: the people in the room on other nodes.
    pub(super) elsewhere: Elsewhere,
    /// Who is typing.
    pub(super) typists: Typists,
}

impl Members {
    pub(super) fn new(
        room: RoomName,
        count: Arc<AtomicU32>,
        store: Store,
        room_tx: WeakSender<RoomCmd>,
        cluster: Option<Cluster>,
    ) -> Self {
        Self {
            room,
            list: Vec::new(),
            index: HashMap::new(),
            people: HashMap::new(),
            count,
            store,
            room_tx,
            cluster,
            elsewhere: Elsewhere::default(),
            typists: Typists::default(),
        }
    }

    /// Cluster mode: tells the other nodes.
    pub(super) fn tell(&self, msg: impl FnOnce(Arc<str>) -> PresenceMsg) {
        if let Some(cluster) = &self.cluster {
            cluster.tell_presence(&self.room, &msg(cluster.node().clone()));
        }
    }

    /// Tells the members here that `nickname` came or went (as the whole cluster sees it).
    fn notice(&mut self, nickname: Nickname, change: PresenceChange) {
        let presence = wire::encode(&ServerMsg::Presence {
            room: self.room.clone(),
            nickname,
            change,
        });
        self.broadcast(&presence);
    }

    /// Cluster mode: news from another node of its people here.
    pub(super) fn remote(&mut self, msg: PresenceMsg) {
        match msg {
            PresenceMsg::Here {
                node,
                key,
                nickname,
            } => {
                let Ok(nickname) = Nickname::stored(&nickname) else {
                    return;
                };
                let here = self.people.contains_key(&key);
                if self.elsewhere.here(node, key, nickname.clone()) && !here {
                    self.notice(nickname, PresenceChange::Joined);
                }
            }
            PresenceMsg::Gone { node, key, change } => {
                if let Some(nickname) = self.elsewhere.gone(&node, &key) {
                    if !self.people.contains_key(&key) {
                        self.typing_over(&key, true);
                        self.notice(nickname, change);
                    }
                }
            }
            PresenceMsg::Who { .. } => self.answer_who(),
            PresenceMsg::Typing {
                key,
                nickname,
                typing,
                ..
            } => return self.remote_typing(&key, &nickname, typing),
            PresenceMsg::Read { key, seq, .. } => {
                let frame = self.read_frame(seq);
                return self.tell_own(&key, &frame, None);
            }
            PresenceMsg::Notify { key, level, .. } => {
                let frame = self.notify_frame(level);
                return self.tell_own(&key, &frame, None);
            }
        }
        self.publish_count();
    }

    /// Cluster mode: another node asked who is here.
    pub(super) fn answer_who(&self) {
        for (key, (nickname, _)) in &self.people {
            self.tell(|node| PresenceMsg::Here {
                node,
                key: key.clone(),
                nickname: nickname.to_string(),
            });
        }
    }

    /// Cluster mode: a node fell silent; its people leave.
    pub(super) fn node_gone(&mut self, node: &str) {
        for (key, nickname) in self.elsewhere.node_gone(node) {
            if !self.people.contains_key(&key) {
                self.typing_over(&key, true);
                self.notice(nickname, PresenceChange::Disconnected);
            }
        }
        self.publish_count();
    }

    /// How many people are in the room, on every node.
    fn people_count(&self) -> usize {
        let away = self
            .elsewhere
            .iter()
            .filter(|(k, _)| !self.people.contains_key(*k))
            .count();
        self.people.len() + away
    }

    /// Adds a member (or, for one already here, starts over): queues `joined` and then the
    /// messages `after < seq <= last_seq`, those held in memory given in `recent`.
    pub(super) fn join(
        &mut self,
        (conn, user, outbox): (ConnId, User, Arc<Outbox>),
        (after, last_seq, read): (Seq, Seq, Personal),
        (recent, reactions): (RecentFrames, Option<ReactionsJob>),
    ) {
        if !self.index.contains_key(&conn) {
            self.add(conn, user.clone(), outbox.clone());
        }
        let member = &mut self.list[self.index[&conn]];
        if let Some(old) = member.catching_up.take() {
            // Before `joined`: nothing of the old catch-up may be queued after it.
            old.cancel.cancel();
        }
        let read_seq = read.read_seq.unwrap_or(last_seq).min(last_seq);
        if read.first {
            self.keep_first_read(&user.key, last_seq);
        }
        let joined = wire::encode(&ServerMsg::Joined {
            room: self.room.clone(),
            nickname: user.nickname,
            members: self.people_first(shared::JOINED_MEMBERS_MAX),
            member_count: self.people_count() as u32,
            after,
            last_seq,
            read_seq,
            unread: u32::try_from(last_seq.0 - read_seq.0).unwrap_or(u32::MAX),
            mentions: read.mentions,
            direct: read.direct,
            notify: read.notify,
        });
        if outbox.push_frame(joined).is_err() {
            self.remove(conn, PresenceChange::DroppedSlow);
            return;
        }
        if after >= last_seq && reactions.is_none() {
            return;
        }
        let member = &mut self.list[self.index[&conn]];
        member.epoch += 1;
        let cancel = CancellationToken::new();
        member.catching_up = Some(Box::new(Held {
            frames: Vec::new(),
            bytes: 0,
            cancel: cancel.clone(),
        }));
        let (room_tx, epoch) = (self.room_tx.clone(), member.epoch);
        let job = CatchUp {
            store: self.store.clone(),
            room: self.room.clone(),
            after,
            recent,
            outbox,
            cancel: cancel.clone(),
            reactions,
        };
        tokio::spawn(async move {
            tokio::select! {
                () = history::catch_up(job) => {}
                () = cancel.cancelled() => return,
            }
            if let Some(tx) = room_tx.upgrade() {
                let _ = tx.send(RoomCmd::CaughtUp { conn, epoch }).await;
            }
        });
    }

    fn add(&mut self, conn: ConnId, user: User, outbox: Arc<Outbox>) {
        // One person may be here from several connections (tabs): the room hears of them
        // when the first arrives and when the last goes.
        if !self.people.contains_key(&user.key) {
            self.tell(|node| PresenceMsg::Here {
                node,
                key: user.key.clone(),
                nickname: user.nickname.to_string(),
            });
            if !self.elsewhere.contains(&user.key) {
                self.notice(user.nickname.clone(), PresenceChange::Joined);
            }
        }
        self.people
            .entry(user.key.clone())
            .or_insert_with(|| (user.nickname.clone(), 0))
            .1 += 1;
        self.index.insert(conn, self.list.len());
        debug!(conn, %user, members = self.list.len() + 1, "joined");
        self.list.push(Member {
            conn,
            user,
            outbox,
            epoch: 0,
            catching_up: None,
        });
        self.publish_count();
    }

    /// A member's catch-up has been queued: its held live traffic follows.
    pub(super) fn caught_up(&mut self, conn: ConnId, epoch: u64) {
        let Some(&idx) = self.index.get(&conn) else {
            return;
        };
        let member = &mut self.list[idx];
        if member.epoch != epoch {
            return; // A later join's catch-up is under way.
        }
        let Some(held) = member.catching_up.take() else {
            return;
        };
        if held
            .frames
            .into_iter()
            .any(|f| member.outbox.push_frame(f).is_err())
        {
            self.remove(conn, PresenceChange::DroppedSlow);
        }
    }

    /// A member, by connection.
    pub(super) fn member(&self, conn: ConnId) -> Option<&Member> {
        Some(&self.list[*self.index.get(&conn)?])
    }

    /// The user and outbox of a member, to send from; the member's typing is over (the
    /// message tells everyone).
    pub(super) fn sender(&mut self, conn: ConnId) -> Option<(User, Arc<Outbox>)> {
        let (user, outbox) = {
            let m = self.member(conn)?;
            (m.user.clone(), m.outbox.clone())
        };
        self.typing_over(&user.key, false);
        Some((user, outbox))
    }

    /// Removes a member on its request (`left` is its answer) or as it goes.
    pub(super) fn leave(&mut self, conn: ConnId, change: PresenceChange) {
        if let Some(member) = self.remove(conn, change) {
            if change == PresenceChange::Left {
                let _ = member.outbox.push_frame(wire::encode(&ServerMsg::Left {
                    room: self.room.clone(),
                }));
            }
        }
    }

    /// Removes a member and tells the others; returns it if it was one.
    fn remove(&mut self, conn: ConnId, change: PresenceChange) -> Option<Member> {
        let idx = self.index.remove(&conn)?;
        let member = self.list.swap_remove(idx);
        if let Some(moved) = self.list.get(idx) {
            self.index.insert(moved.conn, idx);
        }
        if let Some(held) = &member.catching_up {
            held.cancel.cancel();
        }
        let key = &member.user.key;
        let last = match self.people.get_mut(key) {
            Some((_, n)) if *n > 1 => {
                *n -= 1;
                false
            }
            _ => {
                self.people.remove(key);
                true
            }
        };
        self.publish_count();
        debug!(conn, nickname = %member.user, ?change, "left");
        if last {
            self.tell(|node| PresenceMsg::Gone {
                node,
                key: member.user.key.clone(),
                change,
            });
            if !self.elsewhere.contains(&member.user.key) {
                self.typing_over(&member.user.key, true);
                self.notice(member.user.nickname.clone(), change);
            }
        }
        Some(member)
    }

    /// Whether nobody is here.
    pub(super) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn publish_count(&self) {
        self.count
            .store(self.people_count() as u32, Ordering::Relaxed);
    }

    /// The first `max` people here, by nickname.
    fn people_first(&self, max: usize) -> Vec<Nickname> {
        let away = self
            .elsewhere
            .iter()
            .filter(|(k, _)| !self.people.contains_key(*k))
            .map(|(_, nick)| nick);
        let mut people: Vec<&Nickname> = self
            .people
            .values()
            .map(|(nick, _)| nick)
            .chain(away)
            .collect();
        if people.len() > max {
            people.select_nth_unstable(max);
            people.truncate(max);
        }
        people.sort();
        people.into_iter().cloned().collect()
    }

    /// A member read the room up to `seq`: the user's other connections here and on the
    /// other nodes hear of it.
    pub(super) fn read(&mut self, conn: ConnId, seq: Seq) {
        let frame = self.read_frame(seq);
        self.own_news(conn, &frame, |node, key| PresenceMsg::Read {
            node,
            key,
            seq,
        });
    }

    /// A member chose what here notifies them: the user's other connections here and on
    /// the other nodes hear of it.
    pub(super) fn notify(&mut self, conn: ConnId, level: shared::NotifyLevel) {
        let frame = self.notify_frame(level);
        self.own_news(conn, &frame, |node, key| PresenceMsg::Notify {
            node,
            key,
            level,
        });
    }

    fn read_frame(&self, seq: Seq) -> Bytes {
        wire::encode(&ServerMsg::Read {
            room: self.room.clone(),
            seq,
        })
    }

    fn notify_frame(&self, level: shared::NotifyLevel) -> Bytes {
        wire::encode(&ServerMsg::Notify {
            room: self.room.clone(),
            level,
        })
    }

    /// News of a member's own (a read position, a notification level): `frame` to the
    /// user's other connections here, `msg` to the other nodes.
    fn own_news(
        &mut self,
        conn: ConnId,
        frame: &Bytes,
        msg: impl FnOnce(Arc<str>, Arc<str>) -> PresenceMsg,
    ) {
        let Some(key) = self.member(conn).map(|m| m.user.key.clone()) else {
            return;
        };
        self.tell_own(&key, frame, Some(conn));
        self.tell(|node| msg(node, key.clone()));
    }

    /// A user's first join: what came before it is read, on every device.
    fn keep_first_read(&self, key: &Arc<str>, seq: Seq) {
        let (store, key, room) = (self.store.clone(), key.clone(), self.room.clone());
        tokio::spawn(async move {
            if let Err(err) = store.mark_read(&key, &room, seq, crate::now_ms()).await {
                tracing::warn!(cause = %err, %room, "cannot keep the read position");
            }
        });
    }

    /// Queues `frame` for `key`'s connections here (but `from`).
    fn tell_own(&mut self, key: &str, frame: &Bytes, from: Option<ConnId>) {
        for m in self.list.iter_mut() {
            if *m.user.key == *key && Some(m.conn) != from {
                // Small and rare: delivered like a message (held behind a catch-up).
                m.deliver(frame);
            }
        }
    }

    /// Offers a frame nobody counts on (typing) to every member but `except`'s connections
    /// and those catching up; a member that cannot take it now does without.
    pub(super) fn offer(&self, frame: &Bytes, except: &str) {
        for m in &self.list {
            if m.catching_up.is_none() && *m.user.key != *except {
                m.outbox.offer(frame.clone());
            }
        }
    }

    /// Delivers a frame to every member. Members that cannot keep up are removed (and the
    /// others told), which may cascade; it ends because each round removes someone.
    pub(super) fn broadcast(&mut self, frame: &Bytes) {
        let dropped: Vec<ConnId> = self
            .list
            .iter_mut()
            .filter_map(|m| (!m.deliver(frame)).then_some(m.conn))
            .collect();
        for conn in dropped {
            self.remove(conn, PresenceChange::DroppedSlow);
        }
    }
}
