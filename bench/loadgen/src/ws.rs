//! A minimal WebSocket client, enough for load: handshake, masked text frames out, frames in.
//! Leaner than a general client so that one core of load generator can keep up with a
//! server delivering a million frames a second.

use std::io;
use std::net::{IpAddr, SocketAddr};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpSocket, TcpStream};

/// Frame opcodes the load generator cares about.
pub const OP_TEXT: u8 = 0x1;
/// Close.
pub const OP_CLOSE: u8 = 0x8;
/// Ping.
pub const OP_PING: u8 = 0x9;
/// Pong.
pub const OP_PONG: u8 = 0xA;

/// A connected socket after the upgrade, with bytes already read past the handshake.
pub struct WsConn {
    stream: TcpStream,
    reader: FrameReader,
}

/// Opens a TCP connection (from `source` if given) and performs the WebSocket handshake.
pub async fn connect(
    server: SocketAddr,
    source: Option<IpAddr>,
    path: &str,
    token: Option<&str>,
    buf: usize,
) -> io::Result<WsConn> {
    let socket = if server.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    if let Some(ip) = source {
        socket.bind(SocketAddr::new(ip, 0))?;
    }
    let mut stream = socket.connect(server).await?;
    stream.set_nodelay(true)?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {server}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n{auth}\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut reader = FrameReader::with_capacity(buf);
    loop {
        if let Some(end) = find(&reader.buf[..reader.end], b"\r\n\r\n") {
            let head = &reader.buf[..end];
            if !head.starts_with(b"HTTP/1.1 101") {
                let line =
                    String::from_utf8_lossy(head.split(|b| *b == b'\r').next().unwrap_or_default())
                        .into_owned();
                return Err(io::Error::other(format!("upgrade refused: {line}")));
            }
            reader.start = end + 4;
            return Ok(WsConn { stream, reader });
        }
        if reader.fill(&mut stream).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed during the handshake",
            ));
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Encodes a masked client text frame (mask key 0: masking is then the identity, which the
/// protocol allows, and the payload needs no copy-and-xor).
pub fn text_frame(payload: &[u8], out: &mut Vec<u8>) {
    out.push(0x80 | OP_TEXT);
    let len = payload.len();
    if len < 126 {
        out.push(0x80 | len as u8);
    } else if len <= u16::MAX as usize {
        out.push(0x80 | 126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(0x80 | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(payload);
}

/// Encodes a masked client control frame (`payload` at most 125 bytes), mask key 0.
pub fn control_frame(op: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0x80 | op, 0x80 | payload.len() as u8, 0, 0, 0, 0];
    out.extend_from_slice(payload);
    out
}

/// Buffered frame parsing over any reader.
pub struct FrameReader {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl FrameReader {
    /// An empty reader with `cap` bytes of buffer (it grows for a frame that does not fit).
    pub fn with_capacity(cap: usize) -> Self {
        Self {
            buf: vec![0; cap.max(256)],
            start: 0,
            end: 0,
        }
    }

    /// Reads more bytes; 0 means end of stream.
    pub async fn fill<R: AsyncReadExt + Unpin>(&mut self, r: &mut R) -> io::Result<usize> {
        if self.start > 0 && self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else {
                self.buf.resize(self.buf.len() * 2, 0);
            }
        }
        let n = r.read(&mut self.buf[self.end..]).await?;
        self.end += n;
        Ok(n)
    }

    /// The next complete frame: (opcode, payload). Server frames are unmasked.
    pub fn next_frame(&mut self) -> Option<(u8, &[u8])> {
        let avail = &self.buf[self.start..self.end];
        if avail.len() < 2 {
            return None;
        }
        let op = avail[0] & 0x0f;
        let (len, head) = match avail[1] & 0x7f {
            126 if avail.len() >= 4 => (u16::from_be_bytes([avail[2], avail[3]]) as usize, 4),
            127 if avail.len() >= 10 => (
                u64::from_be_bytes(avail[2..10].try_into().ok()?) as usize,
                10,
            ),
            126 | 127 => return None,
            n => (n as usize, 2),
        };
        if avail.len() < head + len {
            return None;
        }
        let from = self.start + head;
        self.start = from + len;
        Some((op, &self.buf[from..from + len]))
    }
}

impl WsConn {
    /// Sends one text frame.
    pub async fn send_text(&mut self, payload: &[u8]) -> io::Result<()> {
        let mut out = Vec::with_capacity(payload.len() + 8);
        text_frame(payload, &mut out);
        self.stream.write_all(&out).await
    }

    /// Waits for the next frame and hands it to `f`; answers pings. `None` at end of stream.
    pub async fn next<T>(&mut self, mut f: impl FnMut(u8, &[u8]) -> T) -> io::Result<Option<T>> {
        loop {
            if let Some((op, payload)) = self.reader.next_frame() {
                if op == OP_PING {
                    let pong = control_frame(OP_PONG, payload);
                    self.stream.write_all(&pong).await?;
                    continue;
                }
                return Ok(Some(f(op, payload)));
            }
            if self.reader.fill(&mut self.stream).await? == 0 {
                return Ok(None);
            }
        }
    }

    /// Splits into a frame reader and a writer, for clients that send and read at once.
    pub fn split(self) -> (OwnedReadHalf, FrameReader, OwnedWriteHalf) {
        let (r, w) = self.stream.into_split();
        (r, self.reader, w)
    }
}
