//! Who may open a WebSocket, decided before the upgrade: an allowed origin (403 otherwise),
//! a valid session (401), and a free connection slot for the client's IP (503) and in all
//! (over the total, the socket is upgraded and closed with 1013, which a browser can read).

use std::sync::Arc;

use axum::http::{header, HeaderMap};

use crate::client::ClientKey;
use crate::origin::Origin;
use crate::slots::Slots;
pub use crate::slots::{Full, Slot};

/// Connection slots and the origin allowlist.
pub struct Gate {
    slots: Arc<Slots>,
    origins: Vec<Origin>,
}

impl Gate {
    /// A gate letting pages of `origins` in (the public origins and the allowed ones); 0
    /// means no limit.
    pub fn new(max_total: usize, max_per_ip: usize, origins: Vec<Origin>) -> Self {
        Self {
            slots: Slots::new(max_total, max_per_ip),
            origins,
        }
    }

    /// Whether the request's `Origin` (if any: non-browser clients send none) is one of the
    /// gate's origins. The request's `Host` plays no part: under DNS rebinding it is the
    /// attacker's.
    pub fn origin_allowed(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(header::ORIGIN) else {
            return true;
        };
        let origin = origin.to_str().ok().and_then(|o| Origin::parse(o).ok());
        origin.is_some_and(|origin| self.origins.contains(&origin))
    }

    /// Takes a slot for a connection from `ip` (an address, or an IPv6 /64), if one is free;
    /// else says which cap is reached.
    pub fn enter(&self, ip: ClientKey) -> Result<Slot, Full> {
        self.slots.enter(Some(ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn origins() {
        let allowed = ["http://127.0.0.1:3000", "http://127.0.0.1:8080/"];
        let gate = Gate::new(0, 0, allowed.map(|o| Origin::parse(o).unwrap()).to_vec());
        let mut h = HeaderMap::new();
        assert!(gate.origin_allowed(&h), "no Origin: not a browser");
        for (origin, ok) in [
            ("http://127.0.0.1:3000", true),
            ("http://127.0.0.1:8080", true),
            ("http://evil.example:3000", false),
            ("https://127.0.0.1:3000", false),
            ("null", false),
        ] {
            h.insert(header::ORIGIN, HeaderValue::from_static(origin));
            assert_eq!(gate.origin_allowed(&h), ok, "{origin}");
        }
        // The Host does not make an origin the server's own (DNS rebinding).
        h.insert(header::HOST, HeaderValue::from_static("evil.example:3000"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example:3000"),
        );
        assert!(!gate.origin_allowed(&h));
    }
}
