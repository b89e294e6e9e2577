//! One client of the reconnect scenario, behaving like the SPA's connection: a session of its
//! own and one room. Whenever its socket ends (or an attempt fails) it waits
//! [`Backoff::PARLEY`] and connects again; on `welcome` it rejoins with `after` = the last seq
//! it saw and resends every message not acknowledged yet, with the same client id.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::time::{Duration, Instant};

use shared::Backoff;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::OwnedWriteHalf;
use tokio::sync::{mpsc, Semaphore};

use crate::proto::{number, Event, Target};
use crate::ws::{self, control_frame, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT};

/// Why a connection attempt did not reach `welcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    /// Connection refused: nothing listens (the server is down).
    Refused,
    /// The upgrade was answered with this HTTP status.
    Http(u16),
    /// The server closed the socket with this code before `welcome` (1013: over capacity).
    Closed(u16),
    /// Another I/O error while connecting or during the handshake (a reset, the server
    /// closing before its answer, no local port free, …).
    Io(io::ErrorKind),
    /// The socket ended after the upgrade, before `welcome`, without a close frame.
    Dropped,
}

impl Failure {
    fn of(err: &io::Error) -> Self {
        if err.kind() == io::ErrorKind::ConnectionRefused {
            return Self::Refused;
        }
        let text = err.to_string();
        match text.strip_prefix("upgrade refused: HTTP/1.1 ") {
            Some(rest) => Self::Http(rest.get(..3).and_then(|s| s.parse().ok()).unwrap_or(0)),
            None => Self::Io(err.kind()),
        }
    }

    /// A short name for the report (`refused`, `http_503`, `close_1013`, `io_…`, `dropped`).
    pub fn label(&self) -> String {
        match self {
            Self::Refused => "refused".into(),
            Self::Http(status) => format!("http_{status}"),
            Self::Closed(code) => format!("close_{code}"),
            Self::Io(kind) => format!("io_{kind:?}"),
            Self::Dropped => "dropped".into(),
        }
    }
}

/// What every client shares: where the server is, whether the restart has begun, and the
/// counts the coordinator watches.
#[derive(Default)]
pub(super) struct Log {
    /// Clients that have joined their room once.
    pub joined: usize,
    /// Clients back on the new process: welcomed, joined and caught up to the join's seq.
    pub back: usize,
    /// First deliveries of a message, over all clients.
    pub unique: u64,
    /// Messages sent and not acknowledged yet, over all senders.
    pub unacked: u64,
    /// Send frames written to a socket, over all senders.
    pub written: u64,
    /// Sends written again after a reconnect.
    pub resent: u64,
    /// Error frames, by code.
    pub errors: BTreeMap<String, u64>,
    /// When each `welcome` from the new process arrived.
    pub welcomes: Vec<Instant>,
    /// Failed attempts after the restart began, with when they started.
    pub failures: Vec<(Instant, Failure)>,
    /// Failed attempts before it (while setting up).
    pub setup_failures: u64,
}

/// The scenario's shared context.
pub(super) struct Ctx {
    /// The server.
    pub addr: SocketAddr,
    /// Set just before the server is stopped.
    pub restarting: Cell<bool>,
    /// Set once the old process has exited and the new one is started: a `welcome` from
    /// then on is the new process's. (The old one may still welcome a client or two while
    /// it shuts down.)
    pub restarted: Cell<bool>,
    /// Counts.
    pub log: RefCell<Log>,
    /// Bounds the first connections (setting up), not the reconnects.
    pub setup_gate: Semaphore,
}

/// One client's state.
pub(super) struct Client {
    room: String,
    nick: String,
    token: String,
    source: Option<IpAddr>,
    seed: u64,
    /// Deliveries per message counter of the room's sender.
    pub got: Vec<u32>,
    /// Messages that came with a seq not above the last one seen.
    pub seq_repeats: u64,
    last_seq: u64,
    joined_once: bool,
    /// Sender only: counters sent and not acknowledged, and the next counter.
    pending: BTreeSet<usize>,
    next: usize,
    /// After the restart: the join's `last_seq` to reach, and when it was reached.
    catch_up_to: Option<u64>,
    /// When this client was back after the restart.
    pub back_at: Option<Instant>,
}

