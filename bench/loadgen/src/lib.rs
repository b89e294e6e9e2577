//! Parley's load generator as a library: the scenarios, the protocols they speak (Parley's
//! and the Node reference peer's), and the suite that runs them against both and reports.

pub mod cluster;
pub mod proto;
pub mod report;
pub mod scenario;
pub mod server;
pub mod stats;
pub mod suite;
pub mod ws;

use std::net::{IpAddr, SocketAddr};

use proto::Target;

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

/// A server under load: its protocol, its address and, for Parley, a session token.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// Its protocol.
    pub target: Target,
    /// Its address.
    pub addr: SocketAddr,
    /// The session every load connection uses (Parley requires one before the upgrade;
    /// one session may hold any number of connections).
    pub token: Option<String>,
    /// Several nodes of one cluster: connection `i` of [`Endpoint::connect_nth`] goes to
    /// `spread[i % len]`. Empty: every connection goes to `addr`.
    pub spread: Vec<SocketAddr>,
}

impl Endpoint {
    /// An endpoint; for Parley, creates a session named `nickname` first.
    pub async fn open(target: Target, addr: SocketAddr, nickname: &str) -> anyhow::Result<Self> {
        let token = match target {
            Target::Parley => {
                Some(session(addr, &format!("{nickname}-{}", std::process::id())).await?)
            }
            Target::Node => None,
        };
        Ok(Self {
            target,
            addr,
            token,
            spread: Vec::new(),
        })
    }

    /// Opens a WebSocket from `source` with a `buf`-byte read buffer.
    pub async fn connect(&self, source: Option<IpAddr>, buf: usize) -> std::io::Result<ws::WsConn> {
        self.connect_nth(0, source, buf).await
    }

    /// As [`Endpoint::connect`], for the `i`-th connection: to the `i`-th node (round
    /// robin) when the endpoint is a cluster.
    pub async fn connect_nth(
        &self,
        i: usize,
        source: Option<IpAddr>,
        buf: usize,
    ) -> std::io::Result<ws::WsConn> {
        let addr = match self.spread.len() {
            0 => self.addr,
            n => self.spread[i % n],
        };
        ws::connect(addr, source, self.target.path(), self.token.as_deref(), buf).await
    }
}

/// `POST /api/session` on a Parley server; returns the token.
pub async fn session(addr: SocketAddr, nickname: &str) -> anyhow::Result<String> {
    let body = serde_json::json!({ "nickname": nickname });
    let (_, resp) = post_json(addr, "/api/session", &[], &body).await?;
    let token = resp
        .split("\"token\":\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .ok_or_else(|| anyhow::anyhow!("no session: {resp}"))?;
    Ok(token.to_owned())
}

/// `POST path` with a JSON body and `headers` on a Parley server (HTTP/1.1, one request);
/// the status and the response body.
pub async fn post_json(
    addr: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    body: &serde_json::Value,
) -> anyhow::Result<(u16, String)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let body = body.to_string();
    let mut tcp = tokio::net::TcpStream::connect(addr).await?;
    let extra: String = headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\r\n"))
        .collect();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n{extra}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    tcp.write_all(req.as_bytes()).await?;
    let mut resp = String::new();
    tcp.read_to_string(&mut resp).await?;
    let status = resp
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("not HTTP: {resp}"))?;
    let body = resp.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    Ok((status, body))
}
