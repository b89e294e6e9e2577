//! "Who reacted": under a message whose chips name only the first few people, a disclosure
//! (`<details>`, so the keyboard and screen readers know it) that asks the server for the
//! full lists each time it opens, one line per emoji.

use shared::{Reactors, RoomName, Seq};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::services::api;

/// Props of [`WhoReacted`].
#[derive(Properties, PartialEq)]
pub struct WhoReactedProps {
    /// The message's room.
    pub room: RoomName,
    /// The message.
    pub seq: Seq,
    /// The emoji whose chips do not name everyone.
    pub emoji: Vec<String>,
}

/// One emoji's line: its people, or why they could not be read.
#[derive(PartialEq)]
enum Line {
    Names(Reactors),
    Failed(String, String),
}

/// The disclosure.
#[function_component(WhoReacted)]
pub fn who_reacted(props: &WhoReactedProps) -> Html {
    let lines = use_state(|| None::<Vec<Line>>);
    let ontoggle = {
        let (lines, room, seq, emoji) = (
            lines.clone(),
            props.room.to_string(),
            props.seq.0,
            props.emoji.clone(),
        );
        Callback::from(move |e: Event| {
            let open = e
                .target_dyn_into::<web_sys::Element>()
                .is_some_and(|d| d.has_attribute("open"));
            if !open {
                return;
            }
            lines.set(None);
            let (lines, room, emoji) = (lines.clone(), room.clone(), emoji.clone());
            spawn_local(async move {
                let mut out = Vec::new();
                for e in emoji {
                    out.push(match api::reactors(&room, seq, &e).await {
                        Ok(r) => Line::Names(r),
                        Err(err) => Line::Failed(e, err.message),
                    });
                }
                lines.set(Some(out));
            });
        })
    };
    let body = match &*lines {
        None => html! { <p class="muted">{ "Loading…" }</p> },
        Some(lines) => html! { <ul>{ for lines.iter().map(line_html) }</ul> },
    };
    html! {
        <details class="who-reacted" {ontoggle}>
            <summary>{ "Who reacted" }</summary>
            { body }
        </details>
    }
}

fn line_html(line: &Line) -> Html {
    match line {
        Line::Names(r) => {
            let names = r.names.iter().enumerate().map(|(i, n)| {
                html! { <>{ if i > 0 { ", " } else { "" } }<bdi>{ n.as_str() }</bdi></> }
            });
            let more = (r.count as usize).saturating_sub(r.names.len());
            html! {
                <li>{ r.emoji.as_str() }{ " " }{ for names }
                    if more > 0 { { format!(" and {more} more") } }</li>
            }
        }
        Line::Failed(emoji, why) => html! { <li>{ emoji }{ " " }{ why }</li> },
    }
}
