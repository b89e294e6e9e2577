//! The composer: a textarea labelled "Message" (Enter sends, Shift+Enter adds a line) and a
//! "Send" button. Typing `@` and a prefix offers the room's members (a listbox: ↑/↓ move,
//! Tab or Enter picks, Esc closes). While the user types, the room hears so every
//! [`shared::TYPING_SEND_EVERY_MS`]; sending, clearing the text, leaving the field or the
//! room says it stopped. What is typed is kept as the room's draft
//! ([`crate::services::drafts`]): a room that comes back into view, or the page reloaded,
//! has it in the field again; sending clears it.
//!
//! Pure: it renders again only when its room, its enabled state or its callback changes.

use shared::{MessageText, Nickname, RoomName, TEXT_MAX_CHARS};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use super::mention_query;
use crate::services::drafts;

/// Props of [`Composer`].
#[derive(Properties, PartialEq)]
pub struct ComposerProps {
    /// The room messages go to.
    pub room: RoomName,
    /// How the room is named to the user: `#lobby`, or `@bob` for a direct conversation.
    pub title: String,
    /// False while the room is not joined.
    pub enabled: bool,
    /// Sends a message: (room, text).
    pub on_send: Callback<(RoomName, String)>,
    /// The room's members, offered after `@`.
    pub members: Vec<Nickname>,
    /// This user (not offered).
    pub me: Option<Nickname>,
    /// Says this user is typing in a room (true) or stopped (false).
    pub on_typing: Callback<(RoomName, bool)>,
    /// The message the next one answers ("Reply"), shown above the field.
    pub replying: Option<shared::Reply>,
    /// Cancels the reply (its "Cancel" button, or Esc in the field).
    pub on_cancel_reply: Callback<()>,
}

/// The room told that this user is typing, and when (browser clock, ms).
type Announced = std::rc::Rc<std::cell::RefCell<Option<(RoomName, f64)>>>;

/// Tells the room this user stopped typing, if it was told otherwise.
fn stop_typing(announced: &Announced, on_typing: &Callback<(RoomName, bool)>) {
    if let Some((room, _)) = announced.borrow_mut().take() {
        on_typing.emit((room, false));
    }
}

/// Tells `room` this user is typing, unless it was told less than
/// [`shared::TYPING_SEND_EVERY_MS`] ago.
fn start_typing(announced: &Announced, on_typing: &Callback<(RoomName, bool)>, room: &RoomName) {
    let now = crate::util::now_ms();
    let due = match &*announced.borrow() {
        Some((r, at)) => r != room || now - at >= f64::from(shared::TYPING_SEND_EVERY_MS),
        None => true,
    };
    if due {
        stop_typing(announced, on_typing);
        *announced.borrow_mut() = Some((room.clone(), now));
        on_typing.emit((room.clone(), true));
    }
}

/// The open mention list: where its `@` is, the caret, the names, the one selected.
#[derive(Clone, PartialEq)]
struct Picker {
    at: usize,
    caret: usize,
    options: Vec<Nickname>,
    selected: usize,
}

