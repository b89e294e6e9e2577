//! The chat context: [`ChatProvider`] owns the state and, once there is a session, the
//! connection; [`use_chat`] gives components the state and domain methods.

use shared::{Nickname, RoomName};
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::services::api;
use crate::services::connection::{ConnEvent, Connection};
use crate::state::{Action, ChatState};
use crate::util::{new_client_id, room_from_path, show_room_in_path};

/// What components get from [`use_chat`].
#[derive(Clone, PartialEq)]
pub struct ChatHandle {
    state: UseReducerHandle<ChatState>,
    conn: Option<Connection>,
    /// Starts the chat for a signed-in nickname (opens the connection).
    begin: Callback<Nickname>,
    /// Stops the connection.
    end: Callback<()>,
}

impl ChatHandle {
    /// The current state.
    pub fn state(&self) -> &ChatState {
        &self.state
    }

    fn conn(&self) -> Option<&Connection> {
        self.conn.as_ref()
    }

    /// Signs in as `nickname` (with a password to register it or to unlock it), then enters
    /// the chat; on refusal the nickname screen says why.
    pub fn sign_in(&self, nickname: Nickname, password: Option<String>) {
        self.state.dispatch(Action::SigningIn);
        let (dispatcher, begin) = (self.state.dispatcher(), self.begin.clone());
        spawn_local(async move {
            match api::sign_in(nickname.as_str(), password.as_deref()).await {
                Ok(info) => match Nickname::parse(&info.nickname) {
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
        self.end.emit(());
        self.state.dispatch(Action::SignedOut);
        spawn_local(api::sign_out());
    }

    /// Joins a room and brings it into view.
    pub fn join(&self, room: RoomName) {
        let Some(conn) = self.conn() else { return };
        self.state.dispatch(Action::Joining(room.clone()));
        let joined = self.state.rooms.get(&room).is_some_and(|r| r.joined);
        if !joined {
            conn.join(room.clone());
        }
        show_room_in_path(&room);
    }

    /// Brings a room into view (joins it first if needed).
    pub fn select(&self, room: RoomName) {
        self.join(room);
    }

    /// Leaves a room.
    pub fn leave(&self, room: RoomName) {
        let Some(conn) = self.conn() else { return };
        self.state.dispatch(Action::Leaving(room.clone()));
        conn.leave(room);
    }

    /// Sends a message to a room.
    pub fn send(&self, room: RoomName, text: String) {
        let Some(conn) = self.conn() else { return };
        let client_id = new_client_id();
        self.state.dispatch(Action::Queue {
            room: room.clone(),
            client_id: client_id.clone(),
            text: text.clone(),
        });
        conn.send(room, client_id, text);
    }

    /// Sends a failed message again, under the same client id.
    pub fn retry(&self, room: RoomName, client_id: String) {
        let Some(conn) = self.conn() else { return };
        let Some(text) = self
            .state
            .rooms
            .get(&room)
            .and_then(|r| r.pending.iter().find(|p| p.client_id == client_id))
            .map(|p| p.text.clone())
        else {
            return;
        };
        self.state.dispatch(Action::Retry {
            room: room.clone(),
            client_id: client_id.clone(),
        });
        conn.send(room, client_id, text);
    }

    /// Asks for the page of messages before the oldest one shown.
    pub fn load_older(&self, room: RoomName) {
        let Some(conn) = self.conn() else { return };
        let Some(view) = self.state.rooms.get(&room) else {
            return;
        };
        if view.loading_older || !view.has_more {
            return;
        }
        let before = view.first_seq().unwrap_or(shared::Seq(view.baseline.0 + 1));
        self.state.dispatch(Action::LoadingOlder(room.clone()));
        conn.history(room, before);
    }

    /// Reconnects now.
    pub fn reconnect_now(&self) {
        if let Some(conn) = self.conn() {
            conn.reconnect_now();
        }
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
    // The live connection. A ref, not state: callbacks made earlier must see the current
    // one; the reducer's actions re-render whenever it changes.
    let conn = use_mut_ref(|| None::<Connection>);

    // Opens the connection for a signed-in nickname and joins the lobby (and the room in
    // the address, if any).
    let begin = {
        let (dispatcher, conn) = (state.dispatcher(), conn.clone());
        use_callback((), move |nickname: Nickname, _| {
            if let Some(old) = conn.borrow_mut().take() {
                old.stop();
            }
            let events = dispatcher.clone();
            let on_event = Callback::from(move |ev: ConnEvent| match ev {
                ConnEvent::Status(s) => events.dispatch(Action::Conn(s)),
                ConnEvent::Msg(m) => events.dispatch(Action::Server(m)),
                ConnEvent::SessionEnded => events.dispatch(Action::SessionEnded),
            });
            let connection = Connection::start(on_event);
            connection.join(RoomName::lobby());
            let deep_link = room_from_path().filter(|r| *r != RoomName::lobby());
            if let Some(room) = &deep_link {
                connection.join(room.clone());
            }
            *conn.borrow_mut() = Some(connection);
            dispatcher.dispatch(Action::SignedIn(nickname));
            dispatcher.dispatch(Action::Joining(RoomName::lobby()));
            if let Some(room) = deep_link {
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

    // At start: resume the session the cookie holds, if any.
    {
        let (dispatcher, begin) = (state.dispatcher(), begin.clone());
        use_effect_with((), move |_| {
            spawn_local(async move {
                match api::current_session().await {
                    Ok(Some(info)) => match Nickname::parse(&info.nickname) {
                        Ok(nick) => begin.emit(nick),
                        Err(_) => dispatcher.dispatch(Action::NoSession(None)),
                    },
                    Ok(None) => dispatcher.dispatch(Action::NoSession(None)),
                    Err(err) => dispatcher.dispatch(Action::NoSession(Some(err.message))),
                }
            });
        });
    }

    let handle = ChatHandle {
        state,
        conn: conn.borrow().clone(),
        begin,
        end,
    };
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
