//! Two browsers chat in the lobby; text stays text; a new room is in its creator's sidebar
//! only (the others find it with "Browse rooms": see directory.rs).

use fantoccini::Locator;

use crate::helpers::*;

#[tokio::test]
async fn two_browsers_chat_and_make_rooms() {
    let server = start_server_with(|_| {}).await;
    let driver = chromedriver().await;
    let alice = browser(&driver, 1280, 800).await;
    let bob = browser(&driver, 1280, 800).await;

    enter(&alice, server.addr, "alice").await;
    enter(&bob, server.addr, "bob").await;

    // Presence: alice sees bob arrive, as a member and as a notice.
    eventually("bob in alice's member list", || async {
        Ok(texts(&alice, ".members li")
            .await?
            .iter()
            .any(|t| t.starts_with("bob"))
            .then_some(()))
    })
    .await;
    wait_for(&alice, ".messages .notice").await;

    say(&alice, "Hi Bob! Welcome to Parley.").await;
    wait_for_message(&bob, "alice", "Hi Bob! Welcome to Parley.").await;
    say(&bob, "Thanks Alice, this is fast.").await;
    wait_for_message(&alice, "bob", "Thanks Alice, this is fast.").await;

    // Own messages show once (ack and broadcast copy are the same message).
    let alice_view = messages(&alice).await.unwrap();
    let mine = alice_view
        .iter()
        .filter(|(_, t)| t == "Hi Bob! Welcome to Parley.")
        .count();
    assert_eq!(mine, 1, "{alice_view:?}");

    // HTML is shown as text, never run.
    let xss = "<img src=x onerror=alert(1)>";
    say(&alice, xss).await;
    wait_for_message(&bob, "alice", xss).await;
    assert!(bob
        .find_all(Locator::Css(".messages img"))
        .await
        .unwrap()
        .is_empty());
    assert!(bob.get_alert_text().await.is_err(), "no alert opened");

    // Shift+Enter adds a line instead of sending.
    let area = wait_for(&bob, "textarea#composer").await;
    area.send_keys("two\u{E008}\u{E007}\u{E008}lines")
        .await
        .unwrap();
    area.send_keys("\u{E007}").await.unwrap();
    wait_for_message(&alice, "bob", "two\nlines").await;

    // A room created by alice is in her sidebar, not in bob's.
    let new_room = alice.find(Locator::Css("input#new-room")).await.unwrap();
    let label = alice
        .find(Locator::Css("label[for=new-room]"))
        .await
        .unwrap();
    assert_eq!(
        label.prop("textContent").await.unwrap().as_deref(),
        Some("New room")
    );
    new_room.send_keys("gardening\u{E007}").await.unwrap();
    eventually("gardening in alice's sidebar", || async {
        Ok(texts(&alice, ".sidebar .room-link.joined .name")
            .await?
            .iter()
            .any(|t| t == "gardening")
            .then_some(()))
    })
    .await;
    assert_eq!(
        texts(&bob, ".sidebar .room-link .name").await.unwrap(),
        ["lobby"]
    );
    // Alice is now in #gardening; bob's lobby message counts as unread there.
    wait_for(&alice, ".room-header h2").await;
    in_view(&alice, "gardening").await;
    say(&bob, "Anyone into tomatoes?").await;
    eventually("an unread badge on alice's lobby", || async {
        Ok(texts(&alice, ".room-link .badge")
            .await?
            .iter()
            .any(|t| t == "1")
            .then_some(()))
    })
    .await;

    // Back to the lobby for the screenshot of two users chatting.
    alice
        .find(Locator::XPath(
            "//button[contains(@class,'room-link')][.//span[@class='name'][.='lobby']]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_message(&alice, "bob", "Anyone into tomatoes?").await;
    // The README's picture is refreshed only on request, so a test run leaves the tree clean.
    let png = alice.screenshot().await.unwrap();
    let out = if std::env::var_os("PARLEY_UPDATE_SCREENSHOT").is_some() {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshot.png")
    } else {
        std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshot.png")
    };
    std::fs::write(&out, png).unwrap();

    alice.close().await.unwrap();
    bob.close().await.unwrap();
    server.shutdown().await.unwrap();
}
