//! The room sidebar: the user's own rooms, then their direct messages (by the other
//! person's name), unread counts, "Browse rooms" (the directory), and the "New room" input.
//!
//! Pure: it gets one [`RoomEntry`] per room, compared by value, so a message in the room in
//! view (which changes no entry) does not render it again.

use shared::{Nickname, RoomName};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::account::AccountPanel;
use super::notify_control::NotifyControl;
use crate::state::{ChatState, RoomView};

/// What the sidebar shows of a room.
#[derive(Debug, Clone, PartialEq)]
pub struct RoomEntry {
    /// The room.
    pub name: RoomName,
    /// This user is in it.
    pub joined: bool,
    /// Messages from others not seen yet.
    pub unread: u32,
    /// Of those, the ones that mention this user.
    pub mentions: u32,
    /// How many users are in it, shown for rooms not joined.
    pub member_count: u32,
    /// For a direct-message room: the other person.
    pub direct: Option<Nickname>,
}

impl RoomEntry {
    /// The sidebar's view of one room.
    pub fn of(room: &RoomView) -> Self {
        Self {
            name: room.name.clone(),
            joined: room.joined,
            unread: room.unread,
            mentions: room.mentions,
            member_count: room.member_count,
            direct: room.direct.clone(),
        }
    }

    /// The user's rooms, in name order.
    pub fn all(state: &ChatState) -> Vec<Self> {
        state.rooms.values().map(|r| Self::of(r)).collect()
    }
}

/// Props of [`RoomList`].
#[derive(Properties, PartialEq)]
pub struct RoomListProps {
    /// The user's rooms, in name order.
    pub rooms: Vec<RoomEntry>,
    /// The room in view.
    pub current: Option<RoomName>,
    /// This user.
    pub me: Option<Nickname>,
    /// Joins a room (clicked, or named in the form) and brings it into view.
    pub on_join: Callback<RoomName>,
    /// Opens the "Browse rooms" dialog.
    pub on_browse: Callback<()>,
    /// Signs out.
    pub on_sign_out: Callback<()>,
    /// Every session was ended from the account panel: leaves the chat.
    pub on_signed_out: Callback<()>,
}

/// The sidebar.
#[function_component(RoomList)]
pub fn room_list(props: &RoomListProps) -> Html {
    let input = use_node_ref();
    let error = use_state(|| None::<String>);
    let onsubmit = {
        let on_join = props.on_join.clone();
        let input = input.clone();
        let error = error.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(el) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let raw = el.value().trim().to_lowercase();
            match RoomName::parse(&raw) {
                Ok(room) => {
                    error.set(None);
                    el.set_value("");
                    on_join.emit(room);
                }
                Err(err) => error.set(Some(format!("A room name (a-z, 0-9, - and _) {err}."))),
            }
        })
    };
    let link =
        |r: &RoomEntry| room_link(r, props.current.as_ref() == Some(&r.name), &props.on_join);
    let rooms = props.rooms.iter().filter(|r| r.direct.is_none()).map(link);
    let directs: Vec<Html> = props
        .rooms
        .iter()
        .filter(|r| r.direct.is_some())
        .map(link)
        .collect();
    let sign_out = props.on_sign_out.reform(|_: MouseEvent| ());
    let browse = props.on_browse.reform(|_: MouseEvent| ());
    let me = props.me.as_ref().map(|m| m.to_string()).unwrap_or_default();
    html! {
        <nav class="sidebar" aria-label="Rooms">
            <h1 class="brand">{ "Parley" }</h1>
            <div class="me">
                <span class="muted">{ "Signed in as " }</span><strong><bdi>{ me }</bdi></strong>
                <button class="link" onclick={sign_out}>{ "Sign out" }</button>
            </div>
            <AccountPanel on_signed_out={props.on_signed_out.clone()} />
            <NotifyControl />
            <ul class="rooms">{ for rooms }</ul>
            if !directs.is_empty() {
                <h2 id="directs-heading" class="section">{ "Direct messages" }</h2>
                <ul class="rooms directs" aria-labelledby="directs-heading">{ for directs }</ul>
            }
            <button type="button" class="ghost browse-open" onclick={browse}>{ "Browse rooms" }</button>
            <form class="new-room" {onsubmit}>
                <label for="new-room">{ "New room" }</label>
                <div class="row">
                    <input id="new-room" ref={input} type="text" placeholder="room-name" maxlength="48"
                        autocomplete="off" aria-describedby="new-room-error" />
                    <button type="submit" class="ghost">{ "Go" }</button>
                </div>
                <p id="new-room-error" class="error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
            </form>
        </nav>
    }
}

