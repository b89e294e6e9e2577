//! Direct messages across nodes: a conversation opened on one node reaches its other person
//! on another, and stays closed to a third person there.

use shared::{ClientMsg, ErrorCode, ServerMsg};

use super::fanout::nodes;
use crate::helpers::*;

#[tokio::test]
async fn a_conversation_opened_on_one_node_reaches_its_person_on_another() {
    let (Some(nats), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let nodes = nodes(&db, &nats, 2).await;
    let mut alice = Client::connect(nodes[0].addr, "alice").await;
    let mut bob = Client::connect(nodes[1].addr, "bob").await;
    let mut carol = Client::connect(nodes[1].addr, "carol").await;
    alice
        .send(&ClientMsg::OpenDirect {
            nickname: "bob".into(),
        })
        .await;
    let joined: Joined = alice.recv_kind().await;
    let room = joined.room;
    match bob.recv().await {
        ServerMsg::Direct { room: r, with } => {
            assert_eq!((r.as_str(), with.as_str()), (room.as_str(), "alice"))
        }
        other => panic!("expected direct, got {other:?}"),
    }
    bob.join(&room).await;
    alice.say(&room, "a1", "across nodes").await;
    let m = bob.recv_message().await;
    assert_eq!(m.text.as_str(), "across nodes");
    let refused = carol.try_join(&room).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Forbidden);
    drop((alice, bob, carol));
    for node in nodes {
        node.shutdown().await.unwrap();
    }
}
