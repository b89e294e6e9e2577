//! Reconnect storm: a deploy restarts the server, and every client comes back at once.
//!
//! N clients, each signed in with a session of its own, are joined to R rooms (client `i` to
//! room `i % R`; the room's first client sends). Each room stores some messages, which every
//! member receives. Then each sender sends a burst without waiting for the acks, and the
//! server is restarted at once (same database, same session secret). Every client reconnects
//! with the SPA's backoff ([`shared::Backoff::PARLEY`], jitter included), rejoins from the
//! last seq it saw, resends what was not acknowledged and catches up.
//!
//! Counted from the moment the new process accepts connections: when 50 %, 99 % and 100 % of
//! the clients are back (welcomed, joined and caught up to the join's `last_seq`), the peak
//! rate of `welcome`s in any one second, and the failed attempts. Every member must hold every
//! message of its room exactly once: nothing lost, nothing duplicated.

mod client;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use tokio::sync::{mpsc, Semaphore};

use self::client::{Client, Ctx, Failure, Log};
use crate::Sources;

/// The target: everyone back within this long of the new process accepting connections.
pub const TARGET_MS: f64 = 10_000.0;

/// Reconnect parameters.
#[derive(Debug, Clone, clap::Args, Serialize)]
pub struct ReconnectParams {
    /// Clients, each with a session of its own.
    #[arg(long, default_value_t = 10_000)]
    pub clients: usize,
    /// Rooms they are spread over.
    #[arg(long, default_value_t = 100)]
    pub rooms: usize,
    /// Messages each room stores (and every member receives) before the restart.
    #[arg(long, default_value_t = 20)]
    pub stored: usize,
    /// Messages each room's sender sends just before the restart, without waiting for acks.
    #[arg(long, default_value_t = 5)]
    pub burst: usize,
    /// Longest wait for everyone to come back, in seconds.
    #[arg(long, default_value_t = 60.0)]
    pub timeout_s: f64,
}

/// What a reconnect run measured. Times are in ms from the new process accepting connections.
#[derive(Debug, Clone, Serialize)]
pub struct ReconnectResult {
    /// Clients back (welcomed, rejoined, caught up).
    pub back: u64,
    /// Clients not back when the wait ended.
    pub not_back: u64,
    /// From stopping the old process (SIGTERM) to its exit.
    pub stop_ms: f64,
    /// From stopping the old process to the new one accepting connections.
    pub restart_ms: f64,
    /// Half the clients back.
    pub back_p50_ms: f64,
    /// 99 % back.
    pub back_p99_ms: f64,
    /// Everyone back (or the last one that came back, if some did not).
    pub back_all_ms: f64,
    /// The target for `back_all_ms`.
    pub target_ms: f64,
    /// Everyone back within the target, nothing lost or duplicated.
    pub target_met: bool,
    /// Most `welcome`s (accepted connections) in any one second.
    pub peak_accepts_per_s: f64,
    /// Attempts that failed once the new process accepted connections.
    pub failed_attempts: u64,
    /// Of those, closed with 1013 `try_again_later`.
    pub try_again_later: u64,
    /// Of those, answered with an HTTP error instead of the upgrade.
    pub http_errors: u64,
    /// Those failed attempts by what happened (`io_ConnectionReset`, `close_1013`, …).
    pub failures_by_kind: BTreeMap<String, u64>,
    /// Attempts that failed before the new process accepted connections (refused, or cut
    /// off by the old one as it shut down).
    pub failed_while_down: u64,
    /// Attempts that failed while setting up (before the restart; should be 0).
    pub setup_failures: u64,
    /// Messages the rooms' senders sent in all (each member must get each once).
    pub messages: u64,
    /// Sends written again after reconnecting (not acknowledged before the restart).
    pub resent: u64,
    /// Member deliveries that never came.
    pub lost: u64,
    /// Member deliveries of a message already received.
    pub duplicated: u64,
    /// Sends never acknowledged, even after resending.
    pub unacked: u64,
    /// Error frames.
    pub errors: u64,
    /// Error frames by code.
    pub errors_by_code: BTreeMap<String, u64>,
}

