//! A nickname is held by one session in the whole cluster: sign-ins for one free nickname
//! racing on every node grant it once.

use super::fanout::nodes;
use crate::helpers::*;

/// Sign-ins racing for one nickname, per node.
const RACERS: usize = 12;

#[tokio::test]
async fn sign_ins_racing_for_one_nickname_on_every_node_grant_it_once() {
    let Some(nats) = nats_url() else { return };
    for label in ["postgres", "mysql"] {
        let Some(db) = Db::server(label).await else {
            continue;
        };
        race(&db, &nats).await;
    }
}

async fn race(db: &Db, nats: &str) {
    let nodes = nodes(db, nats, 2).await;
    for round in 0..5 {
        let nick = format!("zed{round}");
        let tries = nodes.iter().flat_map(|node| {
            let nick = nick.clone();
            (0..RACERS).map(move |_| {
                let (addr, nick) = (node.addr, nick.clone());
                tokio::spawn(async move {
                    post_session(addr, serde_json::json!({ "nickname": nick })).await
                })
            })
        });
        let mut granted = 0;
        for t in tries.collect::<Vec<_>>() {
            let (status, _, body) = t.await.unwrap();
            match status {
                200 | 201 => granted += 1,
                409 => assert!(body.contains("nickname_taken"), "{body}"),
                other => panic!("{other}: {body}"),
            }
        }
        assert_eq!(granted, 1, "{} #{round}: {nick} is granted once", db.label);
    }
    for node in nodes {
        node.shutdown().await.unwrap();
    }
}
