//! Several Parley nodes as one chat (docs/CLUSTER.md): the link to the broker (NATS core)
//! that carries what one node must tell the others: each room's committed messages
//! ([`fanout`]), who is in each room ([`presence`]), the rooms created ([`directory`]) and
//! the sessions that ended ([`sessions`]).
//!
//! Cluster mode is checked before anything starts ([`check`]): every node shares one server
//! database (the source of truth, and the sequencer of each room) and one session secret
//! (so that a token from one node works on all of them).

mod directory;
pub mod fanout;
pub mod presence;
mod sessions;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context};
use async_nats::connection::State;
use async_nats::Event;
use bytes::Bytes;
use tokio::sync::{mpsc, watch};
use tracing::{info, warn};

use crate::config::Config;
use crate::storage::{self, Backend};

/// What cluster mode needs, or why it cannot start: a `nats://` broker, a server database
/// and a session secret given to every node.
pub fn check(config: &Config) -> anyhow::Result<()> {
    let Some(url) = &config.cluster else {
        return Ok(());
    };
    if !url.starts_with("nats://") {
        bail!(
            "--cluster {url:?}: Parley clusters on NATS; give its URL, e.g. nats://127.0.0.1:4222"
        );
    }
    let (_, backend) = storage::database_url(&config.data_dir, config.database_url.as_deref())?;
    if backend == Backend::Sqlite {
        bail!(
            "--cluster needs a server database that every node shares: give --database-url \
             postgres://… or mysql://… (SQLite is one node's file)"
        );
    }
    if config.session_secret.is_none() {
        bail!(
            "--cluster needs --session-secret, the same on every node: each node would \
             otherwise sign sessions with a key of its own, and the others would refuse them"
        );
    }
    Ok(())
}

/// The broker link, shared by the node's tasks.
#[derive(Clone)]
pub struct Cluster {
    inner: Arc<Inner>,
}

struct Inner {
    client: async_nats::Client,
    /// The broker's URL, for `/healthz` and the logs.
    broker: String,
    /// This node on the broker: its id and a number drawn at this start.
    node: Arc<str>,
    /// Frames on their way to the broker (see [`Cluster::publish`]).
    outgoing: mpsc::Sender<(String, Bytes)>,
    /// Bytes of the frames in `outgoing`.
    queued: Arc<AtomicUsize>,
    /// Frames dropped because the backlog was full.
    dropped: AtomicUsize,
    /// Bumped each time the link comes (back) up: what was published meanwhile may be lost.
    links: watch::Receiver<u64>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("broker", &self.inner.broker)
            .finish_non_exhaustive()
    }
}

/// Frames waiting for the broker, at most. Over it (the broker is away and the backlog is
/// full) a frame is dropped: the other nodes find the gap and read it from the database.
const OUTGOING: usize = 65_536;
/// Bytes of the frames waiting for the broker, at most (the same rule past it).
const OUTGOING_BYTES: usize = 64 << 20;

impl Cluster {
    /// Connects to the broker at `url` as `node`. A broker that does not answer yet is
    /// retried in the background, as is one lost later: the node serves its own clients
    /// meanwhile ([`Cluster::link`] says "degraded").
    pub async fn connect(url: &str, node: &str) -> anyhow::Result<Cluster> {
        let (links_tx, links) = watch::channel(0u64);
        let links_tx = Arc::new(links_tx);
        let client = async_nats::ConnectOptions::new()
            .name(format!("parley {node}"))
            .no_echo()
            .retry_on_initial_connect()
            .event_callback(move |event| {
                let links_tx = links_tx.clone();
                async move {
                    match event {
                        Event::Connected => {
                            info!("broker link up");
                            links_tx.send_modify(|n| *n += 1);
                        }
                        Event::Disconnected => warn!("broker link down; retrying"),
                        Event::SlowConsumer(_) => warn!("broker: this node read too slowly"),
                        other => info!(event = %other, "broker"),
                    }
                }
            })
            .connect(url)
            .await
            .with_context(|| format!("cannot use the broker at {url}"))?;
        let (outgoing, rx) = mpsc::channel(OUTGOING);
        let queued = Arc::new(AtomicUsize::new(0));
        tokio::spawn(publisher(client.clone(), rx, queued.clone()));
        Ok(Cluster {
            inner: Arc::new(Inner {
                client,
                broker: url.to_owned(),
                node: format!("{node}#{:08x}", rand::random::<u32>()).into(),
                outgoing,
                queued,
                dropped: AtomicUsize::new(0),
                links,
            }),
        })
    }

