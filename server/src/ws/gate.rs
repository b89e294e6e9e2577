//! Who may open a WebSocket, decided before the upgrade: an allowed origin (403 otherwise),
//! a valid session (401), and a free connection slot, in all and for the client's IP (503).

use std::sync::Arc;

use axum::http::{header, HeaderMap};

use crate::client::ClientKey;
pub use crate::slots::Slot;
use crate::slots::Slots;

/// Connection slots and the origin allowlist.
pub struct Gate {
    slots: Arc<Slots>,
    allowed_origins: Vec<String>,
    tls: bool,
}

impl Gate {
    /// A gate; 0 means no limit.
    pub fn new(
        max_total: usize,
        max_per_ip: usize,
        allowed_origins: Vec<String>,
        tls: bool,
    ) -> Self {
        Self {
            slots: Slots::new(max_total, max_per_ip),
            allowed_origins: allowed_origins
                .into_iter()
                .map(|o| o.trim_end_matches('/').to_owned())
                .collect(),
            tls,
        }
    }

    /// Whether the request's `Origin` (if any: non-browser clients send none) is the server's
    /// own or in the allowlist.
    pub fn origin_allowed(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
            return true;
        };
        let own = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(|host| {
                let scheme = if self.tls { "https" } else { "http" };
                format!("{scheme}://{host}")
            });
        own.as_deref() == Some(origin) || self.allowed_origins.iter().any(|o| o == origin)
    }

    /// Takes a slot for a connection from `ip` (an address, or an IPv6 /64), if one is free.
    pub fn enter(&self, ip: ClientKey) -> Option<Slot> {
        self.slots.enter(Some(ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn origins() {
        let gate = Gate::new(0, 0, vec!["http://127.0.0.1:8080/".into()], false);
        let mut h = HeaderMap::new();
        assert!(gate.origin_allowed(&h), "no Origin: not a browser");
        h.insert(header::HOST, HeaderValue::from_static("chat.example:3000"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://chat.example:3000"),
        );
        assert!(gate.origin_allowed(&h), "own origin");
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(gate.origin_allowed(&h), "allowlisted");
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!gate.origin_allowed(&h));
    }
}
