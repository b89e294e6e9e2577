//! What every HTTP request goes through before its route, as one service between hyper and
//! the router (one boxed future per request, no middleware chain: a connect storm pays for
//! each layer on every connection):
//! - the `Host` check ([`Hosts`]): every route but `/healthz` answers only requests naming one
//!   of the server's public origins (421 `bad_host`);
//! - the client's address ([`ClientAddr`], behind `--trusted-proxies` too), put in the
//!   request's extensions, and limited to `--http-rate` requests a second (429
//!   `too_many_requests`; `/healthz` is exempt, for load-balancer probes);
//! - the whole request, its body included, must be done within `--request-timeout` (408
//!   `request_timeout`): a client that announces a body and never sends it holds nothing for
//!   long;
//! - every refusal typed ([`super::typed`]: axum's own, a 405 say, answered as an
//!   [`ApiError`]);
//! - the security headers ([`Headers`]) on every answer, refusals included (but a WebSocket
//!   upgrade's 101, which no browser reads as a document).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::HttpBody;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::Service;

use super::headers::Headers;
use super::host::Hosts;
use super::ApiError;
use crate::bucket::Buckets;
use crate::client::{ClientAddr, ClientKey, IpRange};

/// What the edge checks requests against; shared by every connection.
pub struct Edge {
    /// The public origins' hosts.
    pub hosts: Hosts,
    /// Headers added to every answer.
    pub headers: Headers,
    /// HTTP requests per client address.
    pub rate: Arc<Buckets<ClientKey>>,
    /// Peers whose forwarding headers name the client.
    pub trusted: Arc<[IpRange]>,
    /// Time a request may take, its body included.
    pub timeout: Duration,
    /// The routes.
    pub router: Router,
}

/// The edge for one connection (from `peer`), as hyper calls it.
#[derive(Clone)]
pub struct EdgeService {
    edge: Arc<Edge>,
    peer: SocketAddr,
}

impl Edge {
    /// The service for requests of a connection from `peer`.
    pub fn serve(self: &Arc<Self>, peer: SocketAddr) -> EdgeService {
        EdgeService {
            edge: self.clone(),
            peer,
        }
    }

    /// The refusal of `req`, if the edge refuses it; else `req` with its client address.
    fn check<B>(&self, mut req: Request<B>, peer: SocketAddr) -> Result<Request<B>, ApiError> {
        let probe = req.uri().path() == "/healthz";
        if !probe && !self.hosts.serve_request(&req) {
            return Err(ApiError::BadHost);
        }
        let client = ClientAddr::resolve(peer, req.headers(), &self.trusted);
        if !probe {
            self.rate
                .take(&client.key())
                .map_err(ApiError::TooManyRequests)?;
        }
        req.extensions_mut().insert(client);
        Ok(req)
    }
}

type EdgeFuture = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<B> hyper::service::Service<Request<B>> for EdgeService
where
    B: HttpBody<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = EdgeFuture;

    fn call(&self, req: Request<B>) -> EdgeFuture {
        let edge = self.edge.clone();
        let req = match edge.check(req, self.peer) {
            Ok(req) => req,
            Err(refusal) => {
                let mut resp = refusal.into_response();
                edge.headers.apply(&mut resp);
                return Box::pin(std::future::ready(Ok(resp)));
            }
        };
        let routed = tokio::time::timeout(edge.timeout, edge.router.clone().call(req));
        Box::pin(async move {
            let mut resp = match routed.await {
                Ok(Ok(resp)) => super::typed::ensure(resp).await,
                Ok(Err(never)) => match never {},
                Err(_) => ApiError::RequestTimeout.into_response(),
            };
            // A 101 is no document: the policy would be read by nothing (and a connect storm
            // pays for every header).
            if resp.status() != StatusCode::SWITCHING_PROTOCOLS {
                edge.headers.apply(&mut resp);
            }
            Ok(resp)
        })
    }
}
