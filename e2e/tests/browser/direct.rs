//! Direct messages (issue 11): "Message bob" in the member list opens a conversation of two,
//! listed under "Direct messages"; bob gets it live, counted as a mention; a third user sees
//! nothing of it. Checked with axe-core.

use fantoccini::{Client, Locator};

use crate::helpers::*;

/// The sidebar's "Direct messages" entries (the other person's names).
async fn directs(c: &Client) -> Vec<String> {
    texts(c, "ul.directs .room-link .name").await.unwrap()
}

#[tokio::test]
async fn a_direct_message_reaches_its_person_and_a_third_user_sees_nothing() {
    let server = start_server_with(|_| {}).await;
    let driver = chromedriver().await;
    let alice = browser(&driver, 1000, 700).await;
    let bob = browser(&driver, 1000, 700).await;
    let carol = browser(&driver, 1000, 700).await;
    enter(&alice, server.addr, "alice").await;
    enter(&bob, server.addr, "bob").await;
    enter(&carol, server.addr, "carol").await;
    wait_for(&alice, ".members li:nth-child(3)").await;
    assert_accessible(&alice, "aside.members").await;

    let message_bob = wait_for(&alice, "button[aria-label='Message bob']").await;
    message_bob.click().await.unwrap();
    eventually("the conversation with bob in view", || async {
        let h2 = alice
            .find(Locator::Css(".room-header h2"))
            .await?
            .text()
            .await?;
        Ok((h2 == "@bob").then_some(()))
    })
    .await;
    assert_eq!(directs(&alice).await, ["bob"]);
    wait_for(&alice, "textarea#composer:not([disabled])").await;
    say(&alice, "just between us").await;
    wait_for_message(&alice, "alice", "just between us").await;

    // Bob: the conversation is listed, its message counted as a mention.
    eventually("bob's conversation with alice", || async {
        Ok((directs(&bob).await == ["alice"]).then_some(()))
    })
    .await;
    eventually("one mention", || async {
        let badge = bob.find(Locator::Css("ul.directs .badge.mentions")).await?;
        let label = badge.attr("aria-label").await?;
        Ok((label.as_deref() == Some("1 mention, 1 unread")).then_some(()))
    })
    .await;
    assert_accessible(&bob, "nav.sidebar").await;
    bob.find(Locator::Css("ul.directs .room-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_message(&bob, "alice", "just between us").await;

    // Carol: no conversation, and not a word of it.
    assert!(directs(&carol).await.is_empty());
    assert!(!message_texts(&carol)
        .await
        .iter()
        .any(|t| t.contains("between us")));

    for c in [alice, bob, carol] {
        c.close().await.unwrap();
    }
    server.shutdown().await.unwrap();
}
