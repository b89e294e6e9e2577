//! Cluster mode's preconditions, the node id and the broker link in `/healthz` and the logs.

use std::process::Stdio;

use parley_server::config::Config;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::helpers::*;
use crate::process::free_addr;

/// A secret every node of a test cluster shares.
pub const SECRET: &str = "a-cluster-secret-for-tests";

/// Points `cfg` at the test cluster: the broker, the database, the shared secret.
pub fn clustered(cfg: &mut Config, nats: &str, db: &Db, node: &str) {
    db.apply(cfg);
    cfg.cluster = Some(nats.to_owned());
    cfg.session_secret = Some(SECRET.into());
    cfg.node_id = Some(node.into());
}

async fn refusal(tweak: impl FnOnce(&mut Config)) -> String {
    let mut cfg = Config::for_tests();
    tweak(&mut cfg);
    match parley_server::start(cfg).await {
        Ok(_) => panic!("started"),
        Err(err) => format!("{err:#}"),
    }
}

#[tokio::test]
async fn cluster_mode_needs_nats_a_server_database_and_a_shared_secret() {
    let err = refusal(|c| c.cluster = Some("nats://127.0.0.1:4222".into())).await;
    assert!(
        err.contains("--database-url postgres://") && err.contains("SQLite"),
        "{err}"
    );
    let err = refusal(|c| {
        c.cluster = Some("redis://127.0.0.1:6379".into());
    })
    .await;
    assert!(err.contains("NATS") && err.contains("nats://"), "{err}");
    let err = refusal(|c| {
        c.cluster = Some("nats://127.0.0.1:4222".into());
        c.database_url = Some("postgres://nobody@127.0.0.1:1/none".into());
    })
    .await;
    assert!(err.contains("--session-secret"), "{err}");
}

async fn health(addr: std::net::SocketAddr) -> serde_json::Value {
    let (status, body) = http(addr, "GET", "/healthz", &[]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test]
async fn healthz_names_the_node_and_the_broker_link() {
    let single = start_with(|c| c.node_id = Some("solo-1".into())).await;
    let h = health(single.addr).await;
    assert_eq!(h["node"], "solo-1");
    assert!(h.get("cluster").is_none(), "{h}");
    single.shutdown().await.unwrap();

    let (Some(nats), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let node = db.start(|c| clustered(c, &nats, &db, "node-a")).await;
    let h = health(node.addr).await;
    assert_eq!(h["node"], "node-a");
    assert_eq!(h["cluster"]["link"], "ok", "{h}");
    // A broker that does not answer: the node starts anyway, degraded, and says so.
    let lonely = db
        .start(|c| clustered(c, "nats://127.0.0.1:1", &db, "node-b"))
        .await;
    let h = health(lonely.addr).await;
    assert_eq!(h["cluster"]["link"], "degraded", "{h}");
    assert_eq!(h["cluster"]["broker"], "nats://127.0.0.1:1", "{h}");
    lonely.shutdown().await.unwrap();
    node.shutdown().await.unwrap();
}

#[tokio::test]
async fn every_log_line_names_the_node() {
    let dir = Config::for_tests().data_dir;
    let mut child = Command::new(env!("CARGO_BIN_EXE_parley"))
        .args(["--listen", &free_addr().to_string(), "--data-dir"])
        .arg(&dir)
        .args(["--node-id", "lognode-7"])
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .env("PARLEY_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut logged = 0;
    while let Some(line) = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .expect("output in time")
        .unwrap()
    {
        if line.starts_with("Parley is running at") {
            break;
        }
        assert!(line.starts_with("node=lognode-7 "), "{line}");
        logged += 1;
    }
    assert!(logged >= 2, "the start logs its node and more");
    child.kill().await.unwrap();
}
