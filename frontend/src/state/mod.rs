//! The app's state and its reducer: every server message and user action becomes an
//! [`Action`], and [`ChatState::reduce`] is the only place the state changes.
//!
//! Messages are kept per room by `seq`, so a message that arrives twice (an ack and its
//! broadcast copy, or a catch-up after a reconnect) is shown once, in order. The state is
//! also the only record of what a new socket must restore (the rooms to rejoin, from where,
//! and the messages not acknowledged yet): see [`ChatState::resume_frames`].
//!
//! Each room sits behind its own `Rc`, changed with `Rc::make_mut`: an action on one room
//! leaves the others pointer-identical, so components showing them can skip a render.
//!
//! Pure: no browser calls, so the reducer's tests run natively.

mod actions;
mod alerts;
mod direct;
mod directory;
#[cfg(test)]
pub(crate) mod fixtures;
mod reactions;
mod read;
mod resume;
mod room;
mod server;
#[cfg(test)]
mod tests;
mod typing;

use std::collections::BTreeMap;
use std::rc::Rc;

use shared::{Nickname, RoomName};
use yew::Reducible;

pub use actions::Action;
pub use alerts::Alert;
pub use directory::DirectoryView;
pub use resume::{join_frame, react_frame, send_frame};
pub use room::{Pending, PendingReact, PendingStatus, RoomView};
pub use typing::{typing_line, Typist};

/// The connection as the banner shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum ConnStatus {
    /// Opening the first connection.
    Connecting,
    /// Open.
    Connected,
    /// Lost; the next attempt starts at `at_ms` (browser clock).
    Reconnecting {
        /// When the next attempt starts.
        at_ms: f64,
        /// How many attempts failed in a row.
        attempt: u32,
    },
    /// Given up until the user acts; says why.
    Disconnected {
        /// For people.
        reason: String,
    },
}

/// Which screen is shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    /// Asking the server whether there is a session already.
    Starting,
    /// Pick a nickname; with the last refusal, if any.
    Nickname {
        /// Why the last nickname was refused.
        error: Option<String>,
    },
    /// Chatting.
    Chat,
}

/// A short message in the corner.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    /// Identifies it for dismissal.
    pub id: u64,
    /// The text.
    pub text: String,
}

/// At most this many toasts are shown; a new one pushes out the oldest.
const MAX_TOASTS: usize = 5;

/// Everything the UI shows.
#[derive(Debug, Clone)]
pub struct ChatState {
    /// The connection.
    pub conn: ConnStatus,
    /// The screen.
    pub screen: Screen,
    /// The signed-in nickname.
    pub me: Option<Nickname>,
    /// A sign-in request is on its way.
    pub signing_in: bool,
    /// The user's own rooms by name (the sidebar): those in `welcome`, and those joined
    /// since. The rest are in the directory.
    pub rooms: BTreeMap<RoomName, Rc<RoomView>>,
    /// The "Browse rooms" dialog.
    pub directory: DirectoryView,
    /// The room in view.
    pub current: Option<RoomName>,
    /// Toasts, oldest first.
    pub toasts: Vec<Toast>,
    next_toast: u64,
    /// The latest live message from someone else in the room in view, for screen readers:
    /// (a counter, so that the same text twice is announced twice, "alice: text").
    pub announce: Option<(u64, String)>,
    /// Messages that call for a desktop notification, the latest [`alerts::ALERTS_KEPT`].
    pub alerts: Vec<Alert>,
    next_alert: u64,
    /// How many `welcome`s arrived, ever (a reset keeps it): each asks for a resume.
    welcomes: u64,
    /// Bumped by every change; equality compares it.
    version: u64,
}

impl PartialEq for ChatState {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

impl Default for ChatState {
    fn default() -> Self {
        Self {
            conn: ConnStatus::Connecting,
            screen: Screen::Starting,
            me: None,
            signing_in: false,
            rooms: BTreeMap::new(),
            directory: DirectoryView::default(),
            current: None,
            toasts: Vec::new(),
            next_toast: 1,
            announce: None,
            alerts: Vec::new(),
            next_alert: 1,
            welcomes: 0,
            version: 0,
        }
    }
}

impl Reducible for ChatState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        s.version += 1;
        s.apply(action);
        Rc::new(s)
    }
}

impl ChatState {
    /// The room in view.
    pub fn current_room(&self) -> Option<&Rc<RoomView>> {
        self.current.as_ref().and_then(|r| self.rooms.get(r))
    }

    /// How many `welcome`s the state has seen: a change means a new socket is waiting for
    /// [`ChatState::resume_frames`].
    pub fn welcomes(&self) -> u64 {
        self.welcomes
    }

    /// The room, created if unknown, unshared so that it can be changed.
    fn room_mut(&mut self, name: &RoomName) -> &mut RoomView {
        Rc::make_mut(
            self.rooms
                .entry(name.clone())
                .or_insert_with(|| Rc::new(RoomView::new(name.clone()))),
        )
    }

    fn toast(&mut self, text: String) {
        let id = self.next_toast;
        self.next_toast += 1;
        self.toasts.push(Toast { id, text });
        if self.toasts.len() > MAX_TOASTS {
            self.toasts.remove(0);
        }
    }

    fn is_me(&self, nick: &Nickname) -> bool {
        self.me.as_ref().is_some_and(|m| same_name(m, nick))
    }

    /// Forgets everything but the counters, and shows `screen`.
    fn reset(&mut self, screen: Screen) {
        *self = ChatState {
            screen,
            welcomes: self.welcomes,
            version: self.version,
            ..ChatState::default()
        };
    }
}

/// Whether two names are one user's, as the UI tells: ignoring case. Not by
/// [`Nickname::key`] or [`Nickname::folded`]: the server keeps look-alikes apart and sends
/// names normalised, and the Unicode tables behind those two would add about 100 KB to the
/// SPA (never called here, they are not linked in).
pub fn same_name(a: &Nickname, b: &Nickname) -> bool {
    a.as_str().to_lowercase() == b.as_str().to_lowercase()
}
