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

/// A fresh, empty database on one backend, kept for the life of the test (so a server can be
/// restarted on it).
#[derive(Debug, Clone)]
pub struct Db {
    /// "sqlite", "postgres" or "mysql".
    pub label: &'static str,
    /// For SQLite: the data directory.
    pub data_dir: std::path::PathBuf,
    /// For PostgreSQL and MySQL: the database URL.
    pub url: Option<String>,
}

impl Db {
    /// One fresh database on every backend available: SQLite always; PostgreSQL and
    /// MySQL/MariaDB when `TEST_POSTGRES_URL` / `TEST_MYSQL_URL` name a server (an admin URL:
    /// the test creates its own database there). With `CI=true` a missing one fails.
    pub async fn all() -> Vec<Db> {
        let sqlite = Db {
            label: "sqlite",
            data_dir: Config::for_tests().data_dir,
            url: None,
        };
        let mut dbs = vec![sqlite];
        for (label, var) in [
            ("postgres", "TEST_POSTGRES_URL"),
            ("mysql", "TEST_MYSQL_URL"),
        ] {
            match std::env::var(var) {
                Ok(admin) => dbs.push(Db::create(label, &admin).await),
                Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
                    panic!("{var} is not set: CI must run the storage suite on {label}")
                }
                Err(_) => eprintln!("{var} not set: skipping {label}"),
            }
        }
        dbs
    }

    async fn create(label: &'static str, admin: &str) -> Db {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "parley_t_{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let mut conn = sqlx::AnyConnection::connect(admin)
            .await
            .unwrap_or_else(|e| panic!("cannot reach {label} at {admin}: {e}"));
        // Drop what earlier test runs left behind (their process is gone).
        let list = match label {
            "postgres" => "SELECT datname::text FROM pg_database WHERE datname LIKE 'parley_t_%'",
            _ => "SELECT CAST(schema_name AS CHAR(64)) FROM information_schema.schemata WHERE schema_name LIKE 'parley_t_%'",
        };
        let rows = sqlx::query(list).fetch_all(&mut conn).await.unwrap();
        for row in rows {
            use sqlx::Row;
            let old: String = row.get(0);
            let pid = old.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
            if pid.is_some_and(|p| !std::path::Path::new(&format!("/proc/{p}")).exists()) {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {old}"))
                    .execute(&mut conn)
                    .await;
            }
        }
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        let mut url = url::Url::parse(admin).unwrap();
        url.set_path(&format!("/{name}"));
        Db {
            label,
            data_dir: Config::for_tests().data_dir,
            url: Some(url.to_string()),
        }
    }

    /// Points a configuration at this database.
    pub fn apply(&self, cfg: &mut Config) {
        cfg.data_dir = self.data_dir.clone();
        cfg.database_url = self.url.clone();
    }

    /// Starts a server on this database.
    pub async fn start(&self, tweak: impl FnOnce(&mut Config)) -> Server {
        start_with(|cfg| {
            self.apply(cfg);
            tweak(cfg);
        })
        .await
    }

    /// Runs one SQL statement against this database from outside the server.
    pub async fn exec(&self, sql: &str) {
        use sqlx::Connection;
        let url = match &self.url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("parley.db").display()),
        };
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
}

/// Starts a server with the test defaults.
pub async fn start() -> Server {
    start_with(|_| {}).await
}

/// A WebSocket client speaking Parley's protocol.
pub struct Client {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Its session token.
    pub token: String,
}

/// Creates a session for `nick`; returns its token.
pub async fn session(addr: SocketAddr, nick: &str) -> String {
    let (status, _, resp) = post_session(addr, serde_json::json!({ "nickname": nick })).await;
    assert_eq!(status, 201, "session for {nick}: {resp}");
    let v: serde_json::Value = serde_json::from_str(resp.trim()).expect("JSON");
    v["token"].as_str().expect("a token").to_owned()
}

impl Client {
    /// Creates a session for `nick`, connects with its token and reads the `welcome` frame.
    pub async fn connect(addr: SocketAddr, nick: &str) -> Client {
        let token = session(addr, nick).await;
        Self::reconnect(addr, &token).await
    }

    /// Connects again with a session's token (after a disconnect or a restart).
    pub async fn reconnect(addr: SocketAddr, token: &str) -> Client {
        let mut c = Self::connect_raw(addr, "/ws?v=1", token).await;
        match c.recv().await {
            ServerMsg::Welcome { .. } => c,
            other => panic!("expected welcome, got {other:?}"),
        }
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

    /// Joins `room` and returns the `joined` frame's members.
    pub async fn join(&mut self, room: &str) -> Vec<String> {
        self.send(&ClientMsg::Join {
            room: room.into(),
            nickname: None,
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

    /// The code of the next `error` frame (other messages before it are skipped).
    pub async fn next_error(&mut self) -> shared::ErrorCode {
        error_code(
            &self
                .recv_where(|m| matches!(m, ServerMsg::Error { .. }))
                .await,
        )
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

/// `POST /api/session` with `body` as JSON; returns the status code, the response head and
/// the body.
pub async fn post_session(addr: SocketAddr, body: serde_json::Value) -> (u16, String, String) {
    let headers = [("Content-Type", "application/json")];
    http_full(addr, "POST", "/api/session", &headers, &body.to_string()).await
}

/// A plain HTTP/1.1 request; returns the status code and body.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, String) {
    http_body(addr, method, path, headers, "").await
}

/// A plain HTTP/1.1 request with a body; returns the status code and body.
pub async fn http_body(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let (status, _, body) = http_full(addr, method, path, headers, body).await;
    (status, body)
}

/// A plain HTTP/1.1 request; returns the status code, the response head and the body.
pub async fn http_full(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    exchange(TcpStream::connect(addr).await.unwrap(), &req).await
}

/// Sends the raw request `req` over `tcp`; returns the status code, the response head and
/// the body.
pub async fn exchange(mut tcp: TcpStream, req: &str) -> (u16, String, String) {
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
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .map(|(h, b)| (h.to_owned(), b.to_owned()))
        .unwrap_or_default();
    (status, head, body)
}
