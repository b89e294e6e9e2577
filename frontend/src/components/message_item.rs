//! One message of the list: its author, time and formatted text, the quote of the message it
//! answers (a button that shows the original), its reactions (a toggle button per emoji:
//! pressed when one of them is this user's; "Who reacted" when they do not name everyone),
//! and its actions ("Reply", "Copy link", "Add reaction"; reachable from the keyboard, shown
//! on hover or focus). A component of its own, so that a message already shown is not parsed
//! or rendered again when others arrive: it renders again only when its message, the room's
//! names or its grouping change.

use std::rc::Rc;

use shared::{ChatMessage, Nickname, Reaction, RoomName, Seq};
use yew::prelude::*;

use super::message_text::{formatted, Names};
use super::reaction_picker::ReactionPicker;
use super::who_reacted::WhoReacted;
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
    /// Adds this user's reaction (false) or takes it back (true): (room, seq, emoji, remove).
    pub on_react: Callback<(RoomName, Seq, String, bool)>,
}

impl PartialEq for MessageItemProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.message, &other.message)
            && Rc::ptr_eq(&self.members, &other.members)
            && self.me == other.me
            && self.continued == other.continued
            && self.on_reply == other.on_reply
            && self.on_jump == other.on_jump
            && self.on_react == other.on_react
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
    let react = {
        let (on_react, room, seq) = (props.on_react.clone(), m.room.clone(), m.seq);
        move |(emoji, remove): (String, bool)| on_react.emit((room.clone(), seq, emoji, remove))
    };
    let chips = (!m.reactions.is_empty()).then(|| {
        let chips = m.reactions.iter().map(|r| {
            let (label, react) = (chip_label(r), react.clone());
            let (emoji, mine) = (r.emoji.to_string(), r.mine);
            html! {
                <button type="button" aria-pressed={mine.to_string()} aria-label={label.clone()} title={label}
                    onclick={move |_| react((emoji.clone(), mine))}>{ r.emoji.as_str() }{ " " }{ r.count }</button>
            }
        });
        html! { <div class="reactions">{ for chips }</div> }
    });
    // The emoji whose chips do not name everyone: "Who reacted" shows them all.
    let unnamed: Vec<String> = m
        .reactions
        .iter()
        .filter(|r| r.count as usize > r.names.len())
        .map(|r| r.emoji.to_string())
        .collect();
    // "Add reaction": the picker opens under the message; it closes on a choice or Escape,
    // and the focus goes back to the button.
    let picking = use_state(|| false);
    let add = use_node_ref();
    let toggle = {
        let picking = picking.clone();
        Callback::from(move |_: MouseEvent| picking.set(!*picking))
    };
    let close = {
        let (picking, add) = (picking.clone(), add.clone());
        Callback::from(move |()| {
            picking.set(false);
            if let Some(b) = add.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
        })
    };
    let on_pick = {
        let close = close.clone();
        Callback::from(move |emoji| {
            react((emoji, false));
            close.emit(());
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
            { for chips }
            if !unnamed.is_empty() {
                <WhoReacted room={m.room.clone()} seq={m.seq} emoji={unnamed} />
            }
            if *picking {
                <ReactionPicker id={m.seq.0} {on_pick} on_close={close} />
            }
            <div class="msg-actions">
                <button type="button" class="link" aria-label={format!("Reply to {}", m.nickname)} onclick={reply}>{ "Reply" }</button>
                <button type="button" class="link copy-link" onclick={copy}>
                    { if *copied { "Link copied" } else { "Copy link" } }
                </button>
                <button type="button" class="link" ref={add} aria-label={format!("Add reaction to {}'s message", m.nickname)}
                    aria-expanded={picking.to_string()} onclick={toggle}>{ "Add reaction" }</button>
            </div>
        </li>
    }
}

/// A reaction's accessible name (and title): "👍 3: alice, bob, carol", and "and 2 others"
/// when more reacted than it names.
pub fn chip_label(r: &Reaction) -> String {
    let names: Vec<&str> = r.names.iter().map(Nickname::as_str).collect();
    let mut label = format!("{} {}: {}", r.emoji, r.count, names.join(", "));
    let others = (r.count as usize).saturating_sub(names.len());
    if others > 0 {
        let s = if others == 1 { "" } else { "s" };
        label += &format!(" and {others} other{s}");
    }
    label
}

#[cfg(test)]
mod tests {
    use super::chip_label;
    use shared::{Emoji, Nickname, Reaction};

    #[test]
    fn a_chip_names_who_reacted_and_counts_the_others() {
        let mut r = Reaction {
            emoji: Emoji::parse("👍").unwrap(),
            count: 1,
            names: vec![Nickname::parse("alice").unwrap()],
            mine: false,
        };
        assert_eq!(chip_label(&r), "👍 1: alice");
        r.names
            .extend(["bob", "carol"].map(|n| Nickname::parse(n).unwrap()));
        r.count = 3;
        assert_eq!(chip_label(&r), "👍 3: alice, bob, carol");
        r.count = 4;
        assert_eq!(chip_label(&r), "👍 4: alice, bob, carol and 1 other");
        r.count = 5;
        assert_eq!(chip_label(&r), "👍 5: alice, bob, carol and 2 others");
    }
}
