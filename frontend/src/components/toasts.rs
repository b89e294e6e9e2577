//! Toasts: joins, leaves and new rooms outside the room in view, and notices. Each goes
//! away after a few seconds or when closed.

use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::hooks::use_chat;

const TOAST_MS: u32 = 5_000;

/// The toast stack.
#[function_component(Toasts)]
pub fn toasts() -> Html {
    let chat = use_chat();
    let toasts = chat.state().toasts.clone();
    {
        let chat = chat.clone();
        let oldest = toasts.first().map(|t| t.id);
        use_effect_with(oldest, move |oldest| {
            let timer = oldest.map(|id| Timeout::new(TOAST_MS, move || chat.dismiss_toast(id)));
            move || drop(timer)
        });
    }
    html! {
        <div class="toasts" aria-live="polite">
            { for toasts.iter().map(|t| {
                let chat = chat.clone();
                let id = t.id;
                html! {
                    <div class="toast" key={t.id}>
                        <span>{ &t.text }</span>
                        <button class="icon" aria-label="Dismiss" onclick={move |_| chat.dismiss_toast(id)}>{ "×" }</button>
                    </div>
                }
            }) }
        </div>
    }
}
