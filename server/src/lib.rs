//! Parley's server: serves the SPA, the REST API and the chat WebSocket on one port.
//!
//! The layers, each knowing only those below it:
//! - transports: [`http`] (REST, the SPA) and [`ws`] (the chat WebSocket, on the
//!   `parley-ws` crate); they authenticate clients ([`auth`]) and hand their messages to
//! - [`chat`], the command layer (join, leave, send, history), which drives
//! - the core: [`hub`] (rooms as actors, outboxes, history) over [`storage`], which see
//!   messages only as [`wire`] bytes and import no transport.
//!
//! [`app`] builds the router without a listener; [`start`] binds, serves and returns a
//! [`Server`] to stop (the tests start real servers on port 0).

pub mod api_keys;
pub mod auth;
mod bounded;
mod bucket;
pub mod chat;
pub mod client;
pub mod cluster;
pub mod config;
pub mod http;
pub mod hub;
pub mod origin;
mod serve;
mod slots;
pub mod storage;
pub mod telemetry;
mod tls;
pub mod wire;
pub mod ws;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use shared::CloseReason;
use tokio::net::{TcpListener, TcpSocket};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::backoff::Backoff;
use crate::auth::throttle::Throttle;
use crate::auth::{Auth, Hasher};
use crate::bucket::Buckets;
use crate::client::ClientKey;
use crate::config::{Config, Limits};
use crate::hub::room::recent::CacheBudget;
use crate::hub::room::RoomSettings;
use crate::hub::{CreationLimits, Hub};
use crate::storage::Store;
use crate::ws::gate::Gate;

/// Connections the kernel may queue before `accept`: large, so a connect storm is not
/// dropped (and retried a second later) as it would be with the usual 128.
const LISTEN_BACKLOG: u32 = 4096;

/// How long shutdown waits for sessions to send their close frames.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Shared state of the HTTP and WebSocket handlers.
#[derive(Clone)]
pub struct AppState {
    /// Rooms and users.
    pub hub: Hub,
    /// Limits and timeouts.
    pub limits: Arc<Limits>,
    /// Tracks WebSocket connections, which outlive their HTTP request, for shutdown.
    pub connections: TaskTracker,
    /// Who is who.
    pub auth: Auth,
    /// Who may open a WebSocket.
    pub gate: Arc<Gate>,
    /// Sign-in attempts per address.
    pub sign_ins: Arc<Throttle>,
    /// HTTP requests per address.
    pub http_rate: Arc<Buckets<ClientKey>>,
    /// Registrations (nicknames given a password) per address.
    pub registrations: Arc<Throttle>,
    /// Wrong passwords per nickname.
    pub guesses: Arc<Backoff>,
    /// Messages published per API key (by name).
    pub publishers: Arc<Buckets<String>>,
    /// Whether the server speaks TLS (cookies are then Secure).
    pub tls: bool,
    /// This node's id (`--node-id`).
    pub node: Arc<str>,
    /// The broker link, in cluster mode.
    pub cluster: Option<cluster::Cluster>,
}

impl AppState {
    /// Opens the storage and the hub for `config`.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        cluster::check(config)?;
        let node: Arc<str> = config.node_id.clone().unwrap_or_default().into();
        let cluster = match &config.cluster {
            Some(url) => Some(cluster::Cluster::connect(url, &node).await?),
            None => None,
        };
        let seqs = match config.cluster {
            Some(_) => storage::Sequencing::Database,
            None => storage::Sequencing::Local,
        };
        let store = Store::open(&config.data_dir, config.database_url.as_deref(), seqs).await?;
        let limits = Arc::new(config.limits.clone());
        let settings = RoomSettings {
            history_page: limits.history_page,
            recent_len: limits.recent_per_room,
            recent_bytes: limits.recent_room_bytes,
            recent_budget: CacheBudget::new(limits.recent_total_bytes),
            recent_idle: limits.recent_idle,
            cluster: cluster.clone(),
        };
        let secret = auth::load_secret(config.session_secret.as_deref(), &config.data_dir)?;
        let creation = CreationLimits {
            per_user: limits.max_rooms_created,
            per_hour: limits.room_creation_rate,
            burst: limits.room_creation_burst,
        };
        let hub = Hub::open(store.clone(), settings, creation, limits.outbox_bytes).await?;
        let (permits, queue) = limits.hashing();
        let closer = hub.clone();
        let on_end = move |ids: &HashSet<String>, reason| closer.close_sessions(ids, reason);
        let hasher = Hasher::new(permits, queue);
        let shared = config.cluster.is_some();
        let auth = Auth::open(store, secret, config.session_ttl, hasher, on_end, shared).await?;
        let tls = config.tls_cert.is_some();
        let origins = [&config.public_origin[..], &config.allowed_origins[..]].concat();
        let gate = Arc::new(Gate::new(
            limits.max_connections,
            limits.max_connections_per_ip,
            origins,
        ));
        let sign_ins = Arc::new(Throttle::new(limits.sign_in_rate, limits.sign_in_burst));
        let http_rate = Arc::new(Buckets::new(limits.http_rate, limits.http_burst));
        let per_day = f64::from(limits.registrations_per_day);
        let registrations = Arc::new(Throttle::new(per_day / (24.0 * 60.0), per_day));
        let guesses = Arc::new(Backoff::new(
            limits.password_guesses,
            limits.password_backoff,
            limits.password_backoff_max,
        ));
        let publishers = Arc::new(Buckets::new(limits.publish_rate, limits.publish_burst));
        Ok(Self {
            guesses,
            publishers,
            hub,
            limits,
            connections: TaskTracker::new(),
            auth,
            gate,
            sign_ins,
            http_rate,
            registrations,
            tls,
            node,
            cluster,
        })
    }
}