impl Client {
    /// A client of `room`, expecting `messages` messages from the room's sender.
    pub fn new(
        room: String,
        nick: String,
        token: String,
        source: Option<IpAddr>,
        seed: u64,
        messages: usize,
    ) -> Self {
        Self {
            room,
            nick,
            token,
            source,
            seed,
            got: vec![0; messages],
            seq_repeats: 0,
            last_seq: 0,
            joined_once: false,
            pending: BTreeSet::new(),
            next: 0,
            catch_up_to: None,
            back_at: None,
        }
    }

    fn send_frame(&self, counter: usize, out: &mut Vec<u8>) {
        let frame = Target::Parley.send(&self.room, &format!("m{counter}"), &counter.to_string());
        ws::text_frame(frame.as_bytes(), out);
    }

    /// Handles one text frame; what to write back goes to `out`. True for `welcome`.
    fn on_text(&mut self, ctx: &Ctx, frame: &[u8], out: &mut Vec<u8>) -> bool {
        let mut log = ctx.log.borrow_mut();
        let event = Target::Parley.classify(frame);
        let welcome = event == Event::Welcome;
        match event {
            Event::Welcome => {
                if ctx.restarted.get() {
                    log.welcomes.push(Instant::now());
                }
                let join = Target::Parley.rejoin(&self.room, &self.nick, self.last_seq);
                ws::text_frame(join.as_bytes(), out);
                for &c in &self.pending {
                    self.send_frame(c, out);
                    log.written += 1;
                    log.resent += 1;
                }
            }
            Event::Joined => {
                if !self.joined_once {
                    self.joined_once = true;
                    log.joined += 1;
                }
                if ctx.restarted.get() && self.back_at.is_none() {
                    self.catch_up_to = number(frame, b"\"last_seq\":");
                }
            }
            Event::Message { text } => {
                let seq = number(frame, b"\"seq\":").unwrap_or(0);
                if seq <= self.last_seq {
                    self.seq_repeats += 1;
                } else {
                    self.last_seq = seq;
                    let counter = std::str::from_utf8(text).ok().and_then(|t| t.parse().ok());
                    if let Some(n) = counter.and_then(|c: usize| self.got.get_mut(c)) {
                        *n += 1;
                        if *n == 1 {
                            log.unique += 1;
                        }
                    }
                }
            }
            Event::Ack { client_id } => {
                let counter = std::str::from_utf8(client_id)
                    .ok()
                    .and_then(|id| id.strip_prefix('m')?.parse().ok());
                if counter.is_some_and(|c| self.pending.remove(&c)) {
                    log.unacked -= 1;
                }
            }
            Event::Error => {
                let code = crate::proto::field(frame, b"\"code\":\"").unwrap_or_default();
                let code = String::from_utf8_lossy(code).into_owned();
                *log.errors.entry(code).or_insert(0) += 1;
            }
            Event::Other | Event::Reaction => {}
        }
        if self.back_at.is_none() && self.catch_up_to.is_some_and(|to| self.last_seq >= to) {
            self.back_at = Some(Instant::now());
            log.back += 1;
        }
        welcome
    }

    /// Sends `n` new messages (written now if `live`, else on the next `welcome`).
    fn send_new(&mut self, ctx: &Ctx, n: usize, live: bool, out: &mut Vec<u8>) {
        let mut log = ctx.log.borrow_mut();
        for _ in 0..n {
            let c = self.next;
            self.next += 1;
            self.pending.insert(c);
            log.unacked += 1;
            if live {
                self.send_frame(c, out);
                log.written += 1;
            }
        }
    }
}

/// A small, fast generator for the backoff's jitter (SplitMix64).
struct Jitter(u64);

