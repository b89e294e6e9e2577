//! The "Notifications" control in the sidebar: a button that asks the browser for the
//! permission (from the click, never on page load), or what was decided.

use web_sys::NotificationPermission;
use yew::platform::spawn_local;
use yew::prelude::*;

use crate::services::notify;

/// The control; nothing where the browser has no notifications.
#[function_component(NotifyControl)]
pub fn notify_control() -> Html {
    let permission = use_state(notify::permission);
    if !notify::supported() {
        return html! {};
    }
    let ask = {
        let permission = permission.clone();
        Callback::from(move |_: MouseEvent| {
            let permission = permission.clone();
            spawn_local(async move { permission.set(notify::request_permission().await) });
        })
    };
    let body = match *permission {
        NotificationPermission::Granted => {
            html! { <p class="muted" role="status">{ "Notifications are on for mentions and direct messages" }</p> }
        }
        NotificationPermission::Denied => {
            html! { <p class="muted" role="status">{ "Notifications are blocked in this browser's site settings" }</p> }
        }
        _ => {
            html! { <button type="button" class="ghost" onclick={ask}>{ "Turn on notifications" }</button> }
        }
    };
    html! { <div class="notify-control" aria-label="Notifications" role="group">{ body }</div> }
}
