//! Arbitrary bytes from a client: WebSocket framing, then the protocol's decoding and every
//! field's validation. Nothing may panic, and a decoder that stops must say why.

#![no_main]

use libfuzzer_sys::fuzz_target;
use parley_ws::{Decoder, Incoming};
use shared::{decode_client_msg, ClientMsg, ClientMsgId, Emoji, MessageText, Nickname, RoomName};

fn handle(text: &str) {
    match decode_client_msg(text) {
        Ok(ClientMsg::Join { room, nickname, .. }) => {
            let _ = RoomName::parse(&room);
            if let Some(n) = nickname {
                let _ = Nickname::parse(&n).map(|n| n.key());
            }
        }
        Ok(ClientMsg::Send { room, client_id, text, reply_to: _ }) => {
            let _ = RoomName::parse(&room);
            let _ = ClientMsgId::parse(&client_id);
            let _ = MessageText::parse(&text);
        }
        Ok(ClientMsg::React { room, seq: _, emoji, client_id, remove: _ }) => {
            let _ = RoomName::parse(&room);
            let _ = Emoji::parse(&emoji);
            let _ = ClientMsgId::parse(&client_id);
        }
        Ok(ClientMsg::Leave { room })
        | Ok(ClientMsg::History { room, .. })
        | Ok(ClientMsg::Typing { room, .. })
        | Ok(ClientMsg::Read { room, .. })
        | Ok(ClientMsg::SetNotify { room, .. }) => {
            let _ = RoomName::parse(&room);
        }
        Ok(ClientMsg::ListRooms { prefix, after, .. }) => {
            let _ = RoomName::check_prefix(prefix.as_deref().unwrap_or_default());
            let _ = after.as_deref().map(RoomName::parse);
        }
        Ok(ClientMsg::OpenDirect { nickname }) => {
            let _ = Nickname::stored(&nickname).map(|n| n.key());
        }
        Ok(ClientMsg::RoomCounts { rooms }) => {
            for room in &rooms {
                let _ = RoomName::parse(room);
            }
        }
        Err(e) => assert!(!e.message.is_empty()),
    }
}

fuzz_target!(|data: &[u8]| {
    // As a byte stream of frames, split at an arbitrary point.
    let mut decoder = Decoder::new(64 * 1024);
    let split = data.first().map_or(0, |b| *b as usize % (data.len() + 1));
    let mut buf = bytes::BytesMut::new();
    for chunk in [&data[..split], &data[split..]] {
        buf.extend_from_slice(chunk);
        loop {
            match decoder.decode(&mut buf) {
                Ok(Some(Incoming::Text(text))) => handle(&text),
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
    // As the text of one frame.
    if let Ok(text) = std::str::from_utf8(data) {
        handle(text);
    }
});
