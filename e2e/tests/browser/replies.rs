//! Replies (issue 19): "Reply" on a message (from the keyboard) shows what is answered above
//! the composer, Esc or "Cancel" drops it, and the sent answer shows the quote for everyone,
//! live; the quote is a button that brings the original into view and gives it the focus,
//! asking for the page around it first when the original is not loaded.

use fantoccini::{Client, Locator};
use shared::{ClientMsg, Seq};

use crate::helpers::*;

/// The quote's text (author and snippet) of the message whose text is `text`.
async fn quote_of(c: &Client, text: &str) -> String {
    eventually(&format!("the quote on {text:?}"), || async {
        for li in c.find_all(Locator::Css(".messages li.msg")).await? {
            let body = li.find(Locator::Css(".text")).await?.text().await?;
            if body == text {
                if let Ok(q) = li.find(Locator::Css(".reply-quote")).await {
                    return Ok(Some(q.text().await?));
                }
            }
        }
        Ok(None)
    })
    .await
}

/// Gives the focus to the element matching `css`, as Tab would, and presses Enter.
async fn press_enter_on(c: &Client, css: &str) {
    wait_for(c, css).await;
    c.execute(
        "document.querySelector(arguments[0]).focus()",
        vec![serde_json::json!(css)],
    )
    .await
    .unwrap();
    c.active_element()
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_reply_quotes_its_original_live_and_the_quote_brings_the_original_back() {
    let server = start_server_with(|_| {}).await;
    let mut carol = Bot::connect(server.addr, "carol").await;
    carol.join(&["lobby"]).await;
    // 60 messages: more than the first page a join brings (50).
    carol
        .fill("lobby", 60, |i| format!("old message {}", i + 1))
        .await;
    let driver = chromedriver().await;
    let alice = browser(&driver, 1200, 800).await;
    let bob = browser(&driver, 1200, 800).await;
    enter(&alice, server.addr, "alice").await;
    enter(&bob, server.addr, "bob").await;
    say(&alice, "lunch at noon?").await;
    wait_for_message(&bob, "alice", "lunch at noon?").await;

    // Bob answers from the keyboard: focus the message's Reply (it shows once focused),
    // Enter, type, Enter.
    press_enter_on(&bob, "button[aria-label='Reply to alice']").await;
    let bar = wait_for(&bob, "#composer-replying").await;
    assert!(bar.text().await.unwrap().contains("lunch at noon?"));
    assert!(
        focused(&bob).await.starts_with("#composer."),
        "the composer has the focus"
    );
    // Esc drops the reply; Reply again, and send.
    bob.active_element()
        .await
        .unwrap()
        .send_keys("\u{E00C}")
        .await
        .unwrap();
    eventually("the reply dropped", || async {
        Ok(bob
            .find_all(Locator::Css("#composer-replying"))
            .await?
            .is_empty()
            .then_some(()))
    })
    .await;
    press_enter_on(&bob, "button[aria-label='Reply to alice']").await;
    wait_for(&bob, "#composer-replying").await;
    say(&bob, "yes!").await;
    for c in [&alice, &bob] {
        let quote = quote_of(c, "yes!").await;
        assert!(
            quote.contains("alice") && quote.contains("lunch at noon?"),
            "{quote}"
        );
    }
    assert!(
        bob.find_all(Locator::Css("#composer-replying"))
            .await
            .unwrap()
            .is_empty(),
        "sent: the reply is done"
    );

    // A reply to the very first message, which nobody has loaded: its quote loads the
    // page around the original (one `around` request), and focuses it.
    carol
        .send(&ClientMsg::Send {
            room: "lobby".into(),
            client_id: "c-reply".into(),
            text: "about the first one".into(),
            reply_to: Some(Seq(1)),
        })
        .await;
    let quote = quote_of(&alice, "about the first one").await;
    assert!(quote.contains("old message 1"), "{quote}");
    assert!(!seqs(&alice).await.contains(&1), "not loaded yet");
    let button = eventually("the quote button", || async {
        for li in alice.find_all(Locator::Css(".messages li.msg")).await? {
            if li.find(Locator::Css(".text")).await?.text().await? == "about the first one" {
                return Ok(Some(li.find(Locator::Css(".reply-quote")).await?));
            }
        }
        Ok(None)
    })
    .await;
    button.click().await.unwrap();
    eventually("the original focused", || async {
        let seq = alice
            .execute("return document.activeElement.dataset.seq || null", vec![])
            .await?;
        Ok((seq.as_str() == Some("1")).then_some(()))
    })
    .await;
    assert_accessible(&alice, "body").await;
    alice.close().await.unwrap();
    bob.close().await.unwrap();
    server.shutdown().await.unwrap();
}
