//! The chat WebSocket at `/ws`: the checks before the upgrade ([`gate`], the session token,
//! the RFC 6455 handshake of [`parley_ws`]) and, per connection, a [`connection`] that
//! carries Parley's protocol between the socket and the chat command layer.

mod connection;
pub mod gate;

use axum::extract::{Extension, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hyper_util::rt::TokioIo;
use parley_ws::handshake;
use parley_ws::{upgrade, Limits, Socket};
use serde::Deserialize;
use shared::CloseReason;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

use self::gate::{Full, Slot};
use crate::auth::{request, Identity};
use crate::client::ClientAddr;
use crate::http::extract::Query;
use crate::http::ApiError;
use crate::serve::deadline::Deadline;
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

/// What a connection starts with once the upgrade is done.
struct Admitted {
    state: AppState,
    version: u32,
    identity: Identity,
    slot: Slot,
    /// The TCP connection's slot, once unwrapped from the stream (boxed: every idle
    /// connection's task holds it).
    tcp: Option<Box<Slot>>,
}

/// Checks the request in the order a client can fix things: a WebSocket handshake, an
/// allowed origin, a valid session, a free slot. No slot (`None`) means the server is full:
/// the client is upgraded only to be told so with 1013.
async fn admit(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    client: ClientAddr,
) -> Result<(String, Identity, Option<Slot>), ApiError> {
    let accept = handshake::check(headers)?;
    if !state.gate.origin_allowed(headers) {
        return Err(ApiError::OriginNotAllowed);
    }
    let identity = state
        .auth
        .identify(headers)
        .await
        .ok_or(ApiError::Unauthorized)?;
    let slot = match state.gate.enter(client.key()) {
        Ok(slot) => Some(slot),
        Err(Full::PerKey) => return Err(ApiError::TooManyConnections),
        // A browser cannot read an upgrade's 503 (it sees a network error), so the server
        // upgrades and closes with 1013, on which clients back off with jitter.
        Err(Full::Total) => None,
    };
    Ok((accept, identity, slot))
}

async fn upgrade(
    State(state): State<AppState>,
    Extension(client): Extension<ClientAddr>,
    Query(query): Query<WsQuery>,
    mut req: Request,
) -> Response {
    let (accept, identity, slot) = match admit(&state, req.headers(), client).await {
        Ok(admitted) => admitted,
        Err(err) => return err.into_response(),
    };
    // A client that offers subprotocols (`parley, bearer.<token>`) gets `parley` back.
    let protocol =
        handshake::offers_protocol(req.headers(), request::PROTOCOL).then_some(request::PROTOCOL);
    let on_upgrade = hyper::upgrade::on(&mut req);
    let response = handshake::response(&accept, protocol)
        .body(axum::body::Body::empty())
        .expect("a valid 101 response");
    let Some(slot) = slot else {
        turn_away(&state, on_upgrade);
        return response;
    };
    let admitted = Admitted {
        version: query.v.unwrap_or(shared::PROTOCOL_VERSION),
        state,
        identity,
        slot,
        tcp: None,
    };
    // The upgrade completes after this response is sent. The task waiting for it spawns the
    // connection as a task of its own and ends, so a connection's long-lived task holds only
    // the connection (see `size::a_connection_task_stays_small`).
    admitted.state.connections.clone().spawn(async move {
        match on_upgrade.await {
            Ok(upgraded) => start(upgraded, admitted),
            Err(err) => tracing::debug!(%err, "upgrade failed"),
        }
    });
    response
}

/// The server is full: once upgraded, the socket gets close 1013 (`try_again_later`) and no
/// `welcome`. It holds no WebSocket slot, only its socket, for the close handshake's grace
/// at most.
fn turn_away(state: &AppState, on_upgrade: hyper::upgrade::OnUpgrade) {
    let limits = socket_limits(&state.limits);
    state.connections.spawn(async move {
        if let Ok(upgraded) = on_upgrade.await {
            let socket = upgrade::boxed(upgraded, limits);
            connection::refuse(socket, CloseReason::TryAgainLater).await;
        }
    });
}

fn socket_limits(limits: &crate::config::Limits) -> Limits {
    Limits {
        max_message: limits.max_frame_bytes,
        write_timeout: limits.write_timeout,
    }
}

/// Starts the connection's task on the upgraded stream, unwrapped to plain TCP or TLS when it
/// is one, so reads and writes go straight to the socket (the WebSocket has its own write
/// timeout; the stream's TCP slot goes with the connection).
fn start(upgraded: hyper::upgrade::Upgraded, admitted: Admitted) {
    let limits = socket_limits(&admitted.state.limits);
    let Err((upgraded, admitted)) = unwrap::<TcpStream>(upgraded, limits, admitted) else {
        return;
    };
    let Err((upgraded, admitted)) = unwrap::<TlsStream<TcpStream>>(upgraded, limits, admitted)
    else {
        return;
    };
    spawn(upgrade::boxed(upgraded, limits), admitted);
}

/// Starts the connection if the upgraded stream is a `T` inside the server's [`Deadline`].
#[allow(clippy::result_large_err)]
fn unwrap<T>(
    upgraded: hyper::upgrade::Upgraded,
    limits: Limits,
    mut admitted: Admitted,
) -> Result<(), (hyper::upgrade::Upgraded, Admitted)>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    match upgraded.downcast::<TokioIo<Deadline<T>>>() {
        Ok(parts) => {
            let (io, tcp) = parts.io.into_inner().into_parts();
            admitted.tcp = tcp.map(Box::new);
            spawn(Socket::new(io, parts.read_buf, limits), admitted);
            Ok(())
        }
        Err(upgraded) => Err((upgraded, admitted)),
    }
}

fn spawn<S>(socket: Socket<S>, a: Admitted)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let tasks = a.state.connections.clone();
    tasks.spawn(connection::run(
        socket,
        a.state,
        a.version,
        a.identity,
        (a.slot, a.tcp),
    ));
}

#[cfg(test)]
mod size {
    /// Every idle connection holds one connection task: its future's size is memory per
    /// connection (docs/PERFORMANCE.md). Rare paths are boxed to keep it small.
    #[test]
    fn a_connection_task_stays_small() {
        let cfg = crate::config::Config::for_tests();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let state = rt.block_on(crate::AppState::open(&cfg)).unwrap();
        let (io, _peer) = tokio::io::duplex(64);
        let limits = parley_ws::Limits {
            max_message: 1000,
            write_timeout: std::time::Duration::from_secs(1),
        };
        let socket = super::Socket::new(io, bytes::Bytes::new(), limits);
        let identity = crate::auth::Identity {
            id: "s".into(),
            user: crate::hub::User::new(shared::Nickname::parse("probe").unwrap()),
            expires_at: i64::MAX,
        };
        let slot = state
            .gate
            .enter(crate::client::ClientKey::of([127, 0, 0, 1].into()))
            .unwrap();
        let fut = super::connection::run(socket, state, 1, identity, (slot, None));
        let size = std::mem::size_of_val(&fut);
        eprintln!("connection future: {size} bytes");
        // 1,128 since issue 18: the user's shared rate bucket and the boxed TCP slot; 1,160
        // since the nickname's key is carried with it (computed once, not per use).
        assert!(size <= 1160, "the connection future grew to {size} bytes");
    }
}
