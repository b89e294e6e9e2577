//! Typing indicators (issue 11): what one user types shows as "bob is typing…" for the
//! others, and goes away when the message is sent, or with no news for 6 s.

use std::time::{Duration, Instant};

use shared::ClientMsg;

use crate::helpers::*;

/// The typing line's text, trimmed.
async fn typing_line(c: &fantoccini::Client) -> String {
    let line = wait_for(c, "p.typing").await;
    line.text()
        .await
        .unwrap()
        .trim()
        .replace(['\u{2068}', '\u{2069}'], "")
}

/// Waits until the typing line reads `want`.
async fn line_reads(c: &fantoccini::Client, want: &str) {
    eventually(&format!("the typing line reads {want:?}"), || async {
        Ok((typing_line(c).await == want).then_some(()))
    })
    .await;
}

#[tokio::test]
async fn typing_shows_for_the_others_and_goes_away() {
    let server = start_server_with(|_| {}).await;
    let driver = chromedriver().await;
    let alice = browser(&driver, 1000, 700).await;
    let bob = browser(&driver, 1000, 700).await;
    enter(&alice, server.addr, "alice").await;
    enter(&bob, server.addr, "bob").await;
    wait_for(&alice, ".members li:nth-child(2)").await;
    let area = wait_for(&bob, "textarea#composer").await;
    area.send_keys("almost d").await.unwrap();
    line_reads(&alice, "bob is typing…").await;
    assert_eq!(typing_line(&bob).await, "", "nobody sees their own typing");
    area.send_keys("one\u{E007}").await.unwrap();
    wait_for_message(&alice, "bob", "almost done").await;
    line_reads(&alice, "").await;

    // Two at once; then one who never says stop is forgotten after about 6 s.
    let mut carol = Bot::connect(server.addr, "carol").await;
    carol.join(&["lobby"]).await;
    area.send_keys("again").await.unwrap();
    carol
        .send(&ClientMsg::Typing {
            room: "lobby".into(),
            typing: true,
        })
        .await;
    line_reads(&alice, "bob and carol are typing…").await;
    assert_accessible(&alice, "section.room").await;
    // Bob deletes what he typed: he stopped.
    area.send_keys(&"\u{E003}".repeat(5)).await.unwrap();
    line_reads(&alice, "carol is typing…").await;
    let since = Instant::now();
    line_reads(&alice, "").await;
    assert!(
        since.elapsed() < Duration::from_secs(9),
        "carol's typing is over within 6 s of her last news"
    );
    alice.close().await.unwrap();
    bob.close().await.unwrap();
    server.shutdown().await.unwrap();
}
