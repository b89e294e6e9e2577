//! The connection to the server: opens the WebSocket (the session cookie authenticates it),
//! reconnects with exponential backoff and jitter, and when the session has ended it stops
//! and says so.
//!
//! It keeps only what is about the socket. What a new socket must restore (rooms to rejoin,
//! from which seq, messages not acknowledged yet) is the state's: after each `welcome` the
//! owner hands [`Connection::resume`] the frames from `ChatState::resume_frames`, and only
//! then does the link send live frames. Frames asked for before that are dropped, since the
//! resume covers them.
//!
//! Plain async code, no UI: it reports [`ConnEvent`]s through a callback and takes commands
//! through a [`Connection`] handle.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::{select, FutureExt, SinkExt, StreamExt};
use gloo_net::websocket::{futures::WebSocket, Message, WebSocketError};
use shared::{Backoff, ClientMsg, CloseReason, HistoryFrom, Nickname, RoomName, Seq, ServerMsg};
use yew::Callback;

use super::api;
use crate::state::{join_frame, react_frame, send_frame, ConnStatus, PendingReact};
use crate::util::{now_ms, random, ws_url};

/// Rooms per page of the "Browse rooms" dialog.
const DIRECTORY_PAGE: u32 = 50;

/// What the connection reports.
#[derive(Debug, Clone)]
pub enum ConnEvent {
    /// The connection's status changed.
    Status(ConnStatus),
    /// A message arrived.
    Msg(ServerMsg),
    /// The session is gone (expired, signed out elsewhere): sign in again.
    SessionEnded,
}

/// Where the current socket stands. Reset when a socket ends.
#[derive(Default)]
struct Link {
    /// A `welcome` arrived on it: it waits for [`Connection::resume`].
    welcomed: bool,
    /// The resume frames went out: live frames can follow.
    open: bool,
}

enum Cmd {
    Frame(String),
    /// Skip the rest of the backoff and reconnect now.
    Wake,
    /// Close and stop for good (signed out).
    Stop,
}

/// Cloneable handle to the connection.
#[derive(Clone)]
pub struct Connection {
    link: Rc<RefCell<Link>>,
    tx: mpsc::UnboundedSender<Cmd>,
}

impl PartialEq for Connection {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.link, &other.link)
    }
}

impl Connection {
    /// Starts connecting; events go to `on_event`.
    pub fn start(on_event: Callback<ConnEvent>) -> Self {
        let (tx, rx) = mpsc::unbounded();
        let conn = Self {
            link: Rc::default(),
            tx,
        };
        wasm_bindgen_futures::spawn_local(run(conn.link.clone(), rx, on_event));
        conn
    }

    fn queue(&self, msg: &ClientMsg) {
        let _ = self.tx.unbounded_send(Cmd::Frame(msg.to_json()));
    }

    /// Sends a frame if the link is open; drops it otherwise (the next resume covers it).
    fn frame(&self, msg: &ClientMsg) {
        if self.link.borrow().open {
            self.queue(msg);
        }
    }

    /// Restores the chat on a socket that was just welcomed: sends `frames` (the state's
    /// resume frames) in order, then opens the link to live frames. Does nothing if the
    /// socket is not waiting for it (already resumed, or gone: the next welcome asks again).
    pub fn resume(&self, frames: Vec<ClientMsg>) {
        let mut link = self.link.borrow_mut();
        if !link.welcomed || link.open {
            return;
        }
        for msg in &frames {
            self.queue(msg);
        }
        link.open = true;
    }

    /// Joins a room, with the messages after `after` (None: the latest page) and the
    /// reactions changed after `changes_after`.
    pub fn join(&self, room: RoomName, after: Option<Seq>, changes_after: Option<u64>) {
        self.frame(&join_frame(&room, after, changes_after));
    }

    /// Leaves a room.
    pub fn leave(&self, room: RoomName) {
        self.frame(&ClientMsg::Leave {
            room: room.to_string(),
        });
    }

    /// Sends a chat message (the state keeps it for the resume until it is acked).
    pub fn send(&self, room: RoomName, client_id: String, text: String, reply_to: Option<Seq>) {
        self.frame(&send_frame(&room, &client_id, &text, reply_to));
    }