/// Runs the scenario against the Parley server at `addr`; `restart` stops it and starts it
/// again on the same address and database (returning once the old one has stopped). Must
/// run inside a `LocalSet`.
pub async fn run<F, Fut>(
    addr: SocketAddr,
    p: &ReconnectParams,
    sources: &Sources,
    restart: F,
) -> anyhow::Result<ReconnectResult>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    anyhow::ensure!(
        p.rooms > 0 && p.clients >= p.rooms,
        "need clients ≥ rooms > 0"
    );
    let run_id = std::process::id() ^ Instant::now().elapsed().subsec_nanos();
    let nick = |i: usize| format!("rc{run_id:x}-{i}");
    let tokens = sign_in(addr, p.clients, &nick).await?;
    let ctx = Rc::new(Ctx {
        addr,
        restarting: Cell::new(false),
        restarted: Cell::new(false),
        log: RefCell::new(Log::default()),
        setup_gate: Semaphore::new(200),
    });
    let messages = p.stored + p.burst;
    let (mut clients, mut senders, mut tasks) = (Vec::new(), Vec::new(), Vec::new());
    for (i, token) in tokens.into_iter().enumerate() {
        let room = format!("rc{run_id:x}-{}", i % p.rooms);
        let source = sources.pick(i);
        let seed = u64::from(run_id) << 32 | i as u64;
        let me = Rc::new(RefCell::new(Client::new(
            room,
            nick(i),
            token,
            source,
            seed,
            messages,
        )));
        let cmds = (i < p.rooms).then(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            senders.push(tx);
            rx
        });
        tasks.push(tokio::task::spawn_local(client::run(
            me.clone(),
            ctx.clone(),
            cmds,
        )));
        clients.push(me);
    }
    let log = |f: &dyn Fn(&Log) -> bool| f(&ctx.log.borrow());
    let n = p.clients as u64;
    let secs = |s: f64| Duration::from_secs_f64(s);
    until("every client joined", secs(120.0), || {
        log(&|l| l.joined == p.clients)
    })
    .await?;
    for tx in &senders {
        let _ = tx.send(p.stored);
    }
    until("the stored messages delivered", secs(60.0), || {
        log(&|l| l.unique == n * p.stored as u64 && l.unacked == 0)
    })
    .await?;

    // The burst, then the restart as soon as it is written: some of it is stored, some
    // is not, some is stored but not acknowledged.
    ctx.restarting.set(true);
    for tx in &senders {
        let _ = tx.send(p.burst);
    }
    let all_written = (p.rooms * messages) as u64;
    until("the burst written", secs(10.0), || {
        log(&|l| l.written == all_written)
    })
    .await?;
    let stopped_at = Instant::now();
    restart().await.context("restarting the server")?;
    // Before this task yields, so no client has read anything from the new process yet.
    ctx.restarted.set(true);
    let exited_at = Instant::now();
    let listening_at = listening(addr).await?;
    let everyone = until("everyone back", secs(p.timeout_s), || {
        log(&|l| l.back == p.clients && l.unique == n * messages as u64 && l.unacked == 0)
    })
    .await;
    if let Err(err) = everyone {
        eprintln!("    {err}");
    }
    for t in tasks {
        t.abort();
    }
    let times = Times {
        stopped_at,
        exited_at,
        listening_at,
    };
    let result = summarize(p, &clients, &ctx.log.borrow(), times);
    Ok(result)
}

/// When the restart's steps happened.
struct Times {
    /// SIGTERM.
    stopped_at: Instant,
    /// The old process had exited.
    exited_at: Instant,
    /// The prober first connected to the new process.
    listening_at: Instant,
}

