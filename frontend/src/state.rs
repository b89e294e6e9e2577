//! The app's state and its reducer: every server message and user action becomes an
//! [`Action`], and [`ChatState::reduce`] is the only place the state changes.
//!
//! Messages are kept per room by `seq`, so a message that arrives twice (an ack and its
//! broadcast copy, or a catch-up after a reconnect) is shown once, in order.

use std::collections::BTreeMap;
use std::rc::Rc;

use shared::{
    ChatMessage, ClientMsgId, ErrorCode, MessageId, MessageText, Nickname, PresenceChange,
    RoomName, Seq, ServerMsg,
};
use yew::Reducible;

use crate::util::now_ms;

/// The connection as the banner shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnStatus {
    /// Opening the first connection.
    Connecting,
    /// Open.
    Connected,
    /// Lost; the next attempt starts at `at_ms` (browser clock).
    Reconnecting {
        /// When the next attempt starts.
        at_ms: f64,
        /// How many attempts failed in a row.
        attempt: u32,
    },
    /// Given up until the user acts; says why.
    Disconnected {
        /// For people.
        reason: String,
    },
}

/// Which screen is shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    /// Asking the server whether there is a session already.
    Starting,
    /// Pick a nickname; with the last refusal, if any.
    Nickname {
        /// Why the last nickname was refused.
        error: Option<String>,
    },
    /// Chatting.
    Chat,
}

/// A system notice in a room's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// The text.
    pub text: String,
}

/// Where an own message stands before its ack.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingStatus {
    /// Queued or on its way; not acknowledged yet.
    Sending,
    /// Refused; says why. Can be retried.
    Failed(String),
}

/// An own message not acknowledged yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// Its client id.
    pub client_id: String,
    /// Its text.
    pub text: String,
    /// Where it stands.
    pub status: PendingStatus,
}

/// One room as the UI knows it.
#[derive(Debug, Clone)]
pub struct RoomView {
    /// The room.
    pub name: RoomName,
    /// This user is in it.
    pub joined: bool,
    /// Members, when joined.
    pub members: Vec<Nickname>,
    /// Member count from the room list, for rooms not joined.
    pub member_count: u32,
    /// Messages by seq.
    pub messages: BTreeMap<Seq, Rc<ChatMessage>>,
    /// System notices, each after the message with that seq (0: before all).
    pub notices: BTreeMap<Seq, Vec<Notice>>,
    /// Own messages waiting for their ack, in send order.
    pub pending: Vec<Pending>,
    /// Messages from others that arrived while the room was not in view.
    pub unread: u32,
    /// Messages up to this seq were history when joining: they do not count as unread.
    pub baseline: Seq,
    /// Older messages exist before the first one held.
    pub has_more: bool,
    /// A history page was asked for and has not come yet.
    pub loading_older: bool,
}

impl RoomView {
    fn new(name: RoomName) -> Self {
        Self {
            name,
            joined: false,
            members: Vec::new(),
            member_count: 0,
            messages: BTreeMap::new(),
            notices: BTreeMap::new(),
            pending: Vec::new(),
            unread: 0,
            baseline: Seq(0),
            has_more: false,
            loading_older: false,
        }
    }

    /// The highest seq held.
    pub fn last_seq(&self) -> Seq {
        self.messages
            .keys()
            .next_back()
            .copied()
            .unwrap_or(self.baseline)
    }

    /// The lowest seq held.
    pub fn first_seq(&self) -> Option<Seq> {
        self.messages.keys().next().copied()
    }

    fn notice(&mut self, text: String) {
        let at = self.last_seq();
        self.notices.entry(at).or_default().push(Notice { text });
    }
}

/// A short message in the corner.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    /// Identifies it for dismissal.
    pub id: u64,
    /// The text.
    pub text: String,
}

/// Everything the UI shows.
#[derive(Debug, Clone)]
pub struct ChatState {
    /// The connection.
    pub conn: ConnStatus,
    /// The screen.
    pub screen: Screen,
    /// The signed-in nickname.
    pub me: Option<Nickname>,
    /// A sign-in request is on its way.
    pub signing_in: bool,
    /// Every known room by name.
    pub rooms: BTreeMap<RoomName, Rc<RoomView>>,
    /// The room in view.
    pub current: Option<RoomName>,
    /// Toasts, oldest first.
    pub toasts: Vec<Toast>,
    next_toast: u64,
    /// Bumped by every change; equality compares it.
    version: u64,
}

