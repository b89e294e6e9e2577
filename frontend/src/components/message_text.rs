//! A message's text with its `@mentions` highlighted (found by `shared::mentions`, as the
//! server finds them), and whether it mentions the reader.

use shared::mentions;
use shared::Nickname;
use yew::prelude::*;

/// The text as HTML (plain text, with each mention in a `<span class="mention">`), and
/// whether one of its mentions is of `me`. Mentions are of `names` (the room's members) or
/// of `me`.
pub fn with_mentions(text: &str, names: &[Nickname], me: Option<&Nickname>) -> (Html, bool) {
    if !text.contains('@') {
        return (html! { { text.to_owned() } }, false); // Most messages: no names copied.
    }
    let mut all: Vec<Nickname> = names.to_vec();
    if let Some(me) = me {
        all.push(me.clone());
    }
    let found = mentions::find(text, &all);
    if found.is_empty() {
        return (html! { { text.to_owned() } }, false);
    }
    let mine = me.map(|n| n.as_str().to_lowercase());
    let mut mentions_me = false;
    let mut parts = Vec::with_capacity(2 * found.len() + 1);
    let mut at = 0;
    for m in found {
        let of_me = mine.as_deref() == Some(all[m.name].as_str().to_lowercase().as_str());
        mentions_me |= of_me;
        parts.push(html! { { text[at..m.range.start].to_owned() } });
        let class = classes!("mention", of_me.then_some("of-me"));
        parts.push(html! { <span {class}>{ text[m.range.clone()].to_owned() }</span> });
        at = m.range.end;
    }
    parts.push(html! { { text[at..].to_owned() } });
    (html! { <>{ for parts }</> }, mentions_me)
}
