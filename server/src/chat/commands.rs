//! What a participant does with each client message: validate it with the shared rules,
//! answer a bad one with a typed error, and hand a good one to its room.

use std::ops::ControlFlow;
use std::sync::atomic::Ordering;

use shared::{
    decode_client_msg, ClientMsg, ClientMsgId, CloseReason, ErrorCode, HistoryFrom, MessageText,
    Nickname, RoomName, Seq, ServerMsg, ValidationError,
};

use super::rate::{FrameKind, Verdict};
use super::Participant;
use crate::wire;

/// History requests one participant may have outstanding; more are refused with
/// `history_busy`.
pub const HISTORY_READS_IN_FLIGHT: usize = 1;

/// A refused client message: the error frame to send.
pub(super) struct Refusal {
    pub(super) code: ErrorCode,
    pub(super) message: String,
    room: Option<RoomName>,
    client_id: Option<ClientMsgId>,
}

impl Refusal {
    pub(super) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            room: None,
            client_id: None,
        }
    }

    fn invalid(code: ErrorCode, what: &str, err: ValidationError) -> Self {
        Self::new(code, format!("{what} {err}"))
    }

    pub(super) fn in_room(mut self, room: &RoomName) -> Self {
        self.room = Some(room.clone());
        self
    }

    pub(super) fn for_client(mut self, client_id: &ClientMsgId) -> Self {
        self.client_id = Some(client_id.clone());
        self
    }
}

/// The error code of message text that breaks the rules (the WebSocket's and REST's).
pub fn text_code(e: &ValidationError) -> ErrorCode {
    match e {
        ValidationError::TooLong { .. } | ValidationError::TooLarge { .. } => {
            ErrorCode::TextTooLong
        }
        // Only nicknames refuse the last two; text may hold any script and bidi controls.
        ValidationError::BadChar(_)
        | ValidationError::Invisible(_)
        | ValidationError::MixedScripts
        | ValidationError::NotEmoji => ErrorCode::BadText,
        ValidationError::Empty => ErrorCode::EmptyText,
    }
}

pub(super) fn room_name(raw: &str) -> Result<RoomName, Refusal> {
    RoomName::parse(raw)
        .map_err(|e| Refusal::invalid(ErrorCode::BadRoomName, "room name (1–48 of a-z 0-9 - _)", e))
}

impl Participant {
    /// Handles one text message from the client. Breaks with a close reason when the client
    /// must be cut off.
    pub async fn handle_text(&mut self, text: &str) -> ControlFlow<CloseReason> {
        let decoded = decode_client_msg(text);
        let kind = match decoded {
            Ok(ClientMsg::Join { .. }) => FrameKind::Join,
            Ok(ClientMsg::Typing { .. }) => FrameKind::Typing,
            _ => FrameKind::Message,
        };
        let result = match (self.rate.check(kind), decoded) {
            (Verdict::Flood, _) => return ControlFlow::Break(CloseReason::Flood),
            // Typing over the rate is dropped: nobody counts on it, so nobody is told.
            (Verdict::SlowDown, Ok(ClientMsg::Typing { .. })) => Ok(()),
            (Verdict::SlowDown, decoded) => Err(slow_down(decoded, self.limits.message_rate)),
            (Verdict::Accept, Ok(msg)) => self.dispatch(msg).await,
            (Verdict::Accept, Err(err)) => Err(Refusal::new(err.code, err.message)),
        };
        if let Err(r) = result {
            self.send(&ServerMsg::Error {
                code: r.code,
                message: r.message,
                room: r.room,
                client_id: r.client_id,
            });
        }
        ControlFlow::Continue(())
    }

    async fn dispatch(&mut self, msg: ClientMsg) -> Result<(), Refusal> {
        match msg {
            ClientMsg::Join {
                room,
                nickname,
                after,
                changes_after,
            } => {
                self.join(&room, nickname.as_deref(), (after, changes_after))
                    .await
            }
            ClientMsg::Leave { room } => self.leave(&room).await,
            ClientMsg::Send {
                room,
                client_id,
                text,
                reply_to,
            } => Box::pin(self.send_chat(&room, &client_id, &text, reply_to)).await,
            ClientMsg::React {
                room,
                seq,
                emoji,
                client_id,
                remove,
            } => self.react(&room, seq, (&emoji, &client_id), remove).await,
            ClientMsg::History {
                room,
                before,
                after,
                around,
                limit,
            } => {
                let from = HistoryFrom::of(before, after, around)
                    .map_err(|why| Refusal::new(ErrorCode::BadMessage, why))?;
                self.request_history(&room, from, limit)
            }
            ClientMsg::ListRooms {
                prefix,
                after,
                limit,
            } => self.list_rooms(prefix.as_deref(), after.as_deref(), limit),
            ClientMsg::RoomCounts { rooms } => self.room_counts(&rooms),
            ClientMsg::Typing { room, typing } => self.typing(&room, typing),
            ClientMsg::Read { room, seq } => self.read(&room, seq).await,
            ClientMsg::OpenDirect { nickname } => self.open_direct(&nickname).await,
            ClientMsg::SetNotify { room, level } => self.set_notify(&room, level).await,
        }
    }

