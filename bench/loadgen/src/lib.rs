//! Parley's load generator as a library: the scenarios, the protocols they speak (Parley's
//! and the Node reference peer's), and the suite that runs them against both and reports.

pub mod proto;
pub mod report;
pub mod scenario;
pub mod server;
pub mod stats;
pub mod suite;
pub mod ws;

use std::net::IpAddr;

/// Source addresses connections are spread over (127.0.0.1 … 127.0.0.n), so that tens of
/// thousands of connections do not run out of ephemeral ports on one address.
#[derive(Debug, Clone)]
pub struct Sources(Vec<IpAddr>);

impl Sources {
    /// `127.0.0.1` to `127.0.0.<n>`; `n` = 0 lets the kernel choose.
    pub fn loopback(n: u8) -> Self {
        Self((1..=n).map(|i| IpAddr::from([127, 0, 0, i])).collect())
    }

    /// The source for connection `i`.
    pub fn pick(&self, i: usize) -> Option<IpAddr> {
        (!self.0.is_empty()).then(|| self.0[i % self.0.len()])
    }
}

/// Raises this process's open-file soft limit to its hard limit; returns the new limit.
pub fn raise_nofile() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024)
}
