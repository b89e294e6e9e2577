//! A visually hidden live region that says each new live message of the room in view once,
//! as "alice: text". Only live messages reach it: history and catch-ups are never read out,
//! and the message list itself is no live region.

use yew::prelude::*;

/// Props of [`Announcer`].
#[derive(Properties, PartialEq)]
pub struct AnnouncerProps {
    /// The latest announcement (a counter and the text).
    pub latest: Option<(u64, String)>,
}

/// The live region.
#[function_component(Announcer)]
pub fn announcer(props: &AnnouncerProps) -> Html {
    let text = props
        .latest
        .as_ref()
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    html! { <div id="announcer" class="sr-only" role="log" aria-live="polite" aria-atomic="true">{ text }</div> }
}
