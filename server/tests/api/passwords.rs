//! Passwords and the sessions they touch: setting or using a password issues a new token
//! and replaces the old session (its sockets close with 4002 `session_replaced`), changing
//! the password (`PUT /api/session/password`) ends the nickname's other sessions, and
//! signing out everywhere (`DELETE /api/sessions`) ends them all (4001).

use std::net::SocketAddr;

use serde_json::{json, Value};
use shared::CloseReason;

use crate::helpers::*;

/// A request with `token` as bearer and `body` as JSON: (status, head, parsed body or
/// `null`).
async fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Value,
) -> (u16, String, Value) {
    let auth = token.map(bearer);
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth.as_str()));
    }
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let (status, head, resp) = http_full(addr, method, path, &headers, &body).await;
    (
        status,
        head,
        serde_json::from_str(resp.trim()).unwrap_or(Value::Null),
    )
}

/// Signs in (as `token`'s session, if given); returns the status and the answer.
async fn sign_in(addr: SocketAddr, token: Option<&str>, body: Value) -> (u16, Value) {
    let (status, _, resp) = call(addr, "POST", "/api/session", token, body).await;
    (status, resp)
}

/// `PUT /api/session/password` as `token`'s session.
async fn change(addr: SocketAddr, token: &str, body: Value) -> (u16, Value) {
    let (status, _, resp) = call(addr, "PUT", "/api/session/password", Some(token), body).await;
    (status, resp)
}

/// The token of a 2xx answer.
fn token_of(status: u16, resp: &Value) -> String {
    assert!((200..300).contains(&status), "{status}: {resp}");
    resp["token"].as_str().expect("a token").to_owned()
}

/// Whether `GET /api/session` with `token` says it is signed in.
async fn signed_in(addr: SocketAddr, token: &str) -> bool {
    let (status, _, who) = call(addr, "GET", "/api/session", Some(token), Value::Null).await;
    assert_eq!(status, 200, "{who}");
    who["signed_in"] == true
}

