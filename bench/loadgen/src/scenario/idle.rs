//! Idle connections: N clients join rooms and then do nothing; the server's resident memory
//! is read before and after. Clients are spread over worker processes (each holds at most
//! `per_worker`), so the load generator's own open-file limit is never the bottleneck.

use std::rc::Rc;
use std::time::Duration;

use anyhow::Context;
use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;
use tokio::sync::Semaphore;

use crate::proto::Event;
use crate::ws::OP_TEXT;
use crate::{Endpoint, Sources};

/// Idle parameters.
#[derive(Debug, Clone, clap::Args, Serialize)]
pub struct IdleParams {
    /// Idle connections in all.
    #[arg(long, default_value_t = 10_000)]
    pub connections: usize,
    /// Rooms they are spread over.
    #[arg(long, default_value_t = 100)]
    pub rooms: usize,
    /// Most connections per worker process.
    #[arg(long, default_value_t = 8_000)]
    pub per_worker: usize,
}

/// What the idle scenario measured.
#[derive(Debug, Clone, Serialize)]
pub struct IdleResult {
    /// Connections joined and idle.
    pub connected: u64,
    /// Connections that failed.
    pub failed: u64,
    /// Server RSS before, KiB.
    pub rss_before_kib: u64,
    /// Server RSS with everyone connected, KiB.
    pub rss_after_kib: u64,
    /// (after − before) / connected.
    pub kib_per_connection: f64,
}

/// Worker side: opens `count` connections (numbered from `first`), joins each to a room,
/// prints `ready <connected> <failed>`, then holds them until stdin closes.
pub async fn worker(
    server: &Endpoint,
    first: usize,
    count: usize,
    rooms: usize,
    sources: &Sources,
) {
    let target = server.target;
    let gate = Rc::new(Semaphore::new(256));
    let mut tasks = Vec::with_capacity(count);
    for i in first..first + count {
        let gate = gate.clone();
        let source = sources.pick(i);
        let server = server.clone();
        tasks.push(tokio::task::spawn_local(async move {
            let _permit = gate.acquire().await.unwrap();
            let mut conn = server.connect(source, 512).await.ok()?;
            let room = format!("idle-{}", i % rooms);
            conn.send_text(target.join(&room, &format!("idle{i}")).as_bytes())
                .await
                .ok()?;
            while !conn
                .next(|op, f| op == OP_TEXT && target.classify(f) == Event::Joined)
                .await
                .ok()??
            {}
            Some(conn)
        }));
    }
    let mut open = Vec::new();
    let mut failed = 0;
    for t in tasks {
        match t.await.ok().flatten() {
            Some(c) => open.push(c),
            None => failed += 1,
        }
    }
    println!("ready {} {failed}", open.len());
    // Keep answering pings while holding the connections, until told to stop.
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    let keep = tokio::task::spawn_local(async move {
        let mut tasks = Vec::new();
        for mut c in open {
            tasks.push(tokio::task::spawn_local(async move {
                while let Ok(Some(())) = c.next(|_, _| ()).await {}
            }));
        }
        futures_pending().await;
        drop(tasks);
    });
    while let Ok(Some(_)) = stdin.next_line().await {}
    keep.abort();
}

async fn futures_pending() {
    std::future::pending::<()>().await
}

/// Runs the scenario against a server process `pid`, with workers from this executable.
pub async fn run(
    server: &Endpoint,
    pid: u32,
    p: &IdleParams,
    sources_arg: &str,
) -> anyhow::Result<IdleResult> {
    let (target, addr) = (server.target, server.addr);
    let rss_before_kib = crate::server::rss_kib(pid)?;
    let exe = std::env::current_exe()?;
    let mut workers = Vec::new();
    let mut first = 0;
    while first < p.connections {
        let count = p.per_worker.min(p.connections - first);
        let mut child = Command::new(&exe)
            .args([
                "worker-idle",
                "--target",
                &target.to_string(),
                "--addr",
                &addr.to_string(),
            ])
            .args([
                "--first",
                &first.to_string(),
                "--count",
                &count.to_string(),
                "--rooms",
                &p.rooms.to_string(),
            ])
            .args(["--sources", sources_arg])
            .args(
                server
                    .token
                    .as_ref()
                    .map(|t| vec!["--token".to_owned(), t.clone()])
                    .unwrap_or_default(),
            )
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .context("starting an idle worker")?;
        let stdout = child.stdout.take().context("worker stdout")?;
        workers.push((child, BufReader::new(stdout).lines()));
        first += count;
    }
    let (mut connected, mut failed) = (0u64, 0u64);
    for (_, lines) in workers.iter_mut() {
        let line = tokio::time::timeout(Duration::from_secs(300), lines.next_line())
            .await
            .context("worker did not get ready")??
            .context("worker ended early")?;
        let mut parts = line
            .split_whitespace()
            .skip(1)
            .map(|n| n.parse::<u64>().unwrap_or(0));
        connected += parts.next().unwrap_or(0);
        failed += parts.next().unwrap_or(0);
    }
    // Let the server settle (lazy allocations, timers), then read its memory.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_after_kib = crate::server::rss_kib(pid)?;
    for (mut child, _) in workers {
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.shutdown().await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), child.wait()).await;
        let _ = child.kill().await;
    }
    Ok(IdleResult {
        connected,
        failed,
        rss_before_kib,
        rss_after_kib,
        kib_per_connection: rss_after_kib.saturating_sub(rss_before_kib) as f64
            / connected.max(1) as f64,
    })
}
