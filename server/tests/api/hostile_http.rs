//! Issue 18, findings 3, 4 and 8: plain HTTP is bounded per address and in time, and the
//! per-address limits see the real client behind a trusted proxy.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::helpers::*;

/// A TCP connection to `addr` from the loopback address `from` (127.0.0.0/8 is all
/// loopback, so each is another "client address").
async fn connect_from(from: [u8; 4], addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind((from, 0).into()).unwrap();
    socket.connect(addr).await.unwrap()
}

/// Reads a whole response (the server closes after it, or the read stops at `WAIT`).
async fn read_response(tcp: &mut TcpStream) -> String {
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(WAIT, tcp.read_to_end(&mut raw)).await;
    String::from_utf8_lossy(&raw).into_owned()
}

/// Finding 4: connections are capped per address (and in all) below the descriptor limit,
/// and a client over the cap gets a 503 while everyone else is served.
#[tokio::test]
async fn tcp_connections_are_capped_per_address() {
    let server = start_with(|c| c.limits.max_tcp_connections_per_ip = 5).await;
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(connect_from([127, 0, 0, 7], server.addr).await);
    }
    let mut over = connect_from([127, 0, 0, 7], server.addr).await;
    let resp = read_response(&mut over).await;
    assert!(resp.starts_with("HTTP/1.1 503"), "{resp}");
    assert!(resp.contains("too_many_connections"), "{resp}");
    // Another address is served, /healthz included.
    let mut other = connect_from([127, 0, 0, 8], server.addr).await;
    other
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    assert!(read_response(&mut other).await.starts_with("HTTP/1.1 200"));
    // A freed place comes back.
    drop(held.pop());
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let mut again = connect_from([127, 0, 0, 7], server.addr).await;
        again
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        if read_response(&mut again).await.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the place never came back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.shutdown().await.unwrap();
}

/// Finding 4: a body that never arrives is cut off by the request timeout (408).
#[tokio::test]
async fn a_request_body_that_never_arrives_times_out() {
    let server = start_with(|c| c.limits.request_timeout = Duration::from_millis(500)).await;
    let mut tcp = TcpStream::connect(server.addr).await.unwrap();
    let req = format!(
        "POST /api/session HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
         Content-Length: 100000\r\n\r\n{{",
        server.addr
    );
    tcp.write_all(req.as_bytes()).await.unwrap();
    let started = tokio::time::Instant::now();
    let resp = read_response(&mut tcp).await;
    assert!(resp.starts_with("HTTP/1.1 408"), "{resp}");
    assert!(resp.contains("request_timeout"), "{resp}");
    assert!(started.elapsed() < Duration::from_secs(3));
    server.shutdown().await.unwrap();
}

/// Finding 3: a client that stops reading its responses is cut off by the write timeout,
/// and gives back what it held.
#[tokio::test]
async fn a_response_the_client_does_not_read_times_out() {
    let server = start_with(|c| c.limits.write_timeout = Duration::from_millis(500)).await;
    let mut c = Client::connect(server.addr, "reader").await;
    c.join("pages").await;
    let big = "x".repeat(shared::TEXT_MAX_CHARS);
    for i in 0..50 {
        c.send_acked("pages", &format!("p{i}"), &big).await;
    }
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut tcp = socket.connect(server.addr).await.unwrap();
    // 100 pipelined requests for a 200 KB page: 20 MB the client never reads.
    let req = format!(
        "GET /api/rooms/pages/messages?limit=200 HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\n\r\n",
        server.addr,
        bearer(&c.token)
    );
    tcp.write_all(req.repeat(100).as_bytes()).await.unwrap();
    // The behaviour under test is a timeout: the client must stay stalled past it (the
    // server's first pages take a while under load, and each is a read of its own).
    tokio::time::sleep(Duration::from_secs(4)).await;
    let mut raw = Vec::new();
    let read = tokio::time::timeout(WAIT * 2, tcp.read_to_end(&mut raw)).await;
    assert!(read.is_ok(), "the server should have closed the connection");
    assert!(
        raw.len() < 10_000_000,
        "{} bytes: the server kept writing",
        raw.len()
    );
    server.shutdown().await.unwrap();
}

/// Finding 3: HTTP requests are rate-limited per address (`/healthz` is not).
#[tokio::test]
async fn http_requests_are_rate_limited_per_address() {
    let server = start_with(|c| {
        c.limits.http_rate = 0.5;
        c.limits.http_burst = 3.0;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(http(server.addr, "GET", "/api/rooms", &[]).await.0, 401);
    }
    let (status, head, body) = http_full(server.addr, "GET", "/api/rooms", &[], "").await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("too_many_requests"), "{body}");
    assert!(
        head.to_ascii_lowercase().contains("retry-after: "),
        "{head}"
    );
    assert_eq!(http(server.addr, "GET", "/healthz", &[]).await.0, 200);
    server.shutdown().await.unwrap();
}

/// Finding 8: behind a trusted proxy the per-address limits count the forwarded client;
/// from anyone else the header is ignored.
#[tokio::test]
async fn per_address_limits_see_the_client_behind_a_trusted_proxy() {
    let server = start_with(|c| {
        c.limits.http_rate = 0.5;
        c.limits.http_burst = 2.0;
        c.limits.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let get = |ip: &'static str| async move {
        http(server.addr, "GET", "/api/rooms", &[("X-Forwarded-For", ip)])
            .await
            .0
    };
    assert_eq!(get("10.0.0.1").await, 401);
    assert_eq!(get("10.0.0.1").await, 401);
    assert_eq!(
        get("10.0.0.1").await,
        429,
        "the client's own allowance is spent"
    );
    assert_eq!(
        get("10.0.0.2").await,
        401,
        "another client behind the proxy"
    );
    // An untrusted peer cannot pick its address.
    let mut spent = 0;
    for i in 0..4 {
        let mut tcp = connect_from([127, 0, 0, 9], server.addr).await;
        let req = format!(
            "GET /api/rooms HTTP/1.1\r\nHost: {}\r\nX-Forwarded-For: 10.1.0.{i}\r\nConnection: close\r\n\r\n",
            server.addr
        );
        tcp.write_all(req.as_bytes()).await.unwrap();
        if read_response(&mut tcp).await.starts_with("HTTP/1.1 429") {
            spent += 1;
        }
    }
    assert_eq!(
        spent, 2,
        "four requests from one untrusted address, burst 2"
    );
    server.shutdown().await.unwrap();
}
