//! Fan-out: R rooms × C clients, S of them sending per room, either as fast as a bounded
//! window of unacknowledged messages allows or at a fixed total rate. Every client checks
//! that it receives every sender's messages exactly once and in order, and records the
//! end-to-end latency (send → delivery, same clock).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Serialize;
use tokio::io::AsyncWriteExt;
use tokio::sync::Semaphore;

use crate::proto::Event;
use crate::stats::{histogram, Latency};
use crate::ws::{self, OP_CLOSE, OP_TEXT};
use crate::{Endpoint, Sources};

/// Fan-out parameters.
#[derive(Debug, Clone, clap::Args, Serialize)]
pub struct FanoutParams {
    /// Rooms.
    #[arg(long, default_value_t = 1)]
    pub rooms: usize,
    /// Clients per room (senders included).
    #[arg(long, default_value_t = 1000)]
    pub clients: usize,
    /// Senders per room.
    #[arg(long, default_value_t = 10)]
    pub senders: usize,
    /// Total messages per second over all senders; 0 sends as fast as the window allows.
    #[arg(long, default_value_t = 0.0)]
    pub rate: f64,
    /// Most messages per sender in flight (sent, but not yet received back through the
    /// room's fan-out).
    #[arg(long, default_value_t = 32)]
    pub window: usize,
    /// How long senders send, in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub seconds: f64,
    /// Bytes of padding added to each message's text (bigger messages).
    #[arg(long, default_value_t = 0)]
    pub pad: usize,
    /// Add one client to the first room that joins and then never reads (slow consumer).
    #[arg(long)]
    pub stall: bool,
    /// Clients per room (not senders) that also say they are typing and have read the room,
    /// every `chatter_every_ms` (Parley only): the traffic that rides along with chat.
    #[arg(long, default_value_t = 0)]
    pub chatters: usize,
    /// How often each chatter says it is typing, in ms.
    #[arg(long, default_value_t = 3000)]
    pub chatter_every_ms: u64,
    /// Each sender also adds (or takes back) a reaction after every this many messages
    /// (0: none; Parley only): the reactions mix.
    #[arg(long, default_value_t = 0)]
    pub react_every: u64,
}

/// What a fan-out run measured.
#[derive(Debug, Clone, Serialize)]
pub struct FanoutResult {
    /// Messages sent and acknowledged.
    pub sent: u64,
    /// Messages received by clients.
    pub deliveries: u64,
    /// Reactions sent (the reactions mix).
    pub reactions_sent: u64,
    /// Reaction frames received by clients.
    pub reaction_deliveries: u64,
    /// Messages and reaction frames delivered per second.
    pub frames_per_s: f64,
    /// Deliveries per second, first send to last delivery.
    pub deliveries_per_s: f64,
    /// Acknowledged messages per second.
    pub messages_per_s: f64,
    /// End-to-end latency.
    pub latency: Latency,
    /// Expected deliveries that never came.
    pub lost: u64,
    /// Deliveries of a message already received.
    pub duplicated: u64,
    /// Deliveries out of a sender's order.
    pub reordered: u64,
    /// Error frames and failed connections.
    pub errors: u64,
    /// With `stall`: what happened to the client that stopped reading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stalled: Option<String>,
    /// With a server pid: the largest growth of its resident memory during the run, KiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_growth_kib: Option<u64>,
}

#[derive(Default)]
struct Shared {
    hist: Option<hdrhistogram::Histogram<u64>>,
    deliveries: u64,
    reactions: u64,
    duplicated: u64,
    reordered: u64,
    errors: u64,
    last_delivery: Option<Instant>,
}

/// Counts what one client received from each sender of its room.
struct Tally {
    /// Next counter expected from each sender of the room.
    next: Vec<u64>,
    received: u64,
}

fn parse_text(text: &[u8]) -> Option<(usize, u64, u64)> {
    let mut it = text
        .split(|b| *b == b':')
        .map(|p| std::str::from_utf8(p).ok()?.parse::<u64>().ok());
    Some((it.next()?? as usize, it.next()??, it.next()??))
}

