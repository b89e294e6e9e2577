//! The account panel: change the password from the chat (the page stays in the chat, on a
//! new session, and keeps chatting), then sign out everywhere (every session of the
//! nickname ends, and the page goes back to the nickname screen). All from the keyboard.

use std::net::SocketAddr;

use fantoccini::key::Key;
use fantoccini::{Client, Locator};

use crate::helpers::*;

/// The status code of a plain HTTP request.
async fn status(addr: SocketAddr, method: &str, path: &str, headers: &str, body: &str) -> u16 {
    request(addr, method, path, headers, body).await.0
}

/// Whether `GET /api/session` with these headers says it is signed in (it answers 200
/// either way).
async fn signed_in(addr: SocketAddr, headers: &str) -> bool {
    let (code, body) = request(addr, "GET", "/api/session", headers, "").await;
    assert_eq!(code, 200, "{body}");
    body.contains(r#""signed_in":true"#)
}

/// The page's session cookie, as a `Cookie:` header line.
async fn cookie_header(c: &Client) -> String {
    let cookie = c.get_named_cookie("parley_session").await.unwrap();
    format!("Cookie: parley_session={}\r\n", cookie.value())
}

/// Moves the focus to the next element, as the Tab key does.
async fn tab(c: &Client) {
    c.active_element()
        .await
        .unwrap()
        .send_keys(&Key::Tab.to_string())
        .await
        .unwrap();
}

/// The id of the element that has the focus.
async fn focused_id(c: &Client) -> String {
    let el = c.active_element().await.unwrap();
    el.attr("id").await.unwrap().unwrap_or_default()
}

#[tokio::test]
async fn the_password_is_changed_and_every_session_ended_from_the_account_panel() {
    let server = start_server_with(|_| {}).await;
    let driver = chromedriver().await;
    let c = browser(&driver, 1000, 700).await;
    enter(&c, server.addr, "gina").await;
    let before = cookie_header(&c).await;

    // Open the panel from the keyboard: focus its summary, press Enter.
    let summary = wait_for(&c, "details.account summary").await;
    assert_eq!(summary.text().await.unwrap(), "Account");
    summary.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_for(&c, "details.account[open]").await;
    tab(&c).await;
    assert_eq!(
        focused_id(&c).await,
        "current-password",
        "Tab reaches the form"
    );
    for (id, label) in [
        ("current-password", "Current password"),
        ("new-password", "New password"),
    ] {
        let el = c
            .find(Locator::Css(&format!("label[for={id}]")))
            .await
            .unwrap();
        assert_eq!(el.text().await.unwrap(), label);
    }
    tab(&c).await;
    let new = c.active_element().await.unwrap();
    assert_eq!(
        new.attr("id").await.unwrap().as_deref(),
        Some("new-password")
    );
    new.send_keys(&format!("first password{}", Key::Enter))
        .await
        .unwrap();
    let done = wait_for(&c, "#account-status:not(:empty)").await;
    assert_eq!(done.text().await.unwrap(), "Password changed.");

    // A new session: the old cookie is refused, the page reconnected with the new one and
    // keeps chatting.
    let after = cookie_header(&c).await;
    assert_ne!(after, before, "a new token");
    assert!(!signed_in(server.addr, &before).await, "the old cookie");
    wait_for(&c, ".banner[data-status=connected]").await;
    say(&c, "still here").await;
    wait_for_message(&c, "gina", "still here").await;
    let bare = r#"{"nickname":"gina"}"#;
    assert_eq!(
        status(server.addr, "POST", "/api/session", "", bare).await,
        401,
        "gina is registered now"
    );

    // Another device signs in; signing out everywhere ends it too.
    let login = r#"{"nickname":"gina","password":"first password"}"#;
    let (code, body) = request(server.addr, "POST", "/api/session", "", login).await;
    assert_eq!(code, 201, "{body}");
    let device: serde_json::Value = serde_json::from_str(body.trim()).unwrap();
    let device = format!(
        "Authorization: Bearer {}\r\n",
        device["token"].as_str().unwrap()
    );
    assert!(signed_in(server.addr, &device).await, "the other device");
    let everywhere = c
        .find(Locator::XPath(
            "//button[normalize-space()='Sign out everywhere']",
        ))
        .await
        .unwrap();
    everywhere.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_for(&c, "input#nickname").await;
    for ended in [&after, &device] {
        assert!(!signed_in(server.addr, ended).await);
    }
    assert_eq!(
        status(server.addr, "POST", "/api/session", "", login).await,
        201,
        "the password still works: only the sessions ended"
    );
    c.close().await.unwrap();
    server.shutdown().await.unwrap();
}
