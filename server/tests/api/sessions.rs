//! Sessions and what they own: sign-in, cookies, bearer tokens and subprotocols, expiry
//! (401 without a valid session), the origin check (403), nicknames held by sessions and
//! registered with a password, sign-out (close 4001), and one person with several tabs.

use std::time::Duration;

use parley_server::origin::Origin;
use shared::{ClientMsg, CloseReason, ErrorCode, PresenceChange};

use crate::helpers::*;

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
    // A sleep kept on purpose: the session's lifetime running out is what is tested.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        upgrade(server.addr, &[("Authorization", &bearer(&token))])
            .await
            .0,
        401,
        "expired"
    );
    let (status, who) = http(
        server.addr,
        "GET",
        "/api/session",
        &[("Authorization", &bearer(&token))],
    )
    .await;
    assert_eq!(
        (status, who.as_str()),
        (200, r#"{"signed_in":false}"#),
        "signed out is an answer, not a 401"
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
    let localhost = format!("http://localhost:{}", server.addr.port());
    assert_eq!(
        upgrade(
            server.addr,
            &[("Authorization", &auth), ("Origin", &localhost)]
        )
        .await
        .0,
        101,
        "the server's other public origin on loopback"
    );
    server.shutdown().await.unwrap();
}

/// The trunk dev server's origins are not allowed unless `--allowed-origins` names them.
#[tokio::test]
async fn the_dev_server_origins_are_refused_by_default_and_allowed_on_request() {
    let dev = [("Origin", "http://localhost:8080")];
    let server = start().await;
    let auth = bearer(&session(server.addr, "alice").await);
    let (status, head) = upgrade(server.addr, &[("Authorization", &auth), dev[0]]).await;
    assert_eq!(status, 403, "{head}");
    let headers = [&UPGRADE[..], &[("Authorization", auth.as_str()), dev[0]]].concat();
    let (status, body) = http(server.addr, "GET", "/ws?v=1", &headers).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("\"origin_not_allowed\""), "{body}");
    server.shutdown().await.unwrap();

    let trunk = ["http://127.0.0.1:8080", "http://localhost:8080"];
    let server = start_with(|c| {
        c.allowed_origins = trunk.map(|o| Origin::parse(o).unwrap()).to_vec();
    })
    .await;
    let auth = bearer(&session(server.addr, "alice").await);
    let (status, head) = upgrade(server.addr, &[("Authorization", &auth), dev[0]]).await;
    assert_eq!(status, 101, "{head}");
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
    wait_for_connections(server.addr, 0).await;
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
    // The signed-out session's socket is closed.
    alice.expect_close(CloseReason::Unauthorized).await;
    let (status, who) = http(
        server.addr,
        "GET",
        "/api/session",
        &[("Authorization", &auth)],
    )
    .await;
    assert_eq!(
        (status, who.as_str()),
        (200, r#"{"signed_in":false}"#),
        "signed out is an answer, not a 401"
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
    assert!(who.contains("\"signed_in\":true"), "{who}");
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
            changes_after: None,
        })
        .await;
    mallory.expect_error(ErrorCode::NicknameMismatch).await;
    // Joining under its own name works, and bob only ever sees "mallory".
    mallory
        .send(&ClientMsg::Join {
            room: "lobby".into(),
            nickname: Some("Mallory".into()),
            after: None,
            changes_after: None,
        })
        .await;
    let joined = mallory.recv_joined().await;
    assert_eq!(joined.nickname, "mallory", "{joined:?}");
    mallory.say("lobby", "m1", "hi, it's bob").await;
    let m = bob.recv_message().await;
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
    // Once the server has seen tab1 go, its departure is queued in the room: a message sent
    // there now is delivered after any notice it would cause.
    wait_for_connections(server.addr, 2).await;
    watcher.say("lobby", "marker", "marker").await;
    let seen = watcher.until_message("lobby", "marker").await;
    let presences: Vec<_> = seen
        .into_iter()
        .filter_map(|m| Presence::pick(m).ok())
        .map(|p| (p.nickname, p.change))
        .collect();
    assert_eq!(
        presences,
        [("alice".to_string(), PresenceChange::Joined)],
        "one join, no leave while a tab stays"
    );
    drop(tab2);
    let left: Presence = watcher.recv_kind().await;
    assert_eq!(
        (left.nickname.as_str(), left.change),
        ("alice", PresenceChange::Disconnected)
    );
    server.shutdown().await.unwrap();
}

/// `POST /api/session` from a signed-in client: the JSON body and the caller's token.
async fn post_session_as(
    addr: std::net::SocketAddr,
    token: &str,
    body: serde_json::Value,
) -> (u16, String) {
    let auth = bearer(token);
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];
    http_body(addr, "POST", "/api/session", &headers, &body.to_string()).await
}

/// Whether `GET /api/session` with `token` says it is signed in.
async fn signed_in(addr: std::net::SocketAddr, token: &str) -> bool {
    let auth = bearer(token);
    let (status, who) = http(addr, "GET", "/api/session", &[("Authorization", &auth)]).await;
    assert_eq!(status, 200, "{who}");
    who.contains(r#""signed_in":true"#)
}

#[tokio::test]
async fn a_refused_switch_of_nickname_keeps_the_session_and_its_socket() {
    let server = start().await;
    let _bob = Client::connect(server.addr, "bob").await;
    let mut alice = Client::connect(server.addr, "alice").await;
    alice.join("lobby").await;
    let token = alice.token.clone();
    let (status, body) = post_session_as(
        server.addr,
        &token,
        serde_json::json!({ "nickname": "Bob" }),
    )
    .await;
    assert_eq!(status, 409, "bob's nickname is held: {body}");
    assert!(signed_in(server.addr, &token).await, "still signed in");
    alice
        .send_acked("lobby", "after-409", "still alice, still here")
        .await;
    let json = serde_json::json!({ "nickname": "alice" });
    assert_eq!(
        post_session(server.addr, json).await.0,
        409,
        "alice is still held"
    );
    // An accepted switch ends the old session after the new one exists, and closes its
    // socket at once.
    let (status, body) = post_session_as(
        server.addr,
        &token,
        serde_json::json!({ "nickname": "alicia" }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    alice.expect_close(CloseReason::Unauthorized).await;
    assert!(!signed_in(server.addr, &token).await);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_token_spelled_another_way_is_refused() {
    let server = start().await;
    let token = session(server.addr, "alice").await;
    let (id, rest) = token.split_once('.').unwrap();
    let (expires, sig) = rest.split_once('.').unwrap();
    for respelled in [
        format!("{id}.0{expires}.{sig}"),
        format!("{id}.+{expires}.{sig}"),
        format!("{id}.00{expires}.{sig}"),
    ] {
        assert!(!signed_in(server.addr, &respelled).await, "{respelled}");
        let auth = bearer(&respelled);
        let (status, head) = upgrade(server.addr, &[("Authorization", &auth)]).await;
        assert_eq!(status, 401, "{respelled}: {head}");
    }
    assert!(signed_in(server.addr, &token).await, "as issued");
    server.shutdown().await.unwrap();
}
