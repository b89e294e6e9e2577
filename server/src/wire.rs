//! A [`ServerMsg`] as shared bytes: serialized once, then the same bytes go to every
//! connection it is for. The core (hub, rooms, outboxes) uses only this module, never a
//! transport: the bytes are a whole WebSocket text frame, which the WebSocket transport
//! writes as they are, and whose JSON payload ([`json`]) another transport can write.

use bytes::Bytes;
use shared::ServerMsg;

/// `msg` encoded once, as a WebSocket text frame holding its JSON.
pub fn encode(msg: &ServerMsg) -> Bytes {
    parley_ws::encode::text_with(|buf| {
        serde_json::to_writer(buf, msg).expect("ServerMsg always serializes")
    })
}

/// The JSON of a message made by [`encode`].
pub fn json(frame: &Bytes) -> &[u8] {
    parley_ws::encode::payload(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frame_holds_the_message_json() {
        for len in [2, 300, 70_000] {
            let msg = ServerMsg::error(shared::ErrorCode::SlowDown, "x".repeat(len));
            let frame = encode(&msg);
            assert_eq!(frame[0], 0x81, "a whole text frame");
            assert_eq!(json(&frame), msg.to_json().as_bytes());
        }
    }
}
