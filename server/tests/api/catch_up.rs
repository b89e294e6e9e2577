//! A join's catch-up: larger than the connection's queue, read from storage at the pace the
//! client reads, with the room's live traffic held behind it and delivered after it.

use parley_server::Server;
use shared::{ClientMsg, CloseReason, PresenceChange, Seq, ServerMsg};

use crate::helpers::*;

/// Sends `n` messages of `len` characters, 50 at a time, and waits for their acks; returns
/// who was dropped as a slow consumer meanwhile (`presence` `dropped_slow`).
async fn send_many(c: &mut Client, prefix: &str, n: usize, len: usize) -> Vec<String> {
    let mut dropped = Vec::new();
    let text = "x".repeat(len);
    for chunk in (0..n).collect::<Vec<_>>().chunks(50) {
        for i in chunk {
            c.say("lobby", &format!("{prefix}{i}"), &text).await;
        }
        let mut acks = 0;
        while acks < chunk.len() {
            match c.recv().await {
                ServerMsg::Ack { .. } => acks += 1,
                ServerMsg::Error { code, message, .. } => panic!("refused: {code:?} {message}"),
                ServerMsg::Presence {
                    nickname,
                    change: PresenceChange::DroppedSlow,
                    ..
                } => dropped.push(nickname.to_string()),
                _ => {}
            }
        }
    }
    dropped
}

/// Asserts `got` is exactly `expected`, naming the first difference (not two long lists).
fn assert_seqs(got: &[u64], expected: std::ops::RangeInclusive<u64>, what: &str) {
    let expected: Vec<u64> = expected.collect();
    let first_diff = got.iter().zip(&expected).position(|(g, e)| g != e);
    assert!(
        got == expected,
        "{what}: got {} messages, expected {}; first difference at index {first_diff:?}: {:?}",
        got.len(),
        expected.len(),
        first_diff.map(|i| (got[i], expected[i])),
    );
}

async fn join(c: &mut Client, after: Option<u64>) -> (u64, u64) {
    c.send(&ClientMsg::Join {
        room: "lobby".into(),
        nickname: None,
        after: after.map(Seq),
        changes_after: None,
    })
    .await;
    loop {
        if let ServerMsg::Joined {
            after, last_seq, ..
        } = c.recv().await
        {
            return (after.0, last_seq.0);
        }
    }
}

/// A server whose rooms keep 8 messages in memory, a sender who has sent `n` messages of
/// ~3 KB to the lobby, and a reader who has just joined it from the start (seq 0).
async fn a_reader_joining_after(n: u64) -> (Server, Client, Client) {
    a_reader_joining_after_with(n, |_| {}).await
}

/// [`a_reader_joining_after`] with other settings changed by `tweak`.
async fn a_reader_joining_after_with(
    n: u64,
    tweak: impl FnOnce(&mut parley_server::config::Config),
) -> (Server, Client, Client) {
    let server = start_with(|c| {
        c.limits.recent_per_room = 8;
        tweak(c);
    })
    .await;
    let mut sender = Client::connect(server.addr, "sender").await;
    join(&mut sender, None).await;
    send_many(&mut sender, "old", n as usize, 3000).await;
    let mut reader = Client::connect(server.addr, "reader").await;
    assert_eq!(join(&mut reader, Some(0)).await, (0, n));
    (server, sender, reader)
}

#[tokio::test]
async fn a_catch_up_larger_than_the_queue_arrives_whole_and_live_traffic_follows_it() {
    // 2,000 × ~3 KB from storage is more than the 1 MiB queue and the loopback socket
    // buffers can take while the reader does not read.
    let (server, mut sender, mut reader) = a_reader_joining_after(2000).await;
    // While the reader has not read its catch-up yet, the room goes on.
    send_many(&mut sender, "live", 40, 3000).await;
    sender.say("lobby", "marker", "the end").await;

    let mut seqs = Vec::new();
    loop {
        match reader.recv().await {
            ServerMsg::Message(m) if m.text.as_str() == "the end" => break,
            ServerMsg::Message(m) => seqs.push(m.seq.0),
            ServerMsg::Error { code, message, .. } => panic!("{code:?}: {message}"),
            _ => {}
        }
    }
    assert_seqs(
        &seqs,
        1..=2040,
        "every message once, in seq order: the catch-up, then what came during it",
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_rejoin_during_a_catch_up_starts_it_over_without_duplicates() {
    let (server, _sender, mut reader) = a_reader_joining_after(300).await;
    // Asks again from 250 before reading anything: the first catch-up may have queued part
    // of its messages already, but what follows the second `joined` is exactly 251..=300.
    reader
        .send(&ClientMsg::Join {
            room: "lobby".into(),
            nickname: None,
            after: Some(Seq(250)),
            changes_after: None,
        })
        .await;
    // Sent by the reader itself, so the room handles it after the second join.
    reader.say("lobby", "marker", "the end").await;
    let mut after_rejoin: Option<Vec<u64>> = None;
    loop {
        match reader.recv().await {
            ServerMsg::Joined {
                after: Seq(250), ..
            } => after_rejoin = Some(vec![]),
            ServerMsg::Message(m) if m.text.as_str() == "the end" => break,
            ServerMsg::Message(m) => {
                if let Some(seqs) = after_rejoin.as_mut() {
                    seqs.push(m.seq.0);
                }
            }
            _ => {}
        }
    }
    assert_seqs(
        &after_rejoin.expect("the second joined"),
        251..=300,
        "the second join's catch-up, once and in order, then live",
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn live_traffic_held_behind_a_catch_up_is_bounded_by_the_queue_budget() {
    // A 256 KiB queue: 100 live messages of ~3 KB held behind an unread 6 MB catch-up are
    // more than it allows, so the reader is cut off as a slow consumer instead of the server
    // holding them without bound.
    // A long write timeout: the stalled write alone would not end the reader for a minute.
    let (server, mut sender, mut reader) = a_reader_joining_after_with(2000, |c| {
        c.limits.outbox_bytes = 256 * 1024;
        c.limits.write_timeout = std::time::Duration::from_secs(60);
    })
    .await;
    let mut dropped = send_many(&mut sender, "live", 100, 3000).await;
    // Dropped while its catch-up is still unread, as soon as the held traffic passes the
    // budget (the room says so at once), not when the catch-up or a write timeout ends.
    while dropped.is_empty() {
        if let ServerMsg::Presence {
            nickname,
            change: PresenceChange::DroppedSlow,
            ..
        } = sender.recv().await
        {
            dropped.push(nickname.to_string());
        }
    }
    assert_eq!(dropped, ["reader"]);
    // Reading at last, the reader gets what was queued, then its close.
    reader.expect_close(CloseReason::SlowConsumer).await;
    server.shutdown().await.unwrap();
}
