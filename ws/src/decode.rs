//! Client frames (RFC 6455 §5), decoded by [`Decoder`] from a buffer the connection fills.
//! It checks the size cap as soon as a header arrives (a client cannot make the server
//! buffer a frame it will refuse), unmasks, reassembles fragments and validates UTF-8.

use bytes::{Buf, BytesMut};

use crate::encode::{OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT};

/// Most bytes reserved ahead for a frame whose header has arrived but not its payload.
const RESERVE_AHEAD: usize = 16 * 1024;

/// A complete message (or control frame) from a client.
#[derive(Debug, PartialEq, Eq)]
pub enum Incoming {
    /// A text message.
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
    /// A ping, to be answered with its payload.
    Ping(Vec<u8>),
    /// A pong.
    Pong,
    /// The client closes, with its code if it gave one.
    Close(Option<u16>),
}

/// Why a client's frames cannot be read; each maps to a close code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A message larger than the cap (close 1009).
    #[error("message larger than the limit")]
    TooBig,
    /// Text that is not UTF-8 (close 1007).
    #[error("text is not valid UTF-8")]
    BadUtf8,
    /// A frame breaking RFC 6455 (close 1002).
    #[error("protocol violation: {0}")]
    Protocol(&'static str),
}

/// Decodes client frames; holds a fragmented message until its last frame.
#[derive(Debug)]
pub struct Decoder {
    max_message: usize,
    /// Opcode and payload so far of a fragmented message.
    partial: Option<(u8, Vec<u8>)>,
}

impl Decoder {
    /// A decoder refusing messages over `max_message` bytes.
    pub fn new(max_message: usize) -> Self {
        Self {
            max_message,
            partial: None,
        }
    }

    /// Takes the next complete message out of `buf`; `Ok(None)` when more bytes are needed.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Incoming>, DecodeError> {
        loop {
            let Some((op, fin, payload)) = self.frame(buf)? else {
                return Ok(None);
            };
            match op {
                OP_PING => return Ok(Some(Incoming::Ping(payload))),
                OP_PONG => return Ok(Some(Incoming::Pong)),
                OP_CLOSE => return close_payload(&payload).map(|code| Some(Incoming::Close(code))),
                OP_TEXT | OP_BINARY if self.partial.is_some() => {
                    return Err(DecodeError::Protocol(
                        "a new message started inside a fragmented one",
                    ));
                }
                OP_TEXT | OP_BINARY if fin => return complete(op, payload).map(Some),
                OP_TEXT | OP_BINARY => self.partial = Some((op, payload)),
                OP_CONTINUATION => {
                    let Some((first_op, mut sofar)) = self.partial.take() else {
                        return Err(DecodeError::Protocol(
                            "a continuation frame with no message to continue",
                        ));
                    };
                    sofar.extend_from_slice(&payload);
                    if fin {
                        return complete(first_op, sofar).map(Some);
                    }
                    self.partial = Some((first_op, sofar));
                }
                _ => return Err(DecodeError::Protocol("unknown opcode")),
            }
        }
    }

    /// Takes one whole frame out of `buf`: (opcode, fin, unmasked payload).
    fn frame(&mut self, buf: &mut BytesMut) -> Result<Option<(u8, bool, Vec<u8>)>, DecodeError> {
        if buf.len() < 2 {
            return Ok(None);
        }
        let (b0, b1) = (buf[0], buf[1]);
        if b0 & 0x70 != 0 {
            return Err(DecodeError::Protocol(
                "reserved bits set without an extension",
            ));
        }
        if b1 & 0x80 == 0 {
            return Err(DecodeError::Protocol("client frames must be masked"));
        }
        let (fin, op) = (b0 & 0x80 != 0, b0 & 0x0F);
        let (len, head) = match b1 & 0x7F {
            126 if buf.len() >= 4 => (u64::from(u16::from_be_bytes([buf[2], buf[3]])), 4),
            127 if buf.len() >= 10 => (
                u64::from_be_bytes(buf[2..10].try_into().expect("8 bytes")),
                10,
            ),
            126 | 127 => return Ok(None),
            n => (u64::from(n), 2),
        };
        if op >= OP_CLOSE && (!fin || len > 125) {
            return Err(DecodeError::Protocol(
                "control frames must be whole and at most 125 bytes",
            ));
        }
        if len >> 63 != 0 {
            return Err(DecodeError::Protocol(
                "a 64-bit length with its high bit set",
            ));
        }
        // Checked without overflow: `len` is up to 2^63 (found by fuzzing).
        let sofar = self.partial.as_ref().map_or(0, |(_, p)| p.len() as u64);
        if op < OP_CLOSE && len > (self.max_message as u64).saturating_sub(sofar) {
            return Err(DecodeError::TooBig);
        }
        let len = len as usize;
        let total = head + 4 + len;
        if buf.len() < total {
            // Room for what is announced, up to a bound: a header alone must not make the
            // connection allocate a whole maximal frame.
            buf.reserve((total - buf.len()).min(RESERVE_AHEAD));
            return Ok(None);
        }
        let mask: [u8; 4] = buf[head..head + 4].try_into().expect("4 bytes");
        buf.advance(head + 4);
        let mut payload = buf.split_to(len).to_vec();
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i & 3];
        }
        Ok(Some((op, fin, payload)))
    }
}

