//! Who is in the room in view; each other member has a "Message <nickname>" button that
//! opens a direct conversation.

use shared::Nickname;
use yew::prelude::*;

use crate::state::same_name;

/// Props of [`MemberList`].
#[derive(Properties, PartialEq)]
pub struct MemberListProps {
    /// The members.
    pub members: Vec<Nickname>,
    /// This user.
    pub me: Option<Nickname>,
    /// Opens the direct conversation with a member.
    pub on_message: Callback<Nickname>,
}

/// The member list, sorted by name; collapsible on narrow screens.
#[function_component(MemberList)]
pub fn member_list(props: &MemberListProps) -> Html {
    let mut members = props.members.clone();
    members.sort_by_key(|m| m.as_str().to_lowercase());
    html! {
        <aside class="members" aria-label="Members">
            <details open=true>
                <summary>{ format!("Members ({})", members.len()) }</summary>
                <ul>
                    { for members.iter().map(|m| {
                        let mine = props.me.as_ref().is_some_and(|me| same_name(me, m));
                        let who = m.clone();
                        let onclick = props.on_message.reform(move |_: MouseEvent| who.clone());
                        html! { <li class={classes!(mine.then_some("myself"))}><span class="dot"></span><bdi>{ m.to_string() }</bdi>
                            if mine { <span class="muted">{ " (you)" }</span> } else {
                                <button type="button" class="link message-member" aria-label={format!("Message {m}")} {onclick}>{ "Message" }</button>
                            }</li> }
                    }) }
                </ul>
            </details>
        </aside>
    }
}
