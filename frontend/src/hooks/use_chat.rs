//! The chat context: [`ChatProvider`] owns the state and, once there is a session, the
//! connection; [`use_chat`] gives components the state and the [`ChatActions`] on it.
//!
//! The state is the only record of what a new socket must restore: after each `welcome` the
//! state has seen, the provider hands the connection [`ChatState::resume_frames`].

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use shared::{Nickname, RoomName, ServerMsg};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::services::api;
use crate::services::connection::{ConnEvent, Connection};
use crate::services::notify::{self, Notifier};
use crate::state::{Action, ChatState};
use crate::util::{new_client_id, room_from_path, show_room_in_path};

/// How often the member counts of the rooms shown that this user is not in are asked for
/// (no `presence` tells of them).
const ROOM_COUNTS_EVERY_MS: u32 = 5_000;
/// How often typing indicators are checked for expiry, and the room in view for news read.
const TICK_EVERY_MS: u32 = 1_000;
/// The live connection, if any. Shared, not state: actions made earlier must reach the
/// current one.
type ConnSlot = Rc<RefCell<Option<Connection>>>;

/// What components get from [`use_chat`]. Changes with every action.
#[derive(Clone, PartialEq)]
pub struct ChatHandle {
    state: UseReducerHandle<ChatState>,
    actions: ChatActions,
}

impl ChatHandle {
    /// The current state.
    pub fn state(&self) -> &ChatState {
        &self.state
    }

    /// What the user can do.
    pub fn actions(&self) -> &ChatActions {
        &self.actions
    }
}

/// What the user can do. The same (equal) for the provider's whole life, so callbacks made
/// from it need not change between renders; each action reads the state as it is when it
/// runs, not when the callback was made.
#[derive(Clone)]
pub struct ChatActions {
    state: UseReducerHandle<ChatState>,
    conn: ConnSlot,
    /// Starts the chat for a signed-in nickname (opens the connection).
    begin: Callback<Nickname>,
    /// Stops the connection.
    end: Callback<()>,
}

impl PartialEq for ChatActions {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.conn, &other.conn)
    }
}

impl ChatActions {
    /// The state now. A fresh handle per use: a long-lived one would keep every state it
    /// ever read alive.
    fn now(&self) -> UseReducerHandle<ChatState> {
        self.state.clone()
    }

    fn conn(&self) -> Option<Connection> {
        self.conn.borrow().clone()
    }

    /// Signs in as `nickname` (with a password to register it or to unlock it), then enters
    /// the chat; on refusal the nickname screen says why.
    pub fn sign_in(&self, nickname: Nickname, password: Option<String>) {
        self.state.dispatch(Action::SigningIn);
        let (dispatcher, begin) = (self.state.dispatcher(), self.begin.clone());
        spawn_local(async move {
            match api::sign_in(nickname.as_str(), password.as_deref()).await {
                Ok(info) => match Nickname::stored(&info.nickname) {
                    Ok(nick) => begin.emit(nick),
                    Err(_) => {
                        dispatcher.dispatch(Action::NoSession(Some("unexpected answer".into())))
                    }
                },
                Err(err) => dispatcher.dispatch(Action::NoSession(Some(err.message))),
            }
        });
    }

    /// Signs out: closes the connection and ends the session.
    pub fn sign_out(&self) {
        self.signed_out();
        spawn_local(api::sign_out());
    }

    /// Leaves the chat for the nickname screen once the session was ended here on purpose
    /// (signed out, or everywhere): closes the connection and forgets the drafts kept in this
    /// browser.
    pub fn signed_out(&self) {
        crate::services::drafts::wipe();
        self.end.emit(());
        self.state.dispatch(Action::SignedOut);
    }

    /// Brings a room into view, joining it first if this user is not in it.
    pub fn join(&self, room: RoomName) {
        let Some(conn) = self.conn() else { return };
        let (joined, after, changes_after) = self
            .now()
            .rooms
            .get(&room)
            .map_or((false, None, None), |r| {
                (r.joined, r.resume, r.changes_after)
            });
        self.state.dispatch(Action::Joining(room.clone()));
        if !joined {
            conn.join(room.clone(), after, changes_after);
        }
        show_room_in_path(&room);
    }

    /// Leaves a room.
    pub fn leave(&self, room: RoomName) {
        let Some(conn) = self.conn() else { return };
        self.state.dispatch(Action::Leaving(room.clone()));
        conn.leave(room);
    }

    /// Sends a message to a room.
    /// (Answering the message the room's "Reply" chose, if any.)
    pub fn send(&self, room: RoomName, text: String) {
        let Some(conn) = self.conn() else { return };
        let client_id = new_client_id();
        let reply_to = self
            .now()
            .rooms
            .get(&room)
            .and_then(|r| r.replying.as_ref().map(|reply| reply.seq));
        self.state.dispatch(Action::Queue {
            room: room.clone(),
            client_id: client_id.clone(),
            text: text.clone(),
            reply_to,
        });
        conn.send(room, client_id, text, reply_to);
    }

