//! Drafts: what a user half-typed in each room, kept in the browser's local storage so that
//! it survives a room switch and a reload, and cleared when it is sent. One entry per user
//! (`parley:drafts:<nickname in lower case>`), holding at most [`MAX_DRAFTS`] rooms (the
//! latest typed in), each at most [`shared::TEXT_MAX_CHARS`] characters. Signing out wipes
//! every user's drafts from this browser, for shared computers.

use shared::{Nickname, RoomName, TEXT_MAX_CHARS};
use web_sys::Storage;

/// Most rooms with a draft per user; the one typed in longest ago goes first.
pub const MAX_DRAFTS: usize = 50;
/// The prefix of every draft entry.
const PREFIX: &str = "parley:drafts:";

fn storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn key(me: &Nickname) -> String {
    format!("{PREFIX}{}", me.as_str().to_lowercase())
}

/// `me`'s drafts, the latest typed in last.
fn all(store: &Storage, me: &Nickname) -> Vec<(String, String)> {
    store
        .get_item(&key(me))
        .ok()
        .flatten()
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

/// The draft of `room`, if any.
pub fn load(me: &Nickname, room: &RoomName) -> Option<String> {
    let store = storage()?;
    all(&store, me)
        .into_iter()
        .find(|(r, _)| r == room.as_str())
        .map(|(_, text)| text)
}

/// Keeps `text` as the draft of `room` (an empty text clears it).
pub fn save(me: &Nickname, room: &RoomName, text: &str) {
    let Some(store) = storage() else { return };
    let mut drafts = all(&store, me);
    put(&mut drafts, room, text);
    let _ = if drafts.is_empty() {
        store.remove_item(&key(me))
    } else {
        store.set_item(
            &key(me),
            &serde_json::to_string(&drafts).unwrap_or_default(),
        )
    };
}

/// `drafts` with `text` as the draft of `room`, the latest: at most [`MAX_DRAFTS`] rooms
/// (the one typed in longest ago goes), each at most [`TEXT_MAX_CHARS`] characters.
fn put(drafts: &mut Vec<(String, String)>, room: &RoomName, text: &str) {
    drafts.retain(|(r, _)| r != room.as_str());
    if !text.trim().is_empty() {
        let text: String = text.chars().take(TEXT_MAX_CHARS).collect();
        drafts.push((room.to_string(), text));
    }
    let over = drafts.len().saturating_sub(MAX_DRAFTS);
    drafts.drain(..over);
}

/// Forgets every draft kept in this browser, of every user.
pub fn wipe() {
    let Some(store) = storage() else { return };
    let n = store.length().unwrap_or(0);
    let keys: Vec<String> = (0..n)
        .filter_map(|i| store.key(i).ok().flatten())
        .filter(|k| k.starts_with(PREFIX))
        .collect();
    for k in keys {
        let _ = store.remove_item(&k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_are_bounded_in_rooms_and_characters_and_an_empty_one_goes() {
        let room = |i: usize| RoomName::parse(&format!("r{i}")).unwrap();
        let mut drafts = Vec::new();
        for i in 0..MAX_DRAFTS + 5 {
            put(&mut drafts, &room(i), "half");
        }
        assert_eq!(drafts.len(), MAX_DRAFTS);
        assert_eq!(drafts[0].0, "r5", "the oldest went first");
        put(&mut drafts, &room(7), &"é".repeat(TEXT_MAX_CHARS + 10));
        let last = drafts.last().unwrap();
        assert_eq!(
            (last.0.as_str(), last.1.chars().count()),
            ("r7", TEXT_MAX_CHARS)
        );
        assert_eq!(drafts.len(), MAX_DRAFTS, "typed again: moved, not added");
        put(&mut drafts, &room(7), "  ");
        assert!(drafts.iter().all(|(r, _)| r != "r7"), "cleared");
    }
}
