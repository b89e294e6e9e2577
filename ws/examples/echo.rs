//! An echo server on Parley's WebSocket stack: every text and binary message comes back as
//! it was sent, pings are answered, and a close is answered with the same code. It is a
//! complete WebSocket endpoint, the kind conformance suites (Autobahn) drive.
//!
//! ```sh
//! cargo run -p parley-ws --example echo -- 127.0.0.1:9001
//! ```

use std::convert::Infallible;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming as Body;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use parley_ws::{encode, handshake, upgrade, Incoming, Limits, Socket};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};

const LIMITS: Limits = Limits {
    max_message: 16 * 1024 * 1024,
    write_timeout: Duration::from_secs(10),
};

#[allow(dead_code)] // Run as an example; the crate's tests include this file for `serve`.
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9001".into());
    let listener = TcpListener::bind(&addr).await?;
    println!("echo server on ws://{}/", listener.local_addr()?);
    serve(listener).await
}

/// Accepts connections and serves each as HTTP/1.1 with upgrades.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    loop {
        let (tcp, _) = listener.accept().await?;
        tokio::spawn(async move {
            let service = hyper::service::service_fn(upgrade_request);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tcp), service)
                .with_upgrades()
                .await;
        });
    }
}

async fn upgrade_request(mut req: Request<Body>) -> Result<Response<Full<Bytes>>, Infallible> {
    let accept = match handshake::check(req.headers()) {
        Ok(accept) => accept,
        Err(err) => {
            let mut resp = Response::new(Full::from(err.to_string()));
            *resp.status_mut() = err.status();
            if let Some((name, value)) = err.hint() {
                resp.headers_mut().insert(name, value);
            }
            return Ok(resp);
        }
    };
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        match upgrade::downcast::<TcpStream>(upgraded, LIMITS) {
            Ok(socket) => echo(socket).await,
            Err(upgraded) => echo(upgrade::boxed(upgraded, LIMITS)).await,
        }
    });
    Ok(handshake::response(&accept, None)
        .body(Full::default())
        .expect("a valid 101 response"))
}

/// Echoes messages until the peer closes or breaks the protocol.
async fn echo<S: AsyncRead + AsyncWrite + Unpin>(mut socket: Socket<S>) {
    while let Ok(true) = socket.fill().await {
        loop {
            let reply = match socket.next_message() {
                Ok(None) => break,
                Ok(Some(Incoming::Text(text))) => encode::text(&text),
                Ok(Some(Incoming::Binary(data))) => encode::binary(&data),
                Ok(Some(Incoming::Ping(payload))) => encode::pong(&payload),
                Ok(Some(Incoming::Pong)) => continue,
                Ok(Some(Incoming::Close(code))) => {
                    let _ = socket
                        .write_frame(encode::close(code.unwrap_or(1000), ""))
                        .await;
                    return socket.shutdown().await;
                }
                Err(err) => {
                    let _ = socket
                        .write_frame(encode::close(err.close_code(), ""))
                        .await;
                    return socket.shutdown().await;
                }
            };
            if socket.write_frame(reply).await.is_err() {
                return;
            }
        }
    }
}
