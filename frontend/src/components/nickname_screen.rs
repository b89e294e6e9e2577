//! The first screen: pick a nickname and join.

use shared::Nickname;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::hooks::use_chat;

/// Props of [`NicknameScreen`].
#[derive(Properties, PartialEq)]
pub struct NicknameScreenProps {
    /// Why the last nickname was refused, if it was.
    pub error: Option<String>,
}

/// The nickname form.
#[function_component(NicknameScreen)]
pub fn nickname_screen(props: &NicknameScreenProps) -> Html {
    let chat = use_chat();
    let input = use_node_ref();
    let local_error = use_state(|| None::<String>);
    let busy = chat.state().me.is_some();
    let onsubmit = {
        let input = input.clone();
        let local_error = local_error.clone();
        let chat = chat.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(el) = input.cast::<HtmlInputElement>() else {
                return;
            };
            match Nickname::parse(&el.value()) {
                Ok(nick) => {
                    local_error.set(None);
                    chat.enter(nick);
                }
                Err(err) => local_error.set(Some(format!("A nickname {err}."))),
            }
        })
    };
    let error = (*local_error).clone().or_else(|| props.error.clone());
    html! {
        <main class="welcome">
            <form class="card" {onsubmit}>
                <h1>{ "Parley" }</h1>
                <p class="lead">{ "Live chat rooms. Pick a nickname to join the lobby." }</p>
                <label for="nickname">{ "Nickname" }</label>
                <input id="nickname" ref={input} type="text" autocomplete="nickname" maxlength="64"
                    required=true autofocus=true aria-invalid={error.is_some().to_string()}
                    aria-describedby="nickname-error" />
                <p id="nickname-error" class="error" role="alert">{ error.unwrap_or_default() }</p>
                <button type="submit" class="primary" disabled={busy}>{ "Join" }</button>
            </form>
        </main>
    }
}
