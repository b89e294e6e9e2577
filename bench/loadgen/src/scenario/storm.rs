//! Connect storm: N WebSocket connections opened as fast as possible (a bounded number in
//! flight), spread over several 127.0.0.x source addresses; each counts once its first
//! frame arrives.

use std::rc::Rc;
use std::time::Instant;

use serde::Serialize;
use tokio::sync::Semaphore;

use crate::stats::{histogram, Latency};
use crate::{Endpoint, Sources};

/// Storm parameters.
#[derive(Debug, Clone, clap::Args, Serialize)]
pub struct StormParams {
    /// Connections to open.
    #[arg(long, default_value_t = 5000)]
    pub connections: usize,
    /// Handshakes in flight at once.
    #[arg(long, default_value_t = 256)]
    pub in_flight: usize,
}

/// What a storm measured.
#[derive(Debug, Clone, Serialize)]
pub struct StormResult {
    /// Connections that completed (first frame received).
    pub connected: u64,
    /// Connections that failed.
    pub failed: u64,
    /// Completed connections per second.
    pub connections_per_s: f64,
    /// Time from connect to first frame.
    pub handshake: Latency,
}

/// Runs the storm; must run inside a `LocalSet`. Connections are closed at the end.
pub async fn run(server: &Endpoint, p: &StormParams, sources: &Sources) -> StormResult {
    let gate = Rc::new(Semaphore::new(p.in_flight));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(p.connections);
    for i in 0..p.connections {
        let gate = gate.clone();
        let source = sources.pick(i);
        let server = server.clone();
        tasks.push(tokio::task::spawn_local(async move {
            let _permit = gate.acquire().await.unwrap();
            let t0 = Instant::now();
            let mut conn = server.connect(source, 512).await.ok()?;
            conn.next(|_, _| ()).await.ok()??;
            Some((t0.elapsed(), conn))
        }));
    }
    let mut hist = histogram();
    let mut open = Vec::with_capacity(p.connections);
    let mut failed = 0;
    for t in tasks {
        match t.await.ok().flatten() {
            Some((took, conn)) => {
                let _ = hist.record(took.as_micros().max(1) as u64);
                open.push(conn);
            }
            None => failed += 1,
        }
    }
    let secs = start.elapsed().as_secs_f64();
    StormResult {
        connected: open.len() as u64,
        failed,
        connections_per_s: open.len() as f64 / secs,
        handshake: Latency::of(&hist),
    }
}