    pub(super) async fn join(
        &mut self,
        room: &str,
        nickname: Option<&str>,
        (after, changes_after): (Option<Seq>, Option<u64>),
    ) -> Result<(), Refusal> {
        let room = room_name(room)?;
        let mine = self.identity.user.clone();
        if let Some(claimed) = nickname {
            // Checked as a stored name: a name registered before the rules was valid then.
            let claimed = Nickname::stored(claimed).map_err(|e| {
                Refusal::invalid(
                    ErrorCode::BadNickname,
                    "nickname (1–32 characters, no control characters)",
                    e,
                )
                .in_room(&room)
            })?;
            if claimed != mine.nickname && *claimed.key() != *mine.key {
                return Err(Refusal::new(
                    ErrorCode::NicknameMismatch,
                    format!(
                        "you are signed in as \"{mine}\"; sign in again to use another nickname"
                    ),
                )
                .in_room(&room));
            }
        }
        // A direct conversation: its two people only (and no other room has such a name).
        let direct = if crate::hub::direct::is_direct(&room) {
            match self.hub.direct_pair(&room).await {
                Some(pair) if pair.has(&mine.key) => Some(pair.other(&mine.key).clone()),
                _ => return Err(forbidden(&room)),
            }
        } else {
            None
        };
        if self.rooms.contains_key(&room) {
            // Joining again only resends the room's state; it claims nothing more.
        } else if !self
            .hub
            .claim_room(&mine, &room, self.limits.max_rooms_per_user)
        {
            return Err(Refusal::new(
                ErrorCode::TooManyRooms,
                format!(
                    "you may be in {} rooms at most, counting all your connections; \
                     leave one first",
                    self.limits.max_rooms_per_user
                ),
            )
            .in_room(&room));
        }
        let handle = match self.hub.room(&room, &mine).await {
            Ok(handle) => handle,
            Err(refusal) => {
                self.hub.release_room(&mine, &room);
                return Err(
                    Refusal::new(ErrorCode::TooManyRoomsCreated, refusal.to_string())
                        .in_room(&room),
                );
            }
        };
        // Boxed: the connection's future stays small for what only a join needs.
        let read = Box::pin(self.personal(&room, &handle, direct)).await;
        let told = read.read_seq.unwrap_or_default();
        handle
            .join(
                (self.conn, mine, self.outbox.clone()),
                (after, changes_after),
                read,
            )
            .await;
        self.rooms.insert(room, (handle, told));
        Ok(())
    }

    async fn leave(&mut self, room: &str) -> Result<(), Refusal> {
        let room = room_name(room)?;
        match self.rooms.remove(&room) {
            Some((handle, _)) => {
                handle.leave(self.conn, shared::PresenceChange::Left).await;
                self.hub.release_room(&self.identity.user, &room);
                Ok(())
            }
            None => Err(self.not_in_room(&room)),
        }
    }

    async fn send_chat(
        &mut self,
        room: &str,
        client_id: &str,
        text: &str,
        reply_to: Option<Seq>,
    ) -> Result<(), Refusal> {
        let room = room_name(room)?;
        let client_id = ClientMsgId::parse(client_id).map_err(|e| {
            Refusal::invalid(
                ErrorCode::BadClientId,
                "client_id (1–64 of A-Z a-z 0-9 - _)",
                e,
            )
            .in_room(&room)
        })?;
        let text = MessageText::parse(text).map_err(|e| {
            let mut r = Refusal::invalid(text_code(&e), "message text", e).in_room(&room);
            r.client_id = Some(client_id.clone());
            r
        })?;
        if !self.rooms.contains_key(&room) {
            let mut r = self.not_in_room(&room);
            r.client_id = Some(client_id);
            return Err(r);
        }
        let reply = match reply_to {
            Some(seq) => match self.quote(&room, seq).await {
                Ok(quote) => Some(Box::new(quote)),
                Err(mut r) => {
                    r.client_id = Some(client_id);
                    return Err(r);
                }
            },
            None => None,
        };
        let Some((handle, _)) = self.rooms.get(&room) else {
            // Left while the original was looked up.
            let mut r = self.not_in_room(&room);
            r.client_id = Some(client_id);
            return Err(r);
        };
        handle.send(self.conn, client_id, text, reply).await;
        Ok(())
    }

