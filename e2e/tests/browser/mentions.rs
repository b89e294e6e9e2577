//! Mentions (issue 11): `@nickname` is highlighted for everyone, and a message that mentions
//! the reader stands out (and says so to screen readers); in another room, the sidebar
//! counts mentions apart from unread messages and the page title counts them. Checked with
//! axe-core.

use fantoccini::Locator;

use crate::helpers::*;

#[tokio::test]
async fn a_mention_is_highlighted_and_the_message_stands_out_for_its_person() {
    let server = start_server_with(|_| {}).await;
    let driver = chromedriver().await;
    let alice = browser(&driver, 1000, 700).await;
    let bob = browser(&driver, 1000, 700).await;
    enter(&alice, server.addr, "alice").await;
    enter(&bob, server.addr, "bob").await;
    wait_for(&bob, ".members li:nth-child(2)").await;
    say(&bob, "lunch, @Alice?").await;
    wait_for_message(&alice, "bob", "lunch, @Alice?").await;

    let line = wait_for(&alice, ".messages li.msg.mentions-me").await;
    let mention = line.find(Locator::Css(".mention.of-me")).await.unwrap();
    assert_eq!(mention.text().await.unwrap(), "@Alice");
    assert!(line.text().await.unwrap().contains("lunch"));
    assert_accessible(&alice, ".messages").await;

    // The sender sees the mention highlighted, and its own message is not "for me".
    wait_for_message(&bob, "bob", "lunch, @Alice?").await;
    wait_for(&bob, ".messages li.msg.mine .mention").await;
    assert!(bob
        .find_all(Locator::Css(".messages li.mentions-me"))
        .await
        .unwrap()
        .is_empty());

    // Elsewhere: the lobby's entry shows the mention apart from the unread count, and the
    // page title counts it; viewing the lobby clears both.
    let new_room = alice.find(Locator::Css("input#new-room")).await.unwrap();
    new_room.send_keys("garden\u{E007}").await.unwrap();
    in_view(&alice, "garden").await;
    say(&bob, "no mention here").await;
    say(&bob, "@alice, the lobby needs you").await;
    let badge = wait_for(&alice, ".room-link .badge.mentions").await;
    eventually("one mention, two unread", || async {
        let label = badge.attr("aria-label").await?;
        Ok((label.as_deref() == Some("1 mention, 2 unread")).then_some(()))
    })
    .await;
    assert_eq!(badge.text().await.unwrap(), "1");
    assert_eq!(alice.title().await.unwrap(), "(1) Parley");
    assert_accessible(&alice, "nav.sidebar").await;
    open_room(&alice, "lobby").await;
    eventually("the title without mentions", || async {
        Ok((alice.title().await? == "Parley").then_some(()))
    })
    .await;
    assert!(alice
        .find_all(Locator::Css(".room-link .badge.mentions"))
        .await
        .unwrap()
        .is_empty());

    alice.close().await.unwrap();
    bob.close().await.unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_composer_offers_members_after_an_at_from_the_keyboard() {
    let server = start_server_with(|_| {}).await;
    let mut bob = Bot::connect(server.addr, "bob").await;
    bob.join(&["lobby"]).await;
    let mut bea = Bot::connect(server.addr, "Bea").await;
    bea.join(&["lobby"]).await;
    let driver = chromedriver().await;
    let c = browser(&driver, 1000, 700).await;
    enter(&c, server.addr, "alice").await;
    eventually("three members", || async {
        Ok((texts(&c, ".members li").await?.len() == 3).then_some(()))
    })
    .await;
    let area = wait_for(&c, "textarea#composer").await;
    area.send_keys("lunch @b").await.unwrap();
    wait_for(&c, "#mention-options[role=listbox]").await;
    assert_eq!(
        texts(&c, "#mention-options [role=option]").await.unwrap(),
        ["Bea", "bob"]
    );
    assert_eq!(
        area.attr("aria-activedescendant").await.unwrap().as_deref(),
        Some("mention-option-0")
    );
    assert_accessible(&c, "form.composer").await;
    // ↓ moves to bob, Tab picks him; the list closes and the text reads "@bob ".
    area.send_keys("\u{E015}").await.unwrap();
    eventually("bob selected", || async {
        let selected = c
            .find(Locator::Css("#mention-option-1"))
            .await?
            .attr("aria-selected")
            .await?;
        Ok((selected.as_deref() == Some("true")).then_some(()))
    })
    .await;
    area.send_keys("\u{E004}").await.unwrap();
    assert_eq!(
        area.prop("value").await.unwrap().as_deref(),
        Some("lunch @bob ")
    );
    list_closed(&c).await;
    // Esc closes the list without picking; Enter then sends as usual.
    area.send_keys("and @B").await.unwrap();
    wait_for(&c, "#mention-options").await;
    area.send_keys("\u{E00C}").await.unwrap();
    list_closed(&c).await;
    area.send_keys("\u{E007}").await.unwrap();
    wait_for_message(&c, "alice", "lunch @bob and @B").await;
    c.close().await.unwrap();
    server.shutdown().await.unwrap();
}

/// Waits until the mention list is gone.
async fn list_closed(c: &fantoccini::Client) {
    eventually("the mention list closed", || async {
        Ok(c.find_all(Locator::Css("#mention-options"))
            .await?
            .is_empty()
            .then_some(()))
    })
    .await;
}
