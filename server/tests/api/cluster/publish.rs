//! The publish API across nodes: a key made once works on every node, a message published
//! on one node reaches the room's members on another, and a retry on the other node is
//! stored once.

use super::fanout::nodes;
use crate::helpers::*;
use crate::publish::{new_key, publish};

#[tokio::test]
async fn a_message_published_on_one_node_reaches_another_and_a_retry_there_is_stored_once() {
    let (Some(nats), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let nodes = nodes(&db, &nats, 2).await;
    let key = new_key(&db, "ci").await;
    let (a, b) = (nodes[0].addr, nodes[1].addr);
    let mut bob = Client::connect(b, "bob").await;
    bob.join("deploys").await;
    let body = serde_json::json!({"text": "v2 is live", "client_id": "deploy-2"});
    let (status, _, first) = publish(a, Some(&key), "deploys", body.clone()).await;
    assert_eq!(status, 201, "{first}");
    let m = bob.recv_message().await;
    assert_eq!((m.text.as_str(), m.bot), ("v2 is live", true));
    let (status, _, again) = publish(b, Some(&key), "deploys", body).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["seq"], first["seq"]);
    assert_eq!(again["duplicate"], true);
    drop(bob);
    for node in nodes {
        node.shutdown().await.unwrap();
    }
}
