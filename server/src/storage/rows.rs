//! Database rows to protocol types. A row that breaks the protocol's rules (hand-edited
//! data) is an error, never passed on. Message text and nicknames are read with the rules
//! they were accepted under ([`MessageText::stored`], [`Nickname::stored`]), so data stored
//! before a rule was added still reads.

use shared::{ChatMessage, MessageId, MessageText, Nickname, RoomName, Seq};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::StoreError;

fn corrupt(what: &str, err: impl std::fmt::Display) -> StoreError {
    sqlx::Error::Decode(format!("stored {what} is invalid: {err}").into()).into()
}

/// A `rooms.name` row.
pub fn room_name(row: &AnyRow) -> Result<RoomName, StoreError> {
    let name: String = row.try_get(0)?;
    RoomName::parse(&name).map_err(|e| corrupt("room name", e))
}

/// A `room, seq, id, nickname, body, ts, bot` row.
pub fn chat_message(row: &AnyRow) -> Result<ChatMessage, StoreError> {
    let room: String = row.try_get(0)?;
    let nickname: String = row.try_get(3)?;
    let body: String = row.try_get(4)?;
    Ok(ChatMessage {
        room: RoomName::parse(&room).map_err(|e| corrupt("room name", e))?,
        seq: Seq(row.try_get::<i64, _>(1)? as u64),
        id: MessageId(row.try_get::<i64, _>(2)? as u64),
        nickname: Nickname::stored(&nickname).map_err(|e| corrupt("nickname", e))?,
        text: MessageText::stored(&body).map_err(|e| corrupt("message text", e))?,
        ts: row.try_get(5)?,
        bot: row.try_get::<i64, _>(6)? != 0,
    })
}
