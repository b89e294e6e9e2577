//! What every HTTP request goes through before its route: the client's address is resolved
//! ([`ClientAddr`], behind `--trusted-proxies` too) and limited to `--http-rate` requests a
//! second (429 `too_many_requests`; `/healthz` is exempt, for load-balancer probes), and the
//! whole request, its body included, must be done within `--request-timeout` (408
//! `request_timeout`): a client that announces a body and never sends it holds nothing for
//! long.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::client::ClientAddr;
use crate::AppState;

/// The middleware (see the module docs).
pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .unwrap_or_else(|| ([0, 0, 0, 0], 0).into());
    let client = ClientAddr::resolve(peer, req.headers(), &state.limits.trusted_proxies);
    req.extensions_mut().insert(client);
    if req.uri().path() != "/healthz" {
        if let Err(wait) = state.http_rate.take(&client.key()) {
            return ApiError::TooManyRequests(wait).into_response();
        }
    }
    match tokio::time::timeout(state.limits.request_timeout, next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => ApiError::RequestTimeout.into_response(),
    }
}
