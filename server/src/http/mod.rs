//! HTTP routes: health, the REST API and the SPA's files.

mod api;
mod history;
pub mod session;
mod spa;

use std::path::Path;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;

use crate::AppState;

/// Every HTTP route but the WebSocket.
pub fn router(spa_dir: &Path) -> Router<AppState> {
    Router::new()
        .route("/healthz", get(api::health))
        .nest("/api", api::router())
        .merge(spa::router(spa_dir))
}

/// An HTTP error as JSON, the same shape for every refusal (REST and the WebSocket
/// upgrade): `{"error": code, "message": …}`; `code` is a snake_case string or an
/// [`shared::ErrorCode`].
pub fn error(status: StatusCode, code: impl Serialize, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({"error": code, "message": message.into()})),
    )
        .into_response()
}
