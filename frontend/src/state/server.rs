//! How the reducer applies a message from the server.

use std::rc::Rc;

use shared::{
    ChatMessage, ClientMsgId, ErrorCode, MessageId, MessageText, Nickname, PresenceChange,
    RoomName, Seq, ServerMsg,
};

use super::{ChatState, PendingStatus};

impl ChatState {
    /// Applies one server message.
    pub(super) fn server(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::Welcome { rooms, directs, .. } => {
                self.welcomes += 1;
                for summary in rooms {
                    self.room_mut(&summary.name).member_count = summary.members;
                }
                // Direct conversations are always joined (the resume joins them).
                for d in directs {
                    self.direct(d.room, d.with);
                }
            }
            ServerMsg::Direct { room, with } => self.direct(room, with),
            ServerMsg::Joined {
                room,
                nickname,
                members,
                member_count,
                after,
                last_seq,
                read_seq,
                unread,
                mentions,
                direct,
                notify,
            } => {
                if let Some(with) = direct {
                    // This user opened it: it comes into view.
                    if !self.rooms.contains_key(&room) {
                        self.direct(room.clone(), with);
                        self.select(room.clone());
                    }
                }
                if let Some(r) = self.rooms.get_mut(&room) {
                    Rc::make_mut(r).notify = notify;
                }
                let counts = (read_seq, unread, mentions);
                self.joined(
                    room,
                    nickname,
                    (members, member_count),
                    (after, last_seq),
                    counts,
                )
            }
            ServerMsg::Read { room, seq } => self.read_elsewhere(room, seq),
            ServerMsg::Notify { room, level } => self.set_notify(room, level),
            ServerMsg::Left { room } => {
                if let Some(r) = self.rooms.get_mut(&room) {
                    Rc::make_mut(r).joined = false;
                }
            }
            ServerMsg::Presence {
                room,
                nickname,
                change,
            } => self.presence(room, nickname, change),
            ServerMsg::RoomCounts { rooms } => {
                for summary in &rooms {
                    if self.rooms.contains_key(&summary.name) {
                        self.room_mut(&summary.name).member_count = summary.members;
                    }
                }
                self.directory.counts(&rooms);
            }
            ServerMsg::RoomList {
                prefix,
                rooms,
                next,
            } => self.directory.page(&prefix, rooms, next),
            ServerMsg::Message(m) => self.message(m),
            ServerMsg::Reaction {
                room,
                seq,
                rev,
                nickname,
                emoji,
                added,
                reactions,
            } => self.reaction(&room, (seq, rev), (&nickname, &emoji, added), reactions),
            ServerMsg::Reactions {
                room,
                rev,
                messages,
                partial,
            } => self.reactions(&room, rev, messages, partial),
            ServerMsg::Reacted {
                room, client_id, ..
            } => {
                self.answered(&room, client_id.as_str());
            }
            // The provider hands it on as `Action::Typing`, with the time it came.
            ServerMsg::Typing {
                room,
                nickname,
                typing,
            } => self.typing(room, nickname, typing, 0.0),
            ServerMsg::Ack {
                room,
                client_id,
                seq,
                id,
                ts,
                ..
            } => self.ack(room, client_id, seq, id, ts),
            ServerMsg::History {
                room,
                messages,
                has_more,
                ..
            } => {
                let r = self.room_mut(&room);
                // `has_more` is of the page's start: it says something of the room's first
                // window only when the page reaches at least as far back (a gap's page does
                // not).
                let reaches_start = match (messages.first(), r.first_seq()) {
                    (Some(page), Some(held)) => page.seq <= held,
                    _ => true,
                };
                for m in messages {
                    r.put(m);
                }
                if reaches_start {
                    r.has_more = has_more;
                }
                r.loading_older = false;
                r.loading_gap = None;
            }
            ServerMsg::Error {
                code,
                message,
                room,
                client_id,
            } => self.error(code, message, room, client_id),
        }
    }

    fn joined(
        &mut self,
        room: RoomName,
        nickname: Nickname,
        (members, member_count): (Vec<Nickname>, u32),
        (after, last_seq): (Seq, Seq),
        (read_seq, unread, mentions): (Seq, u32, u32),
    ) {
        self.me = Some(nickname);
        if !self.rooms.contains_key(&room) {
            return; // left before the join was answered (the `left` follows)
        }
        let in_view = self.current.as_ref() == Some(&room);
        let r = self.room_mut(&room);
        if last_seq < r.last_seq() {
            // The server's history restarted (it lost its data): start afresh.
            r.messages.clear();
            r.notices.clear();
            r.changes_after = None;
        }
        // Joined, this client knows every change up to the `reactions` frame that follows, or
        // none at all if the room sent none (it had no reaction yet): a rejoin then asks for
        // every change since the first (0), not only for those of the messages it is sent.
        r.changes_after = r.changes_after.or(Some(0));
        if !r.joined && r.messages.is_empty() {
            r.baseline = last_seq;
        }
        r.joined = true;
        r.seen(after);
        // The server counted what is unread up to `last_seq`, on every device.
        r.read_seq = r.read_seq.max(read_seq);
        r.counted_to = last_seq;
        if in_view {
            if unread > 0 && r.new_after.is_none() {
                r.new_after = Some(read_seq);
            }
        } else {
            r.unread = unread;
            r.mentions = mentions;
        }
        r.member_count = member_count.max(members.len() as u32);
        r.members = members;
        let first_held = r.first_seq().map_or(after.0 + 1, |f| f.0.min(after.0 + 1));
        r.has_more = first_held > 1;
        if self.current.is_none() {
            self.current = Some(room);
        }
    }

    fn presence(&mut self, room: RoomName, nickname: Nickname, change: PresenceChange) {
        let verb = match change {
            PresenceChange::Joined => "joined",
            PresenceChange::Left => "left",
            PresenceChange::Disconnected => "disconnected",
            PresenceChange::DroppedSlow => "was disconnected (connection too slow)",
        };
        if !self.rooms.contains_key(&room) {
            return; // left meanwhile
        }
        let in_view = self.current.as_ref() == Some(&room);
        let r = self.room_mut(&room);
        // `joined` lists the first members of a big room only: the count is kept apart.
        match change {
            PresenceChange::Joined => {
                if !r.members.contains(&nickname) {
                    r.members.push(nickname.clone());
                }
                r.member_count += 1;
            }
            _ => {
                r.typing.retain(|t| t.nickname != nickname);
                r.members.retain(|m| *m != nickname);
                r.member_count = r.member_count.saturating_sub(1);
            }
        }
        r.member_count = r.member_count.max(r.members.len() as u32);
        // The name is isolated (FSI … PDI): a bidi control in it cannot reorder the words
        // after it.
        let who = format!("\u{2068}{nickname}\u{2069}");
        r.notice(format!("{who} {verb}"));
        if !in_view && !self.is_me(&nickname) {
            self.toast(format!("{who} {verb} #{room}"));
        }
    }

    /// A chat message: stored once by seq; counts as unread when it is new, from someone
    /// else, and its room is not in view (and as a mention too if it mentions this user).
    fn message(&mut self, m: ChatMessage) {
        if !self.rooms.contains_key(&m.room) {
            return; // left meanwhile: in flight when the user left
        }
        let in_view = self.current.as_ref() == Some(&m.room);
        let mine = !m.bot && self.is_me(&m.nickname);
        let for_me = self
            .me
            .as_ref()
            .is_some_and(|me| shared::format::mentions(m.text.as_str(), me));
        let r = self.room_mut(&m.room);
        // A direct message is for me.
        let for_me = for_me || r.direct.is_some();
        let fresh = m.seq > r.baseline.max(r.counted_to) && !r.messages.contains_key(&m.seq);
        if fresh && !in_view && !mine {
            r.unread += 1;
            r.mentions += u32::from(for_me);
        }
        let alert =
            (fresh && !mine && r.notify.notifies(for_me)).then(|| (r.direct.is_some(), in_view));
        if !m.bot {
            r.typing
                .retain(|t| !super::same_name(&t.nickname, &m.nickname));
        }
        r.seen(m.seq);
        let seq = m.seq;
        r.put(m);
        let m = r.messages[&seq].clone();
        if let Some((direct, in_view)) = alert {
            self.alert(&m, direct, in_view);
        }
        if fresh && in_view && !mine {
            // Live, in view, someone else's: said once to screen readers (never history).
            let n = self.announce.as_ref().map_or(1, |(n, _)| n + 1);
            self.announce = Some((n, format!("\u{2068}{}\u{2069}: {}", m.nickname, m.text)));
        }
    }

    /// An own message was stored: it leaves the pending list and is shown at its seq
    /// (unless its broadcast copy came first).
    fn ack(&mut self, room: RoomName, client_id: ClientMsgId, seq: Seq, id: MessageId, ts: i64) {
        let me = self.me.clone();
        let r = self.room_mut(&room);
        let Some(pos) = r
            .pending
            .iter()
            .position(|p| p.client_id == client_id.as_str())
        else {
            return;
        };
        let pending = r.pending.remove(pos);
        if let (Some(nickname), Ok(text)) = (me, MessageText::parse(&pending.text)) {
            r.messages.entry(seq).or_insert_with(|| {
                Rc::new(ChatMessage {
                    room: room.clone(),
                    seq,
                    id,
                    nickname,
                    text,
                    ts,
                    bot: false,
                    reply: None, // the broadcast copy, which replaces this one, quotes it
                    reactions: Vec::new(),
                    rev: 0,
                })
            });
        }
    }

    /// A refusal: marks the own message it names as failed (so it is not sent again until
    /// retried), or shows it as a toast (an own reaction it names waits no more).
    fn error(
        &mut self,
        code: ErrorCode,
        message: String,
        room: Option<RoomName>,
        client_id: Option<ClientMsgId>,
    ) {
        if let (ErrorCode::HistoryBusy | ErrorCode::StorageUnavailable, Some(room), None) =
            (code, &room, &client_id)
        {
            // The older page is not coming: the button comes back, to ask again.
            self.room_mut(room).loading_older = false;
            if code == ErrorCode::HistoryBusy {
                return;
            }
        }
        if let (Some(room), Some(client_id)) = (&room, &client_id) {
            if !self.answered(room, client_id.as_str()) {
                if let Some(p) = self.room_mut(room).pending_mut(client_id.as_str()) {
                    p.status = PendingStatus::Failed(message);
                    return;
                }
            }
        }
        self.toast(message);
    }
}