impl PartialEq for ChatState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

impl Default for ChatState {
    fn default() -> Self {
        Self {
            conn: ConnStatus::Connecting,
            screen: Screen::Starting,
            me: None,
            signing_in: false,
            rooms: BTreeMap::new(),
            current: None,
            toasts: Vec::new(),
            next_toast: 1,
            version: 0,
        }
    }
}

/// Everything that changes the state.
#[derive(Debug, Clone)]
pub enum Action {
    /// The connection changed.
    Conn(ConnStatus),
    /// A message from the server.
    Server(ServerMsg),
    /// There is no session: show the nickname screen, with why if there is a reason.
    NoSession(Option<String>),
    /// A sign-in request went out.
    SigningIn,
    /// Signed in as this nickname: the chat starts.
    SignedIn(Nickname),
    /// The session ended (expired, or signed out elsewhere): back to the nickname screen.
    SessionEnded,
    /// The user signed out.
    SignedOut,
    /// The user is joining a room (it comes into view).
    Joining(RoomName),
    /// The user left a room.
    Leaving(RoomName),
    /// The user sent a message; it shows as "sending…" until acked.
    Queue {
        /// The room.
        room: RoomName,
        /// Its client id.
        client_id: String,
        /// Its text.
        text: String,
    },
    /// The user retries a failed message.
    Retry {
        /// The room.
        room: RoomName,
        /// The message's client id.
        client_id: String,
    },
    /// The user scrolled to the top: older messages were asked for.
    LoadingOlder(RoomName),
    /// A toast timed out or was closed.
    DismissToast(u64),
}

impl Reducible for ChatState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        s.version += 1;
        s.apply(action);
        Rc::new(s)
    }
}

impl ChatState {
    /// The room in view.
    pub fn current_room(&self) -> Option<&Rc<RoomView>> {
        self.current.as_ref().and_then(|r| self.rooms.get(r))
    }

    fn room_mut(&mut self, name: &RoomName) -> &mut RoomView {
        Rc::make_mut(
            self.rooms
                .entry(name.clone())
                .or_insert_with(|| Rc::new(RoomView::new(name.clone()))),
        )
    }

    fn toast(&mut self, text: String) {
        let id = self.next_toast;
        self.next_toast += 1;
        self.toasts.push(Toast { id, text });
        if self.toasts.len() > 5 {
            self.toasts.remove(0);
        }
    }

