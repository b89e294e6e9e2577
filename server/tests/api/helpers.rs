//! Shared test helpers: start a server, speak the protocol, plain HTTP requests.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use parley_server::config::Config;
use parley_server::Server;
use shared::{ClientMsg, ServerMsg};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for a frame that should come.
pub const WAIT: Duration = Duration::from_secs(5);

/// Starts a server with the test defaults changed by `tweak`.
pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Server {
    let mut cfg = Config::for_tests();
    cfg.spa_dir = std::env::temp_dir().join("parley-no-spa");
    tweak(&mut cfg);
    parley_server::start(cfg).await.expect("server starts")
}

/// Starts a server with the test defaults.
pub async fn start() -> Server {
    start_with(|_| {}).await
}

/// A WebSocket client speaking Parley's protocol.
pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    /// Connects and reads the `welcome` frame.
    pub async fn connect(addr: SocketAddr) -> Client {
        let mut c = Self::connect_raw(addr, "/ws?v=1").await;
        match c.recv().await {
            ServerMsg::Welcome { .. } => c,
            other => panic!("expected welcome, got {other:?}"),
        }
    }

    /// Connects to `path` without reading anything.
    pub async fn connect_raw(addr: SocketAddr, path: &str) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}{path}"))
            .await
            .expect("websocket connects");
        Client { ws }
    }

    /// Sends a protocol message.
    pub async fn send(&mut self, msg: &ClientMsg) {
        self.send_text(&msg.to_json()).await;
    }

    /// Sends a text frame as is.
    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("send");
    }

    /// Joins `room` as `nick` and returns the `joined` frame's members.
    pub async fn join(&mut self, room: &str, nick: &str) -> Vec<String> {
        self.send(&ClientMsg::Join {
            room: room.into(),
            nickname: nick.into(),
            after: None,
        })
        .await;
        match self
            .recv_where(|m| matches!(m, ServerMsg::Joined { .. }))
            .await
        {
            ServerMsg::Joined { members, .. } => members.into_iter().map(String::from).collect(),
            _ => unreachable!(),
        }
    }

    /// Sends a chat message.
    pub async fn say(&mut self, room: &str, client_id: &str, text: &str) {
        self.send(&ClientMsg::Send {
            room: room.into(),
            client_id: client_id.into(),
            text: text.into(),
        })
        .await;
    }

    /// The next protocol message; panics on close, timeout or a bad frame.
    pub async fn recv(&mut self) -> ServerMsg {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame within the wait")
                .expect("stream open")
                .expect("frame ok");
            match frame {
                Message::Text(t) => {
                    return serde_json::from_str(t.as_str()).expect("valid ServerMsg")
                }
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected frame {other:?}"),
            }
        }
    }

    /// Skips messages until one matches.
    pub async fn recv_where(&mut self, pred: impl Fn(&ServerMsg) -> bool) -> ServerMsg {
        loop {
            let msg = self.recv().await;
            if pred(&msg) {
                return msg;
            }
        }
    }

    /// Every message that arrives within `quiet`.
    pub async fn drain(&mut self, quiet: Duration) -> Vec<ServerMsg> {
        let mut out = Vec::new();
        while let Ok(Some(Ok(frame))) = tokio::time::timeout(quiet, self.ws.next()).await {
            if let Message::Text(t) = frame {
                out.push(serde_json::from_str(t.as_str()).expect("valid ServerMsg"));
            }
        }
        out
    }

    /// Reads until the server closes; returns the close frame (skipping other frames).
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
}

/// The error frame's code, or a panic.
pub fn error_code(msg: &ServerMsg) -> shared::ErrorCode {
    match msg {
        ServerMsg::Error { code, .. } => *code,
        other => panic!("expected an error, got {other:?}"),
    }
}

/// A plain HTTP/1.1 request; returns the status code and body.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(WAIT, tcp.read_to_end(&mut raw))
        .await
        .unwrap()
        .unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}
