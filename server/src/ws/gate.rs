//! Who may open a WebSocket, decided before the upgrade: an allowed origin (403 otherwise),
//! a valid session (401), and a free connection slot, in all and for the client's IP (503).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderMap};

use crate::origin::Origin;

/// Connection slots and the origin allowlist.
pub struct Gate {
    max_total: usize,
    max_per_ip: usize,
    total: AtomicUsize,
    per_ip: Mutex<HashMap<IpAddr, usize>>,
    origins: Vec<Origin>,
}

/// A taken connection slot, given back on drop.
pub struct Slot {
    gate: Arc<Gate>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.gate.total.fetch_sub(1, Ordering::Relaxed);
        let mut per_ip = self.gate.per_ip.lock().expect("gate lock");
        if let Some(n) = per_ip.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                per_ip.remove(&self.ip);
            }
        }
    }
}

impl Gate {
    /// A gate letting pages of `origins` in (the public origins and the allowed ones); 0
    /// means no limit.
    pub fn new(max_total: usize, max_per_ip: usize, origins: Vec<Origin>) -> Self {
        Self {
            max_total,
            max_per_ip,
            total: AtomicUsize::new(0),
            per_ip: Mutex::new(HashMap::new()),
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

    /// Takes a slot for a connection from `ip`, if one is free.
    pub fn enter(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let mut per_ip = self.per_ip.lock().expect("gate lock");
        let mine = per_ip.get(&ip).copied().unwrap_or(0);
        if self.max_per_ip > 0 && mine >= self.max_per_ip {
            return None;
        }
        if self.max_total > 0 && self.total.load(Ordering::Relaxed) >= self.max_total {
            return None;
        }
        self.total.fetch_add(1, Ordering::Relaxed);
        per_ip.insert(ip, mine + 1);
        Some(Slot {
            gate: self.clone(),
            ip,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn slots_per_ip_and_in_all() {
        let gate = Arc::new(Gate::new(3, 2, vec![]));
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        let s1 = gate.enter(a).unwrap();
        let _s2 = gate.enter(a).unwrap();
        assert!(gate.enter(a).is_none(), "per-IP cap");
        let _s3 = gate.enter(b).unwrap();
        assert!(gate.enter(b).is_none(), "total cap");
        drop(s1);
        assert!(gate.enter(a).is_some(), "a slot comes back on drop");
    }

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
