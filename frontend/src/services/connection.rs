//! The connection to the server: opens the WebSocket (the session cookie authenticates it),
//! reconnects with exponential backoff and jitter, and after each reconnect rejoins the rooms
//! from the last `seq` seen and re-sends every message not yet acknowledged (same client id,
//! so never stored twice). When the session has ended it stops and says so.
//!
//! Plain async code, no UI: it reports [`ConnEvent`]s through a callback and takes commands
//! through a [`Connection`] handle.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use futures::channel::mpsc;
use futures::{select, FutureExt, SinkExt, StreamExt};
use gloo_net::websocket::{futures::WebSocket, Message, WebSocketError};
use shared::{ClientMsg, CloseReason, RoomName, Seq, ServerMsg};
use yew::Callback;

use super::api;
use crate::state::ConnStatus;
use crate::util::{now_ms, random, ws_url};

/// First reconnect delay; doubled per failed attempt up to [`BACKOFF_MAX_MS`].
const BACKOFF_BASE_MS: f64 = 500.0;
/// Longest reconnect delay.
const BACKOFF_MAX_MS: f64 = 30_000.0;

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

/// A message sent but not acknowledged.
#[derive(Debug, Clone)]
struct Unacked {
    room: RoomName,
    client_id: String,
    text: String,
}

/// What must survive a reconnect.
#[derive(Default)]
struct Session {
    /// Rooms to be in, with the last seq seen (None: never joined yet).
    rooms: BTreeMap<RoomName, Option<Seq>>,
    unacked: Vec<Unacked>,
    /// A `welcome` arrived on the current socket: frames can be sent.
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
    session: Rc<RefCell<Session>>,
    tx: mpsc::UnboundedSender<Cmd>,
}

impl PartialEq for Connection {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
    }
}

impl Connection {
    /// Starts connecting; events go to `on_event`.
    pub fn start(on_event: Callback<ConnEvent>) -> Self {
        let (tx, rx) = mpsc::unbounded();
        let conn = Self {
            session: Rc::default(),
            tx,
        };
        wasm_bindgen_futures::spawn_local(run(conn.session.clone(), rx, on_event));
        conn
    }

    fn frame(&self, msg: &ClientMsg) {
        if self.session.borrow().open {
            let _ = self.tx.unbounded_send(Cmd::Frame(msg.to_json()));
        }
    }

    /// Joins a room (now, or on connect).
    pub fn join(&self, room: RoomName) {
        let after = *self
            .session
            .borrow_mut()
            .rooms
            .entry(room.clone())
            .or_insert(None);
        self.frame(&join_msg(&room, after));
    }

    /// Leaves a room.
    pub fn leave(&self, room: RoomName) {
        self.session.borrow_mut().rooms.remove(&room);
        self.frame(&ClientMsg::Leave {
            room: room.to_string(),
        });
    }

    /// Sends a chat message now, or when connected; retries it after reconnects until acked.
    pub fn send(&self, room: RoomName, client_id: String, text: String) {
        let msg = ClientMsg::Send {
            room: room.to_string(),
            client_id: client_id.clone(),
            text: text.clone(),
        };
        self.session.borrow_mut().unacked.push(Unacked {
            room,
            client_id,
            text,
        });
        self.frame(&msg);
    }

