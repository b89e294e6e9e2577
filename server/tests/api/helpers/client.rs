//! [`Client`]: a WebSocket client speaking Parley's protocol, with typed readers and
//! markers for "nothing came before this".

use std::net::SocketAddr;

use futures_util::{SinkExt, StreamExt};
use shared::{ChatMessage, ClientMsg, CloseReason, ErrorCode, ServerMsg};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::*;

/// `/ws` with this protocol's version.
pub fn ws_path() -> String {
    format!("/ws?v={}", shared::PROTOCOL_VERSION)
}

/// A WebSocket client speaking Parley's protocol.
pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Its session token.
    pub token: String,
}

impl Client {
    /// Creates a session for `nick`, connects with its token and reads the `welcome` frame.
    pub async fn connect(addr: SocketAddr, nick: &str) -> Client {
        let token = session(addr, nick).await;
        Self::reconnect(addr, &token).await
    }

    /// Connects again with a session's token (after a disconnect or a restart).
    pub async fn reconnect(addr: SocketAddr, token: &str) -> Client {
        let mut c = Self::connect_raw(addr, &ws_path(), token).await;
        c.expect_welcome().await;
        c
    }

    /// Connects to `path` with a token, without reading anything.
    pub async fn connect_raw(addr: SocketAddr, path: &str, token: &str) -> Client {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut req = format!("ws://{addr}{path}").into_client_request().unwrap();
        req.headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
        let (ws, _) = tokio_tungstenite::connect_async(req)
            .await
            .expect("websocket connects");
        Client {
            ws,
            token: token.to_owned(),
        }
    }

    /// Sends a protocol message.
    pub async fn send(&mut self, msg: &ClientMsg) {
        self.send_text(&msg.to_json()).await;
    }

