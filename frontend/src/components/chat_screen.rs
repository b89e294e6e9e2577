//! The chat screen: rooms on the left, the room in view in the middle, its members on the
//! right (stacked on narrow screens).

use yew::prelude::*;

use super::composer::Composer;
use super::member_list::MemberList;
use super::message_list::MessageList;
use super::room_list::RoomList;
use crate::hooks::use_chat;

/// The chat layout.
#[function_component(ChatScreen)]
pub fn chat_screen() -> Html {
    let chat = use_chat();
    let state = chat.state();
    let Some(room) = state.current_room().cloned() else {
        return html! { <main class="chat"><RoomList /><section class="room empty"><p>{ "Join a room to start." }</p></section></main> };
    };
    let leave = {
        let chat = chat.clone();
        let name = room.name.clone();
        Callback::from(move |_| chat.leave(name.clone()))
    };
    let me = state.me.clone();
    html! {
        <main class="chat">
            <RoomList />
            <section class="room" aria-label={format!("Room {}", room.name)}>
                <header class="room-header">
                    <h2>{ format!("#{}", room.name) }</h2>
                    <span class="muted">{ format!("{} online", room.members.len()) }</span>
                    if room.joined {
                        <button class="ghost" onclick={leave}>{ "Leave" }</button>
                    }
                </header>
                <MessageList room={room.clone()} me={me} />
                <Composer room={room.name.clone()} enabled={room.joined} />
            </section>
            <MemberList members={room.members.clone()} me={state.me.clone()} />
        </main>
    }
}