impl Jitter {
    /// A uniform number in [0, 1).
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Runs a client until aborted. A sender gets the number of new messages to send on `cmds`.
pub(super) async fn run(
    me: Rc<RefCell<Client>>,
    ctx: Rc<Ctx>,
    mut cmds: Option<mpsc::UnboundedReceiver<usize>>,
) {
    let (token, source, seed) = {
        let me = me.borrow();
        (me.token.clone(), me.source, me.seed)
    };
    let mut jitter = Jitter(seed);
    let mut attempt = 0u32;
    loop {
        if attempt > 0 {
            let ms = Backoff::PARLEY.delay_ms(attempt, jitter.next());
            tokio::time::sleep(Duration::from_secs_f64(ms / 1000.0)).await;
        }
        let permit = match ctx.restarting.get() {
            false => ctx.setup_gate.acquire().await.ok(),
            true => None,
        };
        let started = Instant::now();
        let conn = ws::connect(
            ctx.addr,
            source,
            Target::Parley.path(),
            Some(&token),
            16 * 1024,
        );
        let failure = match conn.await {
            Ok(conn) => {
                drop(permit);
                socket(&me, &ctx, conn, &mut cmds).await
            }
            Err(err) => Some(Failure::of(&err)),
        };
        match failure {
            // As the SPA does: the count starts again once a socket was welcomed.
            None => attempt = 1,
            Some(failure) => {
                let mut log = ctx.log.borrow_mut();
                if ctx.restarting.get() {
                    log.failures.push((started, failure));
                } else {
                    log.setup_failures += 1;
                }
                attempt += 1;
            }
        }
    }
}

async fn next_cmd(cmds: &mut Option<mpsc::UnboundedReceiver<usize>>) -> usize {
    match cmds {
        Some(rx) => match rx.recv().await {
            Some(n) => n,
            None => std::future::pending().await,
        },
        None => std::future::pending().await,
    }
}

async fn write(wr: &mut OwnedWriteHalf, out: &mut Vec<u8>) -> io::Result<()> {
    if !out.is_empty() {
        wr.write_all(out).await?;
        out.clear();
    }
    Ok(())
}

/// Runs one socket to its end: `None` if it was welcomed, else why the attempt failed.
async fn socket(
    me: &RefCell<Client>,
    ctx: &Ctx,
    conn: ws::WsConn,
    cmds: &mut Option<mpsc::UnboundedReceiver<usize>>,
) -> Option<Failure> {
    let (mut rd, mut frames, mut wr) = conn.split();
    let mut welcomed = false;
    let mut out = Vec::new();
    let ended = |welcomed: bool, why: Failure| (!welcomed).then_some(why);
    loop {
        let mut close = None;
        {
            let mut me = me.borrow_mut();
            while let Some((op, payload)) = frames.next_frame() {
                match op {
                    OP_TEXT => welcomed |= me.on_text(ctx, payload, &mut out),
                    OP_PING => out.extend(control_frame(OP_PONG, payload)),
                    OP_CLOSE => {
                        // Answer the close, as a browser does, so the server need not wait.
                        let code = payload.get(..2).map(|c| u16::from_be_bytes([c[0], c[1]]));
                        out.extend(control_frame(OP_CLOSE, payload.get(..2).unwrap_or(&[])));
                        close = Some(code.unwrap_or(1005));
                        break;
                    }
                    _ => {}
                }
            }
        }
        if write(&mut wr, &mut out).await.is_err() {
            return ended(welcomed, Failure::Dropped);
        }
        if let Some(code) = close {
            return ended(welcomed, Failure::Closed(code));
        }
        tokio::select! {
            filled = frames.fill(&mut rd) => {
                if !matches!(filled, Ok(n) if n > 0) {
                    return ended(welcomed, Failure::Dropped);
                }
            }
            n = next_cmd(cmds) => {
                me.borrow_mut().send_new(ctx, n, welcomed, &mut out);
                if write(&mut wr, &mut out).await.is_err() {
                    return ended(welcomed, Failure::Dropped);
                }
            }
        }
    }
}