    /// Asks for older messages.
    pub fn history(&self, room: RoomName, before: Seq) {
        self.frame(&ClientMsg::History {
            room: room.to_string(),
            before,
            limit: None,
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

fn join_msg(room: &RoomName, after: Option<Seq>) -> ClientMsg {
    // The server takes the nickname from the session.
    ClientMsg::Join {
        room: room.to_string(),
        nickname: None,
        after,
    }
}

/// How a socket ended.
enum End {
    /// Try again after a backoff.
    Retry,
    /// Do not retry until the user asks; says why.
    Stop(String),
    /// The session is gone.
    SessionEnded,
    /// Stopped on purpose.
    Quit,
}

async fn run(
    session: Rc<RefCell<Session>>,
    mut rx: mpsc::UnboundedReceiver<Cmd>,
    on_event: Callback<ConnEvent>,
) {
    let mut attempt: u32 = 0;
    loop {
        let end = match WebSocket::open(&ws_url()) {
            Ok(ws) => drive(ws, &session, &mut rx, &on_event, &mut attempt).await,
            Err(err) => End::Stop(format!("cannot open a WebSocket: {err}")),
        };
        let was_open = std::mem::take(&mut session.borrow_mut().open);
        // Browsers hide why an upgrade failed (a 401 looks like any network error): ask.
        let end = match end {
            End::Retry if !was_open => match api::current_session().await {
                Ok(None) => End::SessionEnded,
                _ => End::Retry,
            },
            end => end,
        };
        match end {
            End::Quit => return,
            End::SessionEnded => {
                on_event.emit(ConnEvent::SessionEnded);
                return;
            }
            End::Retry => {
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

/// Exponential backoff with jitter: half the nominal delay plus a random part of the rest,
/// so clients cut off together do not all come back in the same instant.
fn backoff_ms(attempt: u32) -> f64 {
    let nominal = (BACKOFF_BASE_MS * 2f64.powi(attempt.min(16) as i32 - 1)).min(BACKOFF_MAX_MS);
    nominal * (0.5 + 0.5 * random())
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
    session: &Rc<RefCell<Session>>,
    rx: &mut mpsc::UnboundedReceiver<Cmd>,
    on_event: &Callback<ConnEvent>,
    attempt: &mut u32,
) -> End {
    // Frames queued for an earlier socket are covered by the rejoin and re-send below.
    while rx.try_recv().is_ok() {}
    let (mut sink, mut stream) = ws.split();
    loop {
        select! {
            item = stream.next().fuse() => match item {
                Some(Ok(Message::Text(text))) => {
                    let Ok(msg) = serde_json::from_str::<ServerMsg>(&text) else { continue };
                    let welcome = matches!(msg, ServerMsg::Welcome { .. });
                    observe(session, &msg);
                    on_event.emit(ConnEvent::Msg(msg));
                    if welcome {
                        *attempt = 0;
                        on_event.emit(ConnEvent::Status(ConnStatus::Connected));
                        for frame in resume_frames(session) {
                            if sink.send(Message::Text(frame)).await.is_err() {
                                return End::Retry;
                            }
                        }
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
        _ => End::Retry,
    }
}

/// Tracks what a reconnect needs from a server message.
fn observe(session: &Rc<RefCell<Session>>, msg: &ServerMsg) {
    let mut s = session.borrow_mut();
    match msg {
        ServerMsg::Welcome { .. } => s.open = true,
        ServerMsg::Joined { room, after, .. } => {
            if let Some(seen) = s.rooms.get_mut(room) {
                *seen = Some(seen.unwrap_or(*after).max(*after));
            }
        }
        ServerMsg::Message(m) => {
            if let Some(seen) = s.rooms.get_mut(&m.room) {
                *seen = Some(seen.unwrap_or(m.seq).max(m.seq));
            }
        }
        ServerMsg::Ack { client_id, .. } => s.unacked.retain(|u| u.client_id != client_id.as_str()),
        ServerMsg::Error {
            client_id: Some(id),
            ..
        } => s.unacked.retain(|u| u.client_id != id.as_str()),
        _ => {}
    }
}

/// The frames that restore a session on a new socket: rejoins, then unacked sends in order.
fn resume_frames(session: &Rc<RefCell<Session>>) -> Vec<String> {
    let s = session.borrow();
    let joins = s.rooms.iter().map(|(room, after)| join_msg(room, *after));
    let sends = s.unacked.iter().map(|u| ClientMsg::Send {
        room: u.room.to_string(),
        client_id: u.client_id.clone(),
        text: u.text.clone(),
    });
    joins.chain(sends).map(|m| m.to_json()).collect()
}
