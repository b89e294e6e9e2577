//! Sessions and what is checked before the upgrade: 401 without a valid session, 403 for a
//! foreign origin, 503 over the connection caps; nicknames owned by sessions; sign-out.

use std::time::Duration;

use shared::{ClientMsg, CloseReason, ErrorCode, PresenceChange, ServerMsg};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

/// Sends a WebSocket upgrade with extra headers; returns the status line's code and the head.
async fn upgrade(addr: std::net::SocketAddr, headers: &[(&str, &str)]) -> (u16, String) {
    let mut all = vec![
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    all.extend_from_slice(headers);
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut req = format!("GET /ws?v=1 HTTP/1.1\r\nHost: {addr}\r\n");
    for (k, v) in &all {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        match tokio::time::timeout(WAIT, tcp.read_u8()).await {
            Ok(Ok(b)) => head.push(b),
            _ => break,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    (
        head.split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
        head,
    )
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn no_forged_or_expired_session_gets_401_and_no_websocket() {
    let server = start_with(|c| c.session_ttl = Duration::from_millis(600)).await;
    let (status, head) = upgrade(server.addr, &[]).await;
    assert_eq!(status, 401, "{head}");
    let token = session(server.addr, "alice").await;
    let forged = token.replace(
        token.split('.').next().unwrap(),
        "00000000000000000000000000000000",
    );
    assert_eq!(
        upgrade(server.addr, &[("Authorization", &bearer(&forged))])
            .await
            .0,
        401
    );
    let tampered = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(
        upgrade(server.addr, &[("Authorization", &bearer(&tampered))])
            .await
            .0,
        401
    );
    assert_eq!(
        upgrade(server.addr, &[("Authorization", &bearer(&token))])
            .await
            .0,
        101,
        "valid now"
    );
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        upgrade(server.addr, &[("Authorization", &bearer(&token))])
            .await
            .0,
        401,
        "expired"
    );
    assert_eq!(
        http(
            server.addr,
            "GET",
            "/api/session",
            &[("Authorization", &bearer(&token))]
        )
        .await
        .0,
        401
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_token_works_as_cookie_bearer_header_or_subprotocol() {
    let server = start().await;
    let token = session(server.addr, "alice").await;
    let cookie = format!("parley_session={token}");
    assert_eq!(upgrade(server.addr, &[("Cookie", &cookie)]).await.0, 101);
    let protocols = format!("parley, bearer.{token}");
    let (status, head) = upgrade(server.addr, &[("Sec-WebSocket-Protocol", &protocols)]).await;
    assert_eq!(status, 101);
    assert!(
        head.to_lowercase()
            .contains("sec-websocket-protocol: parley\r\n"),
        "{head}"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_foreign_origin_gets_403() {
    let server = start().await;
    let token = session(server.addr, "alice").await;
    let auth = bearer(&token);
    let evil = upgrade(
        server.addr,
        &[("Authorization", &auth), ("Origin", "https://evil.example")],
    )
    .await;
    assert_eq!(evil.0, 403, "{}", evil.1);
    let own = format!("http://{}", server.addr);
    assert_eq!(
        upgrade(server.addr, &[("Authorization", &auth), ("Origin", &own)])
            .await
            .0,
        101
    );
    let dev = upgrade(
        server.addr,
        &[
            ("Authorization", &auth),
            ("Origin", "http://127.0.0.1:8080"),
        ],
    )
    .await;
    assert_eq!(dev.0, 101, "the trunk dev server is allowed by default");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_nickname_belongs_to_its_session_until_sign_out() {
    let server = start().await;
    let mut alice = Client::connect(server.addr, "Alice").await;
    let token = alice.token.clone();
    alice.join("lobby").await;
    let json = |n: &str| serde_json::json!({ "nickname": n });
    let (status, _, body) = post_session(server.addr, json("aLICE")).await;
    assert_eq!(status, 409, "taken, case-insensitively: {body}");
    assert!(body.contains("nickname_taken"));
    // Disconnecting does not free it: the session still lives.
    drop(alice);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(post_session(server.addr, json("alice")).await.0, 409);
    // Signing out does.
    let mut alice = Client::reconnect(server.addr, &token).await;
    let auth = bearer(&alice.token);
    let (status, head, _) = http_full(
        server.addr,
        "DELETE",
        "/api/session",
        &[("Authorization", &auth)],
        "",
    )
    .await;
    assert_eq!(status, 204);
    assert!(
        head.contains("parley_session=;"),
        "the cookie is cleared: {head}"
    );
    let close = alice
        .closed()
        .await
        .expect("the signed-out session's socket is closed");
    assert_eq!(u16::from(close.code), CloseReason::Unauthorized.code());
    assert_eq!(
        http(
            server.addr,
            "GET",
            "/api/session",
            &[("Authorization", &auth)]
        )
        .await
        .0,
        401
    );
    assert_eq!(post_session(server.addr, json("aLICE")).await.0, 201);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn get_session_says_who_and_sets_an_httponly_cookie() {
    let server = start().await;
    let (status, head, resp) =
        post_session(server.addr, serde_json::json!({ "nickname": "carol" })).await;
    assert_eq!(status, 201, "{resp}");
    let cookie = head
        .lines()
        .find(|l| l.to_lowercase().starts_with("set-cookie:"))
        .expect("a cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let value = cookie
        .split(':')
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim()
        .to_owned();
    let (status, who) = http(server.addr, "GET", "/api/session", &[("Cookie", &value)]).await;
    assert_eq!(status, 200);
    assert!(who.contains("\"nickname\":\"carol\""), "{who}");
    let bad = serde_json::json!({ "nickname": "bad\u{7}" });
    let (status, _, resp) = post_session(server.addr, bad).await;
    assert_eq!(status, 400);
    assert!(resp.contains("bad_nickname"));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_registered_nickname_needs_its_password() {
    let server = start().await;
    let with = |p: &str| serde_json::json!({ "nickname": "dana", "password": p });
    let (status, _, resp) = post_session(server.addr, with("correct horse")).await;
    assert_eq!(status, 201, "registers it: {resp}");
    let token: serde_json::Value = serde_json::from_str(resp.trim()).unwrap();
    let auth = bearer(token["token"].as_str().unwrap());
    assert_eq!(
        http_full(
            server.addr,
            "DELETE",
            "/api/session",
            &[("Authorization", &auth)],
            ""
        )
        .await
        .0,
        204
    );
    let bare = serde_json::json!({ "nickname": "Dana" });
    let (status, _, resp) = post_session(server.addr, bare).await;
    assert_eq!(status, 401);
    assert!(resp.contains("nickname_registered"), "{resp}");
    let (status, _, resp) = post_session(server.addr, with("wrong horse")).await;
    assert_eq!(status, 401);
    assert!(resp.contains("bad_password"), "{resp}");
    assert_eq!(
        post_session(server.addr, with("correct horse")).await.0,
        201
    );
    let short = serde_json::json!({ "nickname": "erin", "password": "short" });
    assert_eq!(
        post_session(server.addr, short).await.0,
        401,
        "too short to register"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn impersonation_is_refused() {
    let server = start().await;
    let mut bob = Client::connect(server.addr, "bob").await;
    bob.join("lobby").await;
    let mut mallory = Client::connect(server.addr, "mallory").await;
    mallory
        .send(&ClientMsg::Join {
            room: "lobby".into(),
            nickname: Some("bob".into()),
            after: None,
        })
        .await;
    assert_eq!(mallory.next_error().await, ErrorCode::NicknameMismatch);
    // Joining under its own name works, and bob only ever sees "mallory".
    mallory
        .send(&ClientMsg::Join {
            room: "lobby".into(),
            nickname: Some("Mallory".into()),
            after: None,
        })
        .await;
    mallory
        .recv_where(|m| matches!(m, ServerMsg::Joined { .. }))
        .await;
    mallory.say("lobby", "m1", "hi, it's bob").await;
    let ServerMsg::Message(m) = bob.recv_where(|m| matches!(m, ServerMsg::Message(_))).await else {
        unreachable!()
    };
    assert_eq!(m.nickname.as_str(), "mallory");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn two_tabs_of_one_session_are_one_person_in_the_room() {
    let server = start().await;
    let mut watcher = Client::connect(server.addr, "watcher").await;
    watcher.join("lobby").await;
    let mut tab1 = Client::connect(server.addr, "alice").await;
    let mut tab2 = Client::reconnect(server.addr, &tab1.token.clone()).await;
    tab1.join("lobby").await;
    assert_eq!(
        tab2.join("lobby").await,
        ["alice", "watcher"],
        "listed once"
    );
    drop(tab1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = watcher.drain(Duration::from_millis(200)).await;
    let presences: Vec<_> = seen
        .iter()
        .filter_map(|m| match m {
            ServerMsg::Presence {
                nickname, change, ..
            } => Some((nickname.to_string(), *change)),
            _ => None,
        })
        .collect();
    assert_eq!(
        presences,
        [("alice".to_string(), PresenceChange::Joined)],
        "one join, no leave while a tab stays"
    );
    drop(tab2);
    let left = watcher
        .recv_where(|m| matches!(m, ServerMsg::Presence { .. }))
        .await;
    assert!(matches!(
        left,
        ServerMsg::Presence {
            change: PresenceChange::Disconnected,
            ..
        }
    ));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_flood_gets_slow_down_then_a_close_while_others_are_unaffected() {
    let server = start_with(|c| {
        c.limits.message_rate = 5.0;
        c.limits.message_burst = 10.0;
    })
    .await;
    let mut calm = Client::connect(server.addr, "calm").await;
    calm.join("lobby").await;
    let mut flood = Client::connect(server.addr, "flood").await;
    flood.join("lobby").await;
    for i in 0..100 {
        flood.say("lobby", &format!("f{i}"), "spam").await;
    }
    let mut slow_downs = 0;
    let code = loop {
        match tokio::time::timeout(WAIT, futures_util::StreamExt::next(&mut flood.ws))
            .await
            .unwrap()
        {
            Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t))) => {
                if let Ok(ServerMsg::Error {
                    code: ErrorCode::SlowDown,
                    client_id,
                    ..
                }) = serde_json::from_str(t.as_str())
                {
                    assert!(client_id.is_some(), "names the refused message");
                    slow_downs += 1;
                }
            }
            Some(Ok(tokio_tungstenite::tungstenite::Message::Close(Some(f)))) => {
                break u16::from(f.code)
            }
            Some(Ok(_)) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert!(slow_downs >= 5, "slow_down came first ({slow_downs})");
    assert_eq!(code, CloseReason::Flood.code());
    // The calm client got the burst's messages, and keeps chatting.
    calm.say("lobby", "c1", "still here").await;
    let ack = calm
        .recv_where(|m| matches!(m, ServerMsg::Ack { .. }))
        .await;
    assert!(matches!(ack, ServerMsg::Ack { .. }));
    server.shutdown().await.unwrap();
}

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
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.shutdown().await.unwrap();
}

/// Asks to join `room` and returns the answer: `joined`, or the error.
async fn try_join(c: &mut Client, room: &str) -> ServerMsg {
    c.send(&ClientMsg::Join {
        room: room.into(),
        nickname: None,
        after: None,
    })
    .await;
    c.recv_where(|m| matches!(m, ServerMsg::Error { .. } | ServerMsg::Joined { .. }))
        .await
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
    assert_eq!(
        error_code(&try_join(&mut a, "three").await),
        ErrorCode::TooManyRooms
    );
    a.send(&ClientMsg::Leave { room: "one".into() }).await;
    // b is still in "one".
    assert_eq!(
        error_code(&try_join(&mut a, "three").await),
        ErrorCode::TooManyRooms
    );
    drop(b); // b's rooms are given back when it goes (the server notices shortly)
    let mut answer = try_join(&mut a, "three").await;
    for _ in 0..50 {
        if matches!(answer, ServerMsg::Joined { .. }) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        answer = try_join(&mut a, "three").await;
    }
    assert!(matches!(answer, ServerMsg::Joined { .. }), "{answer:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_slow_loris_does_not_hold_a_connection() {
    let server = start_with(|c| c.limits.handshake_timeout = Duration::from_millis(300)).await;
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    tcp.write_all(b"GET /ws HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap(); // and never the rest
    let mut buf = [0u8; 256];
    let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf))
        .await
        .expect("closed in time");
    // hyper answers 408 or just closes; either way the connection is over.
    let text = String::from_utf8_lossy(&buf[..n.unwrap_or(0)]).into_owned();
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn sign_ins_from_one_address_are_throttled() {
    let server = start_with(|c| {
        c.limits.sign_in_rate = 6.0; // one every 10 s
        c.limits.sign_in_burst = 2.0;
    })
    .await;
    let sign_in = |from: [u8; 4], nick: &'static str| async move {
        let sock = tokio::net::TcpSocket::new_v4().unwrap();
        sock.bind((std::net::Ipv4Addr::from(from), 0).into())
            .unwrap();
        let tcp = sock.connect(server.addr).await.unwrap();
        let body = serde_json::json!({ "nickname": nick }).to_string();
        let req = format!(
            "POST /api/session HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            server.addr,
            body.len()
        );
        exchange(tcp, &req).await
    };
    assert_eq!(sign_in([127, 0, 0, 1], "a1").await.0, 201);
    assert_eq!(sign_in([127, 0, 0, 1], "a2").await.0, 201);
    let (status, head, body) = sign_in([127, 0, 0, 1], "a3").await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("\"too_many_attempts\""), "{body}");
    let retry = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("retry-after: ")
                .map(str::to_owned)
        })
        .expect("Retry-After");
    assert!((1..=10).contains(&retry.parse::<u64>().unwrap()), "{retry}");
    assert_eq!(
        sign_in([127, 0, 0, 2], "b1").await.0,
        201,
        "another address"
    );
    // The server keeps serving: a refused address can still use what it has.
    let (status, _) = http(server.addr, "GET", "/healthz", &[]).await;
    assert_eq!(status, 200);
    server.shutdown().await.unwrap();
}
