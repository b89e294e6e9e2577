//! `GET /api/rooms/{room}/messages?before=SEQ&limit=N` (or `after=SEQ`, or `around=SEQ`; at
//! most one of the three, none for the latest): a page of a room's messages, the
//! same page the WebSocket's `history` answers with (both read it through
//! [`crate::hub::Hub::history_page`]). Needs a session, like the WebSocket.

use axum::extract::State;
use serde::Deserialize;
use shared::{HistoryFrom, RoomName, Seq, ServerMsg};

use super::extract::{Json, Path, Query};
use super::ApiError;
use crate::auth::Identity;
use crate::AppState;

/// Query string.
#[derive(Debug, Deserialize)]
pub struct Page {
    /// Only messages with a smaller seq; default: the latest.
    before: Option<u64>,
    /// Only messages with a larger seq, the oldest of them.
    after: Option<u64>,
    /// The messages around this seq.
    around: Option<u64>,
    /// Page size, 1–200; default the configured history page.
    limit: Option<u32>,
}

/// The handler.
pub async fn messages(
    State(state): State<AppState>,
    who: Identity,
    Path(room): Path<String>,
    Query(page): Query<Page>,
) -> Result<Json<ServerMsg>, ApiError> {
    let room = RoomName::parse(&room).map_err(ApiError::BadRoomName)?;
    if !state.hub.may_enter(&room, &who.user.key).await {
        return Err(ApiError::Forbidden);
    }
    let from = HistoryFrom::of(
        page.before.map(Seq),
        page.after.map(Seq),
        page.around.map(Seq),
    )
    .map_err(|why| ApiError::refused(axum::http::StatusCode::BAD_REQUEST, Some(why.into())))?;
    let page = state
        .hub
        .history_page((&room, &who.user.key), from, page.limit)
        .await?;
    Ok(Json(ServerMsg::from(page)))
}