    /// Adds this user's reaction `emoji` to the message at `seq` of `room` (or, with
    /// `remove`, takes it back).
    pub fn react(&self, room: RoomName, seq: shared::Seq, emoji: String, remove: bool) {
        let Some(conn) = self.conn() else { return };
        let react = crate::state::PendingReact {
            client_id: new_client_id(),
            seq,
            emoji,
            remove,
        };
        conn.react(&room, &react);
        self.state.dispatch(Action::React(room, react));
    }

    /// Answers a message of `room` with the next one sent there (None: no longer).
    pub fn reply_to(&self, room: RoomName, reply: Option<shared::Reply>) {
        self.state.dispatch(Action::ReplyTo(room, reply));
    }

    /// Sends a failed message again, under the same client id.
    pub fn retry(&self, room: RoomName, client_id: String) {
        let Some(conn) = self.conn() else { return };
        let Some((text, reply_to)) = self
            .now()
            .rooms
            .get(&room)
            .and_then(|r| r.pending.iter().find(|p| p.client_id == client_id))
            .map(|p| (p.text.clone(), p.reply_to))
        else {
            return;
        };
        self.state.dispatch(Action::Retry {
            room: room.clone(),
            client_id: client_id.clone(),
        });
        conn.send(room, client_id, text, reply_to);
    }

    /// Chooses what in `room` notifies this user (kept on the server, for every device).
    pub fn set_notify(&self, room: RoomName, level: shared::NotifyLevel) {
        let Some(conn) = self.conn() else { return };
        self.state.dispatch(Action::SetNotify(room.clone(), level));
        conn.set_notify(&room, level);
    }

    /// Opens the direct conversation with `nickname` (the server joins this connection to
    /// it; `joined` brings it into view).
    pub fn open_direct(&self, nickname: Nickname) {
        if let Some(conn) = self.conn() {
            conn.open_direct(&nickname);
        }
    }

    /// Says this user is typing in `room` (or stopped).
    pub fn typing(&self, room: RoomName, typing: bool) {
        if let Some(conn) = self.conn() {
            conn.typing(&room, typing);
        }
    }

    /// Asks for the page of messages before the oldest one shown.
    pub fn load_older(&self, room: RoomName) {
        let Some(conn) = self.conn() else { return };
        let before = {
            let state = self.now();
            let Some(view) = state.rooms.get(&room) else {
                return;
            };
            if view.loading_older || !view.has_more {
                return;
            }
            view.first_seq().unwrap_or(shared::Seq(view.baseline.0 + 1))
        };
        self.state.dispatch(Action::LoadingOlder(room.clone()));
        conn.history(room, shared::HistoryFrom::Before(before), None);
    }

    /// Asks for the messages after `after`, to fill the gap between two windows of `room`.
    pub fn load_gap(&self, room: RoomName, after: shared::Seq) {
        let Some(conn) = self.conn() else { return };
        if self
            .now()
            .rooms
            .get(&room)
            .is_some_and(|r| r.loading_gap.is_some())
        {
            return;
        }
        self.state.dispatch(Action::LoadingGap(room.clone(), after));
        conn.history(
            room,
            shared::HistoryFrom::After(after),
            Some(shared::HISTORY_PAGE_MAX),
        );
    }

    /// Brings the message at `seq` of `room` into view once the page around it has come (a
    /// quote's original that is not loaded).
    pub fn seek(&self, room: RoomName, seq: shared::Seq) {
        let Some(conn) = self.conn() else { return };
        self.state.dispatch(Action::Seek(room.clone(), seq));
        conn.history(room, shared::HistoryFrom::Around(seq), None);
    }

    /// The permalink's message is in view.
    pub fn jumped(&self, room: RoomName) {
        self.state.dispatch(Action::Jumped(room));
    }

    /// Reconnects now.
    pub fn reconnect_now(&self) {
        if let Some(conn) = self.conn() {
            conn.reconnect_now();
        }
    }

    /// Opens the "Browse rooms" dialog (or searches again in it): its first page of rooms
    /// whose names start with `prefix`.
    pub fn browse(&self, prefix: String) {
        let Some(conn) = self.conn() else { return };
        conn.list_rooms(&prefix, None);
        self.state.dispatch(Action::Browse(prefix));
    }

    /// The dialog's next page.
    pub fn more_rooms(&self) {
        let Some(conn) = self.conn() else { return };
        let state = self.now();
        let dir = &state.directory;
        if let (false, Some(next)) = (dir.loading, dir.next.as_ref()) {
            conn.list_rooms(&dir.prefix, Some(next));
            self.state.dispatch(Action::MoreRooms);
        }
    }

