//! The room directory across nodes: a room created on one node after the others started is
//! listed on every node with its members on every node counted, joining it elsewhere
//! creates nothing (it does not count against the joiner's room limit), and a room created
//! while the broker was away is listed once it is back.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use parley_server::Server;

use super::link::clustered;
use super::outage::{links_are, OwnBroker};
use crate::helpers::*;
use crate::process::free_addr;

/// Waits until `node` lists `room` (by prefix, as Browse asks) with `members` members.
async fn listed(node: SocketAddr, room: &str, members: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, body) = get_signed_in(node, &format!("/api/rooms?prefix={room}")).await;
        assert_eq!(status, 200, "{body}");
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        let found = page["rooms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == room)
            .map(|r| r["members"].as_u64().unwrap());
        if found == Some(members) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{node} lists #{room} as {found:?}, not with {members} members: {body}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn rooms_made_on_one_node_are_listed_and_counted_on_every_node() {
    let (Some(_), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let port = free_addr().port();
    let broker = OwnBroker::start(port).await;
    let mut nodes: Vec<Server> = Vec::new();
    for i in 0..2 {
        let node = db
            .start(|c| {
                clustered(c, &broker.url(), &db, &format!("dir-{i}"));
                // Each user may create one room.
                c.limits.max_rooms_created = 1;
            })
            .await;
        nodes.push(node);
    }
    links_are(&nodes, "ok").await;
    let (a, b) = (nodes[0].addr, nodes[1].addr);

    let mut alice = Client::connect(a, "alice").await;
    alice.join("late-garden").await;
    listed(b, "late-garden", 1).await;

    // Bob has made his one room; joining Alice's, made on the other node, makes nothing.
    let mut bob = Client::connect(b, "bob").await;
    bob.join("bobs-room").await;
    bob.join("late-garden").await;
    listed(a, "late-garden", 2).await;
    listed(a, "bobs-room", 1).await;

    // A room made while the broker is away is listed once it is back.
    broker.kill().await;
    links_are(&nodes, "degraded").await;
    let mut carol = Client::connect(a, "carol").await;
    carol.join("made-in-outage").await;
    let broker = OwnBroker::start(port).await;
    links_are(&nodes, "ok").await;
    listed(b, "made-in-outage", 1).await;

    drop((alice, bob, carol));
    for node in nodes {
        node.shutdown().await.unwrap();
    }
    broker.kill().await;
}
