//! Decoding client frames into [`ClientMsg`] with an [`ErrorCode`] that says what was wrong.

use serde::Deserialize;

use crate::codes::ErrorCode;
use crate::protocol::ClientMsg;

/// A frame that is not a valid [`ClientMsg`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct DecodeError {
    /// `InvalidJson`, `MissingType`, `UnknownType` or `BadMessage`.
    pub code: ErrorCode,
    /// What the decoder said, for people.
    pub message: String,
}

/// The client message types, as written in `"type"`.
pub const CLIENT_TYPES: &[&str] = <ClientMsg as strum::VariantNames>::VARIANTS;

/// Decodes one text frame. The happy path parses once; only a failure looks further to tell
/// bad JSON from an unknown type from a bad field.
pub fn decode_client_msg(text: &str) -> Result<ClientMsg, DecodeError> {
    let err = match serde_json::from_str::<ClientMsg>(text) {
        Ok(msg) => return Ok(msg),
        Err(err) => err,
    };
    if err.is_syntax() || err.is_eof() {
        return Err(DecodeError {
            code: ErrorCode::InvalidJson,
            message: format!("not valid JSON: {err}"),
        });
    }
    #[derive(Deserialize)]
    struct Tag {
        #[serde(rename = "type")]
        kind: Option<serde_json::Value>,
    }
    let tag = serde_json::from_str::<Tag>(text).ok().and_then(|t| t.kind);
    match tag {
        Some(serde_json::Value::String(kind)) if CLIENT_TYPES.contains(&kind.as_str()) => {
            Err(DecodeError {
                code: ErrorCode::BadMessage,
                message: format!("bad {kind:?} message: {err}"),
            })
        }
        Some(serde_json::Value::String(kind)) => Err(DecodeError {
            code: ErrorCode::UnknownType,
            message: format!(
                "unknown message type {kind:?}; expected one of {}",
                CLIENT_TYPES.join(", ")
            ),
        }),
        _ => Err(DecodeError {
            code: ErrorCode::MissingType,
            message: "a message must be a JSON object with a string field \"type\"".into(),
        }),
    }
}
