//! The `Host` check, applied by [`super::edge`]: every route but `/healthz` answers only
//! requests naming one of the server's public origins, so that a page of a rebound name
//! (`evil.example` resolving to this server) reads nothing. `/healthz` answers any `Host`:
//! load balancers probe by address.

use std::sync::Arc;

use axum::http::{header, Request};

use crate::origin::Origin;

/// The public origins whose `Host` the server answers.
#[derive(Clone)]
pub struct Hosts(Arc<[Origin]>);

impl Hosts {
    /// The hosts of `public`.
    pub fn new(public: &[Origin]) -> Self {
        Self(public.into())
    }

    /// Whether `req` names one of the public hosts: its absolute-form target's authority,
    /// which overrides `Host` (RFC 9112, 3.2.2), or else its `Host`.
    pub fn serve_request<B>(&self, req: &Request<B>) -> bool {
        let host = match req.uri().authority() {
            Some(authority) => Some(authority.as_str()),
            None => req
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok()),
        };
        host.is_some_and(|h| self.0.iter().any(|o| o.serves_host(h)))
    }
}
