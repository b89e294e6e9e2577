//! The message list of the room in view: messages in seq order with system notices between
//! them, then own messages still sending (or failed, with Retry). Sticks to the bottom while
//! the user is there; scrolling to the top loads older messages, and a gap between two
//! windows held (a permalink's, the latest) loads on request. A room opened with unread
//! messages shows a "New" divider before the first of them, and opens there. The list is not
//! a live region (screen readers would re-read it): new messages are announced apart, by
//! [`crate::components::Announcer`]. It can be focused, to scroll it from the keyboard.
//!
//! Pure: it renders again only when its room changes (a new `Rc`), not for every action.

use std::rc::Rc;

use shared::{Nickname, RoomName};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use super::message_block::{blocks, lines_of, MessageBlock};
use super::message_text::{formatted, Names};
use crate::state::{Pending, PendingStatus, RoomView};
use crate::util::local_day;

/// How close to an edge (px) counts as being at it.
const EDGE_PX: i32 = 48;

/// Props of [`MessageList`].
#[derive(Properties)]
pub struct MessageListProps {
    /// The room.
    pub room: Rc<RoomView>,
    /// This user, to mark own messages.
    pub me: Option<Nickname>,
    /// Asks for the page before the oldest message held.
    pub on_load_older: Callback<RoomName>,
    /// Sends a failed message again: (room, client id).
    pub on_retry: Callback<(RoomName, String)>,
    /// "Reply" on a message.
    pub on_reply: Callback<Rc<shared::ChatMessage>>,
    /// Asks for the messages after this seq: a gap between two windows held.
    pub on_load_gap: Callback<(RoomName, shared::Seq)>,
    /// The permalink's message is in view.
    pub on_jumped: Callback<RoomName>,
    /// Asks for the page around a message not loaded (a quote's original), to show it.
    pub on_seek: Callback<(RoomName, shared::Seq)>,
    /// Adds or takes back a reaction: (room, seq, emoji, remove).
    pub on_react: Callback<(RoomName, shared::Seq, String, bool)>,
}

impl PartialEq for MessageListProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.room, &other.room)
            && self.me == other.me
            && self.on_load_older == other.on_load_older
            && self.on_retry == other.on_retry
            && self.on_reply == other.on_reply
            && self.on_load_gap == other.on_load_gap
            && self.on_jumped == other.on_jumped
            && self.on_seek == other.on_seek
            && self.on_react == other.on_react
    }
}

/// Where the list was scrolled, to keep the view steady across renders.
#[derive(Default)]
struct ScrollMemo {
    /// The user is at the bottom: follow new messages.
    at_bottom: bool,
    /// scrollHeight before the last render, to keep the view still when older messages are
    /// added above.
    height: i32,
    /// The first seq shown at the last render.
    first: Option<shared::Seq>,
    room: Option<shared::RoomName>,
}

/// The message list.
#[function_component(MessageList)]
pub fn message_list(props: &MessageListProps) -> Html {
    let list = use_node_ref();
    let memo = use_mut_ref(|| ScrollMemo {
        at_bottom: true,
        ..Default::default()
    });
    let room = props.room.clone();
    // A quote's original: shown if it is loaded, else asked for (the page around it).
    let on_jump = {
        let list = list.clone();
        use_callback(
            (room.name.clone(), props.on_seek.clone()),
            move |seq: shared::Seq, (name, on_seek)| {
                if !show_message(&list, seq) {
                    on_seek.emit((name.clone(), seq));
                }
            },
        )
    };

    {
        // After each render: follow the bottom, or keep the view still when a page of older
        // messages was added above.
        let list = list.clone();
        let memo = memo.clone();
        let room = room.clone();
        let shape = (
            room.name.clone(),
            room.messages.len(),
            room.pending.len(),
            room.notices.len(),
            room.last_seq(),
        );
        use_effect_with(shape, move |_| {
            if let Some(el) = list.cast::<HtmlElement>() {
                let mut m = memo.borrow_mut();
                let switched = m.room.as_ref() != Some(&room.name);
                let first = room.first_seq();
                let divider = el.query_selector(".new-divider").ok().flatten();
                if let (true, Some(divider)) = (switched, divider) {
                    divider.scroll_into_view();
                    m.at_bottom = false;
                } else if switched || m.at_bottom {
                    el.set_scroll_top(el.scroll_height());
                    m.at_bottom = true;
                } else if first < m.first && m.first.is_some() {
                    el.set_scroll_top(el.scroll_top() + el.scroll_height() - m.height);
                }
                m.height = el.scroll_height();
                m.first = first;
                m.room = Some(room.name.clone());
            }
        });
    }

    {
        // After each render: the message a permalink or a quote asked for, once it is shown:
        // into view, and the list no longer follows the bottom.
        let (list, room) = (list.clone(), room.clone());
        let (memo, on_jumped) = (memo.clone(), props.on_jumped.clone());
        use_effect_with(
            (room.name.clone(), room.messages.len(), room.jump_to),
            move |_| {
                if let Some(seq) = room.jump_to {
                    if show_message(&list, seq) {
                        memo.borrow_mut().at_bottom = false;
                        on_jumped.emit(room.name.clone());
                    }
                }
            },
        );
    }

    let onscroll = {
        let memo = memo.clone();
        let on_load_older = props.on_load_older.clone();
        let name = room.name.clone();
        Callback::from(move |e: Event| {
            let Some(el) = e.target_dyn_into::<HtmlElement>() else {
                return;
            };
            let mut m = memo.borrow_mut();
            m.at_bottom = el.scroll_height() - el.scroll_top() - el.client_height() < EDGE_PX;
            m.height = el.scroll_height();
            drop(m);
            if el.scroll_top() < EDGE_PX {
                on_load_older.emit(name.clone());
            }
        })
    };

    let me = props.me.as_ref();
    // The names mentions are of: the same Rc while the members stay the same, so that no
    // message renders again for a render of the list.
    let members = use_memo(room.members.clone(), |m| m.clone());
    let head = if room.loading_older {
        html! { <li key="edge" class="history-edge">{ "Loading older messages…" }</li> }
    } else if room.has_more {
        let on_load_older = props.on_load_older.clone();
        let name = room.name.clone();
        html! { <li key="edge" class="history-edge"><button class="link" onclick={move |_| on_load_older.emit(name.clone())}>{ "Load older messages" }</button></li> }
    } else {
        html! { <li key="edge" class="history-edge start">{ format!("This is the start of #{}.", room.name) }</li> }
    };
    // The lines, in blocks of seqs: a new message renders the last block only. Every line
    // has a key (its seq, or its day), so that a page of history added above creates no
    // line again.
    let now = crate::util::now_ms();
    let days = (local_day(now), local_day(now - 86_400_000.0));
    let lines = lines_of(&room, |ts| local_day(ts as f64), days);
    let blocks = blocks(lines).into_iter().map(|(n, lines)| {
        html! {
            <MessageBlock key={format!("b-{n}")} {lines} room={room.name.clone()} members={members.clone()}
                me={props.me.clone()} on_reply={props.on_reply.clone()} on_jump={on_jump.clone()}
                on_load_gap={props.on_load_gap.clone()} on_react={props.on_react.clone()} />
        }
    });
    let pending = room
        .pending
        .iter()
        .map(|p| pending_line(&props.on_retry, &room, p, me));

    html! {
        <ol class="messages" ref={list} {onscroll} aria-label="Messages" tabindex="0">
            { head }
            { for blocks }
            { for pending }
        </ol>
    }
}

