//! Accepting connections: TCP (optionally TLS) into HTTP/1.1 with upgrades, with time limits
//! on the parts a slow client could drag out (the TLS handshake, the request head), and
//! graceful shutdown.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// How long shutdown waits for HTTP requests in progress.
const HTTP_GRACE: Duration = Duration::from_secs(5);

/// What every accepted connection needs.
#[derive(Clone)]
pub struct Acceptor {
    /// The application.
    pub app: Router,
    /// TLS, when the server has a certificate.
    pub tls: Option<TlsAcceptor>,
    /// Time allowed for the TLS handshake and for the request head.
    pub handshake_timeout: Duration,
}

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
        // Chat frames are small and latency matters more than packet count.
        let _ = tcp.set_nodelay(true);
        connections.spawn(connection(tcp, peer, acceptor.clone(), stop.clone()));
    }
    drop(listener);
    connections.close();
    let _ = tokio::time::timeout(HTTP_GRACE, connections.wait()).await;
    Ok(())
}

async fn connection(tcp: TcpStream, peer: SocketAddr, acceptor: Acceptor, stop: CancellationToken) {
    match &acceptor.tls {
        None => http(tcp, peer, &acceptor, &stop).await,
        Some(tls) => {
            match tokio::time::timeout(acceptor.handshake_timeout, tls.accept(tcp)).await {
                Ok(Ok(stream)) => http(stream, peer, &acceptor, &stop).await,
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
    let app = acceptor.app.clone().map_request(
        move |mut req: axum::extract::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req
        },
    );
    let service = TowerToHyperService::new(app);
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
