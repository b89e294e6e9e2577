//! Server frames (RFC 6455 §5.2), encoded once into [`Bytes`] holding the whole frame,
//! header included. Server frames are not masked, so the very same bytes can go to every
//! recipient of a broadcast.

use bytes::Bytes;

pub(crate) const OP_CONTINUATION: u8 = 0x0;
pub(crate) const OP_TEXT: u8 = 0x1;
pub(crate) const OP_BINARY: u8 = 0x2;
pub(crate) const OP_CLOSE: u8 = 0x8;
pub(crate) const OP_PING: u8 = 0x9;
pub(crate) const OP_PONG: u8 = 0xA;

/// Longest server frame header: 2 bytes plus an 8-byte length.
pub const MAX_HEADER: usize = 10;

/// Writes the header for `op` and `len` into the end of `head`, returning where it starts.
fn header(op: u8, len: usize, head: &mut [u8; MAX_HEADER]) -> usize {
    let start = match len {
        0..=125 => {
            head[9] = len as u8;
            8
        }
        126..=0xFFFF => {
            head[7] = 126;
            head[8..10].copy_from_slice(&(len as u16).to_be_bytes());
            6
        }
        _ => {
            head[1] = 127;
            head[2..10].copy_from_slice(&(len as u64).to_be_bytes());
            0
        }
    };
    head[start] = 0x80 | op;
    start
}

fn encode(op: u8, payload: &[u8]) -> Bytes {
    let mut head = [0u8; MAX_HEADER];
    let start = header(op, payload.len(), &mut head);
    let mut out = Vec::with_capacity(MAX_HEADER - start + payload.len());
    out.extend_from_slice(&head[start..]);
    out.extend_from_slice(payload);
    out.into()
}

/// A text frame whose payload `write` appends to the buffer it is given (which it must
/// leave valid UTF-8): the payload is written straight into the frame's buffer, with no copy.
pub fn text_with(write: impl FnOnce(&mut Vec<u8>)) -> Bytes {
    let mut buf = vec![0u8; MAX_HEADER];
    write(&mut buf);
    let mut head = [0u8; MAX_HEADER];
    let start = header(OP_TEXT, buf.len() - MAX_HEADER, &mut head);
    buf[start..MAX_HEADER].copy_from_slice(&head[start..]);
    Bytes::from(buf).slice(start..)
}

/// A text frame.
pub fn text(payload: &str) -> Bytes {
    encode(OP_TEXT, payload.as_bytes())
}

/// A binary frame.
pub fn binary(payload: &[u8]) -> Bytes {
    encode(OP_BINARY, payload)
}

/// The payload of a whole unmasked frame made here (its header skipped).
pub fn payload(frame: &[u8]) -> &[u8] {
    let head = match frame.get(1).map(|b| b & 0x7F) {
        Some(126) => 4,
        Some(127) => 10,
        Some(_) => 2,
        None => return &[],
    };
    frame.get(head..).unwrap_or_default()
}

/// A close frame with a code and a reason (cut to the 123 bytes a control frame allows, at
/// a character boundary).
pub fn close(code: u16, reason: &str) -> Bytes {
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(&reason.as_bytes()[..end]);
    encode(OP_CLOSE, &payload)
}

/// A ping frame.
pub fn ping() -> Bytes {
    encode(OP_PING, b"")
}

/// A pong answering a ping's payload.
pub fn pong(payload: &[u8]) -> Bytes {
    encode(OP_PONG, payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_of_every_length_class() {
        let json = format!("{{\"text\":\"{}\"}}", "x".repeat(300));
        let frame = text_with(|buf| buf.extend_from_slice(json.as_bytes()));
        assert_eq!(&frame[..4], &[0x81, 126, 0x01, json.len() as u8]);
        assert_eq!(&frame[4..], json.as_bytes());
        assert_eq!(payload(&frame), json.as_bytes());
        let small = text("hi");
        assert_eq!(&small[..], &[0x81, 2, b'h', b'i']);
        assert_eq!(payload(&small), b"hi");
        assert_eq!(&close(4008, "slow_consumer")[..4], &[0x88, 15, 0x0F, 0xA8]);
        assert_eq!(&ping()[..], &[0x89, 0]);
        assert_eq!(&pong(b"ab")[..], &[0x8A, 2, b'a', b'b']);
        let big = binary(&[7; 70_000]);
        assert_eq!(&big[..2], &[0x82, 127]);
        assert_eq!(u64::from_be_bytes(big[2..10].try_into().unwrap()), 70_000);
        assert_eq!(payload(&big), &[7; 70_000][..]);
    }

    #[test]
    fn a_long_close_reason_is_cut_at_a_character_boundary() {
        let reason = "é".repeat(100); // 200 bytes
        let frame = close(1000, &reason);
        assert_eq!(frame[1] as usize, frame.len() - 2);
        assert!(frame.len() - 2 <= 125);
        assert!(std::str::from_utf8(&frame[4..]).is_ok());
    }
}
