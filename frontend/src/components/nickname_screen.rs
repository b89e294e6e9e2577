//! The first screen: pick a nickname (and, optionally, a password that keeps it yours) and
//! join.

use shared::Nickname;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::hooks::use_chat;

/// Props of [`NicknameScreen`].
#[derive(Properties, PartialEq)]
pub struct NicknameScreenProps {
    /// Why the last sign-in was refused, or why the session ended.
    pub error: Option<String>,
}

/// The sign-in form.
#[function_component(NicknameScreen)]
pub fn nickname_screen(props: &NicknameScreenProps) -> Html {
    let chat = use_chat();
    let nickname = use_node_ref();
    let password = use_node_ref();
    let local_error = use_state(|| None::<String>);
    let busy = chat.state().signing_in;
    let onsubmit = {
        let (nickname, password, local_error, chat) = (
            nickname.clone(),
            password.clone(),
            local_error.clone(),
            chat.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(nick_el), Some(pass_el)) = (
                nickname.cast::<HtmlInputElement>(),
                password.cast::<HtmlInputElement>(),
            ) else {
                return;
            };
            // Only the rules a stored name meets (length, control characters) are checked
            // here: the server checks the rest with the same code (`Nickname::parse`, in
            // `shared`) and its refusal says why. Its Unicode tables would add about 100 KB
            // to the SPA; and a name registered before those rules must still reach the
            // server, which lets its owner in with the password.
            match Nickname::stored(&nick_el.value()) {
                Ok(nick) => {
                    local_error.set(None);
                    let pass = Some(pass_el.value()).filter(|p| !p.is_empty());
                    chat.actions().sign_in(nick, pass);
                }
                Err(err) => local_error.set(Some(format!("A nickname {err}."))),
            }
        })
    };
    // A new refusal from the server replaces what the form said.
    {
        let local_error = local_error.clone();
        use_effect_with(props.error.clone(), move |_| local_error.set(None));
    }
    let error = (*local_error).clone().or_else(|| props.error.clone());
    html! {
        <main class="welcome">
            <form class="card" {onsubmit}>
                <h1>{ "Parley" }</h1>
                <p class="lead">{ "Live chat rooms. Pick a nickname to join the lobby." }</p>
                <label for="nickname">{ "Nickname" }</label>
                <input id="nickname" ref={nickname} type="text" autocomplete="nickname" maxlength="64"
                    required=true autofocus=true aria-invalid={error.is_some().to_string()}
                    aria-describedby="nickname-error" />
                <label for="password">{ "Password (optional)" }</label>
                <input id="password" ref={password} type="password" autocomplete="current-password"
                    maxlength="128" aria-describedby="password-help" />
                <p id="password-help" class="hint muted">
                    { "With a password (8 characters or more) the nickname stays yours: nobody else can use it." }
                </p>
                <p id="nickname-error" class="error" role="alert">{ error.unwrap_or_default() }</p>
                <button type="submit" class="primary" disabled={busy}>{ if busy { "Joining…" } else { "Join" } }</button>
            </form>
        </main>
    }
}
