//! The room header's "Notify me" choice: every message, mentions only, or nothing (muted),
//! kept on the server for this user.

use shared::{NotifyLevel, RoomName};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// Props of [`NotifyLevelPicker`].
#[derive(Properties, PartialEq)]
pub struct NotifyLevelProps {
    /// The room.
    pub room: RoomName,
    /// Its level now.
    pub level: NotifyLevel,
    /// Chooses another.
    pub on_change: Callback<(RoomName, NotifyLevel)>,
}

fn label(level: NotifyLevel) -> &'static str {
    match level {
        NotifyLevel::All => "Every message",
        NotifyLevel::Mentions => "Mentions only",
        NotifyLevel::Nothing => "Nothing (muted)",
    }
}

/// The picker.
#[function_component(NotifyLevelPicker)]
pub fn notify_level_picker(props: &NotifyLevelProps) -> Html {
    let onchange = {
        let (room, on_change) = (props.room.clone(), props.on_change.clone());
        Callback::from(move |e: Event| {
            let Some(el) = e.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            if let Some(level) = NotifyLevel::parse(&el.value()) {
                on_change.emit((room.clone(), level));
            }
        })
    };
    let options = NotifyLevel::ALL.into_iter().map(|l| {
        html! { <option value={l.as_str()} selected={l == props.level}>{ label(l) }</option> }
    });
    html! {
        <span class="notify-level">
            <label for="notify-level">{ "Notify me" }</label>
            <select id="notify-level" {onchange}>{ for options }</select>
        </span>
    }
}
