//! Caps on what one user may hold: WebSocket connections (503 before the upgrade, in all
//! and per address) and rooms per user across all its connections (`too_many_rooms`).

use std::time::Duration;

use shared::ErrorCode;

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
