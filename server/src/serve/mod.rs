//! Accepting connections: TCP (optionally TLS) into HTTP/1.1 with upgrades, with caps on
//! connections (in all, below the open-file limit, and per client address: a client over
//! them gets a short 503 and the connection is closed, so the server always has room to
//! answer), time limits on the parts a slow client could drag out (the TLS handshake, the
//! request head, every write: [`deadline`]), and graceful shutdown.

pub mod deadline;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use self::deadline::Deadline;
use crate::client::{ClientKey, IpRange};
use crate::http::edge::Edge;
use crate::slots::{Slot, Slots};

/// How long shutdown waits for HTTP requests in progress.
const HTTP_GRACE: Duration = Duration::from_secs(5);

/// What every accepted connection needs.
#[derive(Clone)]
pub struct Acceptor {
    /// The application.
    pub app: Arc<Edge>,
    /// TLS, when the server has a certificate.
    pub tls: Option<TlsAcceptor>,
    /// Time allowed for the TLS handshake and for the request head.
    pub handshake_timeout: Duration,
    /// Time a write may make no progress.
    pub write_timeout: Duration,
    /// TCP connections, in all and per client address.
    pub slots: Arc<Slots>,
    /// Peers not held to the per-address cap (their clients are counted by address later).
    pub trusted_proxies: Arc<[IpRange]>,
}

/// The answer to a connection over the caps.
const OVER_CAPACITY: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n\
Retry-After: 5\r\nConnection: close\r\nContent-Length: 82\r\n\r\n\
{\"error\":\"too_many_connections\",\"message\":\"too many connections; try again later\"}";

/// How long the 503 of a connection over the caps may take to write.
const OVER_CAPACITY_WRITE: Duration = Duration::from_secs(1);

/// Accepts until `stop`, then waits a little for requests in progress. Upgraded WebSocket
/// connections are not waited for here: the hub closes them.
pub async fn serve(
    listener: TcpListener,
    acceptor: Acceptor,
    stop: CancellationToken,
) -> std::io::Result<()> {
    let connections = TaskTracker::new();
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(err) => {
                    // Out of file descriptors, or the like: wait a moment instead of spinning.
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.cancelled() => break,
        };
        let trusted = acceptor
            .trusted_proxies
            .iter()
            .any(|r| r.contains(peer.ip()));
        let key = (!trusted).then(|| ClientKey::of(peer.ip()));
        let Ok(slot) = acceptor.slots.enter(key) else {
            tracing::debug!(%peer, "over the connection caps");
            tokio::spawn(refuse(tcp));
            continue;
        };
        // Chat frames are small and latency matters more than packet count.
        let _ = tcp.set_nodelay(true);
        connections.spawn(connection(tcp, peer, slot, acceptor.clone(), stop.clone()));
    }
    drop(listener);
    connections.close();
    if tokio::time::timeout(HTTP_GRACE, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            open = connections.len(),
            "connections still open after the grace"
        );
    }
    Ok(())
}

/// Answers a connection over the caps with a 503 and closes it.
async fn refuse(mut tcp: TcpStream) {
    use tokio::io::AsyncWriteExt;
    let _ = tokio::time::timeout(OVER_CAPACITY_WRITE, tcp.write_all(OVER_CAPACITY)).await;
}

async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    slot: Slot,
    acceptor: Acceptor,
    stop: CancellationToken,
) {
    let timeout = acceptor.write_timeout;
    match &acceptor.tls {
        None => {
            http(
                Deadline::new(tcp, timeout, Some(slot)),
                peer,
                &acceptor,
                &stop,
            )
            .await
        }
        Some(tls) => {
            match tokio::time::timeout(acceptor.handshake_timeout, tls.accept(tcp)).await {
                Ok(Ok(stream)) => {
                    let stream = Deadline::new(stream, timeout, Some(slot));
                    http(stream, peer, &acceptor, &stop).await
                }
                Ok(Err(err)) => tracing::debug!(%peer, %err, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        }
    }
}

async fn http<I>(io: I, peer: SocketAddr, acceptor: &Acceptor, stop: &CancellationToken)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = acceptor.app.serve(peer);
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(acceptor.handshake_timeout)
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        _ = stop.cancelled() => {
            // Finish the request in progress, if any, then close.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(err) = result {
        tracing::debug!(%peer, %err, "connection ended with an error");
    }
}
