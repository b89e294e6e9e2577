//! [`Action`], and how the reducer applies the ones that do not come from the server.

use shared::{RoomName, ServerMsg};

use super::{ChatState, ConnStatus, Pending, PendingStatus, Screen};

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
    SignedIn(shared::Nickname),
    /// The session ended (expired, or signed out elsewhere): back to the nickname screen.
    SessionEnded,
    /// The user signed out.
    SignedOut,
    /// The "Browse rooms" dialog searches for rooms whose names start with this (opening it
    /// if closed).
    Browse(String),
    /// The dialog asked for its next page.
    MoreRooms,
    /// The dialog closed.
    CloseBrowse,
    /// The user is joining a room (it comes into view, and is rejoined after reconnects).
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
        /// The message it answers.
        reply_to: Option<shared::Seq>,
    },
    /// The user reacted to a message of a room (or took a reaction back): it waits for its
    /// answer, and is sent again after a reconnect.
    React(RoomName, super::PendingReact),
    /// The user answers a message of a room (its next message there replies to it), or
    /// no longer does (None).
    ReplyTo(RoomName, Option<shared::Reply>),
    /// The user retries a failed message.
    Retry {
        /// The room.
        room: RoomName,
        /// The message's client id.
        client_id: String,
    },
    /// The user scrolled to the top: older messages were asked for.
    LoadingOlder(RoomName),
    /// The messages after this seq (a gap between two windows held) were asked for.
    LoadingGap(RoomName, shared::Seq),
    /// A permalink's room answered with the page around its message: the room comes into
    /// view (joined) and the message is brought into view, or a notice says it is not there.
    JumpTo(RoomName, shared::Seq),
    /// The page around this message was asked for, to bring it into view (a quote's
    /// original that was not loaded).
    Seek(RoomName, shared::Seq),
    /// The permalink's (or the quote's) message is in view.
    Jumped(RoomName),
    /// A permalink's room cannot be opened: a notice says why.
    LinkFailed(RoomName, shared::ErrorCode),
    /// A toast timed out or was closed.
    DismissToast(u64),
    /// The server says someone is typing (or stopped), at this time (browser clock, ms).
    Typing {
        /// The room.
        room: RoomName,
        /// Who.
        nickname: shared::Nickname,
        /// Typing or stopped.
        typing: bool,
        /// When it came.
        now_ms: f64,
    },
    /// Time passed (browser clock, ms): typing with no news is over.
    TypingExpired(f64),
    /// This tab told the server it read a room up to a seq.
    ReadTold(RoomName, shared::Seq),
    /// The user chose what in a room notifies them.
    SetNotify(RoomName, shared::NotifyLevel),
}

/// What the nickname screen says after the session ended.
const SESSION_ENDED: &str = "Your session has ended. Pick a nickname to continue.";

impl ChatState {
    /// Applies one action.
    pub(super) fn apply(&mut self, action: Action) {
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
            Action::SessionEnded => self.reset(Screen::Nickname {
                error: Some(SESSION_ENDED.into()),
            }),
            Action::SignedOut => self.reset(Screen::Nickname { error: None }),
            Action::Browse(prefix) => self.directory.search(prefix),
            Action::MoreRooms => self.directory.loading = true,
            Action::CloseBrowse => self.directory = Default::default(),
            Action::Joining(room) => {
                self.room_mut(&room).wanted = true;
                self.select(room);
            }
            Action::Leaving(room) => self.leaving(room),
            Action::Queue {
                room,
                client_id,
                text,
                reply_to,
            } => {
                let r = self.room_mut(&room);
                r.replying = None;
                r.pending.push(Pending {
                    client_id,
                    text,
                    reply_to,
                    status: PendingStatus::Sending,
                });
            }
            Action::React(room, react) => self.react(room, react),
            Action::ReplyTo(room, reply) => self.room_mut(&room).replying = reply,
            Action::Retry { room, client_id } => {
                if let Some(p) = self.room_mut(&room).pending_mut(&client_id) {
                    p.status = PendingStatus::Sending;
                }
            }
            Action::LoadingOlder(room) => self.room_mut(&room).loading_older = true,
            Action::LoadingGap(room, after) => self.room_mut(&room).loading_gap = Some(after),
            Action::JumpTo(room, seq) => {
                let r = self.room_mut(&room);
                r.wanted = true;
                let there = r.messages.contains_key(&seq);
                r.jump_to = there.then_some(seq);
                if !there {
                    self.toast(format!(
                        "#{room} has no message {}: the link may be wrong",
                        seq.0
                    ));
                }
                self.select(room);
            }
            Action::Seek(room, seq) => self.room_mut(&room).jump_to = Some(seq),
            Action::Jumped(room) => self.room_mut(&room).jump_to = None,
            Action::LinkFailed(room, code) => self.toast(match code {
                shared::ErrorCode::NoSuchRoom => {
                    format!("There is no room #{room}: the link may be wrong")
                }
                shared::ErrorCode::Forbidden => format!("#{room} is someone else's conversation"),
                _ => format!("The link to #{room} could not be opened"),
            }),
            Action::DismissToast(id) => self.toasts.retain(|t| t.id != id),
            Action::Typing {
                room,
                nickname,
                typing,
                now_ms,
            } => self.typing(room, nickname, typing, now_ms),
            Action::TypingExpired(now_ms) => self.expire_typing(now_ms),
            Action::ReadTold(room, seq) => self.read_told(room, seq),
            Action::SetNotify(room, level) => self.set_notify(room, level),
        }
    }

    /// Brings a room into view and clears its unread and mention counts; with unread
    /// messages, the "New" divider goes before the first of them.
    pub(super) fn select(&mut self, room: RoomName) {
        let r = self.room_mut(&room);
        r.new_after = (r.unread > 0).then_some(r.read_seq);
        r.unread = 0;
        r.mentions = 0;
        self.current = Some(room);
    }

    /// The user left a room: it leaves the sidebar and is not rejoined; a later join
    /// starts afresh. Another joined room comes into view if it was in view.
    fn leaving(&mut self, room: RoomName) {
        self.rooms.remove(&room);
        if self.current.as_ref() == Some(&room) {
            self.current = self
                .rooms
                .values()
                .find(|r| r.joined)
                .map(|r| r.name.clone());
        }
    }
}
