//! Issue 16: the room directory, searched by name prefix and paged, over REST and the
//! WebSocket, and member counts for a list of rooms; bad questions get typed errors.

use std::net::SocketAddr;

use shared::{ClientMsg, ErrorCode, RoomSummary, ROOM_COUNTS_MAX};

use crate::helpers::*;

/// `GET path` with `token`; the status and the JSON body.
async fn get(addr: SocketAddr, token: &str, path: &str) -> (u16, serde_json::Value) {
    let auth = bearer(token);
    let (status, body) = http(addr, "GET", path, &[("Authorization", &auth)]).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("{path}: {body}")),
    )
}

/// The names in a JSON list of room summaries.
fn names(rooms: &serde_json::Value) -> Vec<&str> {
    rooms
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect()
}

fn summary_names(rooms: &[RoomSummary]) -> Vec<&str> {
    rooms.iter().map(|r| r.name.as_str()).collect()
}

#[tokio::test]
async fn the_directory_is_searched_by_prefix_in_pages_over_rest_and_the_websocket() {
    let server = start().await;
    let mut maker = Client::connect(server.addr, "maker").await;
    for room in ["garden", "garden-b", "gardening", "games", "zoo"] {
        maker.join(room).await;
    }
    maker.leave("zoo").await;
    let (addr, token) = (server.addr, maker.token.clone());

    // REST: by prefix, in pages.
    let (status, page) = get(addr, &token, "/api/rooms?prefix=gard&limit=2").await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(names(&page["rooms"]), ["garden", "garden-b"]);
    assert_eq!(page["next"], "garden-b");
    let (_, page) = get(
        addr,
        &token,
        "/api/rooms?prefix=gard&limit=2&after=garden-b",
    )
    .await;
    assert_eq!(names(&page["rooms"]), ["gardening"]);
    assert!(page["next"].is_null(), "{page}");
    let (_, page) = get(addr, &token, "/api/rooms?prefix=ga").await;
    assert_eq!(
        names(&page["rooms"]),
        ["games", "garden", "garden-b", "gardening"]
    );
    let (_, page) = get(addr, &token, "/api/rooms?prefix=nothing").await;
    assert_eq!(names(&page["rooms"]), Vec::<&str>::new());
    // Member counts of named rooms, those that exist.
    let (_, counts) = get(addr, &token, "/api/rooms?names=garden,zoo,nope").await;
    assert_eq!(names(&counts["rooms"]), ["garden", "zoo"]);
    assert_eq!(counts["rooms"][0]["members"], 1);
    assert_eq!(counts["rooms"][1]["members"], 0);
    // Typed refusals.
    let (status, err) = get(addr, &token, "/api/rooms?prefix=Gard").await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("bad_room_name"))
    );
    let many: Vec<String> = (0..=ROOM_COUNTS_MAX).map(|i| format!("r{i}")).collect();
    let path = format!("/api/rooms?names={}", many.join(","));
    let (status, err) = get(addr, &token, &path).await;
    assert_eq!(
        (status, err["error"].as_str()),
        (400, Some("too_many_names"))
    );

    // The WebSocket: the same answers.
    let mut other = Client::connect(addr, "browser").await;
    let list = ClientMsg::ListRooms {
        prefix: Some("gard".into()),
        after: None,
        limit: Some(2),
    };
    other.send(&list).await;
    let page: RoomList = other.recv_kind().await;
    assert_eq!(page.prefix, "gard");
    assert_eq!(summary_names(&page.rooms), ["garden", "garden-b"]);
    other
        .send(&ClientMsg::ListRooms {
            prefix: Some("gard".into()),
            after: page.next.clone(),
            limit: Some(2),
        })
        .await;
    let page: RoomList = other.recv_kind().await;
    assert_eq!(summary_names(&page.rooms), ["gardening"]);
    assert_eq!(page.next, None);
    other
        .send(&ClientMsg::RoomCounts {
            rooms: vec!["zoo".into(), "garden".into(), "garden".into()],
        })
        .await;
    let counts: RoomCounts = other.recv_kind().await;
    assert_eq!(summary_names(&counts.rooms), ["garden", "zoo"]);
    other
        .send(&ClientMsg::ListRooms {
            prefix: Some("Bad!".into()),
            after: None,
            limit: None,
        })
        .await;
    other.expect_error(ErrorCode::BadRoomName).await;
    other.send(&ClientMsg::RoomCounts { rooms: many }).await;
    other.expect_error(ErrorCode::TooManyNames).await;
    // The connection survives.
    other.join("garden").await;
    server.shutdown().await.unwrap();
}
