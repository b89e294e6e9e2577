//! Moving between rooms from the keyboard: Ctrl+K (Cmd+K on a Mac) opens the room switcher,
//! a modal dialog with a field that filters the user's rooms and conversations as they type
//! (↑/↓ choose, Enter opens, Esc closes); Alt+↑ and Alt+↓ open the previous and next room of
//! the sidebar, in its order. A native `<dialog>`: it keeps Tab inside and gives the focus
//! back when it closes.

use std::cell::RefCell;
use std::rc::Rc;

use shared::RoomName;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlDialogElement, HtmlInputElement};
use yew::prelude::*;

use super::room_list::RoomEntry;

/// Props of [`RoomSwitcher`].
#[derive(Properties, PartialEq)]
pub struct RoomSwitcherProps {
    /// The user's rooms, in name order.
    pub rooms: Vec<RoomEntry>,
    /// The room in view.
    pub current: Option<RoomName>,
    /// Brings a room into view.
    pub on_join: Callback<RoomName>,
}

/// The rooms in the sidebar's order (rooms, then direct conversations), each with the name
/// it is shown by (`#lobby`, `@bob`).
pub fn in_sidebar_order(rooms: &[RoomEntry]) -> Vec<(RoomName, String)> {
    let named = |r: &RoomEntry| match &r.direct {
        Some(with) => (r.name.clone(), format!("@{with}")),
        None => (r.name.clone(), format!("#{}", r.name)),
    };
    let rooms_first = rooms.iter().filter(|r| r.direct.is_none()).map(named);
    rooms_first
        .chain(rooms.iter().filter(|r| r.direct.is_some()).map(named))
        .collect()
}

/// Of `rooms`, the ones whose shown name holds `query` (ignoring case and a leading `#` or `@`).
pub fn matching(rooms: &[(RoomName, String)], query: &str) -> Vec<(RoomName, String)> {
    let q = query.trim().trim_start_matches(['#', '@']).to_lowercase();
    rooms
        .iter()
        .filter(|(_, shown)| shown[1..].to_lowercase().contains(&q))
        .cloned()
        .collect()
}

/// The room `step` places from `current` in `rooms`, wrapping around.
pub fn neighbour(
    rooms: &[(RoomName, String)],
    current: Option<&RoomName>,
    step: isize,
) -> Option<RoomName> {
    let n = rooms.len() as isize;
    if n == 0 {
        return None;
    }
    let at = current.and_then(|c| rooms.iter().position(|(r, _)| r == c));
    let next = match at {
        Some(i) => (i as isize + step).rem_euclid(n),
        None if step > 0 => 0,
        None => n - 1,
    };
    Some(rooms[next as usize].0.clone())
}

/// What the page-wide key handler needs of the latest render.
struct Latest {
    rooms: Vec<(RoomName, String)>,
    current: Option<RoomName>,
    on_join: Callback<RoomName>,
}

