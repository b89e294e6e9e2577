//! Several Parley nodes as one chat (docs/CLUSTER.md): the link to the broker (NATS core)
//! that carries what one node must tell the others.
//!
//! Cluster mode is checked before anything starts ([`check`]): every node shares one server
//! database (the source of truth, and the sequencer of each room) and one session secret
//! (so that a token from one node works on all of them).

use std::sync::Arc;

use anyhow::{bail, Context};
use async_nats::connection::State;
use async_nats::Event;
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
}

impl Cluster {
    /// Connects to the broker at `url` as `node`. A broker that does not answer yet is
    /// retried in the background, as is one lost later: the node serves its own clients
    /// meanwhile ([`Cluster::link`] says "degraded").
    pub async fn connect(url: &str, node: &str) -> anyhow::Result<Cluster> {
        let client = async_nats::ConnectOptions::new()
            .name(format!("parley {node}"))
            .retry_on_initial_connect()
            .event_callback(|event| async move {
                match event {
                    Event::Connected => info!("broker link up"),
                    Event::Disconnected => warn!("broker link down; retrying"),
                    Event::SlowConsumer(_) => warn!("broker: this node read too slowly"),
                    other => info!(event = %other, "broker"),
                }
            })
            .connect(url)
            .await
            .with_context(|| format!("cannot use the broker at {url}"))?;
        Ok(Cluster {
            inner: Arc::new(Inner {
                client,
                broker: url.to_owned(),
            }),
        })
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
