//! Configuration: one struct parsed once from flags and environment variables (clap).
//! docs/CONFIGURATION.md lists every setting; keep the two in step.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, CommandFactory, FromArgMatches, Parser};

use crate::origin::Origin;

/// Everything `parley` can be told at start.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "parley",
    version,
    about = "Parley chat server: SPA, REST API and WebSocket on one port"
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "PARLEY_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Directory holding the built SPA (trunk's `dist/`).
    #[arg(long, env = "PARLEY_SPA_DIR", default_value = "dist")]
    pub spa_dir: PathBuf,

    /// Directory for the embedded SQLite database (created on first run). Unused when
    /// `--database-url` is given.
    #[arg(long, env = "PARLEY_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// A server database instead of SQLite: `postgres://user:pass@host/db` or
    /// `mysql://user:pass@host/db` (MariaDB too; `mariadb://` is accepted).
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,

    /// Run as one node of a cluster, on this broker: `nats://host:4222`. Every node of the
    /// cluster names the same broker, the same server database (`--database-url`, not
    /// SQLite) and the same `--session-secret`. See docs/CLUSTER.md.
    #[arg(long, env = "PARLEY_CLUSTER")]
    pub cluster: Option<String>,

    /// This node's name in the logs, `/healthz` and the broker. Default: a random one,
    /// `node-` and 6 hex digits, new at each start.
    #[arg(long, env = "PARLEY_NODE_ID")]
    pub node_id: Option<String>,

    /// Serve HTTPS and WSS with this PEM certificate chain (with `--tls-key`).
    #[arg(long, env = "PARLEY_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// The PEM private key of `--tls-cert`.
    #[arg(long, env = "PARLEY_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Secret for signing session tokens (16+ characters). Default: a random key created
    /// on first run and kept in `<data-dir>/session.key`.
    #[arg(long, env = "PARLEY_SESSION_SECRET", hide_env_values = true)]
    pub session_secret: Option<String>,

    /// How long a session lasts.
    #[arg(long, env = "PARLEY_SESSION_TTL", default_value = "7d", value_parser = parse_duration)]
    pub session_ttl: Duration,

    /// The origins users reach Parley at (`scheme://host[:port]`), comma-separated, e.g.
    /// `https://chat.example.com`. Requests naming another `Host` are refused (421
    /// `bad_host`), but on `/healthz`; pages of these origins may open the WebSocket.
    /// Default, on a loopback address only: the bound port under `127.0.0.1` and `localhost`
    /// (`https` with TLS). Required on any other address.
    #[arg(long, env = "PARLEY_PUBLIC_ORIGIN", value_delimiter = ',', value_parser = Origin::parse)]
    pub public_origin: Vec<Origin>,

    /// Other origins whose pages may open the WebSocket, comma-separated (e.g. the trunk
    /// dev server's, `http://127.0.0.1:8080,http://localhost:8080`). Default: none, only the
    /// public origins.
    #[arg(long, env = "PARLEY_ALLOWED_ORIGINS", value_delimiter = ',', value_parser = Origin::parse)]
    pub allowed_origins: Vec<Origin>,

    /// Log filter, in `tracing_subscriber::EnvFilter` syntax (e.g. `info,parley_server=debug`).
    #[arg(long, env = "PARLEY_LOG", default_value = "info")]
    pub log: String,

    /// Limits and timeouts.
    #[command(flatten)]
    pub limits: Limits,

    /// Instead of serving: a command on the database (`parley api-key create NAME`, …).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Operational limits. Each is documented in docs/PROTOCOL.md ("Limits").
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Largest WebSocket message or frame a client may send, in bytes; larger ones close the
    /// connection with 1009.
    #[arg(long, env = "PARLEY_MAX_FRAME_BYTES", default_value_t = 64 * 1024)]
    pub max_frame_bytes: usize,

    /// Bytes of outgoing frames a connection may have queued; a client that falls further
    /// behind is disconnected with close code 4008 (slow_consumer).
    #[arg(long, env = "PARLEY_OUTBOX_BYTES", default_value_t = 1024 * 1024)]
    pub outbox_bytes: usize,

    /// How often the server pings each connection.
    #[arg(long, env = "PARLEY_PING_INTERVAL", default_value = "20s", value_parser = parse_duration)]
    pub ping_interval: Duration,

    /// A connection from which nothing (not even a pong) arrives for this long is closed
    /// with 4010 (idle_timeout).
    #[arg(long, env = "PARLEY_IDLE_TIMEOUT", default_value = "60s", value_parser = parse_duration)]
    pub idle_timeout: Duration,

    /// A write to a client that makes no progress for this long ends the connection.
    #[arg(long, env = "PARLEY_WRITE_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub write_timeout: Duration,

    /// Time a client has to complete the TLS handshake and to send its request head; a
    /// slow-loris client does not hold a connection longer than this.
    #[arg(long, env = "PARLEY_HANDSHAKE_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub handshake_timeout: Duration,

    /// Most WebSocket connections in all (0: no limit); more are upgraded and closed at once
    /// with 1013 (`try_again_later`), which a browser can read (unlike a 503).
    #[arg(long, env = "PARLEY_MAX_CONNECTIONS", default_value_t = 20_000)]
    pub max_connections: usize,

    /// Most WebSocket connections from one IP address (0: no limit); more get 503.
    #[arg(long, env = "PARLEY_MAX_CONNECTIONS_PER_IP", default_value_t = 200)]
    pub max_connections_per_ip: usize,

    /// Most rooms one user may be in, counting all the user's connections (0: no limit).
    #[arg(long = "max-rooms", env = "PARLEY_MAX_ROOMS", default_value_t = 100)]
    pub max_rooms_per_user: usize,

    /// Messages per second a connection may send, on average (0: no limit). Beyond the
    /// burst, messages are refused with `slow_down`; a client that keeps going is closed
    /// with 4009.
    #[arg(long, env = "PARLEY_MESSAGE_RATE", default_value_t = 20.0)]
    pub message_rate: f64,

    /// Messages a connection may send at once before the rate applies.
    #[arg(long, env = "PARLEY_MESSAGE_BURST", default_value_t = 60.0)]
    pub message_burst: f64,

    /// Sign-ins (`POST /api/session`) one IP address may make per minute, on average (0: no
    /// limit); beyond the burst they get 429 `too_many_attempts`.
    #[arg(long, env = "PARLEY_SIGN_IN_RATE", default_value_t = 10.0)]
    pub sign_in_rate: f64,

    /// Sign-ins one IP address may make at once before the rate applies.
    #[arg(long, env = "PARLEY_SIGN_IN_BURST", default_value_t = 20.0)]
    pub sign_in_burst: f64,

    /// Messages one API key may publish per second, on average (0: no limit); beyond the
    /// burst they get 429 `too_many_requests` with `Retry-After`.
    #[arg(long, env = "PARLEY_PUBLISH_RATE", default_value_t = 5.0)]
    pub publish_rate: f64,

    /// Messages one API key may publish at once before the rate applies.
    #[arg(long, env = "PARLEY_PUBLISH_BURST", default_value_t = 20.0)]
    pub publish_burst: f64,

    /// Nicknames one IP address may register (with a password) per day (0: no limit): all
    /// of them at once, then one every 24 h / N; beyond, 429 `too_many_attempts`.
    #[arg(long, env = "PARLEY_REGISTRATIONS_PER_DAY", default_value_t = 10)]
    pub registrations_per_day: u32,

    /// Wrong passwords a nickname may be given (from any address) before its password is
    /// checked again only after a wait (`--password-backoff`).
    #[arg(long, env = "PARLEY_PASSWORD_GUESSES", default_value_t = 5)]
    pub password_guesses: u32,

    /// The wait after a nickname's `--password-guesses` wrong passwords, doubled with each
    /// further one (0: no backoff); addresses the nickname signed in from recently, and that
    /// gave no wrong password since, do not wait. Beyond, 429 `too_many_attempts`.
    #[arg(long, env = "PARLEY_PASSWORD_BACKOFF", default_value = "1s", value_parser = parse_duration)]
    pub password_backoff: Duration,

    /// The longest wait of `--password-backoff`.
    #[arg(long, env = "PARLEY_PASSWORD_BACKOFF_MAX", default_value = "15m", value_parser = parse_duration)]
    pub password_backoff_max: Duration,

    /// Password hashes and checks (argon2id, 19 MiB each) running at once, in all. Default:
    /// the number of CPUs.
    #[arg(long, env = "PARLEY_HASH_CONCURRENCY")]
    pub hash_concurrency: Option<usize>,

    /// Password hashes and checks waiting for a turn, in all; beyond, 503 `server_busy`.
    /// Default: 4 × the concurrency.
    #[arg(long, env = "PARLEY_HASH_QUEUE")]
    pub hash_queue: Option<usize>,

    /// How often expired and revoked sessions are deleted (from memory and the database).
    #[arg(long, env = "PARLEY_SESSION_PRUNE_INTERVAL", default_value = "10m", value_parser = parse_duration)]
    pub session_prune_interval: Duration,

    /// Messages sent with a join when the client has no resume point.
    #[arg(long, env = "PARLEY_HISTORY_PAGE", default_value_t = 50)]
    pub history_page: u32,

    /// Latest messages each room keeps in memory to serve joins and short reconnect gaps.
    #[arg(long, env = "PARLEY_RECENT_PER_ROOM", default_value_t = 256)]
    pub recent_per_room: usize,

    /// Bytes of recent messages one room keeps in memory, at most.
    #[arg(long, env = "PARLEY_RECENT_ROOM_BYTES", default_value_t = 1024 * 1024)]
    pub recent_room_bytes: usize,

    /// Bytes of recent messages all rooms together keep in memory, at most.
    #[arg(long, env = "PARLEY_RECENT_TOTAL_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub recent_total_bytes: usize,

    /// A room nobody has been in for this long forgets its recent messages (they are read
    /// from storage when needed).
    #[arg(long, env = "PARLEY_RECENT_IDLE", default_value = "5m", value_parser = parse_duration)]
    pub recent_idle: Duration,

    /// A room with no message that nobody has been in for this long is deleted (0: never);
    /// the lobby never is.
    #[arg(long, env = "PARLEY_EMPTY_ROOM_TTL", default_value = "24h", value_parser = parse_duration)]
    pub empty_room_ttl: Duration,

    /// Rooms one user may create in all (0: no limit); more are refused with
    /// `too_many_rooms_created`.
    #[arg(long, env = "PARLEY_MAX_ROOMS_CREATED", default_value_t = 50)]
    pub max_rooms_created: usize,

    /// Rooms one user may create per hour, on average (0: no limit).
    #[arg(long, env = "PARLEY_ROOM_CREATION_RATE", default_value_t = 10.0)]
    pub room_creation_rate: f64,

    /// Rooms one user may create at once before the rate applies.
    #[arg(long, env = "PARLEY_ROOM_CREATION_BURST", default_value_t = 10.0)]
    pub room_creation_burst: f64,

    /// Time allowed for a whole HTTP request, its body included, until the response starts
    /// (408 beyond it). WebSocket connections are not HTTP requests once upgraded.
    #[arg(long, env = "PARLEY_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// Most TCP connections in all, WebSockets included (0: as many as the open-file limit
    /// allows, less a reserve). Beyond it a new connection gets a 503 and is closed.
    #[arg(long, env = "PARLEY_MAX_TCP_CONNECTIONS", default_value_t = 25_000)]
    pub max_tcp_connections: usize,

    /// Most TCP connections from one address (an IPv6 /64 counts as one), WebSockets
    /// included (0: no limit). Not applied to `--trusted-proxies`.
    #[arg(long, env = "PARLEY_MAX_TCP_CONNECTIONS_PER_IP", default_value_t = 256)]
    pub max_tcp_connections_per_ip: usize,

    /// HTTP requests per second one address may make, on average (0: no limit); beyond the
    /// burst they get 429 `too_many_requests`. `/healthz` is not counted.
    #[arg(long, env = "PARLEY_HTTP_RATE", default_value_t = 20.0)]
    pub http_rate: f64,

    /// HTTP requests one address may make at once before the rate applies.
    #[arg(long, env = "PARLEY_HTTP_BURST", default_value_t = 100.0)]
    pub http_burst: f64,

    /// Reverse proxies (addresses or CIDR ranges, comma-separated) whose `Forwarded` /
    /// `X-Forwarded-For` headers name the client: the per-address limits then apply to the
    /// client's address. From any other peer those headers are ignored.
    #[arg(long, env = "PARLEY_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<crate::client::IpRange>,
}

