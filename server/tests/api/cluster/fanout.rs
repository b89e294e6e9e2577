//! Messages across nodes: every member on every node gets a room's messages in one order,
//! with no gap and no duplicate, whichever node each was sent to.

use std::collections::HashSet;

use parley_server::Server;
use shared::ServerMsg;

use super::link::clustered;
use crate::helpers::*;

/// `n` nodes on `db` and `nats`.
pub async fn nodes(db: &Db, nats: &str, n: usize) -> Vec<Server> {
    let mut out = Vec::new();
    for i in 0..n {
        out.push(
            db.start(|c| clustered(c, nats, db, &format!("node-{i}")))
                .await,
        );
    }
    out
}

/// Reads `room`'s messages until `n` have come; returns their (seq, text) in arrival order.
pub async fn receive(c: &mut Client, n: usize) -> Vec<(u64, String)> {
    let mut got = Vec::with_capacity(n);
    while got.len() < n {
        if let ServerMsg::Message(m) = c.recv().await {
            got.push((m.seq.0, m.text.to_string()));
        }
    }
    got
}

/// `got` holds seqs 1 to `total`, in order, each once.
pub fn assert_all_in_order(got: &[(u64, String)], total: usize, label: &str) {
    let seqs: Vec<u64> = got.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        seqs,
        (1..=total as u64).collect::<Vec<_>>(),
        "{label}: in order, once"
    );
}

#[tokio::test]
async fn every_member_on_every_node_gets_every_message_in_one_order() {
    let Some(nats) = nats_url() else { return };
    for label in ["postgres", "mysql"] {
        let Some(db) = Db::server(label).await else {
            continue;
        };
        let nodes = nodes(&db, &nats, 3).await;
        let (senders, per) = (2, 30);
        let total = nodes.len() * senders * per;
        let mut receivers = Vec::new();
        for (n, node) in nodes.iter().enumerate() {
            for r in 0..2 {
                let mut c = Client::connect(node.addr, &format!("r{n}-{r}")).await;
                c.join("everyone").await;
                receivers.push(tokio::spawn(async move { receive(&mut c, total).await }));
            }
        }
        let mut sending = Vec::new();
        for (n, node) in nodes.iter().enumerate() {
            for i in 0..senders {
                let mut c = Client::connect(node.addr, &format!("s{n}-{i}")).await;
                c.join("everyone").await;
                sending.push(tokio::spawn(async move {
                    for k in 0..per {
                        c.say("everyone", &format!("{n}-{i}-{k}"), &format!("{n}/{i}/{k}"))
                            .await;
                    }
                    let mut acks = 0;
                    while acks < per {
                        if let ServerMsg::Ack { .. } = c.recv().await {
                            acks += 1;
                        }
                    }
                }));
            }
        }
        for s in sending {
            s.await.unwrap();
        }
        let mut first: Option<Vec<(u64, String)>> = None;
        for r in receivers {
            let got = r.await.unwrap();
            assert_all_in_order(&got, total, label);
            let texts: HashSet<&str> = got.iter().map(|(_, t)| t.as_str()).collect();
            assert_eq!(texts.len(), total, "{label}: every message");
            match &first {
                None => first = Some(got),
                Some(f) => assert_eq!(f, &got, "{label}: one order for everyone"),
            }
        }
        for node in nodes {
            node.shutdown().await.unwrap();
        }
    }
}
