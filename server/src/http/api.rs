//! The REST API under `/api`, and `/healthz`.

use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use shared::RoomSummary;

use crate::AppState;

/// Routes under `/api`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rooms", get(rooms))
        .route("/rooms/{room}/messages", get(super::history::messages))
        .merge(super::sign_in::router())
        .fallback(not_found)
}

/// `GET /healthz`: the server is up; with connection and room counts.
pub async fn health(State(state): State<AppState>) -> impl IntoResponse {
    Json(json!({
        "status": "ok",
        "connections": state.hub.connection_count(),
        "rooms": state.hub.rooms().len(),
    }))
}

/// `GET /api/rooms`: every room with its member count, by name.
async fn rooms(State(state): State<AppState>) -> Json<Vec<RoomSummary>> {
    Json(state.hub.rooms())
}

async fn not_found() -> super::ApiError {
    super::ApiError::NotFound
}
