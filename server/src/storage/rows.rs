//! Database rows to protocol types. A row that breaks the protocol's rules (hand-edited
//! data) is an error, never passed on. Message text and nicknames are read with the rules
//! they were accepted under ([`MessageText::stored`], [`Nickname::stored`]), so data stored
//! before a rule was added still reads.

use shared::{ChatMessage, MessageId, MessageText, Nickname, Reaction, Reply, RoomName, Seq};
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

/// Rows whose first column is a nickname (who reacted, say).
pub fn nicknames(rows: &[AnyRow]) -> Result<Vec<Nickname>, StoreError> {
    rows.iter()
        .map(|row| {
            let name: String = row.try_get(0)?;
            Nickname::stored(&name).map_err(|e| corrupt("nickname", e))
        })
        .collect()
}

/// The columns [`chat_message`] reads, in its order.
pub const MESSAGE_COLUMNS: &str = "room, seq, id, nickname, body, ts, bot, reply_seq, \
     reply_nickname, reply_snippet, reactions, rev";

/// A message's stored reactions (`messages.reactions`, JSON; NULL for none).
pub fn reactions(stored: Option<String>) -> Result<Vec<Reaction>, StoreError> {
    match stored {
        Some(json) if !json.is_empty() => {
            serde_json::from_str(&json).map_err(|e| corrupt("reactions", e))
        }
        _ => Ok(Vec::new()),
    }
}

/// A [`MESSAGE_COLUMNS`] row.
pub fn chat_message(row: &AnyRow) -> Result<ChatMessage, StoreError> {
    let room: String = row.try_get(0)?;
    let nickname: String = row.try_get(3)?;
    let body: String = row.try_get(4)?;
    let reply = match row.try_get::<Option<i64>, _>(7)? {
        Some(seq) => {
            let nickname: String = row.try_get::<Option<String>, _>(8)?.unwrap_or_default();
            Some(Reply {
                seq: Seq(seq as u64),
                nickname: Nickname::stored(&nickname)
                    .map_err(|e| corrupt("reply's nickname", e))?,
                snippet: row.try_get::<Option<String>, _>(9)?.unwrap_or_default(),
            })
        }
        None => None,
    };
    Ok(ChatMessage {
        room: RoomName::parse(&room).map_err(|e| corrupt("room name", e))?,
        seq: Seq(row.try_get::<i64, _>(1)? as u64),
        id: MessageId(row.try_get::<i64, _>(2)? as u64),
        nickname: Nickname::stored(&nickname).map_err(|e| corrupt("nickname", e))?,
        text: MessageText::stored(&body).map_err(|e| corrupt("message text", e))?,
        ts: row.try_get(5)?,
        bot: row.try_get::<i64, _>(6)? != 0,
        reply,
        reactions: reactions(row.try_get(10)?)?,
        rev: row.try_get::<i64, _>(11)? as u64,
    })
}