/// Scrolls the message at `seq` into view, highlights it for a moment and gives it the
/// focus, if it is in the list.
fn show_message(list: &NodeRef, seq: shared::Seq) -> bool {
    let Some(el) = list
        .cast::<HtmlElement>()
        .and_then(|l| {
            l.query_selector(&format!("li[data-seq=\"{}\"]", seq.0))
                .ok()
                .flatten()
        })
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    else {
        return false;
    };
    let opts = web_sys::ScrollIntoViewOptions::new();
    opts.set_block(web_sys::ScrollLogicalPosition::Center);
    el.scroll_into_view_with_scroll_into_view_options(&opts);
    let _ = el.class_list().add_1("highlight");
    el.set_tab_index(-1);
    let _ = el.focus();
    gloo_timers::callback::Timeout::new(2_000, move || {
        let _ = el.class_list().remove_1("highlight");
    })
    .forget();
    true
}

fn pending_line(
    on_retry: &Callback<(RoomName, String)>,
    room: &RoomView,
    p: &Pending,
    me: Option<&Nickname>,
) -> Html {
    let (class, status) = match &p.status {
        PendingStatus::Sending => (
            "msg mine pending",
            html! { <span class="status">{ "sending…" }</span> },
        ),
        PendingStatus::Failed(why) => {
            let (name, id) = (room.name.clone(), p.client_id.clone());
            let retry = on_retry.reform(move |_: MouseEvent| (name.clone(), id.clone()));
            (
                "msg mine failed",
                html! { <span class="status" title={why.clone()}>{ "failed" }
                <button class="link" onclick={retry}>{ "Retry" }</button></span> },
            )
        }
    };
    let names = Names {
        members: &room.members,
        me,
    };
    let (text, _) = formatted(&p.text, &names);
    html! {
        <li key={format!("p-{}", p.client_id)} class={class}>
            <div class="meta">
                <bdi class="nick">{ me.map(|m| m.to_string()).unwrap_or_default() }</bdi>
                { status }
            </div>
            <div class="text" dir="auto">{ text }</div>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::MessageListProps;
    use crate::state::fixtures::*;
    use crate::state::ChatState;
    use yew::Callback;

    #[test]
    fn its_props_change_only_when_its_room_does() {
        let (on_load_older, on_retry, on_reply) =
            (Callback::noop(), Callback::noop(), Callback::noop());
        let (on_load_gap, on_jumped, on_seek) =
            (Callback::noop(), Callback::noop(), Callback::noop());
        let on_react = Callback::noop();
        let props = |s: &ChatState| MessageListProps {
            room: view(s, "lobby").clone(),
            me: s.me.clone(),
            on_load_older: on_load_older.clone(),
            on_retry: on_retry.clone(),
            on_reply: on_reply.clone(),
            on_load_gap: on_load_gap.clone(),
            on_jumped: on_jumped.clone(),
            on_seek: on_seek.clone(),
            on_react: on_react.clone(),
        };
        let before = in_lobby_and_garden();
        let elsewhere = run(before.clone(), [message("garden", 1, BOB, "elsewhere")]);
        assert!(
            props(&before) == props(&elsewhere),
            "another room's message"
        );
        let here = run(before.clone(), [message("lobby", 1, BOB, "here")]);
        assert!(props(&before) != props(&here), "its own room's message");
    }
}
