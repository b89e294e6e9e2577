//! One message of the list: its author, time and formatted text, the quote of the message it
//! answers (a button that shows the original), and its actions ("Reply"; reachable from the
//! keyboard, shown on hover or focus). A component of its own, so
//! that a message already shown is not parsed or rendered again when others arrive: it
//! renders again only when its message, the room's names or its grouping change.

use std::rc::Rc;

use shared::{ChatMessage, Nickname, Seq};
use yew::prelude::*;

use super::message_text::{formatted, Names};
use crate::state::same_name;
use crate::util::{iso_and_full, local_time};

/// Props of [`MessageItem`].
#[derive(Properties)]
pub struct MessageItemProps {
    /// The message.
    pub message: Rc<ChatMessage>,
    /// The room's members (mentions are of them).
    pub members: Rc<Vec<Nickname>>,
    /// This user.
    pub me: Option<Nickname>,
    /// Grouped under the message before (same author, within 5 minutes).
    pub continued: bool,
    /// "Reply": the next message sent to the room answers this one.
    pub on_reply: Callback<Rc<ChatMessage>>,
    /// Shows the message at this seq (the original a quote is of), asking for the page
    /// around it if it is not loaded.
    pub on_jump: Callback<Seq>,
}

impl PartialEq for MessageItemProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.message, &other.message)
            && Rc::ptr_eq(&self.members, &other.members)
            && self.me == other.me
            && self.continued == other.continued
            && self.on_reply == other.on_reply
            && self.on_jump == other.on_jump
    }
}

/// One message.
#[function_component(MessageItem)]
pub fn message_item(props: &MessageItemProps) -> Html {
    let m = &props.message;
    let me = props.me.as_ref();
    // A service's message (the publish API) is never mine, whatever my nickname.
    let mine = !m.bot && me.is_some_and(|me| same_name(me, &m.nickname));
    let bot = m
        .bot
        .then(|| html! { <span class="bot-badge">{ "bot" }</span> });
    let names = Names {
        members: &props.members,
        me,
    };
    let (text, for_me) = formatted(m.text.as_str(), &names);
    let for_me = for_me && !mine;
    let continued = props.continued;
    let class = classes!(
        "msg",
        mine.then_some("mine"),
        m.bot.then_some("bot"),
        for_me.then_some("mentions-me"),
        continued.then_some("continued")
    );
    let (iso, full) = iso_and_full(m.ts);
    // Grouped under the message before: the name and time stay, for screen readers.
    let meta = classes!("meta", continued.then_some("sr-only"));
    let quote = m.reply.as_ref().map(|r| {
        let (seq, on_jump) = (r.seq, props.on_jump.clone());
        html! {
            <button type="button" class="reply-quote" title="Show the message this answers"
                onclick={move |_| on_jump.emit(seq)}>
                <span class="sr-only">{ "In reply to " }</span>
                <bdi class="nick">{ r.nickname.to_string() }</bdi>{ ": " }
                <span class="snippet" dir="auto">{ r.snippet.clone() }</span>
            </button>
        }
    });
    let reply = {
        let (on_reply, m) = (props.on_reply.clone(), m.clone());
        Callback::from(move |_: MouseEvent| on_reply.emit(m.clone()))
    };
    // "Copy link": the message's permalink to the clipboard; the button says so for 2 s.
    let copied = use_state(|| false);
    let copy = {
        let (url, copied) = (crate::util::permalink(&m.room, m.seq), copied.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&url);
                copied.set(true);
                let copied = copied.clone();
                gloo_timers::callback::Timeout::new(2_000, move || copied.set(false)).forget();
            }
        })
    };
    html! {
        <li {class} data-seq={m.seq.0.to_string()}>
            <div class={meta}>
                <bdi class="nick">{ m.nickname.to_string() }</bdi>
                { for bot }
                <time class="time" datetime={iso} title={full}>{ local_time(m.ts) }</time>
                if for_me {
                    <span class="sr-only">{ "mentions you" }</span>
                }
            </div>
            { for quote }
            <div class="text" dir="auto">{ text }</div>
            <div class="msg-actions">
                <button type="button" class="link" aria-label={format!("Reply to {}", m.nickname)} onclick={reply}>{ "Reply" }</button>
                <button type="button" class="link copy-link" onclick={copy}>
                    { if *copied { "Link copied" } else { "Copy link" } }
                </button>
            </div>
        </li>
    }
}
