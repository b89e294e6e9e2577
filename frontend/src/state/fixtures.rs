//! Builders for tests: names, server messages, and a state driven through the reducer.

use std::rc::Rc;

use shared::{
    ChatMessage, ClientMsgId, ErrorCode, MessageId, MessageText, Nickname, RoomName, RoomSummary,
    Seq, ServerMsg,
};
use yew::Reducible;

use super::{Action, ChatState, RoomView};

/// The signed-in user in every test.
pub const ME: &str = "alice";
/// Someone else.
pub const BOB: &str = "bob";

/// A room name.
pub fn room(name: &str) -> RoomName {
    RoomName::parse(name).expect("a valid room name")
}

/// A nickname.
pub fn nick(name: &str) -> Nickname {
    Nickname::parse(name).expect("a valid nickname")
}

/// A chat message.
pub fn chat(room_name: &str, seq: u64, from: &str, text: &str) -> ChatMessage {
    ChatMessage {
        room: room(room_name),
        seq: Seq(seq),
        id: MessageId(1000 + seq),
        nickname: nick(from),
        text: MessageText::parse(text).expect("valid text"),
        ts: 1_700_000_000_000,
        bot: false,
        reply: None,
        reactions: Vec::new(),
        rev: 0,
    }
}

/// A chat message arriving from the server.
pub fn message(room_name: &str, seq: u64, from: &str, text: &str) -> Action {
    Action::Server(ServerMsg::Message(chat(room_name, seq, from, text)))
}

/// A `welcome` listing these rooms (one member each).
pub fn welcome(rooms: &[&str]) -> Action {
    Action::Server(ServerMsg::Welcome {
        protocol: shared::PROTOCOL_VERSION,
        rooms: rooms
            .iter()
            .map(|r| RoomSummary {
                name: room(r),
                members: 1,
            })
            .collect(),
        directs: Vec::new(),
    })
}

/// [`ME`] joined a room: messages after `after` follow, up to `last_seq`.
pub fn joined(room_name: &str, after: u64, last_seq: u64) -> Action {
    joined_unread(room_name, after, last_seq, last_seq, 0)
}

/// [`ME`] joined a room with `unread` messages after `read_seq` (`mentions` of them).
pub fn joined_unread(
    room_name: &str,
    after: u64,
    last_seq: u64,
    read_seq: u64,
    mentions: u32,
) -> Action {
    Action::Server(ServerMsg::Joined {
        room: room(room_name),
        nickname: nick(ME),
        members: vec![nick(ME)],
        member_count: 1,
        after: Seq(after),
        last_seq: Seq(last_seq),
        read_seq: Seq(read_seq),
        unread: (last_seq - read_seq) as u32,
        mentions,
        direct: None,
        notify: shared::NotifyLevel::default(),
    })
}

/// The user sends `text` to a room under `client_id`.
pub fn queue(room_name: &str, client_id: &str, text: &str) -> Action {
    Action::Queue {
        room: room(room_name),
        client_id: client_id.into(),
        text: text.into(),
        reply_to: None,
    }
}

/// The server acknowledges an own message at `seq`.
pub fn ack(room_name: &str, client_id: &str, seq: u64) -> Action {
    Action::Server(ServerMsg::Ack {
        room: room(room_name),
        client_id: ClientMsgId::parse(client_id).expect("a valid client id"),
        seq: Seq(seq),
        id: MessageId(1000 + seq),
        ts: 1_700_000_000_000,
        duplicate: false,
    })
}

/// The server refuses the own message `client_id`.
pub fn refused(room_name: &str, client_id: &str, why: &str) -> Action {
    Action::Server(ServerMsg::Error {
        code: ErrorCode::StorageUnavailable,
        message: why.into(),
        room: Some(room(room_name)),
        client_id: Some(ClientMsgId::parse(client_id).expect("a valid client id")),
    })
}

/// Runs actions through the reducer, as the app does.
pub fn run(state: Rc<ChatState>, actions: impl IntoIterator<Item = Action>) -> Rc<ChatState> {
    actions.into_iter().fold(state, |s, a| s.reduce(a))
}

/// Signed in as [`ME`], welcomed, in the lobby (joined, empty): the chat as it starts.
pub fn in_lobby() -> Rc<ChatState> {
    run(
        Rc::default(),
        [
            Action::SignedIn(nick(ME)),
            Action::Joining(RoomName::lobby()),
            welcome(&["lobby"]),
            joined("lobby", 0, 0),
        ],
    )
}

/// [`in_lobby`], and also in an empty room `garden`, with the lobby in view.
pub fn in_lobby_and_garden() -> Rc<ChatState> {
    run(
        in_lobby(),
        [
            Action::Joining(room("garden")),
            joined("garden", 0, 0),
            Action::Joining(RoomName::lobby()),
        ],
    )
}

/// A room of the state; panics if unknown.
pub fn view<'s>(state: &'s ChatState, room_name: &str) -> &'s Rc<RoomView> {
    state.rooms.get(&room(room_name)).expect("a known room")
}