/// The room switcher, and the page's room keys.
#[function_component(RoomSwitcher)]
pub fn room_switcher(props: &RoomSwitcherProps) -> Html {
    let dialog = use_node_ref();
    let input = use_node_ref();
    let query = use_state(String::new);
    let selected = use_state(|| 0usize);
    let rooms = in_sidebar_order(&props.rooms);
    let latest = use_mut_ref(|| None::<Latest>);
    *latest.borrow_mut() = Some(Latest {
        rooms: rooms.clone(),
        current: props.current.clone(),
        on_join: props.on_join.clone(),
    });
    {
        let (dialog, input, query, selected) = (
            dialog.clone(),
            input.clone(),
            query.clone(),
            selected.clone(),
        );
        use_effect_with((), move |_| {
            let on_key = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
                on_page_key(&e, &latest, || {
                    query.set(String::new());
                    selected.set(0);
                    if let (Some(d), Some(i)) = (
                        dialog.cast::<HtmlDialogElement>(),
                        input.cast::<HtmlInputElement>(),
                    ) {
                        if !d.open() {
                            i.set_value("");
                            let _ = d.show_modal();
                            let _ = i.focus();
                        }
                    }
                })
            });
            let document = gloo_document();
            let _ = document
                .add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
            move || {
                let _ = document.remove_event_listener_with_callback(
                    "keydown",
                    on_key.as_ref().unchecked_ref(),
                );
            }
        });
    }

    let shown = matching(&rooms, &query);
    let chosen = (*selected).min(shown.len().saturating_sub(1));
    let open = {
        let (dialog, on_join) = (dialog.clone(), props.on_join.clone());
        Callback::from(move |room: RoomName| {
            if let Some(d) = dialog.cast::<HtmlDialogElement>() {
                d.close();
            }
            on_join.emit(room);
        })
    };
    let oninput = {
        let (query, selected) = (query.clone(), selected.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                query.set(i.value());
                selected.set(0);
            }
        })
    };
    let onkeydown = {
        let (selected, open, shown) = (selected.clone(), open.clone(), shown.clone());
        Callback::from(move |e: KeyboardEvent| {
            let n = shown.len();
            match e.key().as_str() {
                "ArrowDown" if n > 0 => selected.set((chosen + 1) % n),
                "ArrowUp" if n > 0 => selected.set((chosen + n - 1) % n),
                "Enter" => {
                    if let Some((room, _)) = shown.get(chosen) {
                        open.emit(room.clone());
                    }
                }
                _ => return,
            }
            e.prevent_default();
        })
    };
    let options = shown.iter().enumerate().map(|(i, (room, label))| {
        let onclick = {
            let (open, room) = (open.clone(), room.clone());
            Callback::from(move |_: MouseEvent| open.emit(room.clone()))
        };
        let current = props.current.as_ref() == Some(room);
        html! {
            <li role="option" id={format!("switcher-option-{i}")} aria-selected={(i == chosen).to_string()} {onclick}>
                <bdi>{ label.clone() }</bdi>
                if current {
                    <span class="muted">{ " (open)" }</span>
                }
            </li>
        }
    });
    let active = (!shown.is_empty()).then(|| format!("switcher-option-{chosen}"));
    html! {
        <dialog ref={dialog} class="switcher" aria-labelledby="switcher-title">
            <h2 id="switcher-title">{ "Go to a room" }</h2>
            <label for="switcher-input" class="sr-only">{ "Room or person" }</label>
            <input id="switcher-input" ref={input} type="text" autocomplete="off" role="combobox"
                aria-expanded="true" aria-controls="switcher-options" aria-autocomplete="list"
                aria-activedescendant={active} placeholder="Type a room or a name" {oninput} {onkeydown} />
            <ul id="switcher-options" role="listbox" aria-label="Rooms">{ for options }</ul>
            if shown.is_empty() {
                <p class="muted">{ "No room of yours matches." }</p>
            }
            <p class="hint muted">{ "↑/↓ choose · Enter opens · Esc closes · Alt+↑/↓ moves between rooms" }</p>
        </dialog>
    }
}

/// The page's room keys: Ctrl/Cmd+K opens the switcher (`open`), Alt+↑/↓ open the previous
/// or next room.
fn on_page_key(e: &KeyboardEvent, latest: &Rc<RefCell<Option<Latest>>>, open: impl FnOnce()) {
    let key = e.key();
    if (e.ctrl_key() || e.meta_key()) && !e.alt_key() && key.eq_ignore_ascii_case("k") {
        e.prevent_default();
        open();
    } else if e.alt_key() && !e.ctrl_key() && (key == "ArrowUp" || key == "ArrowDown") {
        let latest = latest.borrow();
        let Some(l) = latest.as_ref() else { return };
        let step = if key == "ArrowUp" { -1 } else { 1 };
        if let Some(room) = neighbour(&l.rooms, l.current.as_ref(), step) {
            e.prevent_default();
            l.on_join.emit(room);
        }
    }
}

fn gloo_document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a document")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, direct: Option<&str>) -> RoomEntry {
        RoomEntry {
            name: RoomName::parse(name).unwrap(),
            joined: true,
            unread: 0,
            mentions: 0,
            member_count: 1,
            direct: direct.map(|d| shared::Nickname::parse(d).unwrap()),
        }
    }

    #[test]
    fn rooms_come_first_then_conversations_and_the_filter_ignores_sigils_and_case() {
        let rooms = [
            entry("dm-0a", Some("Zoë")),
            entry("garden", None),
            entry("lobby", None),
        ];
        let order = in_sidebar_order(&rooms);
        let shown: Vec<&str> = order.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(shown, ["#garden", "#lobby", "@Zoë"]);
        let names =
            |q| -> Vec<String> { matching(&order, q).into_iter().map(|(_, s)| s).collect() };
        assert_eq!(names("GAR"), ["#garden"]);
        assert_eq!(names("#lob"), ["#lobby"]);
        assert_eq!(names("@zo"), ["@Zoë"]);
        assert_eq!(names(""), ["#garden", "#lobby", "@Zoë"]);
        assert!(names("nothing").is_empty());
    }

    #[test]
    fn alt_arrows_move_through_the_sidebar_and_wrap() {
        let order = in_sidebar_order(&[entry("a", None), entry("b", None), entry("c", None)]);
        let room = |n: &str| RoomName::parse(n).unwrap();
        assert_eq!(neighbour(&order, Some(&room("a")), 1), Some(room("b")));
        assert_eq!(neighbour(&order, Some(&room("c")), 1), Some(room("a")));
        assert_eq!(neighbour(&order, Some(&room("a")), -1), Some(room("c")));
        assert_eq!(neighbour(&order, None, -1), Some(room("c")));
        assert_eq!(neighbour(&[], None, 1), None);
    }
}
