//! Read state on every device (issue 11): one user on two browsers (a registered nickname,
//! signed in on both). Reading a room on one clears its badge on the other; a reload starts
//! with the server's counts; a room opened with unread messages shows a "New" divider at the
//! first of them. Checked with axe-core.

use fantoccini::{Client, Locator};
use shared::ClientMsg;

use crate::helpers::*;

const PASSWORD: &str = "a long password";

/// Signs in as `nick` with [`PASSWORD`] (registering it the first time).
async fn enter_registered(c: &Client, addr: std::net::SocketAddr, nick: &str) {
    c.goto(&format!("http://{addr}/")).await.unwrap();
    wait_for(c, "input#nickname").await;
    c.find(Locator::Css("input#password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    submit_nickname(c, nick).await;
    wait_for(c, "textarea#composer:not([disabled])").await;
    wait_for(c, ".banner[data-status=connected]").await;
}

/// The lobby's badge in the sidebar: its accessible name, or None without one (an error
/// when the sidebar changed under the question: ask again).
async fn lobby_badge(c: &Client) -> Result<Option<String>, fantoccini::error::CmdError> {
    let badges = c
        .find_all(Locator::XPath(
            "//button[contains(@class,'room-link')][.//bdi[text()='lobby']]//span[contains(@class,'badge')]",
        ))
        .await?;
    match badges.first() {
        Some(b) => b.attr("aria-label").await,
        None => Ok(None),
    }
}

/// Waits until the lobby's badge reads `want`.
async fn badge_reads(c: &Client, want: Option<&str>) {
    eventually(&format!("the lobby's badge reads {want:?}"), || async {
        Ok((lobby_badge(c).await?.as_deref() == want).then_some(()))
    })
    .await;
}

async fn bob_says(bob: &mut Bot, n: &mut u32, text: &str) {
    *n += 1;
    bob.send(&ClientMsg::Send {
        room: "lobby".into(),
        client_id: format!("b{n}"),
        text: text.into(),
        reply_to: None,
    })
    .await;
}

#[tokio::test]
async fn reading_on_one_device_clears_the_badge_on_the_other_and_a_reload_keeps_it() {
    let server = start_server_with(|_| {}).await;
    let mut bob = Bot::connect(server.addr, "bob").await;
    bob.join(&["lobby"]).await;
    let mut said = 0;
    let driver = chromedriver().await;
    let laptop = browser(&driver, 1000, 700).await;
    let phone = browser(&driver, 1000, 700).await;
    enter_registered(&laptop, server.addr, "alice").await;
    enter_registered(&phone, server.addr, "alice").await;
    go_to_room(&laptop, "garden").await;
    go_to_room(&phone, "garden").await;

    // Both look at #garden: both count the lobby's news.
    bob_says(&mut bob, &mut said, "one").await;
    bob_says(&mut bob, &mut said, "two @alice").await;
    badge_reads(&laptop, Some("1 mention, 2 unread")).await;
    badge_reads(&phone, Some("1 mention, 2 unread")).await;

    // A reload starts with the server's counts.
    phone.refresh().await.unwrap();
    wait_for(&phone, ".banner[data-status=connected]").await;
    badge_reads(&phone, Some("1 mention, 2 unread")).await;
    eventually("the phone's title counts the mention", || async {
        Ok((phone.title().await? == "(1) Parley").then_some(()))
    })
    .await;

    // The laptop opens the lobby: the "New" divider is before "one", and reading it there
    // clears the phone's badge.
    open_room(&laptop, "lobby").await;
    let after_divider = wait_for(&laptop, ".messages li.new-divider + li.msg .text").await;
    assert_eq!(after_divider.text().await.unwrap(), "one");
    let said = wait_for(&laptop, ".messages li.new-divider .sr-only").await;
    assert_eq!(
        said.prop("textContent").await.unwrap().as_deref(),
        Some("New messages")
    );
    assert_accessible(&laptop, ".messages").await;
    badge_reads(&phone, None).await;
    eventually("the phone's title without mentions", || async {
        Ok((phone.title().await? == "Parley").then_some(()))
    })
    .await;

    laptop.close().await.unwrap();
    phone.close().await.unwrap();
    server.shutdown().await.unwrap();
}
