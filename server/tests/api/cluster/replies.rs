//! Replies and history windows across nodes: a reply sent on one node to a message sent on
//! another quotes it, for the members of both; a page around a seq reads the same on either.

use shared::{ClientMsg, PresenceChange, Seq, ServerMsg};

use super::fanout::nodes;
use super::presence::{knows, notice};
use crate::helpers::*;

#[tokio::test]
async fn a_reply_on_one_node_quotes_a_message_of_another_for_everyone() {
    let (Some(nats), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let nodes = nodes(&db, &nats, 2).await;
    let mut alice = Client::connect(nodes[0].addr, "alice").await;
    alice.join("plans").await;
    let mut bob = Client::connect(nodes[1].addr, "bob").await;
    let members = bob.join("plans").await;
    knows(&mut bob, &members, "plans", "alice").await;
    notice(&mut alice, "plans", "bob", PresenceChange::Joined, WAIT).await;
    let original = alice.send_acked("plans", "a1", "lunch at **noon**?").await;
    bob.send(&ClientMsg::Send {
        room: "plans".into(),
        client_id: "b1".into(),
        text: "yes".into(),
        reply_to: Some(original.seq),
    })
    .await;
    let ack = bob.recv_ack().await;
    for c in [&mut alice, &mut bob] {
        let m = c
            .recv_kind_where(|m: &shared::ChatMessage| m.seq == ack.seq)
            .await;
        let quote = m.reply.expect("a quote");
        assert_eq!(
            (quote.seq, quote.nickname.as_str(), quote.snippet.as_str()),
            (original.seq, "alice", "lunch at noon?")
        );
    }
    // The page around the original, asked of the other node than the one it was sent to.
    bob.send(&ClientMsg::History {
        room: "plans".into(),
        before: None,
        after: None,
        around: Some(original.seq),
        limit: Some(10),
    })
    .await;
    let page = loop {
        if let ServerMsg::History { messages, .. } = bob.recv().await {
            break messages;
        }
    };
    let seqs: Vec<Seq> = page.iter().map(|m| m.seq).collect();
    assert_eq!(seqs, [original.seq, ack.seq]);
    assert!(page[1].reply.is_some());
    drop((alice, bob));
    for node in nodes {
        node.shutdown().await.unwrap();
    }
}

/// Reactions across nodes: one added on each node reaches the members of both, in the
/// order of their change numbers, and two nodes adding the same emoji at once count it
/// once per person.
#[tokio::test]
async fn reactions_on_two_nodes_reach_everyone_and_count_once() {
    let (Some(nats), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let nodes = nodes(&db, &nats, 2).await;
    let mut alice = Client::connect(nodes[0].addr, "alice").await;
    alice.join("picnic").await;
    let mut bob = Client::connect(nodes[1].addr, "bob").await;
    let members = bob.join("picnic").await;
    knows(&mut bob, &members, "picnic", "alice").await;
    notice(&mut alice, "picnic", "bob", PresenceChange::Joined, WAIT).await;
    let m = alice.send_acked("picnic", "a1", "lunch?").await.seq;
    let _ = bob
        .recv_kind_where(|c: &shared::ChatMessage| c.seq == m)
        .await;
    let react = |id: &str| ClientMsg::React {
        room: "picnic".into(),
        seq: m,
        emoji: "👍".into(),
        client_id: id.into(),
        remove: false,
    };
    alice.send(&react("ra")).await;
    bob.send(&react("rb")).await;
    for c in [&mut alice, &mut bob] {
        // The answer, and both frames (once each) for both people; the one with the higher
        // change number is current.
        let (mut answered, mut news) = (false, Vec::new());
        while !answered || news.len() < 2 {
            match c.recv().await {
                ServerMsg::Reacted { changed, .. } => answered = changed,
                ServerMsg::Reaction { rev, reactions, .. } => news.push((rev, reactions)),
                _ => {}
            }
        }
        news.sort_by_key(|(rev, _)| *rev);
        assert!(news[0].0 < news[1].0, "{news:?}");
        assert_eq!(news[1].1[0].count, 2, "{news:?}");
        let seen = c.until_refused_leave(NO_ROOM).await;
        assert_none(&seen, "a third reaction frame", |m| {
            matches!(m, ServerMsg::Reaction { .. })
        });
    }
    // A retry on the other node has one effect.
    bob.send(&ClientMsg::React {
        room: "picnic".into(),
        seq: m,
        emoji: "👍".into(),
        client_id: "ra".into(),
        remove: false,
    })
    .await;
    let again: Reacted = bob.recv_kind().await;
    assert!(!again.changed);
    drop((alice, bob));
    for node in nodes {
        node.shutdown().await.unwrap();
    }
}
