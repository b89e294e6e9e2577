//! The chat context: [`ChatProvider`] owns the state and the connection (opened once, in its
//! effect); [`use_chat`] gives components the state and domain methods.

use shared::{Nickname, RoomName};
use yew::prelude::*;

use crate::services::connection::{ConnEvent, Connection};
use crate::state::{Action, ChatState};
use crate::util::{new_client_id, room_from_path, show_room_in_path};

/// What components get from [`use_chat`].
#[derive(Clone, PartialEq)]
pub struct ChatHandle {
    state: UseReducerHandle<ChatState>,
    conn: Option<Connection>,
}

impl ChatHandle {
    /// The current state.
    pub fn state(&self) -> &ChatState {
        &self.state
    }

    fn conn(&self) -> Option<&Connection> {
        self.conn.as_ref()
    }

    /// Enters the chat as `nickname`: joins `lobby`, and the room in the URL if any.
    pub fn enter(&self, nickname: Nickname) {
        let Some(conn) = self.conn() else { return };
        self.state.dispatch(Action::Enter(nickname.clone()));
        conn.set_nickname(nickname);
        conn.join(RoomName::lobby());
        if let Some(room) = room_from_path().filter(|r| *r != RoomName::lobby()) {
            self.join(room);
        }
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

    /// Brings a joined room into view (joins it first if needed).
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
    let conn = use_state(|| None::<Connection>);
    {
        let dispatcher = state.dispatcher();
        let conn = conn.clone();
        use_effect_with((), move |_| {
            let on_event = Callback::from(move |ev: ConnEvent| match ev {
                ConnEvent::Status(s) => dispatcher.dispatch(Action::Conn(s)),
                ConnEvent::Msg(m) => dispatcher.dispatch(Action::Server(m)),
            });
            conn.set(Some(Connection::start(on_event)));
        });
    }
    let handle = ChatHandle {
        state,
        conn: (*conn).clone(),
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