/// What `parley` can do instead of serving.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// API keys of the publish API (`POST /api/rooms/{room}/messages`).
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
}

/// `parley api-key …`, on the same `--data-dir` / `--database-url` as the server.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum ApiKeyCommand {
    /// Makes a key and prints it, once (only its hash is kept). NAME (1–32 of a-z, 0-9, -
    /// and _) is the author its messages show, marked as a bot.
    Create {
        /// The key's name.
        name: String,
    },
    /// Lists the keys: name, when made, when revoked.
    List,
    /// Revokes a key: it is refused from then on (401).
    Revoke {
        /// The key's name.
        name: String,
    },
}

impl Limits {
    /// Password hashes at once and waiting: `--hash-concurrency` (default: the CPUs) and
    /// `--hash-queue` (default: 4 × that).
    pub fn hashing(&self) -> (usize, usize) {
        let permits = self.hash_concurrency.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let permits = permits.max(1);
        (permits, self.hash_queue.unwrap_or(4 * permits))
    }
}

impl Default for Limits {
    /// The documented defaults, whatever the environment says.
    fn default() -> Self {
        Config::defaults().limits
    }
}

impl Config {
    /// The documented defaults of every setting, ignoring the environment (unlike
    /// [`Parser::parse`], which reads `PARLEY_*` variables).
    pub fn defaults() -> Self {
        let cmd = Config::command().mut_args(|arg| arg.env(None::<&str>));
        let matches = cmd
            .try_get_matches_from(["parley"])
            .expect("the defaults parse");
        Config::from_arg_matches(&matches).expect("the defaults parse")
    }