    /// Publishes `payload` on `subject`, in the background (in order). Never waits: with the
    /// backlog full the frame is dropped, and the receivers fill the gap from the database.
    pub fn publish(&self, subject: String, payload: Bytes) {
        let len = payload.len();
        let queued = &self.inner.queued;
        let full = queued.fetch_add(len, Ordering::Relaxed) + len > OUTGOING_BYTES;
        if full || self.inner.outgoing.try_send((subject, payload)).is_err() {
            queued.fetch_sub(len, Ordering::Relaxed);
            self.inner.dropped.fetch_add(1, Ordering::Relaxed);
            warn!("broker backlog full: a frame was dropped (the other nodes will read it back)");
        }
    }

    /// Bytes of the frames waiting for the broker, and how many frames were dropped so far.
    pub fn backlog(&self) -> (usize, usize) {
        let inner = &self.inner;
        (
            inner.queued.load(Ordering::Relaxed),
            inner.dropped.load(Ordering::Relaxed),
        )
    }

    /// This node's name on the broker (its id and a number drawn at this start).
    pub fn node(&self) -> &Arc<str> {
        &self.inner.node
    }

    /// The client, for subscriptions.
    pub(crate) fn client(&self) -> &async_nats::Client {
        &self.inner.client
    }

    /// A subscription to `subject`; `None` (logged, naming `what` it carries) if the client
    /// is closed.
    pub(crate) async fn subscribe(
        &self,
        subject: &'static str,
        what: &str,
    ) -> Option<async_nats::Subscriber> {
        match self.inner.client.subscribe(subject).await {
            Ok(sub) => Some(sub),
            Err(err) => {
                warn!(cause = %err, "cannot subscribe to {what}");
                None
            }
        }
    }

    /// Changes each time the broker link comes (back) up.
    pub fn links(&self) -> watch::Receiver<u64> {
        self.inner.links.clone()
    }

    /// "ok" while the broker link is up, "degraded" while it is being re-established (this
    /// node's own clients are served; the other nodes' messages wait).
    pub fn link(&self) -> &'static str {
        match self.inner.client.connection_state() {
            State::Connected => "ok",
            _ => "degraded",
        }
    }

    /// The broker's URL.
    pub fn broker(&self) -> &str {
        &self.inner.broker
    }
}

/// Hands queued frames to the client, which sends them while the link is up and buffers
/// them (boundedly) while it is re-established.
async fn publisher(
    client: async_nats::Client,
    mut rx: mpsc::Receiver<(String, Bytes)>,
    queued: Arc<AtomicUsize>,
) {
    while let Some((subject, payload)) = rx.recv().await {
        queued.fetch_sub(payload.len(), Ordering::Relaxed);
        if let Err(err) = client.publish(subject, payload).await {
            warn!(cause = %err, "cannot publish to the broker");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn with_the_broker_away_the_backlog_stays_within_its_bytes_and_drops_the_rest() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port(); // Nobody listens there once the listener is dropped.
        let cluster = Cluster::connect(&format!("nats://127.0.0.1:{port}"), "alone")
            .await
            .unwrap();
        let frame = Bytes::from(vec![b'x'; 16 << 10]);
        let frames = OUTGOING_BYTES / frame.len() + 100;
        for _ in 0..frames {
            cluster.publish("parley.room.test".into(), frame.clone());
        }
        let (bytes, dropped) = cluster.backlog();
        assert!(bytes <= OUTGOING_BYTES, "{bytes} bytes queued");
        assert!(bytes > OUTGOING_BYTES - frame.len() * 2, "full: {bytes}");
        assert!(dropped >= 100, "{dropped} dropped");
    }
}