/// The whole application: the routes behind the [`http::edge`] checks, answering for
/// `config.public_origin` (as [`start`] resolves it).
pub fn app(state: AppState, config: &Config) -> Arc<http::edge::Edge> {
    let router = http::router(&config.spa_dir)
        .merge(ws::router())
        .with_state(state.clone())
        .layer(tower_http::trace::TraceLayer::new_for_http());
    Arc::new(http::edge::Edge {
        hosts: http::host::Hosts::new(&config.public_origin),
        headers: http::headers::Headers::new(config),
        rate: state.http_rate.clone(),
        trusted: state.limits.trusted_proxies.clone().into(),
        timeout: state.limits.request_timeout,
        router,
    })
}

/// A running server.
pub struct Server {
    /// The address it listens on (useful with port 0).
    pub addr: SocketAddr,
    /// Whether it serves HTTPS and WSS.
    pub tls: bool,
    /// Its state, for tests that look inside.
    pub state: AppState,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Stops accepting, closes every WebSocket with 1001 (going away) and waits for the
    /// sessions to end, at most a few seconds.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.stop.cancel();
        self.state.hub.close_all(CloseReason::GoingAway);
        self.state.connections.close();
        let sessions = &self.state.connections;
        if tokio::time::timeout(SHUTDOWN_GRACE, sessions.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                open = sessions.len(),
                "sessions still open after the shutdown grace"
            );
        }
        self.task.await.context("server task")?.context("serving")?;
        Ok(())
    }
}

/// Binds `config.listen` and serves until [`Server::shutdown`].
pub async fn start(mut config: Config) -> anyhow::Result<Server> {
    let node = config.node_id();
    tracing::info!(node, cluster = config.cluster.as_deref(), "starting");
    // Each connection is a file descriptor: take every one the hard limit allows, and keep
    // the connection cap below it.
    let nofile = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            tracing::info!(limit, "open-file limit");
            usize::try_from(limit).unwrap_or(usize::MAX)
        }
        Err(err) => {
            tracing::warn!(%err, "cannot raise the open-file limit");
            1024
        }
    };
    let max_tcp = tcp_cap(config.limits.max_tcp_connections, nofile);
    let listener =
        bind(config.listen).with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    // Known once bound (port 0); before the state, whose gate checks origins against them.
    config.public_origin =
        origin::public_origins(&config.public_origin, addr, config.tls_cert.is_some())?;
    let state = AppState::open(&config).await?;
    if !config.spa_dir.join("index.html").exists() {
        tracing::warn!(
            dir = %config.spa_dir.display(),
            "no index.html in the SPA directory: build the SPA with `trunk build --release` \
             (or run scripts/run); the API and WebSocket work without it"
        );
    }
    let tls = match (&config.tls_cert, &config.tls_key) {
        (Some(cert), Some(key)) => Some(tls::acceptor(cert, key)?),
        (None, None) => None,
        _ => anyhow::bail!("--tls-cert and --tls-key go together"),
    };
    let acceptor = serve::Acceptor {
        app: app(state.clone(), &config),
        tls,
        handshake_timeout: config.limits.handshake_timeout,
        write_timeout: config.limits.write_timeout,
        slots: slots::Slots::new(max_tcp, config.limits.max_tcp_connections_per_ip),
        trusted_proxies: config.limits.trusted_proxies.clone().into(),
    };
    let stop = CancellationToken::new();
    let prune_every = config.limits.session_prune_interval;
    tokio::spawn(state.auth.clone().prune_every(prune_every, stop.clone()));
    if let Some(cluster) = &state.cluster {
        cluster.serve_rooms(state.hub.clone(), stop.clone());
        cluster.serve_sessions(state.auth.clone(), stop.clone());
        cluster.serve_presence(state.hub.clone(), stop.clone());
        cluster.serve_directory(state.hub.clone(), stop.clone());
    }
    // In a cluster a node does not know yet who is in a room on the others (docs/CLUSTER.md):
    // no node may remove one.
    if config.cluster.is_none() {
        let room_ttl = config.limits.empty_room_ttl;
        tokio::spawn(state.hub.clone().expire_rooms_every(room_ttl, stop.clone()));
    }
    let task = tokio::spawn(serve::serve(listener, acceptor, stop.clone()));
    tracing::info!(%addr, "listening");
    Ok(Server {
        addr,
        tls: config.tls_cert.is_some(),
        state,
        stop,
        task,
    })
}

/// Descriptors kept free of connections: the database pool, files, logs, and a connection
/// over the cap long enough to answer it.
const FD_RESERVE: usize = 128;

/// The TCP connection cap: `configured` (0: no cap of its own), below the open-file limit.
fn tcp_cap(configured: usize, nofile: usize) -> usize {
    let below_fd_limit = nofile.saturating_sub(FD_RESERVE).max(1);
    match configured {
        0 => below_fd_limit,
        n => n.min(below_fd_limit),
    }
}

fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}

/// Milliseconds since the Unix epoch (timestamps of messages and session expiry).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