    fn is_me(&self, nick: &Nickname) -> bool {
        self.me.as_ref().is_some_and(|m| m.key() == nick.key())
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::Conn(status) => self.conn = status,
            Action::Server(msg) => self.server(msg),
            Action::NoSession(error) => {
                self.signing_in = false;
                self.me = None;
                self.screen = Screen::Nickname { error };
            }
            Action::SigningIn => self.signing_in = true,
            Action::SignedIn(nick) => {
                self.signing_in = false;
                self.me = Some(nick);
                self.screen = Screen::Chat;
            }
            Action::SessionEnded => {
                *self = ChatState {
                    screen: Screen::Nickname {
                        error: Some("Your session has ended. Pick a nickname to continue.".into()),
                    },
                    version: self.version,
                    ..ChatState::default()
                };
            }
            Action::SignedOut => {
                *self = ChatState {
                    screen: Screen::Nickname { error: None },
                    version: self.version,
                    ..ChatState::default()
                };
            }
            Action::Joining(room) => {
                self.room_mut(&room);
                self.select(room);
            }
            Action::Leaving(room) => {
                let r = self.room_mut(&room);
                r.joined = false;
                r.members.clear();
                if self.current.as_ref() == Some(&room) {
                    self.current = self
                        .rooms
                        .values()
                        .find(|r| r.joined)
                        .map(|r| r.name.clone());
                }
            }
            Action::Queue {
                room,
                client_id,
                text,
            } => {
                self.room_mut(&room).pending.push(Pending {
                    client_id,
                    text,
                    status: PendingStatus::Sending,
                });
            }
            Action::Retry { room, client_id } => {
                if let Some(p) = self
                    .room_mut(&room)
                    .pending
                    .iter_mut()
                    .find(|p| p.client_id == client_id)
                {
                    p.status = PendingStatus::Sending;
                }
            }
            Action::LoadingOlder(room) => self.room_mut(&room).loading_older = true,
            Action::DismissToast(id) => self.toasts.retain(|t| t.id != id),
        }
    }

    fn select(&mut self, room: RoomName) {
        self.room_mut(&room).unread = 0;
        self.current = Some(room);
    }

    fn server(&mut self, msg: ServerMsg) {
        match msg {
            ServerMsg::Welcome { rooms, .. } => {
                for summary in rooms {
                    self.room_mut(&summary.name).member_count = summary.members;
                }
            }
            ServerMsg::Joined {
                room,
                nickname,
                members,
                after,
                last_seq,
            } => {
                self.me = Some(nickname);
                let r = self.room_mut(&room);
                if last_seq < r.last_seq() {
                    // The server's history restarted (it lost its data): start afresh.
                    r.messages.clear();
                    r.notices.clear();
                }
                if !r.joined && r.messages.is_empty() {
                    r.baseline = last_seq;
                }
                r.joined = true;
                r.member_count = members.len() as u32;
                r.members = members;
                let first_held = r.first_seq().map_or(after.0 + 1, |f| f.0.min(after.0 + 1));
                r.has_more = first_held > 1;
                if self.current.is_none() {
                    self.current = Some(room);
                }
            }
            ServerMsg::Left { room } => {
                self.room_mut(&room).joined = false;
            }
            ServerMsg::Presence {
                room,
                nickname,
                change,
            } => self.presence(room, nickname, change),
            ServerMsg::RoomCreated { room } => {
                let is_new = !self.rooms.contains_key(&room.name);
                self.room_mut(&room.name).member_count = room.members;
                if is_new && self.screen == Screen::Chat {
                    self.toast(format!("New room #{}", room.name));
                }
            }
            ServerMsg::Message(m) => self.message(m),
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
            } => {
                let r = self.room_mut(&room);
                for m in messages {
                    r.messages.insert(m.seq, Rc::new(m));
                }
                r.has_more = has_more;
                r.loading_older = false;
            }
            ServerMsg::Error {
                code,
                message,
                room,
                client_id,
            } => self.error(code, message, room, client_id),
            ServerMsg::Notice { text } => self.toast(text),
        }
    }

    fn presence(&mut self, room: RoomName, nickname: Nickname, change: PresenceChange) {
        let verb = match change {
            PresenceChange::Joined => "joined",
            PresenceChange::Left => "left",
            PresenceChange::Disconnected => "disconnected",
            PresenceChange::DroppedSlow => "was disconnected (connection too slow)",
        };
        let in_view = self.current.as_ref() == Some(&room);
        let r = self.room_mut(&room);
        match change {
            PresenceChange::Joined => {
                if !r.members.contains(&nickname) {
                    r.members.push(nickname.clone());
                }
            }
            _ => r.members.retain(|m| *m != nickname),
        }
        r.member_count = r.members.len() as u32;
        r.notice(format!("{nickname} {verb}"));
        if !in_view && !self.is_me(&nickname) {
            self.toast(format!("{nickname} {verb} #{room}"));
        }
    }

    fn message(&mut self, m: ChatMessage) {
        let in_view = self.current.as_ref() == Some(&m.room);
        let mine = self.is_me(&m.nickname);
        let r = self.room_mut(&m.room);
        let fresh = m.seq > r.baseline && !r.messages.contains_key(&m.seq);
        if fresh && !in_view && !mine {
            r.unread += 1;
        }
        r.messages.insert(m.seq, Rc::new(m));
    }

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
                })
            });
        }
    }

    fn error(
        &mut self,
        code: ErrorCode,
        message: String,
        room: Option<RoomName>,
        client_id: Option<ClientMsgId>,
    ) {
        if let (Some(room), Some(client_id)) = (&room, &client_id) {
            let r = self.room_mut(room);
            if let Some(p) = r
                .pending
                .iter_mut()
                .find(|p| p.client_id == client_id.as_str())
            {
                p.status = PendingStatus::Failed(message);
                return;
            }
        }
        let _ = code;
        self.toast(message);
    }
}

/// Milliseconds left until `at_ms`, never negative.
pub fn ms_until(at_ms: f64) -> f64 {
    (at_ms - now_ms()).max(0.0)
}
