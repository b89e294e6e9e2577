//! The connection banner: connecting, connected, reconnecting (with a countdown and a
//! "Retry now" button) or disconnected (with the reason).
//!
//! Pure: it renders again when the status changes, and twice a second during a countdown.

use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::state::ConnStatus;
use crate::util::ms_until;

/// Props of [`Banner`].
#[derive(Properties, PartialEq)]
pub struct BannerProps {
    /// The connection's status.
    pub status: ConnStatus,
    /// Reconnects now.
    pub on_reconnect: Callback<()>,
}

/// Shows the connection's status.
#[function_component(Banner)]
pub fn banner(props: &BannerProps) -> Html {
    let status = &props.status;
    // Re-render twice a second while a countdown runs.
    let tick = use_state(|| 0u32);
    {
        let tick = tick.clone();
        let counting = matches!(status, ConnStatus::Reconnecting { .. });
        use_effect_with(counting, move |counting| {
            let timer =
                counting.then(|| Interval::new(500, move || tick.set(tick.wrapping_add(1))));
            move || drop(timer)
        });
    }
    let retry = props.on_reconnect.reform(|_: MouseEvent| ());
    let (class, body) = match status {
        ConnStatus::Connecting => ("banner connecting", html! { "Connecting…" }),
        ConnStatus::Connected => ("banner connected", html! { "Connected" }),
        ConnStatus::Reconnecting { at_ms, .. } => {
            let secs = (ms_until(*at_ms) / 1000.0).ceil() as u64;
            (
                "banner reconnecting",
                html! { <>
                    { format!("Connection lost. Reconnecting in {secs} s…") }
                    <button class="link" onclick={retry}>{ "Retry now" }</button>
                </> },
            )
        }
        ConnStatus::Disconnected { reason } => (
            "banner disconnected",
            html! { <>{ format!("Disconnected: {reason}") }
            <button class="link" onclick={retry}>{ "Reconnect" }</button></> },
        ),
    };
    html! { <div class={class} role="status" aria-live="polite" data-status={status_name(status)}>{ body }</div> }
}

fn status_name(s: &ConnStatus) -> &'static str {
    match s {
        ConnStatus::Connecting => "connecting",
        ConnStatus::Connected => "connected",
        ConnStatus::Reconnecting { .. } => "reconnecting",
        ConnStatus::Disconnected { .. } => "disconnected",
    }
}
