//! `react`: a member adds or takes back a reaction. The writer commits it (with the round's
//! messages); the room then tells its members (and, in cluster mode, the other nodes) with a
//! `reaction` frame, and the reactor gets `reacted`. A reaction counts against the message
//! rate like a message, and is never unread and never notifies.

use shared::{ClientMsgId, Emoji, ErrorCode, RoomName, Seq, ServerMsg};

use super::commands::{room_name, Refusal};
use super::Participant;
use crate::storage::reactions::{ReactOutcome, ReactionChange};
use crate::{now_ms, wire};

impl Participant {
    pub(super) async fn react(
        &mut self,
        room: &str,
        seq: Seq,
        (emoji, client_id): (&str, &str),
        remove: bool,
    ) -> Result<(), Refusal> {
        let room = room_name(room)?;
        let client_id = ClientMsgId::parse(client_id).map_err(|e| {
            Refusal::new(
                ErrorCode::BadClientId,
                format!("client_id (1–64 of A-Z a-z 0-9 - _) {e}"),
            )
            .in_room(&room)
        })?;
        let refuse = |code, message: String| {
            Refusal::new(code, message)
                .in_room(&room)
                .for_client(&client_id)
        };
        let emoji = Emoji::parse(emoji).map_err(|e| {
            refuse(
                ErrorCode::BadEmoji,
                format!("a reaction is one emoji, and this {e}"),
            )
        })?;
        let Some((handle, _)) = self.rooms.get(&room) else {
            return Err(self.not_in_room(&room).for_client(&client_id));
        };
        if seq.0 == 0 || seq > handle.last_seq() {
            return Err(no_such_message(&room, seq).for_client(&client_id));
        }
        let change = ReactionChange {
            room: room.clone(),
            seq,
            emoji,
            user: self.identity.user.key.clone(),
            nickname: self.identity.user.nickname.clone(),
            add: !remove,
            ts: now_ms(),
        };
        let (handle, outbox, store) = (
            handle.clone(),
            self.outbox.clone(),
            self.hub.store().clone(),
        );
        // Queued here, in the order the connection sent them (a quick add and take-back
        // must commit in that order); only the wait for the commit is a task of its own.
        let committed = store.writer().react(change.clone()).await;
        tokio::spawn(async move {
            let outcome = match committed.await {
                Ok(Ok(outcome)) => outcome,
                Ok(Err(_)) | Err(_) => {
                    let msg = refused(
                        &change,
                        &client_id,
                        ErrorCode::StorageUnavailable,
                        "the reaction could not be stored; retry it".into(),
                    );
                    let _ = outbox.push_frame(wire::encode(&msg));
                    return;
                }
            };
            let answer = match outcome {
                ReactOutcome::Changed { rev, reactions } => {
                    let frame = wire::encode(&ServerMsg::Reaction {
                        room: change.room.clone(),
                        seq: change.seq,
                        rev,
                        nickname: change.nickname.clone(),
                        emoji: change.emoji.clone(),
                        added: change.add,
                        reactions,
                    });
                    handle.changed(rev, frame).await;
                    reacted(&change, client_id, true)
                }
                ReactOutcome::Unchanged => reacted(&change, client_id, false),
                ReactOutcome::NoSuchMessage => {
                    let r = no_such_message(&change.room, change.seq);
                    refused(&change, &client_id, r.code, r.message)
                }
                ReactOutcome::TooMany(why) => {
                    refused(&change, &client_id, ErrorCode::TooManyReactions, why.into())
                }
            };
            let _ = outbox.push_frame(wire::encode(&answer));
        });
        Ok(())
    }
}

fn no_such_message(room: &RoomName, seq: Seq) -> Refusal {
    Refusal::new(
        ErrorCode::NoSuchMessage,
        format!("#{room} has no message {}", seq.0),
    )
    .in_room(room)
}

fn reacted(change: &ReactionChange, client_id: ClientMsgId, changed: bool) -> ServerMsg {
    ServerMsg::Reacted {
        room: change.room.clone(),
        client_id,
        seq: change.seq,
        emoji: change.emoji.clone(),
        changed,
    }
}

fn refused(
    change: &ReactionChange,
    client_id: &ClientMsgId,
    code: ErrorCode,
    message: String,
) -> ServerMsg {
    ServerMsg::Error {
        code,
        message,
        room: Some(change.room.clone()),
        client_id: Some(client_id.clone()),
    }
}