/// Runs the scenario; must run inside a `LocalSet`.
pub async fn run(
    server: &Endpoint,
    p: &FanoutParams,
    sources: &Sources,
    server_pid: Option<u32>,
) -> anyhow::Result<FanoutResult> {
    let target = server.target;
    let run_id = std::process::id() ^ (Instant::now().elapsed().subsec_nanos());
    let start = Instant::now();
    let shared = Rc::new(RefCell::new(Shared {
        hist: Some(histogram()),
        ..Default::default()
    }));
    let senders_total = p.rooms * p.senders;
    let sent_counts: Rc<RefCell<Vec<u64>>> = Rc::new(RefCell::new(vec![0; senders_total]));
    let stop = Rc::new(std::cell::Cell::new(false));
    let reactions_sent = Rc::new(std::cell::Cell::new(0u64));

    // Connect and join everyone first.
    let connect_gate = Rc::new(Semaphore::new(200));
    let mut joins = Vec::new();
    for room in 0..p.rooms {
        for c in 0..p.clients {
            let gate = connect_gate.clone();
            let source = sources.pick(room * p.clients + c);
            let server = server.clone();
            joins.push(tokio::task::spawn_local(async move {
                let _permit = gate.acquire().await.unwrap();
                // On a cluster, each room's members (and its senders) alternate over the nodes.
                let mut conn = server.connect_nth(room + c, source, 64 * 1024).await?;
                let room_name = format!("f{run_id:x}-{room}");
                conn.send_text(
                    target
                        .join(&room_name, &format!("u{run_id:x}-{room}-{c}"))
                        .as_bytes(),
                )
                .await?;
                loop {
                    let joined = conn
                        .next(|op, f| op == OP_TEXT && target.classify(f) == Event::Joined)
                        .await?
                        .context("closed before joined")?;
                    if joined {
                        return anyhow::Ok((room, c, room_name, conn));
                    }
                }
            }));
        }
    }
    let mut conns = Vec::new();
    for j in joins {
        conns.push(j.await??);
    }

    let mut stalled = None;
    if p.stall {
        let mut conn = server.connect(sources.pick(0), 4096).await?;
        conn.send_text(
            target
                .join(&format!("f{run_id:x}-0"), &format!("u{run_id:x}-stalled"))
                .as_bytes(),
        )
        .await?;
        while !conn
            .next(|op, f| op == OP_TEXT && target.classify(f) == Event::Joined)
            .await?
            .context("closed")?
        {}
        stalled = Some(conn); // never read again until the end
    }
    let rss_base = server_pid.and_then(|pid| crate::server::rss_kib(pid).ok());
    let rss_peak = Rc::new(std::cell::Cell::new(rss_base.unwrap_or(0)));
    let sampler = server_pid.map(|pid| {
        let peak = rss_peak.clone();
        tokio::task::spawn_local(async move {
            loop {
                if let Ok(rss) = crate::server::rss_kib(pid) {
                    peak.set(peak.get().max(rss));
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    });
    let padding = "x".repeat(p.pad);
    let first_send = Instant::now();
    let mut tasks = Vec::new();
    let mut tallies = Vec::new();
    for (room, c, room_name, conn) in conns {
        let sender_id = (c < p.senders).then_some(room * p.senders + c);
        let (mut rd, mut frames, wr) = conn.split();
        // A non-sender keeps its write half open in its reader (dropping it would send FIN).
        let mut wr = Some(wr);
        let keep_open = if sender_id.is_none() { wr.take() } else { None };
        let chatter = (sender_id.is_none() && c < p.senders + p.chatters)
            .then(|| target.chatter(&room_name))
            .flatten();
        let (keep_open, chatter) = match (keep_open, chatter) {
            (Some(wr), Some(frame)) => {
                let every = Duration::from_millis(p.chatter_every_ms.max(1));
                let phase = every.mul_f64((c % 97) as f64 / 97.0);
                (
                    None,
                    Some(chatter_task(wr, frame, every, phase, stop.clone())),
                )
            }
            (keep_open, _) => (keep_open, None),
        };
        let window = Rc::new(Semaphore::new(p.window));
        // Set once the sender's first message has come back: reactions name stored ones.
        let echoed = Rc::new(std::cell::Cell::new(false));
        // Reader: every client.
        let tally = Rc::new(RefCell::new(Tally {
            next: vec![0; p.senders],
            received: 0,
        }));
        tallies.push((room, tally.clone()));
        let reader = {
            let (shared, window, echoed) = (shared.clone(), window.clone(), echoed.clone());
            let senders = p.senders;
            tokio::task::spawn_local(async move {
                let _keep_open = keep_open;
                loop {
                    while let Some((op, frame)) = frames.next_frame() {
                        if op == OP_CLOSE {
                            return;
                        }
                        if op != OP_TEXT {
                            continue;
                        }
                        match target.classify(frame) {
                            Event::Message { text } => {
                                let Some((sid, counter, sent_us)) = parse_text(text) else {
                                    continue;
                                };
                                // The window closes on the sender's own copy, not on the ack:
                                // a message is in flight until it has gone through fan-out.
                                if Some(sid) == sender_id {
                                    window.add_permits(1);
                                    echoed.set(true);
                                }
                                let now_us = start.elapsed().as_micros() as u64;
                                let mut s = shared.borrow_mut();
                                let mut tally = tally.borrow_mut();
                                let tally = &mut *tally;
                                if let Some(h) = s.hist.as_mut() {
                                    let _ = h.record(now_us.saturating_sub(sent_us).max(1));
                                }
                                let slot = &mut tally.next[sid - room * senders];
                                if counter < *slot {
                                    s.duplicated += 1;
                                } else {
                                    if counter > *slot {
                                        s.reordered += 1;
                                    }
                                    *slot = counter + 1;
                                    tally.received += 1;
                                    s.deliveries += 1;
                                }
                                s.last_delivery = Some(Instant::now());
                            }
                            Event::Reaction => {
                                let mut s = shared.borrow_mut();
                                s.reactions += 1;
                                s.last_delivery = Some(Instant::now());
                            }
                            Event::Error => shared.borrow_mut().errors += 1,
                            _ => {}
                        }
                    }
                    match frames.fill(&mut rd).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                }
            })
        };
        // Writer: senders only.
        let writer = sender_id.zip(wr).map(|(sid, mut wr)| {
            let (stop, sent_counts, window) = (stop.clone(), sent_counts.clone(), window.clone());
            let padding = padding.clone();
            let rate = (p.rate > 0.0).then(|| p.rate / senders_total as f64);
            let (react_every, reacted) = (p.react_every, reactions_sent.clone());
            tokio::task::spawn_local(async move {
                // Senders are spread evenly over the period, so the total rate is a steady
                // stream rather than bursts of every sender at once.
                let mut ticker = rate.map(|r| {
                    let period = Duration::from_secs_f64(1.0 / r);
                    let phase = period.mul_f64(sid as f64 / senders_total as f64);
                    let mut t =
                        tokio::time::interval_at(tokio::time::Instant::now() + phase, period);
                    t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
                    t
                });
                let mut buf = Vec::new();
                let mut counter = 0u64;
                let mut on = false;
                while !stop.get() {
                    if let Some(t) = ticker.as_mut() {
                        t.tick().await;
                    }
                    window.acquire().await.unwrap().forget();
                    let sent_us = start.elapsed().as_micros() as u64;
                    let text = format!("{sid}:{counter}:{sent_us}:{padding}");
                    buf.clear();
                    ws::text_frame(
                        target
                            .send(&room_name, &format!("{sid}-{counter}"), &text)
                            .as_bytes(),
                        &mut buf,
                    );
                    let due = react_every > 0 && counter % react_every == react_every - 1;
                    let reaction = (due && echoed.get())
                        .then(|| target.react(&room_name, (sid, &format!("r{sid}-{counter}")), on))
                        .flatten();
                    if let Some(frame) = reaction {
                        // Added, then taken back, and so on: each one changes something.
                        on = !on;
                        reacted.set(reacted.get() + 1);
                        ws::text_frame(frame.as_bytes(), &mut buf);
                    }
                    if wr.write_all(&buf).await.is_err() {
                        break;
                    }
                    counter += 1;
                    sent_counts.borrow_mut()[sid] = counter;
                }
                // Keep the write half open (dropping it would end the connection) until the
                // run is over and this task is aborted.
                std::future::pending::<()>().await;
                drop(wr);
            })
        });
        tasks.push((room, reader, writer.or(chatter)));
    }

    tokio::time::sleep(Duration::from_secs_f64(p.seconds)).await;
    stop.set(true);
    let send_end = Instant::now();
    // Let every delivery arrive: wait until no delivery for a second (or 20 s in all).
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let last = shared.borrow().last_delivery;
        if last.is_none_or(|l| l.elapsed() > Duration::from_secs(1)) || Instant::now() > deadline {
            break;
        }
    }
    if let Some(s) = sampler {
        s.abort();
    }
    let stalled = match stalled {
        Some(conn) => Some(stalled_outcome(conn).await),
        None => None,
    };
    // Stop everything: the counts are in the tallies.
    for (_, reader, writer) in tasks {
        reader.abort();
        if let Some(w) = writer {
            w.abort();
        }
    }
    let sent = sent_counts.borrow().clone();
    let room_sent =
        |room: usize| -> u64 { sent[room * p.senders..(room + 1) * p.senders].iter().sum() };
    let lost: u64 = tallies
        .iter()
        .map(|(room, t)| room_sent(*room).saturating_sub(t.borrow().received))
        .sum();
    let hist = shared.borrow_mut().hist.take().unwrap_or_else(histogram);
    let s = shared.borrow();
    let sent_total: u64 = sent.iter().sum();
    let span = s
        .last_delivery
        .unwrap_or(send_end)
        .duration_since(first_send)
        .as_secs_f64();
    Ok(FanoutResult {
        sent: sent_total,
        deliveries: s.deliveries,
        deliveries_per_s: s.deliveries as f64 / span.max(1e-9),
        reactions_sent: reactions_sent.get(),
        reaction_deliveries: s.reactions,
        frames_per_s: (s.deliveries + s.reactions) as f64 / span.max(1e-9),
        messages_per_s: sent_total as f64 / send_end.duration_since(first_send).as_secs_f64(),
        latency: Latency::of(&hist),
        lost,
        duplicated: s.duplicated,
        reordered: s.reordered,
        errors: s.errors,
        stalled,
        rss_growth_kib: rss_base.map(|b| rss_peak.get().saturating_sub(b)),
    })
}

/// Says "typing" and "read" every `every` (starting after `phase`) until `stop`, then keeps
/// the write half open until aborted.
fn chatter_task(
    mut wr: tokio::net::tcp::OwnedWriteHalf,
    frames: [String; 2],
    every: Duration,
    phase: Duration,
    stop: Rc<std::cell::Cell<bool>>,
) -> tokio::task::JoinHandle<()> {
    tokio::task::spawn_local(async move {
        let mut buf = Vec::new();
        for frame in &frames {
            ws::text_frame(frame.as_bytes(), &mut buf);
        }
        let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + phase, every);
        while !stop.get() {
            ticker.tick().await;
            if wr.write_all(&buf).await.is_err() {
                break;
            }
        }
        std::future::pending::<()>().await;
        drop(wr);
    })
}

/// Reads what reached the stalled client, to see how the server ended it (if it did).
async fn stalled_outcome(mut conn: ws::WsConn) -> String {
    let read_all = async {
        loop {
            match conn
                .next(|op, f| {
                    (op == OP_CLOSE).then(|| f.get(..2).map(|c| u16::from_be_bytes([c[0], c[1]])))
                })
                .await
            {
                Ok(Some(Some(code))) => {
                    return format!("closed by the server with code {}", code.unwrap_or(1005))
                }
                Ok(Some(None)) => continue,
                Ok(None) | Err(_) => {
                    return "connection dropped by the server (no close frame)".to_string()
                }
            }
        }
    };
    match tokio::time::timeout(Duration::from_secs(10), read_all).await {
        Ok(outcome) => outcome,
        Err(_) => "never cut off: the server kept queueing for it".into(),
    }
}
