//! The account panel, folded under "Account" in the sidebar: change (or set) the password,
//! and sign out everywhere. A native `<details>` disclosure and a labelled form, so it works
//! from the keyboard and reads well to screen readers; results are announced.

use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::services::api;

/// Props of [`AccountPanel`].
#[derive(Properties, PartialEq)]
pub struct AccountPanelProps {
    /// Every session of the nickname was ended from here: leave the chat.
    pub on_signed_out: Callback<()>,
}

/// What the panel last heard back.
#[derive(Clone, PartialEq)]
enum Outcome {
    Done(&'static str),
    Failed(String),
}

/// See the module docs.
#[function_component(AccountPanel)]
pub fn account_panel(props: &AccountPanelProps) -> Html {
    let current = use_node_ref();
    let new = use_node_ref();
    let outcome = use_state(|| None::<Outcome>);
    let busy = use_state(|| false);
    let onsubmit = {
        let (current, new, outcome, busy) =
            (current.clone(), new.clone(), outcome.clone(), busy.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(cur_el), Some(new_el)) = (
                current.cast::<HtmlInputElement>(),
                new.cast::<HtmlInputElement>(),
            ) else {
                return;
            };
            let cur = Some(cur_el.value()).filter(|p| !p.is_empty());
            let next = new_el.value();
            let (outcome, busy) = (outcome.clone(), busy.clone());
            busy.set(true);
            spawn_local(async move {
                match api::change_password(cur.as_deref(), &next).await {
                    Ok(()) => {
                        cur_el.set_value("");
                        new_el.set_value("");
                        outcome.set(Some(Outcome::Done("Password changed.")));
                    }
                    Err(err) => outcome.set(Some(Outcome::Failed(err.message))),
                }
                busy.set(false);
            });
        })
    };
    let everywhere = {
        let (outcome, on_signed_out) = (outcome.clone(), props.on_signed_out.clone());
        Callback::from(move |_: MouseEvent| {
            let (outcome, on_signed_out) = (outcome.clone(), on_signed_out.clone());
            spawn_local(async move {
                match api::sign_out_everywhere().await {
                    Ok(()) => on_signed_out.emit(()),
                    Err(err) => outcome.set(Some(Outcome::Failed(err.message))),
                }
            });
        })
    };
    let (done, failed) = match &*outcome {
        Some(Outcome::Done(msg)) => (msg.to_string(), String::new()),
        Some(Outcome::Failed(msg)) => (String::new(), msg.clone()),
        None => (String::new(), String::new()),
    };
    html! {
        <details class="account">
            <summary>{ "Account" }</summary>
            <form class="password" aria-label="Change password" {onsubmit}>
                <label for="current-password">{ "Current password" }</label>
                <input id="current-password" ref={current} type="password"
                    autocomplete="current-password" maxlength="128"
                    aria-describedby="current-password-help" />
                <p id="current-password-help" class="hint">
                    { "Leave it empty if your nickname has no password yet." }
                </p>
                <label for="new-password">{ "New password" }</label>
                <input id="new-password" ref={new} type="password" autocomplete="new-password"
                    required=true minlength="8" maxlength="128"
                    aria-describedby="new-password-help account-error" />
                <p id="new-password-help" class="hint">{ "8 to 128 characters." }</p>
                <button type="submit" class="ghost" disabled={*busy}>{ "Change password" }</button>
            </form>
            <p id="account-status" class="status" role="status">{ done }</p>
            <p id="account-error" class="error" role="alert">{ failed }</p>
            <button type="button" class="ghost" onclick={everywhere}
                aria-describedby="everywhere-help">{ "Sign out everywhere" }</button>
            <p id="everywhere-help" class="hint">
                { "Ends every session of your nickname, on every device, this one too." }
            </p>
        </details>
    }
}