    /// The defaults with port 0, SQLite in a new temporary directory and no rate limits on
    /// messages, sign-ins, HTTP requests, room creation or wrong passwords (tests go fast;
    /// the rate-limit tests set them). For tests only (the
    /// `test-util` feature).
    /// This node's id: `--node-id`, or a random one chosen now and kept in the config.
    pub fn node_id(&mut self) -> String {
        self.node_id
            .get_or_insert_with(|| format!("node-{:06x}", rand::random::<u32>() & 0xff_ffff))
            .clone()
    }

    #[cfg(any(test, feature = "test-util"))]
    pub fn for_tests() -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let mut cfg = Config::defaults();
        cfg.listen = ([127, 0, 0, 1], 0).into();
        cfg.limits.message_rate = 0.0;
        cfg.limits.sign_in_rate = 0.0;
        cfg.limits.publish_rate = 0.0;
        cfg.limits.http_rate = 0.0;
        cfg.limits.room_creation_rate = 0.0;
        cfg.limits.max_rooms_created = 0;
        cfg.limits.registrations_per_day = 0;
        cfg.limits.password_backoff = Duration::ZERO;
        cfg.data_dir = std::env::temp_dir().join(format!(
            "parley-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&cfg.data_dir);
        cfg
    }
}

/// Parses a duration as humantime does (`250ms`, `20s`, `5m`, `1h`, `7d`, `1h 30m`), or a
/// bare number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(s)
        .map_err(|e| format!("{s:?} is not a duration like 500ms, 20s, 5m: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/CONFIGURATION.md lists every flag with its environment variable and default,
    /// and nothing that `parley` does not take.
    #[test]
    fn the_configuration_doc_matches_the_flags() {
        use clap::CommandFactory;
        let doc = include_str!("../../docs/CONFIGURATION.md");
        let rows: Vec<Vec<&str>> = doc
            .lines()
            .filter(|l| l.starts_with("| `--"))
            .map(|l| l.split('|').map(str::trim).collect())
            .collect();
        let cmd = Config::command();
        let args: Vec<_> = cmd
            .get_arguments()
            .filter(|a| !matches!(a.get_id().as_str(), "help" | "version"))
            .collect();
        for arg in &args {
            let flag = format!("`--{}`", arg.get_long().expect("a long flag"));
            let row = rows
                .iter()
                .find(|r| r[1].split(", ").any(|f| f == flag))
                .unwrap_or_else(|| panic!("{flag} is not in docs/CONFIGURATION.md"));
            let env = arg.get_env().expect("an environment variable");
            let env = format!("`{}`", env.to_string_lossy());
            assert!(row[2].split(", ").any(|e| e == env), "{flag}: {env}");
            if let Some(default) = arg.get_default_values().first() {
                let default = format!("`{}`", default.to_string_lossy());
                assert_eq!(row[3], default, "{flag}: default");
            }
        }
        for row in &rows {
            for flag in row[1].split(", ") {
                assert!(
                    args.iter()
                        .any(|a| Some(flag.trim_matches('`').trim_start_matches("--"))
                            == a.get_long()),
                    "{flag} is documented but parley does not take it"
                );
            }
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("20s"), Ok(Duration::from_secs(20)));
        assert_eq!(parse_duration("7"), Ok(Duration::from_secs(7)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5 parsecs").is_err());
    }

    #[test]
    fn defaults_parse_and_ignore_the_environment() {
        let cfg = Config::for_tests();
        assert_eq!(cfg.limits.max_frame_bytes, 65536);
        assert_eq!(cfg.limits.history_page, 50);
        // Again in a child process that has PARLEY_HISTORY_PAGE set (setting it here would
        // race the other tests' threads).
        let child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "config::tests::in_a_child_defaults_ignore_the_environment",
            ])
            .env("PARLEY_HISTORY_PAGE", "7")
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&child.stdout);
        assert!(child.status.success() && out.contains("1 passed"), "{out}");
    }

    #[test]
    fn in_a_child_defaults_ignore_the_environment() {
        if std::env::var("PARLEY_HISTORY_PAGE").as_deref() == Ok("7") {
            assert_eq!(Limits::default().history_page, 50);
            assert_eq!(Config::defaults().limits.history_page, 50);
            assert_eq!(
                Config::parse_from(["parley"]).limits.history_page,
                7,
                "flags do read it"
            );
        }
    }
}