    /// Adds (or takes back) an own reaction (the state keeps it for the resume until it is
    /// answered).
    pub fn react(&self, room: &RoomName, react: &PendingReact) {
        self.frame(&react_frame(room, react));
    }

    /// Asks for a page of `room`'s messages: before, after or around a seq.
    pub fn history(&self, room: RoomName, from: HistoryFrom, limit: Option<u32>) {
        let (mut before, mut after, mut around) = (None, None, None);
        match from {
            HistoryFrom::Latest => {}
            HistoryFrom::Before(s) => before = Some(s),
            HistoryFrom::After(s) => after = Some(s),
            HistoryFrom::Around(s) => around = Some(s),
        }
        self.frame(&ClientMsg::History {
            room: room.to_string(),
            before,
            after,
            around,
            limit,
        });
    }

    /// Asks for a page of the room directory: rooms whose names start with `prefix`, after
    /// `after`.
    pub fn list_rooms(&self, prefix: &str, after: Option<&RoomName>) {
        self.frame(&ClientMsg::ListRooms {
            prefix: Some(prefix.to_owned()),
            after: after.map(ToString::to_string),
            limit: Some(DIRECTORY_PAGE),
        });
    }

    /// Asks for the member counts of these rooms (at most `shared::ROOM_COUNTS_MAX`).
    pub fn room_counts(&self, rooms: &[RoomName]) {
        self.frame(&ClientMsg::RoomCounts {
            rooms: rooms.iter().map(ToString::to_string).collect(),
        });
    }

    /// Chooses what in `room` notifies this user.
    pub fn set_notify(&self, room: &RoomName, level: shared::NotifyLevel) {
        self.frame(&ClientMsg::SetNotify {
            room: room.to_string(),
            level,
        });
    }

    /// Opens the direct conversation with `nickname`.
    pub fn open_direct(&self, nickname: &Nickname) {
        self.frame(&ClientMsg::OpenDirect {
            nickname: nickname.to_string(),
        });
    }

    /// Says this user read `room` up to `seq`.
    pub fn read(&self, room: &RoomName, seq: Seq) {
        self.frame(&ClientMsg::Read {
            room: room.to_string(),
            seq,
        });
    }

    /// Says this user is typing in `room` (or stopped).
    pub fn typing(&self, room: &RoomName, typing: bool) {
        self.frame(&ClientMsg::Typing {
            room: room.to_string(),
            typing,
        });
    }

    /// Reconnects now instead of waiting out the backoff.
    pub fn reconnect_now(&self) {
        let _ = self.tx.unbounded_send(Cmd::Wake);
    }

    /// Closes the socket and stops.
    pub fn stop(&self) {
        let _ = self.tx.unbounded_send(Cmd::Stop);
    }
}

/// How a socket ended.
enum End {
    /// Try again after a backoff.
    Retry,
    /// The server is over capacity (close 1013): try again after a backoff, without asking
    /// whether the session lives (the server checked it before the upgrade, and one more
    /// request is the last thing a busy server needs).
    Busy,
    /// Do not retry until the user asks; says why.
    Stop(String),
    /// The session is gone.
    SessionEnded,
    /// The session was replaced by a new one, whose cookie the browser already holds (a
    /// password was set or used): reconnect at once.
    Replaced,
    /// Stopped on purpose.
    Quit,
}

async fn run(
    link: Rc<RefCell<Link>>,
    mut rx: mpsc::UnboundedReceiver<Cmd>,
    on_event: Callback<ConnEvent>,
) {
    let mut attempt: u32 = 0;
    // Just replaced: the new cookie may land a moment after the close, so one failed attempt
    // is retried before asking whether the session ended.
    let mut replaced = false;
    loop {
        let end = match WebSocket::open(&ws_url()) {
            Ok(ws) => drive(ws, &link, &mut rx, &on_event, &mut attempt).await,
            Err(err) => End::Stop(format!("cannot open a WebSocket: {err}")),
        };
        let welcomed = std::mem::take(&mut *link.borrow_mut()).welcomed;
        let just_replaced = std::mem::take(&mut replaced);
        // Browsers hide why an upgrade failed (a 401 looks like any network error): ask.
        let end = match end {
            End::Retry if !welcomed && !just_replaced => match api::current_session().await {
                Ok(None) => End::SessionEnded,
                _ => End::Retry,
            },
            end => end,
        };
        match end {
            End::Quit => return,
            End::Replaced => replaced = true,
            End::SessionEnded => {
                on_event.emit(ConnEvent::SessionEnded);
                return;
            }
            End::Retry | End::Busy => {
                attempt += 1;
                let delay = backoff_ms(attempt);
                on_event.emit(ConnEvent::Status(ConnStatus::Reconnecting {
                    at_ms: now_ms() + delay,
                    attempt,
                }));
                if !wait(&mut rx, Some(delay)).await {
                    return;
                }
            }
            End::Stop(reason) => {
                on_event.emit(ConnEvent::Status(ConnStatus::Disconnected { reason }));
                if !wait(&mut rx, None).await {
                    return;
                }
            }
        }
    }
}

