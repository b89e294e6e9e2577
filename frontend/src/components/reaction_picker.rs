//! "Add reaction": a small non-modal panel under a message, with eight quick emoji and an
//! "Other emoji" field (one emoji, checked here as the server does; a refusal is said beside
//! the field). The focus moves into it when it opens; Escape closes it (its owner gives the
//! focus back to the button that opened it).

use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

/// The quick choices.
const QUICK: [&str; 8] = ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀"];

/// Props of [`ReactionPicker`].
#[derive(Properties, PartialEq)]
pub struct ReactionPickerProps {
    /// Makes its element ids unique (the message's seq).
    pub id: u64,
    /// An emoji was chosen.
    pub on_pick: Callback<String>,
    /// Closed without a choice (Escape).
    pub on_close: Callback<()>,
}

/// The picker.
#[function_component(ReactionPicker)]
pub fn reaction_picker(props: &ReactionPickerProps) -> Html {
    let panel = use_node_ref();
    let other = use_node_ref();
    let bad = use_state(|| false);
    {
        let panel = panel.clone();
        use_effect_with((), move |_| {
            if let Some(first) = panel
                .cast::<HtmlElement>()
                .and_then(|p| p.query_selector("button").ok().flatten())
                .and_then(|b| b.dyn_into::<HtmlElement>().ok())
            {
                let _ = first.focus();
            }
        });
    }
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                on_close.emit(());
            }
        })
    };
    let quick = QUICK.iter().map(|emoji| {
        let on_pick = props.on_pick.clone();
        html! { <button type="button" onclick={move |_| on_pick.emit((*emoji).to_owned())}>{ *emoji }</button> }
    });
    let onsubmit = {
        let (on_pick, other, bad) = (props.on_pick.clone(), other.clone(), bad.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = other
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            match shared::Emoji::parse(text.trim()) {
                Ok(emoji) => on_pick.emit(emoji.to_string()),
                Err(_) => bad.set(true),
            }
        })
    };
    let (field, why) = (
        format!("react-other-{}", props.id),
        format!("react-why-{}", props.id),
    );
    html! {
        <div class="picker" role="dialog" aria-label="Add reaction" ref={panel} {onkeydown}>
            <div>{ for quick }</div>
            <form {onsubmit}>
                <label for={field.clone()}>{ "Other emoji" }</label>
                <input id={field} ref={other} autocomplete="off" aria-describedby={why.clone()}
                    aria-invalid={bad.to_string()} />
                <button type="submit" class="ghost">{ "Add" }</button>
                <p id={why} class="error">{ if *bad { "That is not one emoji." } else { "" } }</p>
            </form>
        </div>
    }
}
