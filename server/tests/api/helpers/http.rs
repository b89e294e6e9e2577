//! Plain HTTP requests to the server under test.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;

/// Waits until the server counts `n` open WebSocket connections (`GET /healthz`): a
/// connection that ends leaves its rooms and gives back its room claims before it stops
/// being counted, so after this the rooms have its departure queued in their order.
pub async fn wait_for_connections(addr: SocketAddr, n: u64) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let (status, body) = http(addr, "GET", "/healthz", &[]).await;
        assert_eq!(status, 200, "{body}");
        let health: serde_json::Value = serde_json::from_str(body.trim()).expect("JSON");
        if health["connections"].as_u64() == Some(n) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected {n} connections within {WAIT:?}, still {health}"
        );
        // A poll interval, not a wait for the state: the loop checks the state itself.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The headers of a WebSocket upgrade request.
pub const UPGRADE: [(&str, &str); 4] = [
    ("Upgrade", "websocket"),
    ("Connection", "Upgrade"),
    ("Sec-WebSocket-Version", "13"),
    ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
];

/// Sends a WebSocket upgrade with extra headers; returns the status line's code and the head.
pub async fn upgrade(addr: SocketAddr, headers: &[(&str, &str)]) -> (u16, String) {
    upgrade_as(addr, &addr.to_string(), headers).await
}

/// [`upgrade`] naming `host` as the `Host`. A header in `headers` replaces the default of the
/// same name.
pub async fn upgrade_as(addr: SocketAddr, host: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut all: Vec<(&str, &str)> = UPGRADE
        .into_iter()
        .filter(|(k, _)| !headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(k)))
        .collect();
    all.extend_from_slice(headers);
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let mut req = format!("GET {} HTTP/1.1\r\nHost: {host}\r\n", ws_path());
    for (k, v) in &all {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        match tokio::time::timeout(WAIT, tcp.read_u8()).await {
            Ok(Ok(b)) => head.push(b),
            _ => break,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    (
        head.split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        head,
    )
}

/// `GET path` with a session of its own (the REST API's reads need one); returns the status
/// code and body.
pub async fn get_signed_in(addr: SocketAddr, path: &str) -> (u16, String) {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let token = session(
        addr,
        &format!("rest-reader-{}", N.fetch_add(1, Ordering::Relaxed)),
    )
    .await;
    http(addr, "GET", path, &[("Authorization", &bearer(&token))]).await
}

/// An `Authorization` header's value for `token`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// `POST /api/session` with `body` as JSON; returns the status code, the response head and
/// the body.
pub async fn post_session(addr: SocketAddr, body: serde_json::Value) -> (u16, String, String) {
    let headers = [("Content-Type", "application/json")];
    http_full(addr, "POST", "/api/session", &headers, &body.to_string()).await
}

/// `DELETE /api/session` with `token`: the status code.
pub async fn sign_out(addr: SocketAddr, token: &str) -> u16 {
    let auth = format!("Bearer {token}");
    http(addr, "DELETE", "/api/session", &[("Authorization", &auth)])
        .await
        .0
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
    http_as(addr, &addr.to_string(), method, path, headers, body).await
}

/// [`http_full`] naming `host` as the `Host`.
pub async fn http_as(
    addr: SocketAddr,
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    exchange(TcpStream::connect(addr).await.unwrap(), &req).await
}

/// The value of the response header `name` (lower case) in `head`, if there is one.
pub fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
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

/// A request from the local address `from` (127.0.0.0/8 is all loopback, so each is another
/// client address): (status, head, body).
pub async fn request_from(
    server: SocketAddr,
    from: [u8; 4],
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> (u16, String, String) {
    let sock = tokio::net::TcpSocket::new_v4().unwrap();
    sock.bind((std::net::Ipv4Addr::from(from), 0).into())
        .unwrap();
    let tcp = sock.connect(server).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\n{headers}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    exchange(tcp, &req).await
}

/// `POST /api/session` with `body` from the local address `from`.
pub async fn sign_in_from(
    server: SocketAddr,
    from: [u8; 4],
    body: serde_json::Value,
) -> (u16, String, String) {
    request_from(server, from, "POST", "/api/session", "", &body.to_string()).await
}

/// The `Retry-After` seconds of a response head.
pub fn retry_after(head: &str) -> u64 {
    let value = header(head, "retry-after").expect("Retry-After");
    value.parse().unwrap()
}