/// Exponential backoff with jitter ([`Backoff::PARLEY`], shared with the load generator), so
/// clients cut off together do not all come back in the same instant.
fn backoff_ms(attempt: u32) -> f64 {
    Backoff::PARLEY.delay_ms(attempt, random())
}

/// Waits for the delay (or forever) unless woken; drops stale frames meanwhile. False if
/// told to stop.
async fn wait(rx: &mut mpsc::UnboundedReceiver<Cmd>, delay_ms: Option<f64>) -> bool {
    let mut timer = match delay_ms {
        Some(ms) => gloo_timers::future::TimeoutFuture::new(ms as u32).fuse(),
        None => gloo_timers::future::TimeoutFuture::new(u32::MAX).fuse(),
    };
    loop {
        select! {
            _ = timer => return true,
            cmd = rx.next() => match cmd {
                Some(Cmd::Wake) => return true,
                Some(Cmd::Stop) | None => return false,
                Some(Cmd::Frame(_)) => {}
            },
        }
    }
}

/// Runs one socket until it ends.
async fn drive(
    ws: WebSocket,
    link: &Rc<RefCell<Link>>,
    rx: &mut mpsc::UnboundedReceiver<Cmd>,
    on_event: &Callback<ConnEvent>,
    attempt: &mut u32,
) -> End {
    // Frames queued for an earlier socket are covered by this one's resume.
    while rx.try_recv().is_ok() {}
    let (mut sink, mut stream) = ws.split();
    loop {
        select! {
            item = stream.next().fuse() => match item {
                Some(Ok(Message::Text(text))) => {
                    let Ok(msg) = serde_json::from_str::<ServerMsg>(&text) else { continue };
                    let welcome = matches!(msg, ServerMsg::Welcome { .. });
                    if welcome {
                        // Before the state hears of it, so its resume finds the link ready.
                        link.borrow_mut().welcomed = true;
                        *attempt = 0;
                    }
                    on_event.emit(ConnEvent::Msg(msg));
                    if welcome {
                        on_event.emit(ConnEvent::Status(ConnStatus::Connected));
                    }
                }
                Some(Ok(Message::Bytes(_))) => {}
                Some(Err(WebSocketError::ConnectionClose(ev))) => return closed(ev.code),
                Some(Err(_)) => {}
                None => return End::Retry,
            },
            cmd = rx.next() => match cmd {
                Some(Cmd::Frame(text)) => {
                    if sink.send(Message::Text(text)).await.is_err() {
                        return End::Retry;
                    }
                }
                Some(Cmd::Wake) => {}
                Some(Cmd::Stop) | None => return End::Quit,
            },
        }
    }
}

/// Decides what a close code means for reconnecting.
fn closed(code: u16) -> End {
    match CloseReason::from_code(code) {
        Some(CloseReason::ProtocolVersion) => {
            End::Stop("Parley was updated: reload the page to get the new version.".into())
        }
        Some(CloseReason::Unauthorized) => End::SessionEnded,
        Some(CloseReason::TryAgainLater) => End::Busy,
        Some(CloseReason::SessionReplaced) => End::Replaced,
        _ => End::Retry,
    }
}

#[cfg(test)]
mod tests {
    use super::{closed, End};

    #[test]
    fn a_replaced_session_reconnects_at_once_and_an_ended_one_goes_to_sign_in() {
        assert!(matches!(closed(4002), End::Replaced), "session_replaced");
        assert!(matches!(closed(4001), End::SessionEnded), "unauthorized");
        assert!(matches!(closed(1001), End::Retry), "going_away");
    }
}