    /// Closes the dialog.
    pub fn close_browse(&self) {
        self.state.dispatch(Action::CloseBrowse);
    }

    /// Closes a toast.
    pub fn dismiss_toast(&self, id: u64) {
        self.state.dispatch(Action::DismissToast(id));
    }
}

/// Props of [`ChatProvider`].
#[derive(Properties, PartialEq)]
pub struct ChatProviderProps {
    /// The app.
    pub children: Html,
}

/// Owns the chat state and the connection.
#[function_component(ChatProvider)]
pub fn chat_provider(props: &ChatProviderProps) -> Html {
    let state = use_reducer(ChatState::default);
    let conn: ConnSlot = use_mut_ref(|| None);
    // A permalink (`/r/{room}/{seq}`) not opened yet: its room opens only once the page
    // around its message came (a link never creates a room).
    let link: Rc<PendingLink> = use_mut_ref(|| None);

    // Opens the connection for a signed-in nickname and wants the lobby (and the room in
    // the address, if any): the resume after the welcome joins them.
    let begin = {
        let (dispatcher, conn, link) = (state.dispatcher(), conn.clone(), link.clone());
        use_callback((), move |nickname: Nickname, _| {
            if let Some(old) = conn.borrow_mut().take() {
                old.stop();
            }
            let events = dispatcher.clone();
            let slot = conn.clone();
            let path = room_from_path();
            *link.borrow_mut() = path.as_ref().and_then(|(r, s)| s.map(|s| (r.clone(), s)));
            let link = link.clone();
            let on_event = Callback::from(move |ev: ConnEvent| match ev {
                ConnEvent::Msg(ServerMsg::History { ref room, .. })
                    if peek(&link).is_some_and(|(r, _)| r == *room) =>
                {
                    let (room, seq) = link.borrow_mut().take().expect("pending");
                    events.dispatch(Action::Server(unwrap_msg(ev)));
                    events.dispatch(Action::JumpTo(room.clone(), seq));
                    if let Some(c) = slot.borrow().as_ref() {
                        c.join(room, None, None);
                    }
                }
                ConnEvent::Msg(ServerMsg::Error {
                    code,
                    room: Some(ref room),
                    client_id: None,
                    ..
                }) if peek(&link).is_some_and(|(r, _)| r == *room) => {
                    if code == shared::ErrorCode::HistoryBusy {
                        // The joins' catch-ups read first: ask again in a moment.
                        let (slot, (room, seq)) = (slot.clone(), peek(&link).expect("pending"));
                        gloo_timers::callback::Timeout::new(250, move || {
                            if let Some(c) = slot.borrow().as_ref() {
                                c.history(room, shared::HistoryFrom::Around(seq), None);
                            }
                        })
                        .forget();
                    } else {
                        link.borrow_mut().take();
                        events.dispatch(Action::LinkFailed(room.clone(), code));
                    }
                }
                // Someone opened a conversation with this user (or this user did, in another
                // tab): it is joined here too, in the background.
                ConnEvent::Msg(ServerMsg::Direct { room, with }) => {
                    if let Some(c) = slot.borrow().as_ref() {
                        c.join(room.clone(), None, None);
                    }
                    events.dispatch(Action::Server(ServerMsg::Direct { room, with }));
                }
                ConnEvent::Status(s) => events.dispatch(Action::Conn(s)),
                ConnEvent::Msg(ServerMsg::Typing {
                    room,
                    nickname,
                    typing,
                }) => events.dispatch(Action::Typing {
                    room,
                    nickname,
                    typing,
                    now_ms: crate::util::now_ms(),
                }),
                ConnEvent::Msg(m) => events.dispatch(Action::Server(m)),
                ConnEvent::SessionEnded => events.dispatch(Action::SessionEnded),
            });
            *conn.borrow_mut() = Some(Connection::start(on_event));
            dispatcher.dispatch(Action::SignedIn(nickname));
            dispatcher.dispatch(Action::Joining(RoomName::lobby()));
            if let Some((room, None)) = path.filter(|(r, _)| *r != RoomName::lobby()) {
                dispatcher.dispatch(Action::Joining(room));
            }
        })
    };
    let end = {
        let conn = conn.clone();
        use_callback((), move |(), _| {
            if let Some(c) = conn.borrow_mut().take() {
                c.stop();
            }
        })
    };

    // After each welcome the state has seen: rejoin and re-send from what the state holds
    // (and search the open dialog again: the page asked for may be lost).
    {
        let (state, conn, link) = (state.clone(), conn.clone(), link.clone());
        use_effect_with(state.welcomes(), move |_| {
            if let Some(c) = conn.borrow().as_ref() {
                c.resume(state.resume_frames());
                // After the resume: what is sent before it is not sent at all.
                if let Some((room, seq)) = peek(&link) {
                    c.history(room, shared::HistoryFrom::Around(seq), None);
                }
                if state.directory.open {
                    c.list_rooms(&state.directory.prefix, None);
                    state.dispatch(Action::Browse(state.directory.prefix.clone()));
                }
            }
        });
    }

    // The rooms shown that this user is not in: their member counts are asked for now and
    // then.
    let to_count = use_mut_ref(Vec::new);
    *to_count.borrow_mut() = state.rooms_to_count();
    {
        let (to_count, conn) = (to_count.clone(), conn.clone());
        use_effect_with((), move |_| {
            let timer = Interval::new(ROOM_COUNTS_EVERY_MS, move || {
                let rooms = to_count.borrow();
                if let (false, Some(c)) = (rooms.is_empty(), conn.borrow().as_ref()) {
                    c.room_counts(&rooms);
                }
            });
            move || drop(timer)
        });
    }

    // Every second: typing with no news is forgotten (while anyone is typing), and the room
    // in view, if it has news and the window has focus, is told read.
    let ticks = use_mut_ref(|| (false, None));
    *ticks.borrow_mut() = (state.anyone_typing(), state.to_mark_read());
    {
        let (ticks, dispatcher, conn) = (ticks.clone(), state.dispatcher(), conn.clone());
        use_effect_with((), move |_| {
            let timer = Interval::new(TICK_EVERY_MS, move || {
                let (typing, to_read) = ticks.borrow().clone();
                if typing {
                    dispatcher.dispatch(Action::TypingExpired(crate::util::now_ms()));
                }
                if let (Some((room, seq)), Some(c), true) = (
                    to_read,
                    conn.borrow().as_ref(),
                    crate::util::page_is_watched(),
                ) {
                    c.read(&room, seq);
                    dispatcher.dispatch(Action::ReadTold(room, seq));
                }
            });
            move || drop(timer)
        });
    }

    // Desktop notifications: each new alert is shown, by the leading tab, when the page is
    // hidden or its room is not in view (and the user allowed notifications).
    let notifier = use_mut_ref(|| None::<Notifier>);
    let shown = use_mut_ref(|| 0u64);
    {
        let (notifier, shown, dispatcher) = (notifier.clone(), shown.clone(), state.dispatcher());
        let state = state.clone();
        use_effect_with(state.last_alert(), move |_| {
            let mut n = notifier.borrow_mut();
            let n = n.get_or_insert_with(Notifier::start);
            let on_click = Callback::from(move |room: RoomName| {
                show_room_in_path(&room);
                dispatcher.dispatch(Action::Joining(room));
            });
            let mut shown = shown.borrow_mut();
            let allowed = notify::permission() == web_sys::NotificationPermission::Granted;
            for alert in state.alerts.iter().filter(|a| a.id > *shown) {
                if allowed && n.leads() && (!alert.in_view || !crate::util::page_is_watched()) {
                    n.show(alert, &on_click);
                }
            }
            *shown = state.last_alert();
        });
    }

    // At start: resume the session the cookie holds, if any.
    {
        let (dispatcher, begin) = (state.dispatcher(), begin.clone());
        use_effect_with((), move |_| {
            spawn_local(async move {
                match api::current_session().await {
                    Ok(Some(info)) => match Nickname::stored(&info.nickname) {
                        Ok(nick) => begin.emit(nick),
                        Err(_) => dispatcher.dispatch(Action::NoSession(None)),
                    },
                    Ok(None) => dispatcher.dispatch(Action::NoSession(None)),
                    Err(err) => dispatcher.dispatch(Action::NoSession(Some(err.message))),
                }
            });
        });
    }

    let actions = ChatActions {
        state: state.clone(),
        conn,
        begin,
        end,
    };
    let handle = ChatHandle { state, actions };
    html! {
        <ContextProvider<ChatHandle> context={handle}>
            { props.children.clone() }
        </ContextProvider<ChatHandle>>
    }
}

/// The chat context. Panics outside a [`ChatProvider`].
#[hook]
pub fn use_chat() -> ChatHandle {
    use_context::<ChatHandle>().expect("use_chat inside ChatProvider")
}

/// A permalink not opened yet.
type PendingLink = RefCell<Option<(RoomName, shared::Seq)>>;

fn peek(link: &PendingLink) -> Option<(RoomName, shared::Seq)> {
    link.borrow().clone()
}

fn unwrap_msg(ev: ConnEvent) -> ServerMsg {
    match ev {
        ConnEvent::Msg(m) => m,
        _ => unreachable!("matched as a message"),
    }
}
