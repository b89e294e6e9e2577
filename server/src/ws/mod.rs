//! The chat WebSocket at `/ws`: the HTTP upgrade (RFC 6455 handshake) and, per connection,
//! a [`session`] speaking Parley's protocol over Parley's own lean framing ([`frame`],
//! [`socket`]).

pub mod frame;
pub mod gate;
mod handle;
mod rate;
mod session;
pub mod socket;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use base64::Engine;
use bytes::Bytes;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use sha1::{Digest, Sha1};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

use self::socket::Socket;
use crate::auth::request;
use crate::http::error;
use crate::AppState;

/// The `/ws` route.
pub fn router() -> Router<AppState> {
    Router::new().route("/ws", get(upgrade))
}

/// Query string of `/ws`.
#[derive(Debug, Deserialize)]
struct WsQuery {
    /// The client's protocol version; absent means the server's own.
    v: Option<u32>,
}

fn has_token(headers: &HeaderMap, name: header::HeaderName, token: &str) -> bool {
    request::list_items(headers, name, ',').any(|t| t.eq_ignore_ascii_case(token))
}

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`.
fn accept_key(key: &[u8]) -> String {
    let mut sha = Sha1::new();
    sha.update(key);
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<WsQuery>,
    mut req: Request,
) -> Response {
    let headers = req.headers();
    if !has_token(headers, header::CONNECTION, "upgrade")
        || !has_token(headers, header::UPGRADE, "websocket")
    {
        let mut resp = error(
            StatusCode::UPGRADE_REQUIRED,
            "websocket_required",
            format!(
                "/ws is Parley's chat WebSocket; connect with a WebSocket client (ws://host/ws?v={})",
                shared::PROTOCOL_VERSION
            ),
        );
        resp.headers_mut()
            .insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        return resp;
    }
    if headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .map(|v| v.as_bytes())
        != Some(b"13")
    {
        let mut resp = error(
            StatusCode::BAD_REQUEST,
            "websocket_version",
            "only WebSocket version 13 is supported",
        );
        resp.headers_mut().insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        );
        return resp;
    }
    let Some(key) = headers.get(header::SEC_WEBSOCKET_KEY) else {
        return error(
            StatusCode::BAD_REQUEST,
            "websocket_key",
            "Sec-WebSocket-Key is missing",
        );
    };
    if !state.gate.origin_allowed(headers) {
        return error(
            StatusCode::FORBIDDEN,
            "origin_not_allowed",
            "this page's origin may not open Parley's WebSocket",
        );
    }
    let Some(identity) = request::token(headers).and_then(|t| state.auth.verify(t)) else {
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "no valid session: POST /api/session, then connect with its cookie or token",
        );
    };
    let Some(slot) = state.gate.enter(peer.ip()) else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "too_many_connections",
            "too many connections; try again later",
        );
    };
    let offered_parley = request::offers_parley(headers);
    let accept = accept_key(key.as_bytes());
    let on_upgrade = hyper::upgrade::on(&mut req);
    let version = query.v.unwrap_or(shared::PROTOCOL_VERSION);
    let sessions = state.sessions.clone();
    // The upgrade completes after this response is sent. The task waiting for it spawns the
    // session as a task of its own and ends, so a connection's long-lived task holds only
    // the session (see `size::a_session_task_stays_small`).
    sessions.clone().spawn(async move {
        let upgraded = match on_upgrade.await {
            Ok(u) => u,
            Err(err) => return tracing::debug!(%err, "upgrade failed"),
        };
        let (max, write_timeout) = (state.limits.max_frame_bytes, state.limits.write_timeout);
        // A plain TCP connection is unwrapped so reads and writes go straight to the socket.
        match upgraded.downcast::<TokioIo<TcpStream>>() {
            Ok(parts) => {
                let socket = Socket::new(parts.io.into_inner(), parts.read_buf, max, write_timeout);
                sessions.spawn(session::run(socket, state, version, identity, slot));
            }
            Err(upgraded) => match upgraded.downcast::<TokioIo<TlsStream<TcpStream>>>() {
                Ok(parts) => {
                    let socket =
                        Socket::new(parts.io.into_inner(), parts.read_buf, max, write_timeout);
                    sessions.spawn(session::run(socket, state, version, identity, slot));
                }
                Err(upgraded) => {
                    let socket =
                        Socket::new(TokioIo::new(upgraded), Bytes::new(), max, write_timeout);
                    sessions.spawn(session::run(socket, state, version, identity, slot));
                }
            },
        }
    });
    let mut resp = Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::UPGRADE, "websocket")
        .header(header::CONNECTION, "Upgrade")
        .header(header::SEC_WEBSOCKET_ACCEPT, accept);
    if offered_parley {
        // A client that offers subprotocols (`parley, bearer.<token>`) gets `parley` back.
        resp = resp.header(header::SEC_WEBSOCKET_PROTOCOL, request::PROTOCOL);
    }
    resp.body(axum::body::Body::empty())
        .expect("a valid 101 response")
}

#[cfg(test)]
mod tests {
    #[test]
    fn accept_key_matches_rfc_6455_example() {
        assert_eq!(
            super::accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }
}
#[cfg(test)]
mod size {
    /// Every idle connection holds one session task: its future's size is memory per
    /// connection (docs/PERFORMANCE.md). Rare paths are boxed to keep it small.
    #[test]
    fn a_session_task_stays_small() {
        let cfg = crate::config::Config::for_tests();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let state = rt.block_on(crate::AppState::open(&cfg)).unwrap();
        let (io, _peer) = tokio::io::duplex(64);
        let socket = super::Socket::new(
            io,
            bytes::Bytes::new(),
            1000,
            std::time::Duration::from_secs(1),
        );
        let identity = crate::auth::Session {
            id: "s".into(),
            nickname: shared::Nickname::parse("probe").unwrap(),
            expires_at: i64::MAX,
        };
        let slot = state.gate.enter([127, 0, 0, 1].into()).unwrap();
        let fut = super::session::run(socket, state, 1, identity, slot);
        let size = std::mem::size_of_val(&fut);
        assert!(size <= 1100, "the session future grew to {size} bytes");
    }
}
