//! The root component: the chat provider around the screen for the current state.

use yew::prelude::*;

use crate::components::{Banner, ChatScreen, NicknameScreen, Toasts};
use crate::hooks::{use_chat, ChatProvider};
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

#[function_component(Shell)]
fn shell() -> Html {
    let chat = use_chat();
    let screen = match &chat.state().screen {
        Screen::Starting => {
            html! { <main class="welcome"><p class="muted">{ "Loading…" }</p></main> }
        }
        Screen::Nickname { error } => html! { <NicknameScreen error={error.clone()} /> },
        Screen::Chat => html! { <ChatScreen /> },
    };
    // The connection exists only once signed in.
    let in_chat = chat.state().screen == Screen::Chat;
    html! {
        <div class="app">
            if in_chat { <Banner /> }
            { screen }
            <Toasts />
        </div>
    }
}
