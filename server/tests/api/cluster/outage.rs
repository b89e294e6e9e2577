//! The broker goes away in mid-traffic: each node goes on serving its own clients, nothing
//! acknowledged is lost, and once the broker is back the nodes reconnect by themselves and
//! deliver across nodes again. The broker is a `nats-server` of the test's own (on a free
//! port), never the machine's.

use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

use super::fanout::{assert_all_in_order, nodes, receive};
use crate::helpers::*;
use crate::process::free_addr;

/// A `nats-server` this test started, on `port`.
pub struct OwnBroker {
    child: Child,
    port: u16,
}

impl OwnBroker {
    /// Starts one (again) on `port` and waits until it listens.
    pub async fn start(port: u16) -> OwnBroker {
        let bin = std::env::var("NATS_SERVER").unwrap_or_else(|_| "nats-server".into());
        let child = Command::new(&bin)
            .args(["-a", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin} ({e}): scripts/test installs it"));
        let deadline = Instant::now() + WAIT;
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "nats-server did not start");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        OwnBroker { child, port }
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills it (SIGKILL) and waits until it is gone.
    pub async fn kill(mut self) {
        self.child.kill().await.unwrap();
    }
}

/// Waits until every node's `/healthz` says the link is `want`.
pub async fn links_are(nodes: &[parley_server::Server], want: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    for node in nodes {
        loop {
            let (_, body) = http(node.addr, "GET", "/healthz", &[]).await;
            let h: serde_json::Value = serde_json::from_str(&body).unwrap();
            if h["cluster"]["link"] == want {
                break;
            }
            assert!(Instant::now() < deadline, "link never {want}: {h}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Sends `n` messages from `c` and waits for their acks.
async fn send_acked_n(c: &mut Client, tag: &str, n: usize) {
    for k in 0..n {
        c.send_acked("outage", &format!("{tag}-{k}"), &format!("{tag}/{k}"))
            .await;
    }
}

#[tokio::test]
async fn a_broker_outage_delays_and_loses_nothing() {
    let (Some(_), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let port = free_addr().port();
    let broker = OwnBroker::start(port).await;
    let nodes = nodes(&db, &broker.url(), 2).await;
    links_are(&nodes, "ok").await;
    let per = 10;
    let total = 3 * 2 * per;
    let mut receivers = Vec::new();
    let mut senders = Vec::new();
    for (n, node) in nodes.iter().enumerate() {
        let mut r = Client::connect(node.addr, &format!("reader{n}")).await;
        r.join("outage").await;
        receivers.push(tokio::spawn(async move { receive(&mut r, total).await }));
        let mut s = Client::connect(node.addr, &format!("writer{n}")).await;
        s.join("outage").await;
        senders.push(s);
    }
    for (n, s) in senders.iter_mut().enumerate() {
        send_acked_n(s, &format!("before{n}"), per).await;
    }
    broker.kill().await;
    links_are(&nodes, "degraded").await;
    // Each node still takes and acknowledges its own clients' messages.
    for (n, s) in senders.iter_mut().enumerate() {
        send_acked_n(s, &format!("during{n}"), per).await;
    }
    let broker = OwnBroker::start(port).await;
    links_are(&nodes, "ok").await;
    for (n, s) in senders.iter_mut().enumerate() {
        send_acked_n(s, &format!("after{n}"), per).await;
    }
    for r in receivers {
        assert_all_in_order(&r.await.unwrap(), total, "postgres");
    }
    drop(senders);
    for node in nodes {
        node.shutdown().await.unwrap();
    }
    broker.kill().await;
}

#[tokio::test]
async fn a_sign_out_whose_notice_the_broker_lost_takes_effect_when_the_link_is_back() {
    let (Some(_), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let port = free_addr().port();
    let broker = OwnBroker::start(port).await;
    let node = db
        .start(|c| {
            super::link::clustered(c, &broker.url(), &db, "recheck");
            c.limits.session_prune_interval = Duration::from_millis(100);
        })
        .await;
    let nodes = [node];
    links_are(&nodes, "ok").await;
    let mut dave = Client::connect(nodes[0].addr, "dave").await;
    dave.join("lobby").await;
    // Another node ends Dave's session while the broker is away: its notice never comes.
    broker.kill().await;
    links_are(&nodes, "degraded").await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    db.exec(&format!(
        "UPDATE sessions SET revoked = 1, revoked_at = {now} WHERE nickname = 'dave'"
    ))
    .await;
    let broker = OwnBroker::start(port).await;
    links_are(&nodes, "ok").await;
    dave.expect_close(shared::CloseReason::Unauthorized).await;
    // The pruner (every 100 ms here) keeps the revoked row for the other nodes' next check.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        crate::prune::session_rows(&nodes[0]).await,
        1,
        "dave's revoked row is kept"
    );
    let [node] = nodes;
    node.shutdown().await.unwrap();
    broker.kill().await;
}