    /// The quote of the message at `seq` of `room`, which a reply answers.
    async fn quote(&self, room: &RoomName, seq: Seq) -> Result<shared::Reply, Refusal> {
        let none = || {
            Refusal::new(
                ErrorCode::NoSuchMessage,
                format!(
                    "#{room} has no message {}: a reply answers one of its messages",
                    seq.0
                ),
            )
            .in_room(room)
        };
        if seq.0 == 0 {
            return Err(none());
        }
        match self.hub.store().quote(room, seq).await {
            Ok(Some(quote)) => Ok(quote),
            Ok(None) => Err(none()),
            Err(err) => {
                tracing::warn!(cause = %err, %room, "a reply's original could not be read");
                Err(Refusal::new(
                    ErrorCode::StorageUnavailable,
                    "the message could not be stored; it was not sent: retry it",
                )
                .in_room(room))
            }
        }
    }

    fn typing(&mut self, room: &str, typing: bool) -> Result<(), Refusal> {
        let room = room_name(room)?;
        match self.rooms.get(&room) {
            Some((handle, _)) => {
                handle.typing(self.conn, typing);
                Ok(())
            }
            None => Err(self.not_in_room(&room)),
        }
    }

    fn request_history(
        &mut self,
        room: &str,
        from: HistoryFrom,
        limit: Option<u32>,
    ) -> Result<(), Refusal> {
        let room = room_name(room)?;
        if self.hub.existing_room(&room).is_none() {
            return Err(
                Refusal::new(ErrorCode::NoSuchRoom, format!("there is no room #{room}"))
                    .in_room(&room),
            );
        }
        // Not awaited here: a direct conversation is one this node knows (it exists).
        if !self.hub.may_enter_known(&room, &self.identity.user.key) {
            return Err(forbidden(&room));
        }
        if self.reads.fetch_add(1, Ordering::Relaxed) >= HISTORY_READS_IN_FLIGHT {
            self.reads.fetch_sub(1, Ordering::Relaxed);
            return Err(Refusal::new(
                ErrorCode::HistoryBusy,
                "your previous history request is still being answered; \
                 wait for its page before asking for the next",
            )
            .in_room(&room));
        }
        let (hub, outbox, reads) = (self.hub.clone(), self.outbox.clone(), self.reads.clone());
        let reader = self.identity.user.key.clone();
        // Read apart from the transport's loop, and queued at the pace the client reads: a
        // page can be far larger than the outbox's budget for live traffic.
        tokio::spawn(async move {
            let turn = outbox.read_turn().await;
            let msg = match hub.history_page((&room, &reader), from, limit).await {
                Ok(page) => ServerMsg::from(page),
                Err(err) => err.to_msg(&room),
            };
            let _ = outbox.push_paced([wire::encode(&msg)], None).await;
            drop(turn);
            reads.fetch_sub(1, Ordering::Relaxed);
        });
        Ok(())
    }

    pub(super) fn not_in_room(&self, room: &RoomName) -> Refusal {
        let code = if self.hub.existing_room(room).is_some() {
            ErrorCode::NotInRoom
        } else {
            ErrorCode::NoSuchRoom
        };
        Refusal::new(
            code,
            format!("you have not joined #{room}; send a join first"),
        )
        .in_room(room)
    }
}

/// The refusal of a direct conversation of others.
fn forbidden(room: &RoomName) -> Refusal {
    Refusal::new(
        ErrorCode::Forbidden,
        "this is a private conversation of two other people",
    )
    .in_room(room)
}

/// The `slow_down` refusal, naming the refused message's room and client id when it has
/// them.
fn slow_down(decoded: Result<ClientMsg, shared::DecodeError>, rate: f64) -> Refusal {
    let (room, client_id) = match decoded {
        Ok(ClientMsg::Send {
            room, client_id, ..
        }) => (
            RoomName::parse(&room).ok(),
            ClientMsgId::parse(&client_id).ok(),
        ),
        _ => (None, None),
    };
    Refusal {
        code: ErrorCode::SlowDown,
        message: format!(
            "too many messages: at most {rate} a second on average (counting all your \
             connections); this one was not handled"
        ),
        room,
        client_id,
    }
}
