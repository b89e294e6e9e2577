//! The REST API under `/api`, and `/healthz`.

use axum::extract::{DefaultBodyLimit, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::json;
use shared::{RoomName, ROOMS_PAGE_MAX};

use super::extract::{Json, Query, BODY_LIMIT};
use super::ApiError;
use crate::auth::Identity;

use crate::AppState;

/// Routes under `/api`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rooms", get(rooms))
        .route("/rooms/{room}/messages", get(super::history::messages))
        .merge(super::sign_in::router())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// `GET /healthz`: the server is up; with connection and room counts.
pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    Json(json!({
        "status": "ok",
        "connections": state.hub.connection_count(),
        "rooms": state.hub.room_count(),
        "recent_cache_bytes": state.hub.recent_cache_bytes(),
    }))
}

/// Query string of `GET /api/rooms`.
#[derive(Debug, Deserialize)]
struct RoomsQuery {
    /// Rooms after this name; default: from the first.
    after: Option<String>,
    /// Page size, 1–500; default 100.
    limit: Option<usize>,
}

/// Rooms in a page of `GET /api/rooms` unless asked otherwise.
const ROOMS_PAGE: usize = 100;

/// `GET /api/rooms?after=NAME&limit=N`: a page of the room directory, by name, with member
/// counts, and `next` (the `after` of the next page, or null). Needs a session.
async fn rooms(
    State(state): State<AppState>,
    _who: Identity,
    Query(q): Query<RoomsQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let after = q
        .after
        .as_deref()
        .map(RoomName::parse)
        .transpose()
        .map_err(ApiError::BadRoomName)?;
    let limit = q.limit.unwrap_or(ROOMS_PAGE).clamp(1, ROOMS_PAGE_MAX);
    let (rooms, next) = state.hub.rooms_page(after.as_ref(), limit);
    Ok(Json(json!({ "rooms": rooms, "next": next })))
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}
