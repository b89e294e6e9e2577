//! Issue 16: a room with no messages that nobody has been in for `--empty-room-ttl` goes
//! away, from the directory and the database, and stops counting against its creator; the
//! lobby, rooms with messages and rooms with someone in them stay. On every backend.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use shared::ErrorCode;

use crate::helpers::*;

/// Every room in the directory, by name.
async fn room_names(addr: SocketAddr, token: &str) -> Vec<String> {
    let auth = bearer(token);
    let path = format!("/api/rooms?limit={}", shared::ROOMS_PAGE_MAX);
    let (status, body) = http(addr, "GET", &path, &[("Authorization", &auth)]).await;
    assert_eq!(status, 200, "{body}");
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    page["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits (10 s at most) until `room` is no longer in the directory.
async fn until_gone(addr: SocketAddr, token: &str, room: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while room_names(addr, token).await.iter().any(|r| r == room) {
        assert!(Instant::now() < deadline, "{room} never expired");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn empty_rooms_expire_and_give_their_creation_back() {
    for db in Db::all().await {
        let ttl = |c: &mut parley_server::config::Config| {
            c.limits.empty_room_ttl = Duration::from_millis(300);
            c.limits.max_rooms_created = 3;
        };
        let server = db.start(ttl).await;
        let mut maker = Client::connect(server.addr, "maker").await;
        // The lobby (made by its first join, which counts) stays, empty or not.
        maker.join("lobby").await;
        maker.leave("lobby").await;
        maker.join("kept").await;
        maker
            .send_acked("kept", "m1", "a room with a message stays")
            .await;
        maker.leave("kept").await;
        maker.join("quiet").await;
        maker.leave("quiet").await;
        let full = maker.try_join("third").await.unwrap_err();
        assert_eq!(full.code, ErrorCode::TooManyRoomsCreated, "{}", db.label);

        until_gone(server.addr, &maker.token, "quiet").await;
        let names = room_names(server.addr, &maker.token).await;
        assert!(names.iter().any(|r| r == "kept"), "{}: {names:?}", db.label);
        assert!(
            names.iter().any(|r| r == "lobby"),
            "{}: {names:?}",
            db.label
        );

        // The expired room no longer counts: the creator may create another, and stays in it.
        maker.join("third").await;
        let mut other = Client::connect(server.addr, "other").await;
        other.join("fourth").await;
        other.leave("fourth").await;
        until_gone(server.addr, &maker.token, "fourth").await;
        let names = room_names(server.addr, &maker.token).await;
        assert!(
            names.iter().any(|r| r == "third"),
            "{}: a room with someone in it expired: {names:?}",
            db.label
        );
        let token = maker.token.clone();
        drop((maker, other));
        server.shutdown().await.unwrap();

        // Gone from the database too.
        let server = db.start(|_| {}).await;
        let names = room_names(server.addr, &token).await;
        assert!(
            !names.iter().any(|r| r == "quiet"),
            "{}: {names:?}",
            db.label
        );
        assert!(names.iter().any(|r| r == "kept"), "{}: {names:?}", db.label);
        server.shutdown().await.unwrap();
    }
}
