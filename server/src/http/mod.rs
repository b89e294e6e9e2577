//! HTTP routes: health, the REST API and the SPA's files. Every refusal is an [`ApiError`]:
//! handlers extract with [`extract`], and [`typed`] types whatever else refuses.

mod api;
pub mod edge;
pub mod error;
pub mod extract;
pub mod headers;
mod history;
pub mod host;
mod identity;
mod publish;
mod reactors;
mod sign_in;
mod spa;
pub mod typed;

use std::path::Path;

use axum::routing::get;
use axum::Router;

pub use self::error::ApiError;
use crate::AppState;

/// Every HTTP route but the WebSocket.
pub fn router(spa_dir: &Path) -> Router<AppState> {
    Router::new()
        .route("/healthz", get(api::health))
        .nest("/api", api::router())
        .merge(spa::router(spa_dir))
}
