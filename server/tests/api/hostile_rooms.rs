//! Issue 18, findings 1, 2 and 10: rooms, their lists, their history and their caches stay
//! bounded whatever one user does.

use std::time::Duration;

use shared::{ClientMsg, ErrorCode, ServerMsg, JOINED_MEMBERS_MAX};

use crate::helpers::*;

/// Finding 1: room creation is limited per user (in all, and in rate), `welcome` lists the
/// user's own rooms only, and the directory is paged over REST behind a session.
#[tokio::test]
async fn room_creation_is_bounded_and_welcome_stays_small() {
    let server = start_with(|c| {
        c.limits.max_rooms_created = 12;
        c.limits.room_creation_rate = 600.0;
        c.limits.room_creation_burst = 100.0;
    })
    .await;
    let mut maker = Client::connect(server.addr, "maker").await;
    let mut made = 0;
    let refusal = loop {
        let room = format!("spam-{made:040}");
        match maker.try_join(&room).await {
            Ok(_) => {
                made += 1;
                maker.leave(&room).await;
            }
            Err(r) => break r,
        }
        assert!(made <= 12, "no limit on room creation");
    };
    assert_eq!(made, 12);
    assert_eq!(refusal.code, ErrorCode::TooManyRoomsCreated);
    // A new user gets `welcome` with the lobby only, however many rooms exist.
    let mut other = Client::connect(server.addr, "newcomer").await;
    other.join("lobby").await;
    drop(other);
    let token = session(server.addr, "second").await;
    let mut second = Client::connect_raw(server.addr, &ws_path(), &token).await;
    let welcome = second.expect_welcome().await;
    let names: Vec<String> = welcome.rooms.iter().map(|r| r.name.to_string()).collect();
    assert_eq!(names, ["lobby"]);
    // The creator's welcome lists what it created.
    let again = Client::connect_raw(server.addr, &ws_path(), &maker.token)
        .await
        .expect_welcome()
        .await;
    assert_eq!(again.rooms.len(), 12 + 1);
    // The directory: behind a session, in pages.
    let (status, _) = http(server.addr, "GET", "/api/rooms", &[]).await;
    assert_eq!(status, 401);
    let auth = bearer(&token);
    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let path = format!("/api/rooms?limit=5{after}");
        let (status, body) = http(server.addr, "GET", &path, &[("Authorization", &auth)]).await;
        assert_eq!(status, 200, "{body}");
        let page: serde_json::Value = serde_json::from_str(&body).unwrap();
        let rooms = page["rooms"].as_array().unwrap();
        assert!(rooms.len() <= 5);
        seen.extend(rooms.iter().map(|r| r["name"].as_str().unwrap().to_owned()));
        match page["next"].as_str() {
            Some(next) => after = format!("&after={next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 13, "every room once: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "by name");
    server.shutdown().await.unwrap();
}

/// Finding 1: creation is rate-limited per user too.
#[tokio::test]
async fn room_creation_has_a_rate() {
    let server = start_with(|c| {
        c.limits.room_creation_rate = 1.0;
        c.limits.room_creation_burst = 3.0;
    })
    .await;
    let mut c = Client::connect(server.addr, "quick").await;
    for i in 0..3 {
        c.try_join(&format!("quick-{i}")).await.unwrap();
    }
    let r = c.try_join("quick-3").await.unwrap_err();
    assert_eq!(r.code, ErrorCode::TooManyRoomsCreated);
    assert!(r.message.contains("too fast"), "{}", r.message);
    c.join("quick-0").await; // Joining an existing room is not creating one.
    server.shutdown().await.unwrap();
}

/// Finding 1: `joined` names at most [`JOINED_MEMBERS_MAX`] members and counts them all.
#[tokio::test]
async fn joined_lists_a_bounded_number_of_members() {
    let server = start().await;
    let mut crowd = Vec::new();
    for i in 0..=JOINED_MEMBERS_MAX {
        let mut c = Client::connect(server.addr, &format!("member{i:03}")).await;
        c.join("big").await;
        crowd.push(c);
    }
    let mut late = Client::connect(server.addr, "zz-late").await;
    late.send(&ClientMsg::Join {
        room: "big".into(),
        nickname: None,
        after: None,
        changes_after: None,
    })
    .await;
    let joined = late.recv_joined().await;
    assert_eq!(joined.members.len(), JOINED_MEMBERS_MAX);
    assert_eq!(joined.member_count as usize, JOINED_MEMBERS_MAX + 2);
    assert_eq!(joined.members[0], "member000", "the first by name");
    server.shutdown().await.unwrap();
}

/// Finding 2: one history request at a time per connection, pages capped in bytes, REST
/// history behind a session (finding 3).
#[tokio::test]
async fn history_is_one_page_at_a_time_and_bounded_in_bytes() {
    let server = start().await;
    let mut c = Client::connect(server.addr, "historian").await;
    c.join("big-texts").await;
    let big = "😀".repeat(shared::TEXT_MAX_CHARS);
    for i in 0..40 {
        c.send_acked("big-texts", &format!("m{i}"), &big).await;
    }
    // 60 requests in one go: one is answered with a page, the rest are refused at once.
    for _ in 0..60 {
        c.send(&ClientMsg::History {
            room: "big-texts".into(),
            before: Some(shared::Seq(u64::MAX)),
            after: None,
            around: None,
            limit: Some(200),
        })
        .await;
    }
    let (mut pages, mut busy) = (Vec::new(), 0);
    while pages.len() + busy < 60 {
        match c.recv().await {
            ServerMsg::History {
                messages, has_more, ..
            } => pages.push((messages.len(), has_more)),
            ServerMsg::Error {
                code: ErrorCode::HistoryBusy,
                ..
            } => busy += 1,
            _ => {}
        }
    }
    assert!(busy >= 50, "{busy} refused, {} pages", pages.len());
    let (len, has_more) = pages[0];
    assert!(
        len < 40 && has_more,
        "a 256 KiB page: {len} messages of 16 KB"
    );
    // REST: the same page needs a session.
    let path = "/api/rooms/big-texts/messages?limit=200";
    let (status, _) = http(server.addr, "GET", path, &[]).await;
    assert_eq!(status, 401);
    let (status, body) = http(
        server.addr,
        "GET",
        path,
        &[("Authorization", &bearer(&c.token))],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.len() <= 300 * 1024, "{} bytes", body.len());
    server.shutdown().await.unwrap();
}

/// Finding 10: recent messages are bounded in bytes, in all, and idle rooms drop theirs.
#[tokio::test]
async fn room_caches_are_bounded_in_bytes_and_dropped_when_idle() {
    let server = start_with(|c| {
        c.limits.recent_total_bytes = 256 * 1024;
        c.limits.recent_idle = Duration::from_millis(300);
    })
    .await;
    let mut c = Client::connect(server.addr, "cacher").await;
    let big = "😀".repeat(shared::TEXT_MAX_CHARS);
    for room in 0..8 {
        let name = format!("cache-{room}");
        c.join(&name).await;
        for i in 0..10 {
            c.send_acked(&name, &format!("r{room}m{i}"), &big).await;
        }
    }
    let cached = health(server.addr).await["recent_cache_bytes"]
        .as_u64()
        .unwrap();
    assert!(
        cached <= 256 * 1024,
        "{cached} bytes cached (8 rooms × 160 KB sent)"
    );
    assert!(cached > 0);
    drop(c);
    let deadline = tokio::time::Instant::now() + WAIT;
    while health(server.addr).await["recent_cache_bytes"] != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "idle rooms keep their caches"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.shutdown().await.unwrap();
}

async fn health(addr: std::net::SocketAddr) -> serde_json::Value {
    let (status, body) = http(addr, "GET", "/healthz", &[]).await;
    assert_eq!(status, 200);
    serde_json::from_str(&body).unwrap()
}
