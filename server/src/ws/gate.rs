//! Who may open a WebSocket, decided before the upgrade: an allowed origin (403 otherwise),
//! a valid session (401), and a free connection slot for the client's IP (503) and in all
//! (over the total, the socket is upgraded and closed with 1013, which a browser can read).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderMap};

/// Connection slots and the origin allowlist.
pub struct Gate {
    max_total: usize,
    max_per_ip: usize,
    total: AtomicUsize,
    per_ip: Mutex<HashMap<IpAddr, usize>>,
    allowed_origins: Vec<String>,
    tls: bool,
}

/// Which connection cap is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// The client's IP address holds as many connections as allowed.
    PerIp,
    /// The server holds as many connections as allowed.
    Total,
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
    /// A gate; 0 means no limit.
    pub fn new(
        max_total: usize,
        max_per_ip: usize,
        allowed_origins: Vec<String>,
        tls: bool,
    ) -> Self {
        Self {
            max_total,
            max_per_ip,
            total: AtomicUsize::new(0),
            per_ip: Mutex::new(HashMap::new()),
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

    /// Takes a slot for a connection from `ip`, if one is free; else says which cap is full.
    pub fn enter(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, Full> {
        let mut per_ip = self.per_ip.lock().expect("gate lock");
        let mine = per_ip.get(&ip).copied().unwrap_or(0);
        if self.max_per_ip > 0 && mine >= self.max_per_ip {
            return Err(Full::PerIp);
        }
        if self.max_total > 0 && self.total.load(Ordering::Relaxed) >= self.max_total {
            return Err(Full::Total);
        }
        self.total.fetch_add(1, Ordering::Relaxed);
        per_ip.insert(ip, mine + 1);
        Ok(Slot {
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
        let gate = Arc::new(Gate::new(3, 2, vec![], false));
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        let s1 = gate.enter(a).unwrap();
        let _s2 = gate.enter(a).unwrap();
        assert_eq!(gate.enter(a).err(), Some(Full::PerIp));
        let _s3 = gate.enter(b).unwrap();
        assert_eq!(gate.enter(b).err(), Some(Full::Total));
        drop(s1);
        assert!(gate.enter(a).is_ok(), "a slot comes back on drop");
    }

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
