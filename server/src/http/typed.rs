//! The safety net under every route: an error response (4xx or 5xx) that no [`ApiError`] made
//! (axum's 405 for a method a route does not take, the SPA's empty 404 for a missing file, the
//! plain-text rejection of an extractor a future handler takes from axum directly) is answered
//! as one: the same status and headers (`Allow`), the status's code and the response's text
//! as the message. Handlers refuse with [`ApiError`] themselves ([`super::extract`]); this
//! catches what they cannot, and whatever a new route forgets.

use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::error::Typed;
use super::ApiError;

/// The longest text of an untyped refusal kept as its message (axum's are one line).
const TEXT_LIMIT: usize = 1024;

/// `resp`, typed if it is an untyped refusal (see the module docs); [`super::edge`] passes
/// every routed answer through it.
pub async fn ensure(resp: Response) -> Response {
    let status = resp.status();
    let error = status.is_client_error() || status.is_server_error();
    if !error || resp.extensions().get::<Typed>().is_some() {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, TEXT_LIMIT)
        .await
        .ok()
        .map(|b| String::from_utf8_lossy(&b).trim().to_owned());
    tracing::debug!(%status, ?text, "an untyped refusal, typed");
    let mut typed = ApiError::refused(status, text).into_response();
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            typed.headers_mut().append(name, value.clone());
        }
    }
    typed
}
