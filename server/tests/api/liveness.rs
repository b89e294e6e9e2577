//! Slow consumers, silent peers and shutdown.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use shared::{ClientMsg, CloseReason, PresenceChange, ServerMsg};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::*;

#[tokio::test]
async fn a_client_that_stops_reading_is_cut_off_while_others_keep_receiving() {
    let server = start_with(|c| {
        c.limits.write_timeout = Duration::from_millis(500);
    })
    .await;
    let mut sender = Client::connect(server.addr, "sender").await;
    let mut reader = Client::connect(server.addr, "reader").await;
    let mut stalled = Client::connect(server.addr, "stalled").await;
    sender.join("lobby").await;
    reader.join("lobby").await;
    stalled.join("lobby").await;

    // ~16 MB of traffic: more than the loopback socket buffers and the outbox can hold.
    let text = "x".repeat(4000);
    let total = 4000;
    let (dropped_tx, dropped_rx) = tokio::sync::oneshot::channel();
    let reader_task = tokio::spawn(async move {
        let mut seqs = Vec::new();
        let mut dropped_tx = Some(dropped_tx);
        while seqs.len() < total {
            match reader.recv().await {
                ServerMsg::Message(m) => seqs.push(m.seq.0),
                ServerMsg::Presence {
                    nickname,
                    change: PresenceChange::DroppedSlow,
                    ..
                } if nickname.as_str() == "stalled" => {
                    if let Some(tx) = dropped_tx.take() {
                        let _ = tx.send(());
                    }
                }
                _ => {}
            }
        }
        (seqs, dropped_tx.is_none())
    });
    // The stalled client reads again once the room has dropped it, and finds its connection
    // closed as a slow consumer: the close frame waited behind what it had not read. (It
    // starts reading then, not after the whole transfer: the close frame waits 30 s at most.)
    let stalled_task = tokio::spawn(async move {
        if dropped_rx.await.is_ok() {
            stalled.expect_close(CloseReason::SlowConsumer).await;
        }
    });
    // The sender keeps at most 50 messages unacknowledged, reading its acks in a task of its
    // own: the pace is what a reading client can follow, and only the stalled one falls behind.
    let window = std::sync::Arc::new(tokio::sync::Semaphore::new(50));
    let (mut tx, mut rx) = sender.ws.split();
    let sender_reader = {
        let window = window.clone();
        tokio::spawn(async move {
            while let Some(Ok(Message::Text(t))) = rx.next().await {
                if t.as_str().starts_with(r#"{"type":"ack""#) {
                    window.add_permits(1);
                }
            }
        })
    };
    for i in 0..total {
        window.acquire().await.unwrap().forget();
        let msg = ClientMsg::Send {
            room: "lobby".into(),
            client_id: format!("m{i}"),
            text: text.clone(),
            reply_to: None,
        };
        tx.send(Message::text(msg.to_json())).await.unwrap();
    }
    let (seqs, dropped) = tokio::time::timeout(Duration::from_secs(60), reader_task)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        seqs,
        (1..=total as u64).collect::<Vec<_>>(),
        "the reader got everything, in order"
    );
    assert!(dropped, "the room was told the stalled client was dropped");

    tokio::time::timeout(Duration::from_secs(30), stalled_task)
        .await
        .expect("the stalled client read its close frame")
        .expect("with code 4008 slow_consumer");
    sender_reader.abort();
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_peer_that_stops_answering_pings_is_dropped() {
    let server = start_with(|c| {
        c.limits.ping_interval = Duration::from_millis(100);
        c.limits.idle_timeout = Duration::from_millis(300);
    })
    .await;
    let mut watcher = Client::connect(server.addr, "watcher").await;
    watcher.join("lobby").await;
    let mut silent = Client::connect(server.addr, "silent").await;
    silent.join("lobby").await;
    // The tungstenite client answers pings only while it reads; stop reading.
    let seen = watcher
        .recv_kind_where(|p: &Presence| p.change == PresenceChange::Disconnected)
        .await;
    assert_eq!(
        (seen.room.as_str(), seen.nickname.as_str()),
        ("lobby", "silent")
    );
    // The connection is over. A close frame, if it survives (the peer is unresponsive, so
    // the server cannot wait for it to be read), names the reason.
    if let Some(close) = silent.closed().await {
        assert_eq!(u16::from(close.code), CloseReason::IdleTimeout.code());
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_closes_sockets_with_going_away() {
    let server = start().await;
    let mut c = Client::connect(server.addr, "c").await;
    c.join("lobby").await;
    server.shutdown().await.unwrap();
    c.expect_close(CloseReason::GoingAway).await;
}

#[tokio::test]
async fn a_socket_upgraded_while_shutting_down_is_closed_too() {
    // A client whose upgrade is under way when the shutdown closes every socket: it must not
    // be left open, holding the shutdown for its whole grace (5 s).
    let server = start().await;
    let token = session(server.addr, "late").await;
    server.state.hub.close_all(CloseReason::GoingAway);
    let mut c = Client::connect_raw(server.addr, &ws_path(), &token).await;
    tokio::time::timeout(
        Duration::from_secs(2),
        c.expect_close(CloseReason::GoingAway),
    )
    .await
    .expect("closed at once, not at the end of the shutdown's grace");
    server.shutdown().await.unwrap();
}
