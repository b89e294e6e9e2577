//! Toasts: joins, leaves and new rooms outside the room in view, and refusals. Each goes
//! away after a few seconds or when closed.
//!
//! Pure: it renders again only when the toasts change.

use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::state::Toast;

const TOAST_MS: u32 = 5_000;

/// Props of [`Toasts`].
#[derive(Properties, PartialEq)]
pub struct ToastsProps {
    /// The toasts, oldest first.
    pub toasts: Vec<Toast>,
    /// Closes a toast, by id.
    pub on_dismiss: Callback<u64>,
}

/// The toast stack.
#[function_component(Toasts)]
pub fn toasts(props: &ToastsProps) -> Html {
    let toasts = &props.toasts;
    {
        let on_dismiss = props.on_dismiss.clone();
        let oldest = toasts.first().map(|t| t.id);
        use_effect_with(oldest, move |oldest| {
            let timer = oldest.map(|id| Timeout::new(TOAST_MS, move || on_dismiss.emit(id)));
            move || drop(timer)
        });
    }
    html! {
        <div class="toasts" aria-live="polite">
            { for toasts.iter().map(|t| {
                let id = t.id;
                let onclick = props.on_dismiss.reform(move |_: MouseEvent| id);
                html! {
                    <div class="toast" key={t.id}>
                        <span><bdi>{ &t.text }</bdi></span>
                        <button class="icon" aria-label="Dismiss" {onclick}>{ "×" }</button>
                    </div>
                }
            }) }
        </div>
    }
}
