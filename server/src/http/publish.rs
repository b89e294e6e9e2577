//! `POST /api/rooms/{room}/messages`: a service (a CI job, an alerting system) posts a message
//! into a room with an API key (`Authorization: Bearer pk_…`, made by `parley api-key
//! create NAME`). It goes through the room like a member's message: stored, given the next
//! seq, delivered to every member on every node, marked as a bot's (`"bot": true`, the
//! key's name as author). A retry with the same `client_id` is stored once. Answers 201
//! `{"room","seq","id","ts","duplicate"}`.
//!
//! Only the bearer header is read, never the session cookie: a page cannot make a browser
//! publish. Each key has a rate (`--publish-rate`, `--publish-burst`); bodies are bounded
//! like every request (16 KiB), and the commit has [`ACK_WAIT`].

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use shared::{ClientMsgId, MessageText, RoomName, ServerMsg};

use super::extract::{Json, Path};
use super::ApiError;
use crate::hub::history::HistoryError;
use crate::hub::outbox::Outbox;
use crate::storage::NewMessage;
use crate::{api_keys, wire, AppState};

/// Longest wait for the commit; past it, 503 `storage_unavailable` (retry with the same
/// `client_id`: it is stored once).
pub const ACK_WAIT: Duration = Duration::from_secs(10);

/// The body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Publish {
    /// The message, 1–4,000 characters, as the WebSocket's `send` takes it.
    text: String,
    /// The service's id for it (1–64 of A-Z a-z 0-9 - _); a retry with it is stored once.
    /// Default: a random one (no retry is recognised).
    client_id: Option<String>,
}

/// The handler.
pub async fn publish(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(room): Path<String>,
    Json(body): Json<Publish>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let name = key_name(&state, &headers).await?;
    let room = RoomName::parse(&room).map_err(ApiError::BadRoomName)?;
    let text = MessageText::parse(&body.text).map_err(ApiError::BadText)?;
    let client_id = match &body.client_id {
        Some(id) => ClientMsgId::parse(id).map_err(ApiError::BadClientId)?,
        None => {
            let random = api_keys::generate();
            ClientMsgId::parse(&random[api_keys::PREFIX.len()..]).expect("hex is a client id")
        }
    };
    state
        .publishers
        .take(&name)
        .map_err(ApiError::TooManyPublished)?;
    if crate::hub::direct::is_direct(&room) {
        // A service has no part in a conversation of two.
        return Err(ApiError::Forbidden);
    }
    let Some(handle) = state.hub.find_room(&room).await else {
        return Err(HistoryError::NoSuchRoom(room).into());
    };
    let nickname = api_keys::parse_name(&name).map_err(|_| ApiError::BadApiKey)?;
    let message = NewMessage {
        // Upper case: no nickname's key has any (keys are lower-cased), so a person can
        // never share a key's retries (`client_id`s are unique per sender).
        sender: format!("BOT:{name}").into(),
        nickname,
        client_id,
        text,
        ts: crate::now_ms(),
        bot: true,
        reply: None,
    };
    let outbox = Arc::new(Outbox::new(64 << 10));
    handle.publish(message, outbox.clone()).await;
    let mut frames = Vec::new();
    match tokio::time::timeout(ACK_WAIT, outbox.recv_batch(&mut frames)).await {
        Ok(Ok(())) => {}
        _ => return Err(ApiError::StorageUnavailable),
    }
    let answer = frames
        .first()
        .and_then(|f| serde_json::from_slice::<ServerMsg>(wire::json(f)).ok());
    match answer {
        Some(ServerMsg::Ack {
            room,
            seq,
            id,
            ts,
            duplicate,
            ..
        }) => Ok((
            StatusCode::CREATED,
            Json(serde_json::json!({
                "room": room, "seq": seq, "id": id, "ts": ts, "duplicate": duplicate,
            })),
        )),
        _ => Err(ApiError::StorageUnavailable),
    }
}

/// The name of the live API key the request carries.
async fn key_name(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    let key = crate::auth::request::bearer(headers).ok_or(ApiError::BadApiKey)?;
    if !api_keys::looks_like_key(&key) {
        return Err(ApiError::BadApiKey);
    }
    let store = state.hub.store();
    store
        .api_key_named(&api_keys::hash(&key))
        .await?
        .ok_or(ApiError::BadApiKey)
}
