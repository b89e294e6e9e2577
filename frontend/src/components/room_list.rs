//! The room sidebar: every room, unread counts, and the "New room" input.

use shared::RoomName;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::hooks::use_chat;

/// The sidebar.
#[function_component(RoomList)]
pub fn room_list() -> Html {
    let chat = use_chat();
    let state = chat.state();
    let input = use_node_ref();
    let error = use_state(|| None::<String>);
    let onsubmit = {
        let chat = chat.clone();
        let input = input.clone();
        let error = error.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(el) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let raw = el.value().trim().to_lowercase();
            match RoomName::parse(&raw) {
                Ok(room) => {
                    error.set(None);
                    el.set_value("");
                    chat.join(room);
                }
                Err(err) => error.set(Some(format!("A room name (a-z, 0-9, - and _) {err}."))),
            }
        })
    };
    let rooms = state.rooms.values().map(|r| {
        let current = state.current.as_ref() == Some(&r.name);
        let chat = chat.clone();
        let name = r.name.clone();
        let onclick = Callback::from(move |_| chat.select(name.clone()));
        let class = classes!("room-link", current.then_some("current"), r.joined.then_some("joined"));
        html! {
            <li key={r.name.to_string()}>
                <button {class} {onclick} aria-current={current.then_some("true")}>
                    <span class="hash">{ "#" }</span>
                    <span class="name">{ r.name.to_string() }</span>
                    if r.unread > 0 {
                        <span class="badge" aria-label={format!("{} unread", r.unread)}>{ r.unread }</span>
                    } else if !r.joined {
                        <span class="count muted">{ r.member_count }</span>
                    }
                </button>
            </li>
        }
    });
    let sign_out = {
        let chat = chat.clone();
        Callback::from(move |_| chat.sign_out())
    };
    let me = state.me.as_ref().map(|m| m.to_string()).unwrap_or_default();
    html! {
        <nav class="sidebar" aria-label="Rooms">
            <div class="brand">{ "Parley" }</div>
            <div class="me">
                <span class="muted">{ "Signed in as " }</span><strong>{ me }</strong>
                <button class="link" onclick={sign_out}>{ "Sign out" }</button>
            </div>
            <ul class="rooms">{ for rooms }</ul>
            <form class="new-room" {onsubmit}>
                <label for="new-room">{ "New room" }</label>
                <div class="row">
                    <input id="new-room" ref={input} type="text" placeholder="room-name" maxlength="48"
                        autocomplete="off" aria-describedby="new-room-error" />
                    <button type="submit" class="ghost">{ "Go" }</button>
                </div>
                <p id="new-room-error" class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
            </form>
        </nav>
    }
}
