//! Reactions (issue 19): "Add reaction" opens a picker (focus inside; Escape closes it and
//! gives the focus back), a quick emoji or one typed in "Other emoji" adds a reaction, and
//! everyone sees the chip live: a toggle button, pressed for whoever's own it is, named with
//! the count and who reacted (the first three; "Who reacted" lists everyone). Pressing it
//! again takes the reaction back. A react sent twice under one client id (a retry) counts
//! once.

use fantoccini::{elements::Element, Client, Locator};
use shared::{ClientMsg, Seq, ServerMsg};

use crate::helpers::*;

/// The message whose text is `text`.
async fn message_li(c: &Client, text: &str) -> Element {
    eventually(&format!("the message {text:?}"), || async {
        for li in c.find_all(Locator::Css(".messages li.msg")).await? {
            if li.find(Locator::Css(".text")).await?.text().await? == text {
                return Ok(Some(li));
            }
        }
        Ok(None)
    })
    .await
}

/// The chips of the message `text`: (accessible name, pressed), in order.
async fn chips(c: &Client, text: &str) -> Vec<(String, bool)> {
    let li = message_li(c, text).await;
    let mut out = Vec::new();
    for b in li
        .find_all(Locator::Css(".reactions button"))
        .await
        .unwrap_or_default()
    {
        let name = b.attr("aria-label").await.unwrap().unwrap_or_default();
        let pressed = b.attr("aria-pressed").await.unwrap();
        out.push((name, pressed.as_deref() == Some("true")));
    }
    out
}

/// Waits until the chips of message `text` are `want`.
async fn chips_become(c: &Client, text: &str, want: &[(&str, bool)]) {
    let want: Vec<(String, bool)> = want.iter().map(|(n, p)| ((*n).into(), *p)).collect();
    eventually(&format!("the chips of {text:?} to be {want:?}"), || async {
        Ok((chips(c, text).await == want).then_some(()))
    })
    .await;
}

/// Presses a key on the focused element.
async fn key(c: &Client, k: &str) {
    c.active_element()
        .await
        .unwrap()
        .send_keys(k)
        .await
        .unwrap();
}

/// The focused element's accessible name (aria-label, else its text).
async fn focused_name(c: &Client) -> String {
    let v = c
        .execute(
            "const e = document.activeElement; return e.getAttribute('aria-label') || e.textContent;",
            vec![],
        )
        .await
        .unwrap();
    v.as_str().unwrap_or_default().to_owned()
}

const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";

