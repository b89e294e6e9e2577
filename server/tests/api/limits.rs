//! Caps on what one user may hold: WebSocket connections (per address: 503 before the
//! upgrade; in all: upgraded, then closed with 1013) and rooms per user across all its
//! connections (`too_many_rooms`).

use std::time::Duration;

use futures_util::StreamExt;
use shared::{CloseReason, ErrorCode};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::*;

#[tokio::test]
async fn connection_caps_answer_503_before_the_upgrade() {
    let server = start_with(|c| {
        c.limits.max_connections_per_ip = 2;
        c.limits.max_connections = 3;
    })
    .await;
    let token = session(server.addr, "alice").await;
    let a = Client::reconnect(server.addr, &token).await;
    let _b = Client::reconnect(server.addr, &token).await;
    let (status, head) = upgrade(server.addr, &[("Authorization", &bearer(&token))]).await;
    assert_eq!(status, 503, "third from one IP: {head}");
    drop(a);
    // A slot comes back once the server has seen the disconnect (no fixed wait: CI is slow).
    let deadline = tokio::time::Instant::now() + WAIT;
    while upgrade(server.addr, &[("Authorization", &bearer(&token))])
        .await
        .0
        != 101
    {
        assert!(tokio::time::Instant::now() < deadline, "a slot came back");
        // A poll interval: the loop checks for the slot itself.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.shutdown().await.unwrap();
}

/// A browser cannot read an upgrade's 503, so over the total cap the server completes the
/// upgrade and closes at once with 1013 `try_again_later` (before any `welcome`), on which
/// clients back off.
#[tokio::test]
async fn over_the_total_cap_the_socket_closes_with_1013_after_the_upgrade() {
    let server = start_with(|c| c.limits.max_connections = 1).await;
    let token = session(server.addr, "alice").await;
    let first = Client::reconnect(server.addr, &token).await;
    let mut second = Client::connect_raw(server.addr, "/ws?v=1", &token).await;
    let frame = tokio::time::timeout(WAIT, second.ws.next())
        .await
        .expect("a frame within the wait");
    match frame {
        Some(Ok(Message::Close(Some(close)))) => assert_eq!(
            (u16::from(close.code), close.reason.as_str()),
            (1013, CloseReason::TryAgainLater.as_str()),
            "{close:?}"
        ),
        other => panic!("expected close 1013 before anything else, got {other:?}"),
    }
    drop(second);
    drop(first);
    wait_for_connections(server.addr, 0).await;
    // Once the first has gone, its slot is free for the next.
    Client::reconnect(server.addr, &token).await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn too_many_rooms_is_refused_counting_every_connection_of_the_user() {
    let server = start_with(|c| c.limits.max_rooms_per_user = 2).await;
    let token = session(server.addr, "alice").await;
    let mut a = Client::reconnect(server.addr, &token).await;
    let mut b = Client::reconnect(server.addr, &token).await; // a second tab
    a.join("one").await;
    a.join("one").await; // rejoining is not another room
    b.join("one").await; // nor is the same room from another tab
    b.join("two").await;
    // a is in one room, but alice is in two.
    let refused = a
        .try_join("three")
        .await
        .expect_err("expected too_many_rooms");
    assert_eq!(refused.code, ErrorCode::TooManyRooms, "{refused:?}");
    a.leave("one").await;
    // b is still in "one".
    let refused = a
        .try_join("three")
        .await
        .expect_err("expected too_many_rooms");
    assert_eq!(refused.code, ErrorCode::TooManyRooms, "{refused:?}");
    // b's rooms are given back when it goes, before the server stops counting it.
    drop(b);
    wait_for_connections(server.addr, 1).await;
    let answer = a.try_join("three").await;
    assert!(answer.is_ok(), "expected to join #three, got {answer:?}");
    server.shutdown().await.unwrap();
}
