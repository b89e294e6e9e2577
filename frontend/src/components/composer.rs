//! The composer: a textarea labelled "Message" (Enter sends, Shift+Enter adds a line) and a
//! "Send" button.
//!
//! Pure: it renders again only when its room, its enabled state or its callback changes.

use shared::{MessageText, RoomName, TEXT_MAX_CHARS};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// Props of [`Composer`].
#[derive(Properties, PartialEq)]
pub struct ComposerProps {
    /// The room messages go to.
    pub room: RoomName,
    /// False while the room is not joined.
    pub enabled: bool,
    /// Sends a message: (room, text).
    pub on_send: Callback<(RoomName, String)>,
}

/// The message composer.
#[function_component(Composer)]
pub fn composer(props: &ComposerProps) -> Html {
    let area = use_node_ref();
    let error = use_state(|| None::<String>);
    let submit = {
        let on_send = props.on_send.clone();
        let area = area.clone();
        let room = props.room.clone();
        let error = error.clone();
        Callback::from(move |()| {
            let Some(el) = area.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let text = el.value();
            if text.trim().is_empty() {
                return;
            }
            match MessageText::parse(&text) {
                Ok(_) => {
                    error.set(None);
                    el.set_value("");
                    on_send.emit((room.clone(), text));
                }
                Err(err) => error.set(Some(format!("A message {err}."))),
            }
        })
    };
    let onkeydown = {
        let submit = submit.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && !e.shift_key() && !e.is_composing() {
                e.prevent_default();
                submit.emit(());
            }
        })
    };
    let onsubmit = Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        submit.emit(());
    });
    html! {
        <form class="composer" {onsubmit}>
            <label for="composer" class="sr-only">{ "Message" }</label>
            <textarea id="composer" ref={area} rows="2" placeholder={format!("Message #{}", props.room)}
                maxlength={(TEXT_MAX_CHARS * 2).to_string()} {onkeydown} disabled={!props.enabled}
                aria-describedby="composer-help composer-error" />
            <button type="submit" class="primary" disabled={!props.enabled}>{ "Send" }</button>
            <p id="composer-help" class="hint muted">{ "Enter sends · Shift+Enter adds a line" }</p>
            <p id="composer-error" class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
        </form>
    }
}
