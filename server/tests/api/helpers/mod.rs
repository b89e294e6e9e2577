//! Shared test helpers: start a server ([`start`], [`Db`]), speak the protocol ([`Client`],
//! with typed messages from [`kinds`]), plain HTTP requests ([`http`]).

mod client;
mod http;
mod kinds;
mod raw;

pub use self::client::*;
pub use self::http::*;
pub use self::kinds::*;
pub use self::raw::*;

use std::net::SocketAddr;
use std::time::Duration;

use parley_server::config::Config;
use parley_server::Server;

/// How long a test waits for a frame that should come.
pub const WAIT: Duration = Duration::from_secs(5);

/// A room no test creates: the refused `leave` of it is a client's marker (see
/// [`Client::until_refused_leave`]).
pub const NO_ROOM: &str = "no-such-marker-room";

/// Starts a server with the test defaults changed by `tweak`.
pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> Server {
    let mut cfg = Config::for_tests();
    cfg.spa_dir = std::env::temp_dir().join("parley-no-spa");
    tweak(&mut cfg);
    parley_server::start(cfg).await.expect("server starts")
}

/// A fresh, empty database on one backend, kept for the life of the test (so a server can be
/// restarted on it).
#[derive(Debug, Clone)]
pub struct Db {
    /// "sqlite", "postgres" or "mysql".
    pub label: &'static str,
    /// For SQLite: the data directory.
    pub data_dir: std::path::PathBuf,
    /// For PostgreSQL and MySQL: the database URL.
    pub url: Option<String>,
}

impl Db {
    /// One fresh database on every backend available: SQLite always; PostgreSQL and
    /// MySQL/MariaDB when `TEST_POSTGRES_URL` / `TEST_MYSQL_URL` name a server (an admin URL:
    /// the test creates its own database there). With `CI=true` a missing one fails.
    pub async fn all() -> Vec<Db> {
        let sqlite = Db {
            label: "sqlite",
            data_dir: Config::for_tests().data_dir,
            url: None,
        };
        let mut dbs = vec![sqlite];
        for (label, var) in [
            ("postgres", "TEST_POSTGRES_URL"),
            ("mysql", "TEST_MYSQL_URL"),
        ] {
            match std::env::var(var) {
                Ok(admin) => dbs.push(Db::create(label, &admin).await),
                Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
                    panic!("{var} is not set: CI must run the storage suite on {label}")
                }
                Err(_) => eprintln!("{var} not set: skipping {label}"),
            }
        }
        dbs
    }

    /// A fresh database on the server backend `label` ("postgres" or "mysql") if its
    /// `TEST_*_URL` is set; with `CI=true` a missing one fails.
    pub async fn server(label: &'static str) -> Option<Db> {
        let var = match label {
            "postgres" => "TEST_POSTGRES_URL",
            _ => "TEST_MYSQL_URL",
        };
        match std::env::var(var) {
            Ok(admin) => Some(Db::create(label, &admin).await),
            Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
                panic!("{var} is not set: CI must run the cluster tests on {label}")
            }
            Err(_) => {
                eprintln!("{var} not set: skipping the {label} cluster test");
                None
            }
        }
    }

    async fn create(label: &'static str, admin: &str) -> Db {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "parley_t_{}_{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let mut conn = sqlx::AnyConnection::connect(admin)
            .await
            .unwrap_or_else(|e| panic!("cannot reach {label} at {admin}: {e}"));
        // Drop what earlier test runs left behind (their process is gone).
        let list = match label {
            "postgres" => "SELECT datname::text FROM pg_database WHERE datname LIKE 'parley_t_%'",
            _ => "SELECT CAST(schema_name AS CHAR(64)) FROM information_schema.schemata WHERE schema_name LIKE 'parley_t_%'",
        };
        let rows = sqlx::query(list).fetch_all(&mut conn).await.unwrap();
        for row in rows {
            use sqlx::Row;
            let old: String = row.get(0);
            let pid = old.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
            if pid.is_some_and(|p| !std::path::Path::new(&format!("/proc/{p}")).exists()) {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {old}"))
                    .execute(&mut conn)
                    .await;
            }
        }
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
        let mut url = url::Url::parse(admin).unwrap();
        url.set_path(&format!("/{name}"));
        Db {
            label,
            data_dir: Config::for_tests().data_dir,
            url: Some(url.to_string()),
        }
    }

    /// Points a configuration at this database.
    pub fn apply(&self, cfg: &mut Config) {
        cfg.data_dir = self.data_dir.clone();
        cfg.database_url = self.url.clone();
    }

    /// Starts a server on this database.
    pub async fn start(&self, tweak: impl FnOnce(&mut Config)) -> Server {
        start_with(|cfg| {
            self.apply(cfg);
            tweak(cfg);
        })
        .await
    }

    /// Runs one SQL statement against this database from outside the server.
    pub async fn exec(&self, sql: &str) {
        use sqlx::Connection;
        let url = match &self.url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("parley.db").display()),
        };
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        // Not prepared: some statements (MySQL's CREATE TRIGGER) cannot be.
        sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
        // Closed before returning: an SQLite connection left to close in the background can
        // still hold the database's lock when the server writes next.
        conn.close().await.unwrap();
    }
}

/// The NATS broker of the cluster tests (`TEST_NATS_URL`, e.g. nats://127.0.0.1:4222), if
/// set; with `CI=true` a missing one fails.
pub fn nats_url() -> Option<String> {
    match std::env::var("TEST_NATS_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("TEST_NATS_URL is not set: CI must run the cluster tests")
        }
        Err(_) => {
            eprintln!("TEST_NATS_URL not set: skipping a cluster test");
            None
        }
    }
}

/// Starts a server with the test defaults.
pub async fn start() -> Server {
    start_with(|_| {}).await
}

/// Creates a session for `nick`; returns its token.
pub async fn session(addr: SocketAddr, nick: &str) -> String {
    let (status, _, resp) = post_session(addr, serde_json::json!({ "nickname": nick })).await;
    assert_eq!(status, 201, "session for {nick}: {resp}");
    let v: serde_json::Value = serde_json::from_str(resp.trim()).expect("JSON");
    v["token"].as_str().expect("a token").to_owned()
}