/// One room's button: its name (bold while it has unread messages), then its mention
/// count (highlighted) or its unread count (muted), or its member count if not joined.
fn room_link(r: &RoomEntry, current: bool, on_join: &Callback<RoomName>) -> Html {
    let name = r.name.clone();
    let onclick = on_join.reform(move |_: MouseEvent| name.clone());
    let class = classes!(
        "room-link",
        current.then_some("current"),
        r.joined.then_some("joined"),
        (r.unread > 0).then_some("unread")
    );
    let mentions = format!(
        "{} {}, {} unread",
        r.mentions,
        if r.mentions == 1 {
            "mention"
        } else {
            "mentions"
        },
        r.unread
    );
    let label = r
        .direct
        .as_ref()
        .map_or_else(|| r.name.to_string(), ToString::to_string);
    html! {
        <li key={r.name.to_string()}>
            <button {class} {onclick} aria-current={current.then_some("true")}>
                <span class="hash">{ if r.direct.is_some() { "@" } else { "#" } }</span>
                <span class="name"><bdi>{ label }</bdi></span>
                if r.mentions > 0 {
                    <span class="badge mentions" aria-label={mentions}>{ r.mentions }</span>
                } else if r.unread > 0 {
                    <span class="badge" aria-label={format!("{} unread", r.unread)}>{ r.unread }</span>
                } else if !r.joined {
                    <span class="count muted">{ r.member_count }</span>
                }
            </button>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::RoomEntry;
    use crate::state::fixtures::*;

    #[test]
    fn a_message_in_the_room_in_view_changes_no_sidebar_entry() {
        let before = in_lobby_and_garden();
        let after = run(before.clone(), [message("lobby", 1, BOB, "in view")]);
        assert_eq!(RoomEntry::all(&before), RoomEntry::all(&after));
    }

    #[test]
    fn a_message_in_another_room_shows_in_its_entry() {
        let before = in_lobby_and_garden();
        let after = run(before.clone(), [message("garden", 1, BOB, "elsewhere")]);
        let garden = |s: &crate::state::ChatState| {
            RoomEntry::all(s)
                .into_iter()
                .find(|e| e.name == room("garden"))
                .map(|e| e.unread)
        };
        assert_eq!(garden(&before), Some(0));
        assert_eq!(garden(&after), Some(1));
    }

    #[test]
    fn a_mention_elsewhere_counts_apart_from_unread_and_viewing_clears_both() {
        let before = in_lobby_and_garden();
        let after = run(
            before,
            [
                message("garden", 1, BOB, "plain"),
                message("garden", 2, BOB, "over to you, @Alice"),
                message("lobby", 3, BOB, "@alice in view"),
            ],
        );
        let garden = |s: &crate::state::ChatState| {
            RoomEntry::all(s)
                .into_iter()
                .find(|e| e.name == room("garden"))
                .map(|e| (e.unread, e.mentions))
        };
        assert_eq!(garden(&after), Some((2, 1)));
        let lobby = RoomEntry::all(&after)
            .into_iter()
            .find(|e| e.name == room("lobby"))
            .unwrap();
        assert_eq!((lobby.unread, lobby.mentions), (0, 0), "in view");
        let viewed = run(after, [crate::state::Action::Joining(room("garden"))]);
        assert_eq!(garden(&viewed), Some((0, 0)));
    }

    #[test]
    fn the_page_title_counts_mentions() {
        assert_eq!(crate::app::page_title(0), "Parley");
        assert_eq!(crate::app::page_title(3), "(3) Parley");
    }
}
