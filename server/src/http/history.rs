//! `GET /api/rooms/{room}/messages?before=SEQ&limit=N`: a page of a room's messages, the
//! same page the WebSocket's `history` answers with.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use shared::{ErrorCode, RoomName, Seq, ServerMsg, HISTORY_PAGE_MAX};

use super::error;
use crate::AppState;

/// Query string.
#[derive(Debug, Deserialize)]
pub struct Page {
    /// Only messages with a smaller seq; default: the latest.
    before: Option<u64>,
    /// Page size, 1–200; default the configured history page.
    limit: Option<u32>,
}

/// The handler.
pub async fn messages(
    State(state): State<AppState>,
    Path(room): Path<String>,
    Query(page): Query<Page>,
) -> Response {
    let room = match RoomName::parse(&room) {
        Ok(room) => room,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadRoomName,
                format!("room name {e}"),
            )
        }
    };
    if state.hub.existing_room(&room).is_none() {
        return error(
            StatusCode::NOT_FOUND,
            ErrorCode::NoSuchRoom,
            format!("there is no room #{room}"),
        );
    }
    let before = Seq(page.before.unwrap_or(u64::MAX));
    let limit = page
        .limit
        .unwrap_or(state.limits.history_page)
        .clamp(1, HISTORY_PAGE_MAX);
    match state
        .hub
        .store()
        .messages_before(&room, before, limit)
        .await
    {
        Ok((messages, has_more)) => Json(ServerMsg::History {
            room,
            messages,
            has_more,
        })
        .into_response(),
        Err(err) => {
            tracing::warn!(cause = %err, %room, "history read failed");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::StorageUnavailable,
                "history could not be read",
            )
        }
    }
}
