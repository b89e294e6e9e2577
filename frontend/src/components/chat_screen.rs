//! The chat screen: rooms on the left, the room in view in the middle, its members on the
//! right (stacked on narrow screens).
//!
//! The one component of the screen that reads the chat context: it renders after every
//! action and hands its parts only what they show, with callbacks that stay the same, so a
//! part whose data did not change (another room's message, a toast) is not rendered again.

use yew::prelude::*;

use super::browse_rooms::BrowseRooms;
use super::composer::Composer;
use super::member_list::MemberList;
use super::message_list::MessageList;
use super::notify_level::NotifyLevelPicker;
use super::room_list::{RoomEntry, RoomList};
use super::room_switcher::RoomSwitcher;
use crate::hooks::{use_chat, ChatActions};
use crate::state::typing_line;

/// The chat layout.
#[function_component(ChatScreen)]
pub fn chat_screen() -> Html {
    let chat = use_chat();
    let actions = chat.actions();
    let on_join = use_callback(actions.clone(), |room, a: &ChatActions| a.join(room));
    let on_browse = use_callback(actions.clone(), |(), a: &ChatActions| {
        a.browse(String::new())
    });
    let on_search = use_callback(actions.clone(), |prefix, a: &ChatActions| a.browse(prefix));
    let on_more = use_callback(actions.clone(), |(), a: &ChatActions| a.more_rooms());
    let on_close = use_callback(actions.clone(), |(), a: &ChatActions| a.close_browse());
    let on_sign_out = use_callback(actions.clone(), |(), a: &ChatActions| a.sign_out());
    let on_signed_out = use_callback(actions.clone(), |(), a: &ChatActions| a.signed_out());
    let on_send = use_callback(actions.clone(), |(room, text), a: &ChatActions| {
        a.send(room, text)
    });
    let on_change = use_callback(actions.clone(), |(room, level), a: &ChatActions| {
        a.set_notify(room, level)
    });
    let on_message = use_callback(actions.clone(), |nick, a: &ChatActions| a.open_direct(nick));
    let on_typing = use_callback(actions.clone(), |(room, typing), a: &ChatActions| {
        a.typing(room, typing)
    });
    let on_load_older = use_callback(actions.clone(), |room, a: &ChatActions| a.load_older(room));
    let on_retry = use_callback(actions.clone(), |(room, id), a: &ChatActions| {
        a.retry(room, id)
    });
    let on_load_gap = use_callback(actions.clone(), |(room, after), a: &ChatActions| {
        a.load_gap(room, after)
    });
    let on_jumped = use_callback(actions.clone(), |room, a: &ChatActions| a.jumped(room));
    let on_seek = use_callback(actions.clone(), |(room, seq), a: &ChatActions| {
        a.seek(room, seq)
    });
    let on_reply = use_callback(
        actions.clone(),
        |m: std::rc::Rc<shared::ChatMessage>, a: &ChatActions| {
            a.reply_to(m.room.clone(), Some(shared::Reply::to(&m)))
        },
    );
    let on_react = use_callback(
        actions.clone(),
        |(room, seq, emoji, remove), a: &ChatActions| a.react(room, seq, emoji, remove),
    );
    let state = chat.state();
    let rooms = RoomEntry::all(state);
    let sidebar = html! {
        <>
            <RoomSwitcher rooms={rooms.clone()} current={state.current.clone()} on_join={on_join.clone()} />
            <RoomList {rooms} current={state.current.clone()} me={state.me.clone()}
                on_join={on_join.clone()} {on_browse} {on_sign_out} {on_signed_out} />
            <BrowseRooms directory={state.directory.clone()} {on_search} {on_more} {on_join} {on_close} />
        </>
    };
    let Some(room) = state.current_room().cloned() else {
        return html! { <main class="chat">{ sidebar }<section class="room empty"><p>{ "Join a room to start." }</p></section></main> };
    };
    let on_cancel_reply = {
        let actions = actions.clone();
        let name = room.name.clone();
        Callback::from(move |()| actions.reply_to(name.clone(), None))
    };
    let leave = {
        let actions = actions.clone();
        let name = room.name.clone();
        Callback::from(move |_| actions.leave(name.clone()))
    };
    let me = state.me.clone();
    let (sigil, title, label) = match &room.direct {
        Some(with) => (
            "@",
            with.to_string(),
            format!("Direct messages with {with}"),
        ),
        None => ("#", room.name.to_string(), format!("Room {}", room.name)),
    };
    html! {
        <main class="chat">
            { sidebar }
            <section class="room" aria-label={label}>
                <header class="room-header">
                    <h2>{ sigil }<bdi>{ title.clone() }</bdi></h2>
                    <span class="muted">{ format!("{} online", room.members.len()) }</span>
                    <NotifyLevelPicker room={room.name.clone()} level={room.notify} {on_change} />
                    if room.joined {
                        <button class="ghost" onclick={leave}>{ "Leave" }</button>
                    }
                </header>
                <MessageList room={room.clone()} me={me.clone()} {on_load_older} {on_retry} {on_reply} {on_load_gap} {on_jumped} {on_seek} {on_react} />
                <p class="typing muted">{ typing_line(&room.typing).unwrap_or_default() }</p>
                <Composer room={room.name.clone()} title={format!("{sigil}{title}")} enabled={room.joined} {on_send} {on_typing}
                    members={room.members.clone()} me={me.clone()} replying={room.replying.clone()} {on_cancel_reply} />
            </section>
            <MemberList members={room.members.clone()} {me} {on_message} />
        </main>
    }
}
