//! The built SPA: files from the SPA directory, and `index.html` for the client's own
//! routes (`/`, `/r/{room}`). Any other path that is not a file gets 404.

use std::path::Path;

use axum::routing::get_service;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use crate::AppState;

/// Serves `spa_dir`.
pub fn router(spa_dir: &Path) -> Router<AppState> {
    let index = ServeFile::new(spa_dir.join("index.html"));
    Router::new()
        .route("/r/{room}", get_service(index))
        .fallback_service(ServeDir::new(spa_dir))
}
