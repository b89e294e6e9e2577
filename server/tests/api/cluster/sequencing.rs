//! Seqs and ids from the shared database: senders on two nodes writing one room get gapless,
//! unique seqs, and a send retried on the other node is stored once (PostgreSQL and MySQL).

use std::collections::HashSet;

use parley_server::Server;
use shared::ServerMsg;

use super::link::clustered;
use crate::helpers::*;

/// Two nodes, "a" and "b", on `db` and `nats`.
pub async fn two_nodes(db: &Db, nats: &str) -> (Server, Server) {
    let a = db.start(|c| clustered(c, nats, db, "node-a")).await;
    let b = db.start(|c| clustered(c, nats, db, "node-b")).await;
    (a, b)
}

/// `senders` clients on each node send `per` messages each to `room`, all at once; returns
/// every (seq, id) acked.
async fn flood(nodes: [&Server; 2], room: &str, senders: usize, per: usize) -> Vec<(u64, u64)> {
    let mut tasks = Vec::new();
    for (n, node) in nodes.iter().enumerate() {
        for i in 0..senders {
            let mut c = Client::connect(node.addr, &format!("n{n}s{i}")).await;
            c.join(room).await;
            tasks.push(tokio::spawn(async move {
                for k in 0..per {
                    c.say("shared", &format!("n{n}s{i}-{k}"), &format!("{n}/{i}/{k}"))
                        .await;
                }
                let mut acked = Vec::new();
                while acked.len() < per {
                    if let ServerMsg::Ack { seq, id, .. } = c.recv().await {
                        acked.push((seq.0, id.0));
                    }
                }
                acked
            }));
        }
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

#[tokio::test]
async fn two_nodes_writing_one_room_take_turns_and_a_retry_on_the_other_node_is_stored_once() {
    let Some(nats) = nats_url() else { return };
    for label in ["postgres", "mysql"] {
        let Some(db) = Db::server(label).await else {
            continue;
        };
        let (a, b) = two_nodes(&db, &nats).await;
        let (senders, per) = (4, 40);
        let acked = flood([&a, &b], "shared", senders, per).await;
        let total = (2 * senders * per) as u64;
        let mut seqs: Vec<u64> = acked.iter().map(|(s, _)| *s).collect();
        seqs.sort_unstable();
        assert_eq!(
            seqs,
            (1..=total).collect::<Vec<_>>(),
            "{label}: gapless, once each"
        );
        let ids: HashSet<u64> = acked.iter().map(|(_, id)| *id).collect();
        assert_eq!(ids.len(), acked.len(), "{label}: unique ids");

        // The ack was lost: the client retries on the other node, with its session.
        let mut first = Client::connect(a.addr, "retrier").await;
        first.join("shared").await;
        let ack = first.send_acked("shared", "lost-ack", "only once").await;
        assert_eq!(ack.seq.0, total + 1, "{label}");
        let mut again = Client::reconnect(b.addr, &first.token).await;
        again.join("shared").await;
        let retry = again.send_acked("shared", "lost-ack", "only once").await;
        assert_eq!(
            (retry.seq, retry.id, retry.duplicate),
            (ack.seq, ack.id, true),
            "{label}"
        );
        // The next message from either node follows it.
        let next = again.send_acked("shared", "after", "after").await;
        assert_eq!(next.seq.0, total + 2, "{label}");
        let (_, body) = get_signed_in(b.addr, "/api/rooms/shared/messages?limit=10").await;
        assert_eq!(body.matches("only once").count(), 1, "{label}: {body}");
        drop((first, again));
        a.shutdown().await.unwrap();
        b.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn a_session_from_one_node_works_on_the_other_and_holds_its_nickname_there() {
    let (Some(nats), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let (a, b) = two_nodes(&db, &nats).await;
    let token = session(a.addr, "carol").await;
    let auth = bearer(&token);
    let (status, body) = http(b.addr, "GET", "/api/session", &[("Authorization", &auth)]).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"carol\""), "{body}");
    let (status, _, body) = post_session(b.addr, serde_json::json!({"nickname": "Carol"})).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("nickname_taken"), "{body}");
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

#[tokio::test]
async fn signing_out_on_one_node_ends_the_session_on_the_other() {
    let (Some(nats), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let (a, b) = two_nodes(&db, &nats).await;
    let mut on_b = Client::connect(b.addr, "dave").await;
    on_b.join("lobby").await;
    let auth = bearer(&on_b.token);
    // Node a learns of the session from the database, then ends it.
    let (status, body) = http(
        a.addr,
        "DELETE",
        "/api/session",
        &[("Authorization", &auth)],
    )
    .await;
    assert_eq!(status, 204, "{body}");
    on_b.expect_close(shared::CloseReason::Unauthorized).await;
    let (status, body) = http(b.addr, "GET", "/api/rooms", &[("Authorization", &auth)]).await;
    assert_eq!(status, 401, "refused on b too: {body}");
    let (_, who) = http(b.addr, "GET", "/api/session", &[("Authorization", &auth)]).await;
    assert_eq!(who, r#"{"signed_in":false}"#);
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}
