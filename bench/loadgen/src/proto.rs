//! The two protocols the load generator speaks: Parley's and the Node reference peer's.
//! Frames are recognised by cheap byte scans, not full JSON parsing, so the load generator
//! stays lighter than the server it measures.

use std::fmt;

/// Which server is under load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Parley (`/ws?v=N`, `shared` protocol).
    Parley,
    /// The Node ws + express peer in bench/node-peer.
    Node,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Target::Parley => "parley",
            Target::Node => "node",
        })
    }
}

/// What a frame from the server is, as far as load is concerned.
#[derive(Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// The connection's first frame.
    Welcome,
    /// A join was accepted.
    Joined,
    /// A chat message, with its text.
    Message { text: &'a [u8] },
    /// A send was acknowledged, with its client id.
    Ack { client_id: &'a [u8] },
    /// A reaction was added or taken back (Parley only).
    Reaction,
    /// An error frame.
    Error,
    /// Anything else (presence, room lists, …).
    Other,
}

/// Parley's WebSocket path, with the protocol version (`shared::PROTOCOL_VERSION`).
const PARLEY_PATH: &str = "/ws?v=8";

impl Target {
    /// The WebSocket path.
    pub fn path(self) -> &'static str {
        match self {
            Target::Parley => PARLEY_PATH,
            Target::Node => "/ws",
        }
    }

    /// A join frame. Parley takes the nickname from the session, so it is not sent.
    pub fn join(self, room: &str, nick: &str) -> String {
        match self {
            Target::Parley => format!(r#"{{"type":"join","room":"{room}"}}"#),
            Target::Node => format!(r#"{{"t":"join","room":"{room}","nick":"{nick}"}}"#),
        }
    }

    /// A join frame that resumes after `after`, the last seq this client saw (0: none yet,
    /// so the latest history page). The Node peer keeps no history: a plain join.
    pub fn rejoin(self, room: &str, nick: &str, after: u64) -> String {
        match self {
            Target::Parley if after > 0 => {
                format!(r#"{{"type":"join","room":"{room}","after":{after}}}"#)
            }
            _ => self.join(room, nick),
        }
    }

    /// A chat send frame; `text` must need no JSON escaping.
    pub fn send(self, room: &str, client_id: &str, text: &str) -> String {
        match self {
            Target::Parley => {
                format!(
                    r#"{{"type":"send","room":"{room}","client_id":"{client_id}","text":"{text}"}}"#
                )
            }
            Target::Node => {
                format!(r#"{{"t":"send","room":"{room}","id":"{client_id}","text":"{text}"}}"#)
            }
        }
    }

    /// Frames saying this client is typing in `room` and has read it all (Parley only: the
    /// Node peer has neither).
    pub fn chatter(self, room: &str) -> Option<[String; 2]> {
        match self {
            Target::Parley => Some([
                format!(r#"{{"type":"typing","room":"{room}","typing":true}}"#),
                // Past the end is the end: the server keeps the room's latest seq.
                format!(
                    r#"{{"type":"read","room":"{room}","seq":{}}}"#,
                    u64::MAX >> 12
                ),
            ]),
            Target::Node => None,
        }
    }

    /// A reaction frame of sender `sid`: its own emoji (one of ten faces) on one of the
    /// room's first messages, added or (with `remove`) taken back, so that every one
    /// changes something even when all senders share a session (Parley only: the Node peer
    /// has none).
    pub fn react(
        self,
        room: &str,
        (sid, client_id): (usize, &str),
        remove: bool,
    ) -> Option<String> {
        let emoji = char::from_u32(0x1F600 + (sid % 10) as u32)?;
        let seq = 1 + sid / 10;
        match self {
            Target::Parley => Some(format!(
                r#"{{"type":"react","room":"{room}","seq":{seq},"emoji":"{emoji}","client_id":"{client_id}","remove":{remove}}}"#
            )),
            Target::Node => None,
        }
    }

    /// Classifies a text frame.
    pub fn classify(self, frame: &[u8]) -> Event<'_> {
        let (kind, id_key): (&[u8], &[u8]) = match self {
            Target::Parley => (
                field(frame, b"\"type\":\"").unwrap_or_default(),
                b"\"client_id\":\"",
            ),
            Target::Node => (field(frame, b"\"t\":\"").unwrap_or_default(), b"\"id\":\""),
        };
        match kind {
            b"message" | b"msg" => Event::Message {
                text: field(frame, b"\"text\":\"").unwrap_or_default(),
            },
            b"ack" => Event::Ack {
                client_id: field(frame, id_key).unwrap_or_default(),
            },
            b"welcome" => Event::Welcome,
            b"joined" => Event::Joined,
            b"error" => Event::Error,
            b"reaction" => Event::Reaction,
            _ => Event::Other,
        }
    }
}

/// The unsigned number after `key` (which ends with the colon, as in `"seq":`).
pub fn number(frame: &[u8], key: &[u8]) -> Option<u64> {
    let at = frame.windows(key.len()).position(|w| w == key)? + key.len();
    let digits = frame[at..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    std::str::from_utf8(&frame[at..at + digits])
        .ok()?
        .parse()
        .ok()
}

/// The string value after `key` (which ends with the opening quote), up to the next quote.
pub fn field<'a>(frame: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let at = frame.windows(key.len()).position(|w| w == key)? + key.len();
    let len = frame[at..].iter().position(|b| *b == b'"')?;
    Some(&frame[at..at + len])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parley_frames() {
        let t = Target::Parley;
        assert_eq!(
            t.classify(br#"{"type":"message","room":"r","seq":1,"id":1,"nickname":"a","text":"3:4:5","ts":1}"#),
            Event::Message { text: b"3:4:5" }
        );
        assert_eq!(
            t.classify(br#"{"type":"ack","room":"r","client_id":"17","seq":1,"id":1,"ts":1,"duplicate":false}"#),
            Event::Ack { client_id: b"17" }
        );
        assert_eq!(
            t.classify(br#"{"type":"welcome","protocol":1,"rooms":[]}"#),
            Event::Welcome
        );
        assert_eq!(t.classify(br#"{"type":"presence"}"#), Event::Other);
        let joined = br#"{"type":"joined","room":"r","nickname":"a","members":["a"],"after":3,"last_seq":17}"#;
        assert_eq!(number(joined, b"\"last_seq\":"), Some(17));
        assert_eq!(number(joined, b"\"seq\":"), None);
        assert_eq!(
            t.rejoin("r", "a", 5),
            r#"{"type":"join","room":"r","after":5}"#
        );
        assert_eq!(t.rejoin("r", "a", 0), t.join("r", "a"));
    }

    #[test]
    fn parley_path_names_the_protocol_version() {
        assert_eq!(
            Target::Parley.path(),
            format!("/ws?v={}", shared::PROTOCOL_VERSION)
        );
    }

    #[test]
    fn node_frames() {
        let t = Target::Node;
        assert_eq!(
            t.classify(br#"{"t":"msg","room":"r","seq":1,"nick":"a","text":"1:2:3","ts":1}"#),
            Event::Message { text: b"1:2:3" }
        );
        assert_eq!(
            t.classify(br#"{"t":"ack","room":"r","id":"9","seq":1,"ts":1}"#),
            Event::Ack { client_id: b"9" }
        );
        assert_eq!(
            t.classify(br#"{"t":"joined","room":"r","members":1}"#),
            Event::Joined
        );
    }
}
