//! The root component: the chat provider around the screen for the current state.

use yew::prelude::*;

use crate::components::{Announcer, Banner, ChatScreen, NicknameScreen, Toasts};
use crate::hooks::{use_chat, ChatActions, ChatProvider};
use crate::state::Screen;

/// The app.
#[function_component(App)]
pub fn app() -> Html {
    html! {
        <ChatProvider>
            <Shell />
        </ChatProvider>
    }
}

/// The screen for the state, with the banner and the toasts: it reads the chat context and
/// hands the banner and the toasts only what they show.
#[function_component(Shell)]
fn shell() -> Html {
    let chat = use_chat();
    let actions = chat.actions();
    let on_reconnect = use_callback(actions.clone(), |(), a: &ChatActions| a.reconnect_now());
    let on_dismiss = use_callback(actions.clone(), |id, a: &ChatActions| a.dismiss_toast(id));
    let state = chat.state();
    // The page title counts the unread mentions: "(3) Parley".
    let mentions: u32 = state.rooms.values().map(|r| r.mentions).sum();
    use_effect_with(mentions, |&n| {
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(&page_title(n));
        }
    });
    let screen = match &state.screen {
        Screen::Starting => {
            html! { <main class="welcome"><p class="muted">{ "Loading…" }</p></main> }
        }
        Screen::Nickname { error } => html! { <NicknameScreen error={error.clone()} /> },
        Screen::Chat => html! { <ChatScreen /> },
    };
    // The connection exists only once signed in.
    let in_chat = state.screen == Screen::Chat;
    html! {
        <div class="app">
            if in_chat { <Banner status={state.conn.clone()} {on_reconnect} /> }
            { screen }
            if in_chat { <Announcer latest={state.announce.clone()} /> }
            <Toasts toasts={state.toasts.clone()} {on_dismiss} />
        </div>
    }
}

/// The page title with `mentions` unread mentions.
pub(crate) fn page_title(mentions: u32) -> String {
    match mentions {
        0 => "Parley".to_owned(),
        n => format!("({n}) Parley"),
    }
}
