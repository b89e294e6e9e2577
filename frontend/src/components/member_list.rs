//! Who is in the room in view.

use shared::Nickname;
use yew::prelude::*;

/// Props of [`MemberList`].
#[derive(Properties, PartialEq)]
pub struct MemberListProps {
    /// The members.
    pub members: Vec<Nickname>,
    /// This user.
    pub me: Option<Nickname>,
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
                        let mine = props.me.as_ref() == Some(m);
                        html! { <li class={classes!(mine.then_some("myself"))}><span class="dot"></span><bdi>{ m.to_string() }</bdi>
                            if mine { <span class="muted">{ " (you)" }</span> }</li> }
                    }) }
                </ul>
            </details>
        </aside>
    }
}
