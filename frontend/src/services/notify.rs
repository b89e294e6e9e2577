//! Desktop notifications through the browser's Notification API. The permission is asked
//! for from a click only ([`request_permission`]). Of several tabs of one browser, one
//! leads: each says it is alive every 2 s on a `BroadcastChannel`, and the tab with the
//! lowest id among those heard from in the last 5 s shows the notifications. Each carries a
//! tag of its room and seq, so the browser shows one even if two tabs raced.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{
    BroadcastChannel, MessageEvent, Notification, NotificationOptions, NotificationPermission,
};
use yew::Callback;

use crate::state::Alert;
use crate::util::now_ms;

const CHANNEL: &str = "parley-notifications";
/// How often a tab says it is alive.
const BEAT_MS: u32 = 2_000;
/// A tab not heard from for this long is gone.
const ALIVE_MS: f64 = 5_000.0;

/// Whether this browser has the Notification API.
pub fn supported() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &JsValue::from_str("Notification")).unwrap_or(false)
    })
}

/// The permission as it stands (denied where there is no Notification API).
pub fn permission() -> NotificationPermission {
    if supported() {
        Notification::permission()
    } else {
        NotificationPermission::Denied
    }
}

/// Asks the user for the permission (call it from a click); what they chose.
pub async fn request_permission() -> NotificationPermission {
    let Ok(promise) = Notification::request_permission() else {
        return permission();
    };
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    permission()
}

/// This tab's place among the tabs: see the module docs.
pub struct Notifier {
    id: f64,
    /// Other tabs: (id, when last heard from).
    peers: Rc<RefCell<Vec<(f64, f64)>>>,
    _channel: Option<BroadcastChannel>,
    _listener: Option<Closure<dyn FnMut(MessageEvent)>>,
    _beat: Option<Interval>,
}

impl Notifier {
    /// Joins the other tabs.
    pub fn start() -> Self {
        let id = js_sys::Math::random();
        let peers: Rc<RefCell<Vec<(f64, f64)>>> = Rc::default();
        let channel = BroadcastChannel::new(CHANNEL).ok();
        let listener = channel.as_ref().map(|ch| {
            let peers = peers.clone();
            let on = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                if let Some(other) = e.data().as_f64() {
                    let mut p = peers.borrow_mut();
                    p.retain(|(i, _)| *i != other);
                    p.push((other, now_ms()));
                }
            });
            ch.set_onmessage(Some(on.as_ref().unchecked_ref()));
            let _ = ch.post_message(&JsValue::from_f64(id));
            on
        });
        let beat = channel.clone().map(|ch| {
            Interval::new(BEAT_MS, move || {
                let _ = ch.post_message(&JsValue::from_f64(id));
            })
        });
        Self {
            id,
            peers,
            _channel: channel,
            _listener: listener,
            _beat: beat,
        }
    }

    /// Whether this tab shows the notifications.
    pub fn leads(&self) -> bool {
        let now = now_ms();
        let mut peers = self.peers.borrow_mut();
        peers.retain(|(_, at)| now - at < ALIVE_MS);
        peers.iter().all(|(other, _)| *other > self.id)
    }

    /// Shows `alert`; a click on it focuses the tab and opens its room.
    pub fn show(&self, alert: &Alert, on_click: &Callback<shared::RoomName>) {
        let opts = NotificationOptions::new();
        opts.set_body(&alert.body);
        opts.set_tag(&alert.tag);
        let Ok(n) = Notification::new_with_options(&alert.title, &opts) else {
            return;
        };
        let (room, on_click, shown) = (alert.room.clone(), on_click.clone(), n.clone());
        let click = Closure::once_into_js(move || {
            if let Some(w) = web_sys::window() {
                let _ = w.focus();
            }
            on_click.emit(room);
            shown.close();
        });
        n.set_onclick(Some(click.unchecked_ref()));
    }
}
