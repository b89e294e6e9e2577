//! Who is in a room, on every node: member lists, join and leave notices and member counts
//! cover every node, and the people of a node that dies leave every list within 30 s.

use std::time::Duration;

use futures_util::StreamExt;
use shared::{PresenceChange, ServerMsg};
use tokio_tungstenite::tungstenite::Message;

use super::fanout::nodes;
use super::link::SECRET;
use crate::helpers::*;
use crate::process::{free_addr, parley_with, wait_ready};

/// Waits (up to `within`) for a notice that `nick` did `change` in `room`.
pub(super) async fn notice(
    c: &mut Client,
    room: &str,
    nick: &str,
    change: PresenceChange,
    within: Duration,
) {
    let found = tokio::time::timeout(within, async {
        while let Some(frame) = c.ws.next().await {
            if let Ok(Message::Text(t)) = frame {
                if let Ok(ServerMsg::Presence {
                    room: r,
                    nickname,
                    change: ch,
                }) = serde_json::from_str(t.as_str())
                {
                    if r.as_str() == room && nickname.as_str() == nick && ch == change {
                        return;
                    }
                }
            }
        }
        panic!("the connection closed");
    })
    .await;
    assert!(
        found.is_ok(),
        "no {nick} {change:?} in #{room} within {within:?}"
    );
}

/// Whether `nick` is in `room` as `c` was told on joining, or is announced soon after.
pub(super) async fn knows(c: &mut Client, joined_members: &[String], room: &str, nick: &str) {
    if !joined_members.iter().any(|m| m == nick) {
        notice(c, room, nick, PresenceChange::Joined, WAIT).await;
    }
}

#[tokio::test]
async fn member_lists_notices_and_counts_cover_every_node() {
    let (Some(nats), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let nodes = nodes(&db, &nats, 2).await;
    let (a, b) = (&nodes[0], &nodes[1]);
    let mut alice = Client::connect(a.addr, "alice").await;
    alice.join("meet").await;
    let mut bob = Client::connect(b.addr, "bob").await;
    let members = bob.join("meet").await;
    knows(&mut bob, &members, "meet", "alice").await;
    notice(&mut alice, "meet", "bob", PresenceChange::Joined, WAIT).await;
    // Someone on both nodes counts once, and is announced once.
    let mut carol = Client::connect(a.addr, "carol").await;
    carol.join("meet").await;
    notice(&mut bob, "meet", "carol", PresenceChange::Joined, WAIT).await;
    let mut bob_on_a = Client::reconnect(a.addr, &bob.token).await;
    bob_on_a.join("meet").await;
    let (_, body) = get_signed_in(b.addr, "/api/rooms?names=meet").await;
    assert!(body.contains("\"members\":3"), "{body}");
    drop(bob_on_a);
    bob.leave("meet").await;
    notice(&mut alice, "meet", "bob", PresenceChange::Left, WAIT).await;
    drop((alice, bob, carol));
    for node in nodes {
        node.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn the_people_of_a_node_killed_with_sigkill_leave_within_30_s() {
    let (Some(nats), Some(db)) = (nats_url(), Db::server("postgres").await) else {
        return;
    };
    let addr = free_addr();
    let mut doomed = parley_with(
        &db,
        addr,
        &[
            "--cluster",
            &nats,
            "--session-secret",
            SECRET,
            "--node-id",
            "doomed",
        ],
    );
    wait_ready(addr).await;
    let survivors = nodes(&db, &nats, 1).await;
    let survivor = &survivors[0];
    let mut alice = Client::connect(addr, "alice").await;
    alice.join("ghosts").await;
    let mut bob = Client::connect(survivor.addr, "bob").await;
    let members = bob.join("ghosts").await;
    knows(&mut bob, &members, "ghosts", "alice").await;
    doomed.kill().await.unwrap();
    notice(
        &mut bob,
        "ghosts",
        "alice",
        PresenceChange::Disconnected,
        Duration::from_secs(30),
    )
    .await;
    let (_, body) = get_signed_in(survivor.addr, "/api/rooms?names=ghosts").await;
    assert!(body.contains("\"members\":1"), "only bob: {body}");
    drop((alice, bob));
    for node in survivors {
        node.shutdown().await.unwrap();
    }
}