#[tokio::test]
async fn setting_or_using_a_password_issues_a_new_token_and_replaces_the_session() {
    let server = start().await;
    let addr = server.addr;
    let mut tab = Client::connect(addr, "dana").await;
    tab.join("lobby").await;
    let planted = tab.token.clone();
    // The holder of the session adds a password: a new token, the old one is worthless.
    let with_password = json!({ "nickname": "dana", "password": "correct horse" });
    let (status, resp) = sign_in(addr, Some(&planted), with_password.clone()).await;
    let registered = token_of(status, &resp);
    assert_ne!(registered, planted, "a new token");
    tab.expect_close(CloseReason::SessionReplaced).await;
    assert!(!signed_in(addr, &planted).await, "the old token is refused");
    let (_, _, who) = call(addr, "GET", "/api/session", Some(&registered), Value::Null).await;
    assert_eq!(who["registered"], true, "{who}");
    // Signing in with the password again, from that session: a new token again.
    let mut tab = Client::reconnect(addr, &registered).await;
    let (status, resp) = sign_in(addr, Some(&registered), with_password).await;
    let proven = token_of(status, &resp);
    assert_ne!(proven, registered);
    tab.expect_close(CloseReason::SessionReplaced).await;
    assert!(!signed_in(addr, &registered).await);
    assert!(signed_in(addr, &proven).await);
    // The same nickname without a password (none needed) keeps the session.
    let mut tab = Client::reconnect(addr, &proven).await;
    let (status, resp) = sign_in(addr, Some(&proven), json!({ "nickname": "erin" })).await;
    let erin = token_of(status, &resp);
    tab.expect_close(CloseReason::Unauthorized).await;
    let (status, resp) = sign_in(addr, Some(&erin), json!({ "nickname": "Erin" })).await;
    assert_eq!(token_of(status, &resp), erin, "the same session");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn changing_the_password_replaces_this_session_and_ends_the_others() {
    let server = start().await;
    let addr = server.addr;
    let (status, _, resp) = call(
        addr,
        "PUT",
        "/api/session/password",
        None,
        json!({ "new": "first password" }),
    )
    .await;
    assert_eq!(
        (status, resp["error"].as_str()),
        (401, Some("unauthorized"))
    );
    let mut tab = Client::connect(addr, "dana").await;
    let first = tab.token.clone();
    let refused = [
        (json!({ "new": "short" }), 401, "bad_password"),
        (json!({ "new": "x".repeat(129) }), 401, "bad_password"),
        (json!({ "current": 5 }), 400, "bad_request"),
    ];
    for (body, want, code) in &refused {
        let (status, resp) = change(addr, &first, body.clone()).await;
        assert_eq!(
            (status, resp["error"].as_str()),
            (*want, Some(*code)),
            "{body}"
        );
    }
    assert!(signed_in(addr, &first).await, "refusals change nothing");
    // A first password registers the nickname, under a new session.
    let (status, resp) = change(addr, &first, json!({ "new": "first password" })).await;
    let second = token_of(status, &resp);
    assert_eq!(resp["nickname"], "dana");
    tab.expect_close(CloseReason::SessionReplaced).await;
    assert!(!signed_in(addr, &first).await);
    // Now the password is needed to change it.
    let (status, resp) = change(addr, &second, json!({ "new": "second password" })).await;
    assert_eq!(
        (status, resp["error"].as_str()),
        (401, Some("nickname_registered"))
    );
    let wrong = json!({ "current": "wrong password", "new": "second password" });
    let (status, resp) = change(addr, &second, wrong).await;
    assert_eq!(
        (status, resp["error"].as_str()),
        (401, Some("bad_password"))
    );
    // Another device signs in with it.
    let (status, resp) = sign_in(
        addr,
        None,
        json!({ "nickname": "dana", "password": "first password" }),
    )
    .await;
    let other_device = token_of(status, &resp);
    let mut device = Client::reconnect(addr, &other_device).await;
    let mut tab = Client::reconnect(addr, &second).await;
    let right = json!({ "current": "first password", "new": "second password" });
    let (status, resp) = change(addr, &second, right).await;
    let third = token_of(status, &resp);
    tab.expect_close(CloseReason::SessionReplaced).await;
    device.expect_close(CloseReason::Unauthorized).await;
    for old in [&second, &other_device] {
        assert!(!signed_in(addr, old).await);
    }
    assert!(signed_in(addr, &third).await);
    let old_password = json!({ "nickname": "dana", "password": "first password" });
    let (status, resp) = sign_in(addr, None, old_password).await;
    assert_eq!(
        (status, resp["error"].as_str()),
        (401, Some("bad_password"))
    );
    let new_password = json!({ "nickname": "dana", "password": "second password" });
    assert_eq!(sign_in(addr, None, new_password).await.0, 201);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_nickname() {
    let server = start().await;
    let addr = server.addr;
    let login = json!({ "nickname": "dana", "password": "correct horse" });
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let (status, resp) = sign_in(addr, None, login.clone()).await;
        tokens.push(token_of(status, &resp));
    }
    let mut first = Client::reconnect(addr, &tokens[0]).await;
    let mut second = Client::reconnect(addr, &tokens[1]).await;
    let mut erin = Client::connect(addr, "erin").await;
    erin.join("lobby").await;
    let (status, head, _) = call(
        addr,
        "DELETE",
        "/api/sessions",
        Some(&tokens[2]),
        Value::Null,
    )
    .await;
    assert_eq!(status, 204, "{head}");
    assert!(
        head.contains("parley_session=;"),
        "the cookie is cleared: {head}"
    );
    first.expect_close(CloseReason::Unauthorized).await;
    second.expect_close(CloseReason::Unauthorized).await;
    for token in &tokens {
        assert!(!signed_in(addr, token).await);
    }
    erin.send_acked("lobby", "e1", "someone else is unaffected")
        .await;
    assert!(signed_in(addr, &erin.token).await);
    let (status, _, resp) = call(addr, "DELETE", "/api/sessions", None, Value::Null).await;
    assert_eq!(
        (status, resp["error"].as_str()),
        (401, Some("unauthorized"))
    );
    server.shutdown().await.unwrap();
}
