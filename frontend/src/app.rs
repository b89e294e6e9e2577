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
        Screen::Nickname { error } => html! { <NicknameScreen error={error.clone()} /> },
        Screen::Chat => html! { <ChatScreen /> },
    };
    html! {
        <div class="app">
            <Banner />
            { screen }
            <Toasts />
        </div>
    }
}
