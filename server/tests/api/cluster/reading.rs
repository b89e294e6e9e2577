//! Typing and read positions across nodes: someone typing on one node is shown on another
//! (and the stop too), and a room read on one node clears it for the user's tabs on another.

use shared::{ClientMsg, PresenceChange, Seq};

use super::fanout::nodes;
use super::presence::{knows, notice};
use crate::helpers::*;

#[tokio::test]
async fn typing_on_one_node_is_seen_on_another() {
    let (Some(nats), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let nodes = nodes(&db, &nats, 2).await;
    let mut alice = Client::connect(nodes[0].addr, "alice").await;
    alice.join("drafts").await;
    let mut bob = Client::connect(nodes[1].addr, "bob").await;
    let members = bob.join("drafts").await;
    knows(&mut bob, &members, "drafts", "alice").await;
    notice(&mut alice, "drafts", "bob", PresenceChange::Joined, WAIT).await;
    for typing in [true, false] {
        bob.send(&ClientMsg::Typing {
            room: "drafts".into(),
            typing,
        })
        .await;
        let seen: Typing = alice.recv_kind().await;
        assert_eq!(
            (seen.room.as_str(), seen.nickname.as_str(), seen.typing),
            ("drafts", "bob", typing)
        );
    }
    drop((alice, bob));
    for node in nodes {
        node.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn reading_on_one_node_is_told_to_the_users_tab_on_another() {
    let (Some(nats), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let nodes = nodes(&db, &nats, 2).await;
    let mut tab1 = Client::connect(nodes[0].addr, "alice").await;
    tab1.join("news").await;
    let mut tab2 = Client::reconnect(nodes[1].addr, &tab1.token).await;
    tab2.join("news").await;
    tab1.send_acked("news", "a1", "one").await;
    let _ = tab2.recv_message().await;
    tab1.send(&ClientMsg::Read {
        room: "news".into(),
        seq: Seq(1),
    })
    .await;
    let told: Read = tab2.recv_kind().await;
    assert_eq!((told.room.as_str(), told.seq), ("news", Seq(1)));
    drop((tab1, tab2));
    for node in nodes {
        node.shutdown().await.unwrap();
    }
}