fn complete(op: u8, payload: Vec<u8>) -> Result<Incoming, DecodeError> {
    if op == OP_BINARY {
        return Ok(Incoming::Binary(payload));
    }
    String::from_utf8(payload)
        .map(Incoming::Text)
        .map_err(|_| DecodeError::BadUtf8)
}

fn close_payload(payload: &[u8]) -> Result<Option<u16>, DecodeError> {
    match payload.len() {
        0 => Ok(None),
        1 => Err(DecodeError::Protocol("a close payload of one byte")),
        _ => {
            std::str::from_utf8(&payload[2..]).map_err(|_| DecodeError::BadUtf8)?;
            Ok(Some(u16::from_be_bytes([payload[0], payload[1]])))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A masked client frame.
    fn client(b0: u8, payload: &[u8]) -> Vec<u8> {
        let mask = [0x12, 0x34, 0x56, 0x78];
        let mut out = vec![b0];
        match payload.len() {
            n @ 0..=125 => out.push(0x80 | n as u8),
            n @ 126..=0xFFFF => {
                out.push(0x80 | 126);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            n => {
                out.push(0x80 | 127);
                out.extend_from_slice(&(n as u64).to_be_bytes());
            }
        }
        out.extend_from_slice(&mask);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i & 3]));
        out
    }

    fn decode_all(bytes: &[u8], max: usize) -> Vec<Result<Incoming, DecodeError>> {
        let mut d = Decoder::new(max);
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        // Feed one byte at a time: every split point must work.
        for b in bytes {
            buf.extend_from_slice(&[*b]);
            loop {
                match d.decode(&mut buf) {
                    Ok(Some(m)) => out.push(Ok(m)),
                    Ok(None) => break,
                    Err(e) => {
                        out.push(Err(e));
                        return out;
                    }
                }
            }
        }
        out
    }

    #[test]
    fn text_of_every_length_class() {
        for len in [0, 1, 125, 126, 1000, 65535, 65536, 70000] {
            let text = "a".repeat(len);
            let got = decode_all(&client(0x81, text.as_bytes()), 100_000);
            assert_eq!(got, [Ok(Incoming::Text(text))], "len {len}");
        }
    }

    #[test]
    fn fragments_with_a_ping_between_them() {
        let mut bytes = client(0x01, "héllo ".as_bytes());
        bytes.extend(client(0x89, b"p"));
        bytes.extend(client(0x80, "wörld".as_bytes()));
        assert_eq!(
            decode_all(&bytes, 1000),
            [
                Ok(Incoming::Ping(b"p".to_vec())),
                Ok(Incoming::Text("héllo wörld".into()))
            ]
        );
    }

    #[test]
    fn utf8_split_across_fragments_is_fine_but_bad_utf8_is_refused() {
        let s = "é".as_bytes();
        let mut bytes = client(0x01, &s[..1]);
        bytes.extend(client(0x80, &s[1..]));
        assert_eq!(decode_all(&bytes, 100), [Ok(Incoming::Text("é".into()))]);
        assert_eq!(
            decode_all(&client(0x81, &[0xC3]), 100),
            [Err(DecodeError::BadUtf8)]
        );
    }

    #[test]
    fn size_cap_is_checked_on_the_header_and_across_fragments() {
        // Only the header of a 1 GB frame: refused before any payload arrives.
        let mut head = vec![0x81, 0x80 | 127];
        head.extend_from_slice(&(1u64 << 30).to_be_bytes());
        assert_eq!(decode_all(&head, 1000), [Err(DecodeError::TooBig)]);
        let mut bytes = client(0x01, &[b'a'; 600]);
        bytes.extend(client(0x80, &[b'a'; 600]));
        assert_eq!(decode_all(&bytes, 1000), [Err(DecodeError::TooBig)]);
        assert_eq!(decode_all(&client(0x81, &[b'a'; 1000]), 1000).len(), 1);
    }

    #[test]
    fn a_length_near_2_pow_64_is_refused_not_overflowed() {
        // Found by the fuzzer: the size check used to add and overflow.
        for len in [u64::MAX, 1 << 63, (1 << 63) - 1, u64::MAX - 100] {
            let mut head = vec![0x81, 0x80 | 127];
            head.extend_from_slice(&len.to_be_bytes());
            head.extend_from_slice(&[0, 0, 0, 0, b'x']);
            assert!(matches!(decode_all(&head, 1000)[..], [Err(_)]), "{len}");
        }
        let mut frag = client(0x01, b"abc");
        let mut head = vec![0x80, 0x80 | 127];
        head.extend_from_slice(&(u64::MAX - 1).to_be_bytes());
        frag.extend(head);
        assert!(matches!(decode_all(&frag, 1000)[..], [Err(_)]));
    }

    #[test]
    fn protocol_violations() {
        let unmasked = [0x81, 0x01, b'a'];
        assert!(matches!(
            decode_all(&unmasked, 100)[..],
            [Err(DecodeError::Protocol(_))]
        ));
        assert!(
            matches!(
                decode_all(&client(0xC1, b"x"), 100)[..],
                [Err(DecodeError::Protocol(_))]
            ),
            "RSV1"
        );
        assert!(
            matches!(
                decode_all(&client(0x83, b"x"), 100)[..],
                [Err(DecodeError::Protocol(_))]
            ),
            "opcode 3"
        );
        assert!(
            matches!(
                decode_all(&client(0x80, b"x"), 100)[..],
                [Err(DecodeError::Protocol(_))]
            ),
            "lone cont."
        );
        assert!(
            matches!(
                decode_all(&client(0x09, b"x"), 100)[..],
                [Err(DecodeError::Protocol(_))]
            ),
            "split ping"
        );
        assert!(matches!(
            decode_all(&client(0x89, &[0; 126]), 1000)[..],
            [Err(DecodeError::Protocol(_))]
        ));
        let mut nested = client(0x01, b"a");
        nested.extend(client(0x81, b"b"));
        assert!(matches!(
            decode_all(&nested, 100)[..],
            [Err(DecodeError::Protocol(_))]
        ));
    }

    #[test]
    fn binary_and_close() {
        assert_eq!(
            decode_all(&client(0x82, &[1, 2, 3]), 100),
            [Ok(Incoming::Binary(vec![1, 2, 3]))]
        );
        assert_eq!(
            decode_all(&client(0x88, b""), 100),
            [Ok(Incoming::Close(None))]
        );
        let mut close = 1000u16.to_be_bytes().to_vec();
        close.extend_from_slice(b"bye");
        assert_eq!(
            decode_all(&client(0x88, &close), 100),
            [Ok(Incoming::Close(Some(1000)))]
        );
        assert!(matches!(
            decode_all(&client(0x88, &[3]), 100)[..],
            [Err(DecodeError::Protocol(_))]
        ));
    }
}