    /// Sends a text frame as is.
    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("send");
    }

    /// Asks to join `room`; returns the answer: `joined`, or the refusal (other frames are
    /// skipped).
    pub async fn try_join(&mut self, room: &str) -> Result<Joined, Refusal> {
        self.send(&ClientMsg::Join {
            room: room.into(),
            nickname: None,
            after: None,
            changes_after: None,
        })
        .await;
        self.recv_either().await
    }

    /// Joins `room` and returns the `joined` frame's members.
    pub async fn join(&mut self, room: &str) -> Vec<String> {
        let joined = self
            .try_join(room)
            .await
            .unwrap_or_else(|e| panic!("expected to join #{room}, got {e:?}"));
        assert_eq!(joined.room, room, "expected joined #{room}, got {joined:?}");
        joined.members
    }

    /// Leaves `room` and waits for its `left`.
    pub async fn leave(&mut self, room: &str) {
        self.send(&ClientMsg::Leave { room: room.into() }).await;
        let left: Left = self.recv_kind().await;
        assert_eq!(left.room, room, "expected left #{room}, got {left:?}");
    }

    /// Sends a chat message.
    pub async fn say(&mut self, room: &str, client_id: &str, text: &str) {
        self.send(&ClientMsg::Send {
            room: room.into(),
            client_id: client_id.into(),
            text: text.into(),
            reply_to: None,
        })
        .await;
    }

    /// Sends a chat message and returns its ack (which must name its `client_id`).
    pub async fn send_acked(&mut self, room: &str, client_id: &str, text: &str) -> Ack {
        self.say(room, client_id, text).await;
        let ack = self.recv_ack().await;
        assert_eq!(
            (ack.room.as_str(), ack.client_id.as_str()),
            (room, client_id),
            "expected the ack of {client_id} in #{room}, got {ack:?}"
        );
        ack
    }

    /// The next frame, or what came instead (a timeout, the end, a non-text frame).
    async fn try_recv(&mut self) -> Result<ServerMsg, String> {
        self.try_recv_within(WAIT).await
    }

    /// The next frame within `wait`, or what came instead.
    async fn try_recv_within(&mut self, wait: Duration) -> Result<ServerMsg, String> {
        loop {
            let frame = match tokio::time::timeout(wait, self.ws.next()).await {
                Err(_) => return Err(format!("nothing came within {wait:?}")),
                Ok(None) => return Err("the connection ended".into()),
                Ok(Some(Err(e))) => return Err(format!("the connection failed: {e}")),
                Ok(Some(Ok(frame))) => frame,
            };
            match frame {
                Message::Text(t) => {
                    return serde_json::from_str(t.as_str())
                        .map_err(|e| format!("a frame that is no ServerMsg ({e}): {t}"))
                }
                Message::Ping(_) | Message::Pong(_) => continue,
                other => return Err(format!("the frame {other:?}")),
            }
        }
    }

    /// The next message, waiting for `expected`; panics on close, timeout or a bad frame,
    /// saying what was expected and what came.
    async fn recv_for(&mut self, expected: &str) -> ServerMsg {
        self.try_recv()
            .await
            .unwrap_or_else(|e| panic!("expected {expected}, got {e}"))
    }

    /// The next protocol message; panics on close, timeout or a bad frame.
    pub async fn recv(&mut self) -> ServerMsg {
        self.recv_for("a message").await
    }

    /// The next message of type `T`, skipping those of other types; an `error` frame (unless
    /// `T` is one) panics, naming what was expected and what came.
    pub async fn recv_kind<T: Kind>(&mut self) -> T {
        self.recv_kind_where(|_: &T| true).await
    }

    /// The next message of type `T` that `pred` accepts, skipping any other; an `error`
    /// frame (unless `T` is one) panics.
    pub async fn recv_kind_where<T: Kind>(&mut self, pred: impl Fn(&T) -> bool) -> T {
        loop {
            match T::pick(self.recv_for(T::TYPE).await) {
                Ok(msg) if pred(&msg) => return msg,
                Ok(_) => {}
                Err(err @ ServerMsg::Error { .. }) => panic!("expected {}, got {err:?}", T::TYPE),
                Err(_) => {}
            }
        }
    }

    /// The next message of type `T` that `pred` accepts, waiting up to `wait` for each
    /// frame (for what the server says after a silence longer than [`WAIT`]).
    pub async fn recv_kind_after_silence<T: Kind>(
        &mut self,
        wait: Duration,
        pred: impl Fn(&T) -> bool,
    ) -> T {
        loop {
            let msg = self
                .try_recv_within(wait)
                .await
                .unwrap_or_else(|e| panic!("expected {}, got {e}", T::TYPE));
            if let Ok(msg) = T::pick(msg) {
                if pred(&msg) {
                    return msg;
                }
            }
        }
    }

    /// The very next message, which must be a `T`.
    pub async fn expect_next<T: Kind>(&mut self) -> T {
        expect_kind(self.recv_for(T::TYPE).await)
    }

    /// The next message that is an `A` (`Ok`) or a `B` (`Err`), skipping any other.
    async fn recv_either<A: Kind, B: Kind>(&mut self) -> Result<A, B> {
        let expected = format!("{} or {}", A::TYPE, B::TYPE);
        loop {
            match A::pick(self.recv_for(&expected).await) {
                Ok(a) => return Ok(a),
                Err(other) => {
                    if let Ok(b) = B::pick(other) {
                        return Err(b);
                    }
                }
            }
        }
    }

    /// The first frame of a connection: `welcome`, with the server's protocol version.
    pub async fn expect_welcome(&mut self) -> Welcome {
        let welcome: Welcome = self.expect_next().await;
        assert_eq!(
            welcome.protocol,
            shared::PROTOCOL_VERSION,
            "expected protocol {}, got {welcome:?}",
            shared::PROTOCOL_VERSION
        );
        welcome
    }

    /// The next `joined` (other frames skipped; an error panics).
    pub async fn recv_joined(&mut self) -> Joined {
        self.recv_kind().await
    }

    /// The next chat message (other frames skipped; an error panics).
    pub async fn recv_message(&mut self) -> ChatMessage {
        self.recv_kind().await
    }

    /// The next `history` page (other frames skipped; an error panics).
    pub async fn recv_history(&mut self) -> HistoryPage {
        self.recv_kind().await
    }

    /// The answer to a send: its `ack` (`Ok`) or its refusal (`Err`); other frames are
    /// skipped.
    pub async fn send_answer(&mut self) -> Result<Ack, Refusal> {
        self.recv_either().await
    }

    /// The next `ack` (other frames skipped; an error panics).
    pub async fn recv_ack(&mut self) -> Ack {
        self.send_answer()
            .await
            .unwrap_or_else(|e| panic!("expected an ack, got {e:?}"))
    }

    /// The next `error` frame, whatever its code (other frames skipped).
    pub async fn recv_error(&mut self) -> Refusal {
        self.recv_kind().await
    }

    /// The next `error` frame (other frames skipped), which must have `code`.
    pub async fn expect_error(&mut self, code: ErrorCode) -> Refusal {
        let err = self.recv_error().await;
        assert_eq!(
            err.code,
            code,
            "expected error {}, got {err:?}",
            code.as_str()
        );
        err
    }

    /// Reads up to the first message `marker` matches (consumed) and returns every message
    /// before it. A negative check asserts on them: whatever is ordered before the marker
    /// has arrived by then, however late, so no fixed wait is needed. `what` names the
    /// marker.
    pub async fn until_marker(
        &mut self,
        what: &str,
        marker: impl Fn(&ServerMsg) -> bool,
    ) -> Vec<ServerMsg> {
        self.read_to_marker(what, marker).await.0
    }

    /// The messages before the first one `marker` matches, and that one.
    async fn read_to_marker(
        &mut self,
        what: &str,
        marker: impl Fn(&ServerMsg) -> bool,
    ) -> (Vec<ServerMsg>, ServerMsg) {
        let mut before = Vec::new();
        loop {
            match self.try_recv().await {
                Ok(msg) if marker(&msg) => return (before, msg),
                Ok(msg) => before.push(msg),
                Err(e) => panic!("expected {what}, got {e} (after {before:?})"),
            }
        }
    }

    /// The marker for what this client's own requests caused at once: sends `leave` of
    /// `room`, a room this client is not in, and reads up to its refusal (`not_in_room` or
    /// `no_such_room`, naming `room`). The server handles a connection's frames one after
    /// another and sends each refusal at once, so the refusals of everything sent before
    /// come first. Returns the messages before the marker.
    pub async fn until_refused_leave(&mut self, room: &str) -> Vec<ServerMsg> {
        self.send(&ClientMsg::Leave { room: room.into() }).await;
        let what = format!("the refused leave of #{room}");
        let (before, marker) = self
            .read_to_marker(
                &what,
                |m| matches!(m, ServerMsg::Error { room: Some(r), .. } if r.as_str() == room),
            )
            .await;
        let marker: Refusal = expect_kind(marker);
        assert!(
            matches!(marker.code, ErrorCode::NotInRoom | ErrorCode::NoSuchRoom),
            "expected {what} (not_in_room or no_such_room), got {marker:?}"
        );
        before
    }

    /// The marker for what a room delivers: reads up to the chat message `text` in `room`
    /// (sent there by a member after the action under test; the caller makes sure of it).
    /// A room delivers its messages and presence notices in one order to every member, so
    /// whatever it would have delivered before is before it. Returns the messages before
    /// the marker.
    pub async fn until_message(&mut self, room: &str, text: &str) -> Vec<ServerMsg> {
        let what = format!("the marker message {text:?} in #{room}");
        self.until_marker(&what, |m| {
            matches!(m, ServerMsg::Message(c) if c.room.as_str() == room && c.text.as_str() == text)
        })
        .await
    }

    /// Reads until the server closes; returns the close frame (skipping other frames), or
    /// `None` when the connection ended without one.
    pub async fn closed(&mut self) -> Option<CloseFrame> {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("closed within the wait")
            {
                Some(Ok(Message::Close(frame))) => return frame,
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }

    /// Reads until the server closes (skipping other frames) and asserts the close frame
    /// is `reason`: its code, and its name as the reason text. Returns the frame.
    pub async fn expect_close(&mut self, reason: CloseReason) -> CloseFrame {
        let expected = (reason.code(), reason.as_str());
        match self.closed().await {
            Some(frame) => {
                assert_eq!(
                    (u16::from(frame.code), frame.reason.as_str()),
                    expected,
                    "expected close {expected:?}, got {frame:?}"
                );
                frame
            }
            None => {
                panic!("expected close {expected:?}, the connection ended without a close frame")
            }
        }
    }
}
