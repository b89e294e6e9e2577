//! A WebSocket client by hand, over a raw TCP stream: for attacks a well-behaved client
//! library will not make (frames sent with the handshake, ping floods, bad frames).

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;

/// Opens a raw TCP connection and completes the WebSocket handshake by hand for a new
/// session of `nick`.
pub async fn raw_ws(addr: SocketAddr, nick: &str) -> TcpStream {
    raw_ws_with(addr, nick, &[]).await
}

/// Like [`raw_ws`], with `extra` bytes (client frames) sent in the same write as the
/// upgrade request.
pub async fn raw_ws_with(addr: SocketAddr, nick: &str, extra: &[u8]) -> TcpStream {
    let token = session(addr, nick).await;
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let mut req = format!(
        "GET /ws?v={} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Authorization: Bearer {token}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        shared::PROTOCOL_VERSION
    )
    .into_bytes();
    req.extend_from_slice(extra);
    tcp.write_all(&req).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        head.push(tcp.read_u8().await.unwrap());
    }
    assert!(
        head.starts_with(b"HTTP/1.1 101"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    tcp
}

/// A client frame (masked with key 0, so the payload is as given) of `opcode`.
pub fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x80 | opcode];
    match payload.len() {
        n @ 0..=125 => f.push(0x80 | n as u8),
        n @ 126..=65535 => {
            f.push(0x80 | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(0x80 | 127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    f.extend_from_slice(&[0, 0, 0, 0]);
    f.extend_from_slice(payload);
    f
}

/// Reads one server frame: its opcode and payload.
pub async fn read_frame(tcp: &mut TcpStream) -> (u8, Vec<u8>) {
    let (b0, b1) = (tcp.read_u8().await.unwrap(), tcp.read_u8().await.unwrap());
    let len = match b1 & 0x7f {
        126 => tcp.read_u16().await.unwrap() as usize,
        127 => tcp.read_u64().await.unwrap() as usize,
        n => n as usize,
    };
    let mut payload = vec![0; len];
    tcp.read_exact(&mut payload).await.unwrap();
    (b0 & 0x0f, payload)
}

/// Reads server frames until a close frame; returns its code and how many frames of each
/// opcode came before it (index = opcode).
pub async fn frames_until_close(tcp: &mut TcpStream) -> (u16, [usize; 16]) {
    let mut seen = [0; 16];
    loop {
        let (op, payload) = tokio::time::timeout(WAIT, read_frame(tcp))
            .await
            .expect("a close frame in time");
        if op == 0x8 {
            return (u16::from_be_bytes([payload[0], payload[1]]), seen);
        }
        seen[op as usize] += 1;
    }
}

/// Reads server frames until a close frame; returns its code.
pub async fn close_code(tcp: &mut TcpStream) -> u16 {
    frames_until_close(tcp).await.0
}

/// Reads server text frames until one whose JSON `type` is `kind`; returns it.
pub async fn read_until_type(tcp: &mut TcpStream, kind: &str) -> serde_json::Value {
    loop {
        let (op, payload) = tokio::time::timeout(WAIT, read_frame(tcp))
            .await
            .unwrap_or_else(|_| panic!("no {kind} within {WAIT:?}"));
        assert_ne!(op, 0x8, "closed while waiting for {kind}");
        if op == 0x1 {
            let v: serde_json::Value = serde_json::from_slice(&payload).unwrap();
            if v["type"] == kind {
                return v;
            }
        }
    }
}
