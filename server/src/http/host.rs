//! The `Host` check: every route but `/healthz` answers only requests naming one of the
//! server's public origins, so that a page of a rebound name (`evil.example` resolving to
//! this server) reads nothing. `/healthz` answers any `Host`: load balancers probe by address.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::origin::Origin;

/// The public origins whose `Host` the server answers.
#[derive(Clone)]
pub struct Hosts(Arc<[Origin]>);

impl Hosts {
    /// The hosts of `public`.
    pub fn new(public: &[Origin]) -> Self {
        Self(public.into())
    }

    fn serve(&self, host: &str) -> bool {
        self.0.iter().any(|o| o.serves_host(host))
    }
}

/// Middleware: refuses a request whose host is not public with 421 `bad_host`.
pub async fn check(State(hosts): State<Hosts>, req: Request, next: Next) -> Response {
    if req.uri().path() == "/healthz" {
        return next.run(req).await;
    }
    // An absolute-form target's authority overrides `Host` (RFC 9112, 3.2.2).
    let host = match req.uri().authority() {
        Some(authority) => Some(authority.as_str()),
        None => req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok()),
    };
    if host.is_some_and(|h| hosts.serve(h)) {
        next.run(req).await
    } else {
        ApiError::BadHost.into_response()
    }
}
