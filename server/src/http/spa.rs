//! The built SPA: files from the SPA directory, and `index.html` for the client's own
//! routes (`/`, `/r/{room}`, `/r/{room}/{seq}`). Any other path that is not a file gets 404.
//!
//! Each file goes out as the brotli or gzip copy the build wrote beside it
//! (`scripts/precompress.mjs`) when the browser accepts one: nothing is compressed per
//! request. trunk names its files by their content's hash, so those are cached for a year
//! (`immutable`); everything else (`index.html`, which names them) is revalidated on every
//! load (`no-cache`, answered 304 while unchanged).

use std::path::Path;

use axum::extract::Request;
use axum::http::header::{HeaderValue, CACHE_CONTROL, VARY};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get_service;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

use crate::AppState;

/// `Cache-Control` of a file named by its content's hash.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of everything else: ask every time, get 304 while unchanged.
const REVALIDATE: &str = "no-cache";

/// Serves `spa_dir`.
pub fn router(spa_dir: &Path) -> Router<AppState> {
    let index = ServeFile::new(spa_dir.join("index.html"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .route("/r/{room}", get_service(index.clone()))
        .route("/r/{room}/{seq}", get_service(index))
        .fallback_service(
            ServeDir::new(spa_dir)
                .precompressed_br()
                .precompressed_gzip(),
        )
        .layer(middleware::from_fn(cache_policy))
}

/// Sets the `Cache-Control` of a file served, and says it varies by `Accept-Encoding`
/// (whichever copy went out: a cache must not hand a brotli copy to a browser that asked for
/// none, and tower-http says so only when it sent a compressed one).
async fn cache_policy(req: Request, next: Next) -> Response {
    let hashed = is_hashed(req.uri().path());
    let mut resp = next.run(req).await;
    if resp.status().is_success() || resp.status() == StatusCode::NOT_MODIFIED {
        let policy = if hashed { IMMUTABLE } else { REVALIDATE };
        let headers = resp.headers_mut();
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(policy));
        if !headers.contains_key(VARY) {
            headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    resp
}

/// Whether the file at `path` is named by its content's hash, as trunk names what it builds:
/// `name-<hex>.ext` or `name-<hex>_bg.wasm`, with 8 to 16 hex digits.
fn is_hashed(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let Some((_, tail)) = file.rsplit_once('-') else {
        return false;
    };
    let hex = tail.bytes().take_while(u8::is_ascii_hexdigit).count();
    (8..=16).contains(&hex) && matches!(tail.as_bytes().get(hex), Some(b'.' | b'_'))
}

#[cfg(test)]
mod tests {
    use super::is_hashed;

    #[test]
    fn trunks_hashed_names_are_told_from_the_rest() {
        assert!(is_hashed("/parley-app-134609ab8bd67e5.js"));
        assert!(is_hashed("/parley-app-134609ab8bd67e5_bg.wasm"));
        assert!(is_hashed("/style-45cc795059cc0312.css"));
        assert!(!is_hashed("/index.html"));
        assert!(!is_hashed("/"));
        assert!(!is_hashed("/r/lobby"));
        assert!(!is_hashed("/r/dev-team"));
        assert!(!is_hashed("/favicon.ico"));
    }
}