/// The message composer.
#[function_component(Composer)]
pub fn composer(props: &ComposerProps) -> Html {
    let area = use_node_ref();
    let error = use_state(|| None::<String>);
    let announced: Announced = use_mut_ref(|| None);
    {
        // A room that opens (once it can be written to) has the composer focused.
        let (area, focused) = (area.clone(), use_mut_ref(|| None::<RoomName>));
        use_effect_with(
            (props.room.clone(), props.enabled),
            move |(room, enabled)| {
                // Unless a message has it: a permalink's, brought into view.
                let on_a_message = web_sys::window()
                    .and_then(|w| w.document())
                    .and_then(|d| d.active_element())
                    .and_then(|e| e.closest(".messages").ok().flatten())
                    .is_some();
                if *enabled && focused.borrow().as_ref() != Some(room) && !on_a_message {
                    if let Some(el) = area.cast::<HtmlTextAreaElement>() {
                        let _ = el.focus();
                        *focused.borrow_mut() = Some(room.clone());
                    }
                }
            },
        );
    }
    {
        // "Reply" on a message: the field has the focus, to write the answer.
        let area = area.clone();
        use_effect_with(props.replying.as_ref().map(|r| r.seq), move |seq| {
            if let (Some(_), Some(el)) = (seq, area.cast::<HtmlTextAreaElement>()) {
                let _ = el.focus();
            }
        });
    }
    {
        // Another room in view (or the page just loaded): its draft in the field.
        let area = area.clone();
        use_effect_with((props.room.clone(), props.me.clone()), move |(room, me)| {
            if let Some(el) = area.cast::<HtmlTextAreaElement>() {
                let draft = me.as_ref().and_then(|me| drafts::load(me, room));
                el.set_value(&draft.unwrap_or_default());
            }
        });
    }
    {
        // Another room in view (or the composer gone): the room before hears it stopped.
        let (announced, on_typing) = (announced.clone(), props.on_typing.clone());
        use_effect_with(props.room.clone(), move |_| {
            move || stop_typing(&announced, &on_typing)
        });
    }
    let submit = {
        let (announced, on_typing) = (announced.clone(), props.on_typing.clone());
        let on_send = props.on_send.clone();
        let area = area.clone();
        let room = props.room.clone();
        let me = props.me.clone();
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
                    if let Some(me) = &me {
                        drafts::save(me, &room, "");
                    }
                    stop_typing(&announced, &on_typing);
                    on_send.emit((room.clone(), text));
                }
                Err(err) => error.set(Some(format!("A message {err}."))),
            }
        })
    };
    let picker = use_state(|| None::<Picker>);
    let oninput = {
        let (area, picker) = (area.clone(), picker.clone());
        let (members, me) = (props.members.clone(), props.me.clone());
        let (announced, on_typing) = (announced.clone(), props.on_typing.clone());
        let room = props.room.clone();
        Callback::from(move |_: InputEvent| {
            let Some(el) = area.cast::<HtmlTextAreaElement>() else {
                return;
            };
            let text = el.value();
            if let Some(me) = &me {
                drafts::save(me, &room, &text);
            }
            if text.trim().is_empty() {
                stop_typing(&announced, &on_typing);
            } else {
                start_typing(&announced, &on_typing, &room);
            }
            let caret = el.selection_start().ok().flatten().unwrap_or(0);
            let caret = mention_query::byte_of_utf16(&text, caret);
            let found = mention_query::at_caret(&text, caret).map(|(at, prefix)| Picker {
                at,
                caret,
                options: mention_query::options(&members, me.as_ref(), prefix),
                selected: 0,
            });
            picker.set(found.filter(|p| !p.options.is_empty()));
        })
    };
    let choose = {
        let (area, picker) = (area.clone(), picker.clone());
        Callback::from(move |i: usize| {
            let (Some(el), Some(p)) = (area.cast::<HtmlTextAreaElement>(), (*picker).clone())
            else {
                return;
            };
            let Some(name) = p.options.get(i) else { return };
            let (text, caret) = mention_query::pick(&el.value(), p.at, p.caret, name);
            el.set_value(&text);
            let at = mention_query::utf16_of_byte(&text, caret);
            let _ = el.set_selection_range(at, at);
            picker.set(None);
        })
    };
    let onkeydown = {
        let submit = submit.clone();
        let (picker, choose) = (picker.clone(), choose.clone());
        let (replying, on_cancel_reply) = (props.replying.is_some(), props.on_cancel_reply.clone());
        Callback::from(move |e: KeyboardEvent| {
            if let Some(p) = (*picker).clone() {
                let n = p.options.len();
                let moved = |selected| {
                    Some(Picker {
                        selected,
                        ..p.clone()
                    })
                };
                match e.key().as_str() {
                    "ArrowDown" => picker.set(moved((p.selected + 1) % n)),
                    "ArrowUp" => picker.set(moved((p.selected + n - 1) % n)),
                    "Tab" | "Enter" if !e.shift_key() && !e.is_composing() => {
                        choose.emit(p.selected)
                    }
                    "Escape" => picker.set(None),
                    _ => return,
                }
                e.prevent_default();
                return;
            }
            if e.key() == "Enter" && !e.shift_key() && !e.is_composing() {
                e.prevent_default();
                submit.emit(());
            } else if e.key() == "Escape" && replying {
                e.prevent_default();
                on_cancel_reply.emit(());
            }
        })
    };
    let onblur = {
        let picker = picker.clone();
        let (announced, on_typing) = (announced.clone(), props.on_typing.clone());
        Callback::from(move |_: FocusEvent| {
            picker.set(None);
            stop_typing(&announced, &on_typing);
        })
    };
    let list = (*picker).clone().map(|p| {
        let items = p.options.iter().enumerate().map(|(i, name)| {
            let onclick = choose.reform(move |_: MouseEvent| i);
            // Keeps the focus in the composer, so that the click is not a blur first.
            let onmousedown = Callback::from(|e: MouseEvent| e.prevent_default());
            html! {
                <li role="option" id={format!("mention-option-{i}")}
                    aria-selected={(i == p.selected).to_string()} {onclick} {onmousedown}>
                    <bdi>{ name.to_string() }</bdi>
                </li>
            }
        });
        html! { <ul id="mention-options" class="mention-options" role="listbox" aria-label="Members">{ for items }</ul> }
    });
    let active = (*picker)
        .as_ref()
        .map(|p| format!("mention-option-{}", p.selected));
    let controls = picker.is_some().then_some("mention-options");
    let onsubmit = Callback::from(move |e: SubmitEvent| {
        e.prevent_default();
        submit.emit(());
    });
    let replying = props.replying.as_ref().map(|r| {
        let cancel = props.on_cancel_reply.reform(|_: MouseEvent| ());
        html! {
            <div class="replying" id="composer-replying">
                <span>{ "Replying to " }<bdi class="nick">{ r.nickname.to_string() }</bdi>{ ": " }
                    <span class="snippet" dir="auto">{ r.snippet.clone() }</span></span>
                <button type="button" class="link" onclick={cancel} aria-label="Cancel the reply">{ "Cancel" }</button>
            </div>
        }
    });
    let described = if props.replying.is_some() {
        "composer-replying composer-help composer-error"
    } else {
        "composer-help composer-error"
    };
    html! {
        <form class="composer" {onsubmit}>
            { for replying }
            <label for="composer" class="sr-only">{ "Message" }</label>
            { for list }
            <textarea id="composer" ref={area} rows="2" placeholder={format!("Message {}", props.title)}
                maxlength={(TEXT_MAX_CHARS * 2).to_string()} {onkeydown} {oninput} {onblur}
                disabled={!props.enabled} aria-autocomplete="list" aria-controls={controls}
                aria-activedescendant={active} aria-describedby={described} />
            <button type="submit" class="primary" disabled={!props.enabled}>{ "Send" }</button>
            <p id="composer-help" class="hint muted">{ "Enter sends · Shift+Enter adds a line · @ names someone" }</p>
            <p id="composer-error" class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
        </form>
    }
}
