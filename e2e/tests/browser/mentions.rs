//! Mentions (issue 11): `@nickname` is highlighted for everyone, and a message that mentions
//! the reader stands out (and says so to screen readers). Checked with axe-core.

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
    alice.close().await.unwrap();
    bob.close().await.unwrap();
    server.shutdown().await.unwrap();
}