#[tokio::test]
async fn reactions_show_live_for_everyone_from_the_keyboard_and_a_retry_counts_once() {
    let server = start_server_with(|_| {}).await;
    let driver = chromedriver().await;
    let alice = browser(&driver, 1200, 800).await;
    let bob = browser(&driver, 1200, 800).await;
    enter(&alice, server.addr, "alice").await;
    enter(&bob, server.addr, "bob").await;
    say(&alice, "pizza tonight?").await;
    wait_for_message(&bob, "alice", "pizza tonight?").await;

    // Bob, from the keyboard: focus "Add reaction", Enter opens the picker with the focus
    // on its first emoji; Escape closes it and the focus goes back.
    let add = "button[aria-label=\"Add reaction to alice's message\"]";
    wait_for(&bob, add).await;
    let focus_add = format!("document.querySelector({add:?}).focus()");
    bob.execute(&focus_add, vec![]).await.unwrap();
    key(&bob, ENTER).await;
    wait_for(&bob, ".picker").await;
    assert_eq!(focused_name(&bob).await, "👍", "the focus is in the picker");
    assert_accessible_in_both_schemes(&bob, ".messages").await;
    key(&bob, ESCAPE).await;
    eventually("the picker closed", || async {
        Ok(bob
            .find_all(Locator::Css(".picker"))
            .await?
            .is_empty()
            .then_some(()))
    })
    .await;
    assert_eq!(focused_name(&bob).await, "Add reaction to alice's message");
    // Again, and Enter on 👍.
    key(&bob, ENTER).await;
    wait_for(&bob, ".picker").await;
    key(&bob, ENTER).await;
    chips_become(&bob, "pizza tonight?", &[("👍 1: bob", true)]).await;
    chips_become(&alice, "pizza tonight?", &[("👍 1: bob", false)]).await;
    assert_eq!(focused_name(&bob).await, "Add reaction to alice's message");

    // Alice joins in by pressing the chip, and adds one of her own through "Other emoji"
    // (which first refuses what is not one emoji).
    let li = message_li(&alice, "pizza tonight?").await;
    li.find(Locator::Css(".reactions button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    chips_become(&bob, "pizza tonight?", &[("👍 2: bob, alice", true)]).await;
    chips_become(&alice, "pizza tonight?", &[("👍 2: bob, alice", true)]).await;
    let li = message_li(&alice, "pizza tonight?").await;
    li.find(Locator::Css(".msg-actions button[aria-expanded]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let other = wait_for(&alice, ".picker input").await;
    other.send_keys(&format!("yum{ENTER}")).await.unwrap();
    let why = wait_for(&alice, ".picker .error").await;
    eventually("the refusal said", || async {
        Ok((why.text().await? == "That is not one emoji.").then_some(()))
    })
    .await;
    assert_eq!(
        other.attr("aria-invalid").await.unwrap().as_deref(),
        Some("true")
    );
    // ChromeDriver types only the Basic Multilingual Plane: the emoji is pasted in by script.
    alice
        .execute(
            "document.querySelector('.picker input').value = arguments[0]",
            vec![serde_json::json!("🍕")],
        )
        .await
        .unwrap();
    other.send_keys(ENTER).await.unwrap();
    let both = [("👍 2: bob, alice", false), ("🍕 1: alice", false)];
    chips_become(&bob, "pizza tonight?", &[(both[0].0, true), both[1]]).await;
    chips_become(
        &alice,
        "pizza tonight?",
        &[(both[0].0, true), (both[1].0, true)],
    )
    .await;

    // Bob takes his 👍 back by pressing his chip.
    let li = message_li(&bob, "pizza tonight?").await;
    li.find(Locator::Css(".reactions [aria-pressed='true']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let after = [("👍 1: alice", true), ("🍕 1: alice", true)];
    chips_become(&alice, "pizza tonight?", &after).await;
    chips_become(&bob, "pizza tonight?", &after.map(|(n, _)| (n, false))).await;

    // A retry: carol sends the same react twice (one client id); it counts once, and the
    // second answer says nothing changed.
    let mut carol = Bot::connect(server.addr, "carol").await;
    carol.join(&["lobby"]).await;
    let react = ClientMsg::React {
        room: "lobby".into(),
        seq: Seq(1),
        emoji: "🍕".into(),
        client_id: "carol-1".into(),
        remove: false,
    };
    carol.send(&react).await;
    carol.send(&react).await;
    carol
        .until(1, |m| matches!(m, ServerMsg::Reacted { changed: true, .. }))
        .await;
    carol
        .until(1, |m| {
            matches!(m, ServerMsg::Reacted { changed: false, .. })
        })
        .await;
    chips_become(
        &alice,
        "pizza tonight?",
        &[("👍 1: alice", true), ("🍕 2: alice, carol", true)],
    )
    .await;
    // Two more: the chip names three, and "Who reacted" asks for everyone.
    for nick in ["dave", "erin"] {
        let mut bot = Bot::connect(server.addr, nick).await;
        bot.join(&["lobby"]).await;
        bot.send(&ClientMsg::React {
            room: "lobby".into(),
            seq: Seq(1),
            emoji: "🍕".into(),
            client_id: format!("{nick}-1"),
            remove: false,
        })
        .await;
        bot.until(1, |m| matches!(m, ServerMsg::Reacted { changed: true, .. }))
            .await;
    }
    let pizza = "🍕 4: alice, carol, dave and 1 other";
    chips_become(
        &alice,
        "pizza tonight?",
        &[("👍 1: alice", true), (pizza, true)],
    )
    .await;
    let li = message_li(&alice, "pizza tonight?").await;
    li.find(Locator::Css(".who-reacted summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    eventually("everyone who reacted listed", || async {
        let lines = texts(&alice, ".who-reacted li").await?;
        Ok((lines == ["🍕 alice, carol, dave, erin"]).then_some(()))
    })
    .await;
    assert_accessible_in_both_schemes(&alice, ".messages").await;

    // After a reload the chips (and which are her own) come back from history.
    alice.refresh().await.unwrap();
    chips_become(
        &alice,
        "pizza tonight?",
        &[("👍 1: alice", true), (pizza, true)],
    )
    .await;
    alice.close().await.unwrap();
    bob.close().await.unwrap();
    server.shutdown().await.unwrap();
}