/// The figures, from what the clients saw.
fn summarize(
    p: &ReconnectParams,
    clients: &[Rc<RefCell<Client>>],
    log: &Log,
    t: Times,
) -> ReconnectResult {
    let Times {
        stopped_at,
        exited_at,
        listening_at,
    } = t;
    let n = p.clients as u64;
    let messages = p.stored + p.burst;
    // The new process's first welcome, if a client got in before the prober saw the port open.
    let origin = log
        .welcomes
        .iter()
        .copied()
        .min()
        .map_or(listening_at, |w| w.min(listening_at));
    let ms = |t: Instant| t.saturating_duration_since(origin).as_secs_f64() * 1000.0;
    let mut back: Vec<f64> = clients
        .iter()
        .filter_map(|c| c.borrow().back_at.map(ms))
        .collect();
    back.sort_by(f64::total_cmp);
    let quantile = |q: f64| -> f64 {
        let at = ((q * p.clients as f64).ceil() as usize).clamp(1, p.clients) - 1;
        back.get(at).copied().unwrap_or(f64::NAN)
    };
    let (mut lost, mut duplicated) = (0, 0);
    for c in clients {
        let c = c.borrow();
        lost += c.got.iter().filter(|&&g| g == 0).count() as u64;
        duplicated += c.seq_repeats
            + c.got
                .iter()
                .map(|&g| g.saturating_sub(1) as u64)
                .sum::<u64>();
    }
    let after = |f: &dyn Fn(&Failure) -> bool| {
        log.failures
            .iter()
            .filter(|(t, why)| *t >= origin && f(why))
            .count() as u64
    };
    let mut failures_by_kind = BTreeMap::new();
    for (_, why) in log.failures.iter().filter(|(t, _)| *t >= origin) {
        *failures_by_kind.entry(why.label()).or_insert(0) += 1;
    }
    let back_all_ms = back.last().copied().unwrap_or(f64::NAN);
    let not_back = n - back.len() as u64;
    ReconnectResult {
        back: back.len() as u64,
        not_back,
        stop_ms: exited_at.duration_since(stopped_at).as_secs_f64() * 1000.0,
        restart_ms: origin.duration_since(stopped_at).as_secs_f64() * 1000.0,
        back_p50_ms: quantile(0.50),
        back_p99_ms: quantile(0.99),
        back_all_ms,
        target_ms: TARGET_MS,
        target_met: not_back == 0
            && back_all_ms <= TARGET_MS
            && lost + duplicated + log.unacked == 0,
        peak_accepts_per_s: peak_per_second(&log.welcomes, origin),
        failed_attempts: after(&|_| true),
        try_again_later: after(&|f| *f == Failure::Closed(1013)),
        http_errors: after(&|f| matches!(f, Failure::Http(_))),
        failures_by_kind,
        failed_while_down: log.failures.iter().filter(|(t, _)| *t < origin).count() as u64,
        setup_failures: log.setup_failures,
        messages: (p.rooms * messages) as u64,
        resent: log.resent,
        lost,
        duplicated,
        unacked: log.unacked,
        errors: log.errors.values().sum(),
        errors_by_code: log.errors.clone(),
    }
}

/// Creates a session for each of `n` nicknames, a few at a time; returns their tokens.
async fn sign_in(
    addr: SocketAddr,
    n: usize,
    nick: &dyn Fn(usize) -> String,
) -> anyhow::Result<Vec<String>> {
    let gate = Rc::new(Semaphore::new(32));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let (gate, nick) = (gate.clone(), nick(i));
        tasks.push(tokio::task::spawn_local(async move {
            let _permit = gate.acquire().await;
            crate::session(addr, &nick).await
        }));
    }
    let mut tokens = Vec::with_capacity(n);
    for t in tasks {
        tokens.push(t.await??);
    }
    Ok(tokens)
}

/// Polls `done` until it holds, for at most `within`.
async fn until(what: &str, within: Duration, done: impl Fn() -> bool) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    while !done() {
        anyhow::ensure!(
            Instant::now() < deadline,
            "not done within {within:?}: {what}"
        );
        // A poll interval: the loop checks the condition itself.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// When `addr` first accepts a TCP connection (polled every 2 ms, for at most 60 s).
async fn listening(addr: SocketAddr) -> anyhow::Result<Instant> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(Instant::now());
        }
        anyhow::ensure!(Instant::now() < deadline, "the server did not come back");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// The most events in any one-second window (in 100 ms steps) from `origin` on.
fn peak_per_second(events: &[Instant], origin: Instant) -> f64 {
    let mut buckets = Vec::<u64>::new();
    for t in events {
        let b = (t.saturating_duration_since(origin).as_millis() / 100) as usize;
        if buckets.len() <= b {
            buckets.resize(b + 1, 0);
        }
        buckets[b] += 1;
    }
    let window = 10.min(buckets.len());
    if window == 0 {
        return 0.0;
    }
    buckets
        .windows(window)
        .map(|w| w.iter().sum::<u64>())
        .max()
        .unwrap_or(0) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_counts_the_busiest_second() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut events: Vec<Instant> = (0..50).map(|i| at(i * 2)).collect(); // 50 in 100 ms
        events.extend((0..30).map(|i| at(2_000 + i * 10))); // 30 in 300 ms, later
        assert_eq!(peak_per_second(&events, t0), 50.0);
        assert_eq!(peak_per_second(&[], t0), 0.0);
    }
}
