//! What a new socket must send to pick up where the last one stopped, and the client frames
//! it is made of (built here only, so a live join or send and its resumed copy agree).

use shared::{ClientMsg, RoomName, Seq};

use super::{ChatState, PendingReact, PendingStatus};

impl ChatState {
    /// The frames that restore the chat on a new socket, in order: a rejoin of every room
    /// the user wants to be in, from its resume points (messages and reactions), then every
    /// own message still sending and every own reaction not answered, room by room in send
    /// order (same client id, so never applied twice). Failed messages wait for a retry.
    pub fn resume_frames(&self) -> Vec<ClientMsg> {
        let rooms = self.rooms.values();
        let joins = rooms
            .clone()
            .filter(|r| r.wanted)
            .map(|r| join_frame(&r.name, r.resume, r.changes_after));
        let sends = rooms.flat_map(|r| {
            let messages = r
                .pending
                .iter()
                .filter(|p| p.status == PendingStatus::Sending)
                .map(|p| send_frame(&r.name, &p.client_id, &p.text, p.reply_to));
            messages.chain(r.reacting.iter().map(|p| react_frame(&r.name, p)))
        });
        joins.chain(sends).collect()
    }
}

/// Joins `room`, with the messages after `after` (None: the latest page) and the reactions
/// changed after the change `changes_after` (None: those of the messages sent).
pub fn join_frame(room: &RoomName, after: Option<Seq>, changes_after: Option<u64>) -> ClientMsg {
    // The server takes the nickname from the session.
    ClientMsg::Join {
        room: room.to_string(),
        nickname: None,
        after,
        changes_after,
    }
}

/// Adds (or takes back) an own reaction.
pub fn react_frame(room: &RoomName, p: &PendingReact) -> ClientMsg {
    ClientMsg::React {
        room: room.to_string(),
        seq: p.seq,
        emoji: p.emoji.clone(),
        client_id: p.client_id.clone(),
        remove: p.remove,
    }
}

/// Sends a chat message (answering the message at `reply_to`, if any).
pub fn send_frame(
    room: &RoomName,
    client_id: &str,
    text: &str,
    reply_to: Option<Seq>,
) -> ClientMsg {
    ClientMsg::Send {
        room: room.to_string(),
        client_id: client_id.to_owned(),
        text: text.to_owned(),
        reply_to,
    }
}
