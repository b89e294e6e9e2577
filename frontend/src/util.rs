//! Small browser helpers: clock, ids, formatting, the page's location.

use std::cell::Cell;

/// Milliseconds since the Unix epoch, from the browser's clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Whether the user can be reading the page: it is visible and its window has focus.
pub fn page_is_watched() -> bool {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    doc.visibility_state() == web_sys::VisibilityState::Visible && doc.has_focus().unwrap_or(false)
}

/// Milliseconds left until `at_ms` (browser clock), never negative.
pub fn ms_until(at_ms: f64) -> f64 {
    (at_ms - now_ms()).max(0.0)
}

/// The user's local calendar day of a timestamp (ms since the epoch).
pub fn local_day(ts_ms: f64) -> (i32, u32, u32) {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ts_ms));
    (d.get_full_year() as i32, d.get_month() + 1, d.get_date())
}

/// A timestamp as ISO 8601 (for `<time datetime>`), and in full in the user's locale (its
/// title).
pub fn iso_and_full(ts_ms: i64) -> (String, String) {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ts_ms as f64));
    let iso = d.to_iso_string().as_string().unwrap_or_default();
    let full = d
        .to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)
        .as_string()
        .unwrap_or_default();
    (iso, full)
}

/// `HH:MM` in the user's local time for a server timestamp.
pub fn local_time(ts_ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ts_ms as f64));
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

thread_local! {
    static COUNTER: Cell<u32> = const { Cell::new(0) };
}

/// A fresh client message id: random per page load, then counting.
pub fn new_client_id() -> String {
    thread_local! {
        static PREFIX: String = format!(
            "{:08x}{:08x}",
            (js_sys::Math::random() * u32::MAX as f64) as u32,
            (js_sys::Math::random() * u32::MAX as f64) as u32
        );
    }
    let n = COUNTER.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    PREFIX.with(|p| format!("{p}-{n}"))
}

/// The page's location, or `None` outside a browser window.
fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|w| w.location())
}

/// The chat WebSocket's URL, derived from the page's own: `wss:` under https, `ws:` otherwise.
pub fn ws_url() -> String {
    let loc = location();
    let https = loc
        .as_ref()
        .and_then(|l| l.protocol().ok())
        .is_some_and(|p| p == "https:");
    let host = loc
        .and_then(|l| l.host().ok())
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let scheme = if https { "wss" } else { "ws" };
    format!("{scheme}://{host}/ws?v={}", shared::PROTOCOL_VERSION)
}

/// The room named by the page's path (`/r/{room}`, or a permalink `/r/{room}/{seq}`), if
/// any, with the permalink's message.
pub fn room_from_path() -> Option<(shared::RoomName, Option<shared::Seq>)> {
    let path = location()?.pathname().ok()?;
    parse_room_path(&path)
}

/// `/r/{room}` or `/r/{room}/{seq}`.
pub fn parse_room_path(path: &str) -> Option<(shared::RoomName, Option<shared::Seq>)> {
    let rest = path.strip_prefix("/r/")?;
    let (room, seq) = match rest.split_once('/') {
        Some((room, seq)) => (
            room,
            Some(shared::Seq(seq.parse().ok().filter(|s| *s > 0)?)),
        ),
        None => (rest, None),
    };
    Some((shared::RoomName::parse(room).ok()?, seq))
}

/// The address of the message at `seq` of `room` (its permalink).
pub fn permalink(room: &shared::RoomName, seq: shared::Seq) -> String {
    let origin = location().and_then(|l| l.origin().ok()).unwrap_or_default();
    format!("{origin}/r/{room}/{}", seq.0)
}

/// Shows `/r/{room}` in the address bar without reloading, so the URL can be shared.
pub fn show_room_in_path(room: &shared::RoomName) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("/r/{room}")),
        );
    }
}

/// A random number in `[0, 1)`.
pub fn random() -> f64 {
    js_sys::Math::random()
}

#[cfg(test)]
mod tests {
    use super::parse_room_path;
    use shared::{RoomName, Seq};

    #[test]
    fn a_rooms_path_and_a_permalink_are_told_apart_and_bad_ones_are_none() {
        let lobby = RoomName::parse("lobby").unwrap();
        assert_eq!(parse_room_path("/r/lobby"), Some((lobby.clone(), None)));
        assert_eq!(parse_room_path("/r/lobby/42"), Some((lobby, Some(Seq(42)))));
        for bad in [
            "/",
            "/r/",
            "/r/Bad Room",
            "/r/lobby/0",
            "/r/lobby/x",
            "/r/lobby/-1",
            "/r/lobby/4/2",
        ] {
            assert_eq!(parse_room_path(bad), None, "{bad}");
        }
    }
}
