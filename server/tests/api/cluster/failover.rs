//! kill -9 of one node in mid-traffic: its clients reconnect to another node and resume from
//! their last seq, missing nothing and seeing nothing twice, and a send that got no ack
//! before the kill, retried there, is stored once.

use futures_util::StreamExt;
use shared::{ClientMsg, Seq, ServerMsg};
use tokio_tungstenite::tungstenite::Message;

use super::fanout::{assert_all_in_order, nodes};
use super::link::SECRET;
use crate::helpers::*;
use crate::process::{free_addr, parley_with, wait_ready};

const ROOM: &str = "failover";
/// Messages the sender on the surviving node sends, before, during and after the kill.
const STEADY: usize = 1_000;
/// Messages the writer on the doomed node has acknowledged before the kill, and sends after.
const BEFORE: usize = 20;
const AFTER: usize = 10;

/// Records the `message`s in `frame` (if it is one) as (seq, text).
fn record(got: &mut Vec<(u64, String)>, frame: &str) {
    if let Ok(ServerMsg::Message(m)) = serde_json::from_str(frame) {
        got.push((m.seq.0, m.text.to_string()));
    }
}

#[tokio::test]
async fn the_clients_of_a_node_killed_in_mid_traffic_resume_on_another_exactly() {
    let (Some(nats), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let addr = free_addr();
    let flags = ["--cluster", &nats, "--session-secret", SECRET];
    let mut doomed = parley_with(&db, addr, &[&flags[..], &["--node-id", "doomed"]].concat());
    wait_ready(addr).await;
    let survivors = nodes(&db, &nats, 1).await;
    let other = survivors[0].addr;

    let mut reader = Client::connect(addr, "reader").await;
    reader.join(ROOM).await;
    let mut writer = Client::connect(addr, "writer").await;
    writer.join(ROOM).await;
    let steady = tokio::spawn(async move {
        let mut s = Client::connect(other, "steady").await;
        s.join(ROOM).await;
        for k in 0..STEADY {
            s.send_acked(ROOM, &format!("s-{k}"), &format!("steady/{k}"))
                .await;
        }
        s
    });
    for k in 0..BEFORE {
        writer
            .send_acked(ROOM, &format!("w-{k}"), &format!("writer/{k}"))
            .await;
    }
    let mut got = Vec::new();
    while got.len() < 2 * BEFORE {
        if let ServerMsg::Message(m) = reader.recv().await {
            got.push((m.seq.0, m.text.to_string()));
        }
    }
    // A send whose ack the kill may swallow, then SIGKILL while the other node's sender goes on.
    writer.say(ROOM, "w-pending", "writer/pending").await;
    doomed.start_kill().unwrap();
    doomed.wait().await.unwrap();
    assert!(!steady.is_finished(), "the kill came in mid-traffic");

    // What reached the reader before its node died still counts; then it resumes elsewhere.
    while let Some(Ok(frame)) = reader.ws.next().await {
        if let Message::Text(t) = frame {
            record(&mut got, t.as_str());
        }
    }
    let last = got.last().map_or(0, |(seq, _)| *seq);
    let mut reader = Client::reconnect(other, &reader.token).await;
    reader
        .send(&ClientMsg::Join {
            room: ROOM.into(),
            nickname: None,
            after: Some(Seq(last)),
            changes_after: None,
        })
        .await;
    reader.recv_joined().await;

    let mut writer = Client::reconnect(other, &writer.token).await;
    writer.join(ROOM).await;
    writer.send_acked(ROOM, "w-pending", "writer/pending").await;
    for k in BEFORE..BEFORE + AFTER {
        writer
            .send_acked(ROOM, &format!("w-{k}"), &format!("writer/{k}"))
            .await;
    }
    let steady = steady.await.unwrap();
    let total = STEADY + BEFORE + 1 + AFTER;
    while got.len() < total {
        if let ServerMsg::Message(m) = reader.recv().await {
            got.push((m.seq.0, m.text.to_string()));
        }
    }
    assert_all_in_order(&got, total, "after the kill");
    let pending = got.iter().filter(|(_, t)| t == "writer/pending").count();
    assert_eq!(pending, 1, "the retried send is stored once");
    drop((reader, writer, steady));
    for node in survivors {
        node.shutdown().await.unwrap();
    }
}
