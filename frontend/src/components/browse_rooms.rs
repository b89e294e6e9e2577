//! The "Browse rooms" dialog: the room directory, searched by name prefix, paged, with
//! member counts kept current. A native modal `<dialog>`: it takes the focus to its search
//! field, keeps Tab inside, closes on Esc, and gives the focus back to what opened it.

use shared::RoomName;
use web_sys::{HtmlDialogElement, HtmlInputElement};
use yew::prelude::*;

use crate::state::DirectoryView;

/// Props of [`BrowseRooms`].
#[derive(Properties, PartialEq)]
pub struct BrowseRoomsProps {
    /// What the dialog shows; closed when `directory.open` is false.
    pub directory: DirectoryView,
    /// Searches for rooms whose names start with this (lower case).
    pub on_search: Callback<String>,
    /// Asks for the next page.
    pub on_more: Callback<()>,
    /// Opens (joining it) a room picked from the list.
    pub on_join: Callback<RoomName>,
    /// The dialog closed (Esc, the Close button, or a room picked).
    pub on_close: Callback<()>,
}

/// The dialog.
#[function_component(BrowseRooms)]
pub fn browse_rooms(props: &BrowseRoomsProps) -> Html {
    let dialog = use_node_ref();
    let bad_prefix = use_state(|| false);
    {
        let dialog = dialog.clone();
        use_effect_with(props.directory.open, move |open| {
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                if *open && !d.open() {
                    let _ = d.show_modal();
                } else if !*open && d.open() {
                    d.close();
                }
            }
        });
    }
    let onclose = props.on_close.reform(|_: Event| ());
    let close = {
        let dialog = dialog.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                d.close();
            }
        })
    };
    let oninput = {
        let (on_search, bad_prefix) = (props.on_search.clone(), bad_prefix.clone());
        Callback::from(move |e: InputEvent| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let prefix = input.value().trim().to_lowercase();
            let ok = RoomName::check_prefix(&prefix).is_ok();
            bad_prefix.set(!ok);
            if ok {
                on_search.emit(prefix);
            }
        })
    };
    let onsubmit = Callback::from(|e: SubmitEvent| e.prevent_default());
    let dir = &props.directory;
    let rooms = dir.rooms.iter().map(|r| {
        let name = r.name.clone();
        let (on_join, dialog) = (props.on_join.clone(), dialog.clone());
        let onclick = Callback::from(move |_: MouseEvent| {
            on_join.emit(name.clone());
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                d.close();
            }
        });
        let members = match r.members {
            1 => "1 member".to_owned(),
            n => format!("{n} members"),
        };
        html! {
            <li key={r.name.to_string()}>
                <button class="browse-room" {onclick}>
                    <span class="hash">{ "#" }</span>
                    <span class="name"><bdi>{ r.name.to_string() }</bdi></span>
                    <span class="count">{ members }</span>
                </button>
            </li>
        }
    });
    let more = props.on_more.reform(|_: MouseEvent| ());
    html! {
        <dialog class="browse" ref={dialog.clone()} aria-labelledby="browse-title" {onclose}>
            if dir.open {
                <div class="browse-head">
                    <h2 id="browse-title">{ "Browse rooms" }</h2>
                    <button type="button" class="ghost" onclick={close}>{ "Close" }</button>
                </div>
                <form role="search" {onsubmit}>
                    <label for="browse-prefix">{ "Room names starting with" }</label>
                    <input id="browse-prefix" type="search" maxlength="48" autocomplete="off"
                        autofocus=true {oninput}
                        aria-describedby="browse-status" />
                </form>
                <p id="browse-status" class="muted" role="status">{ status(dir, *bad_prefix) }</p>
                <ul class="browse-rooms" aria-label="Rooms found">{ for rooms }</ul>
                if dir.next.is_some() {
                    <button type="button" class="ghost more" onclick={more} disabled={dir.loading}>
                        { "More rooms" }
                    </button>
                }
            }
        </dialog>
    }
}

/// The line under the search field, read out by screen readers as it changes.
fn status(dir: &DirectoryView, bad_prefix: bool) -> String {
    if bad_prefix {
        return "Room names have only a-z, 0-9, - and _.".into();
    }
    if dir.loading && dir.rooms.is_empty() {
        return "Searching…".into();
    }
    let more = if dir.next.is_some() { " so far" } else { "" };
    match (dir.rooms.len(), dir.prefix.is_empty()) {
        (0, true) => "No rooms yet.".into(),
        (0, false) => format!("No room names start with “{}”.", dir.prefix),
        (1, _) => format!("1 room{more}."),
        (n, _) => format!("{n} rooms{more}."),
    }
}
