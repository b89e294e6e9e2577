//! The publish API in a real browser (issue 11): a service posts into the room alice is
//! reading, and the message appears live, from the key's name, marked "bot" (also for a
//! reader who holds that very nickname: it is never shown as their own). Checked with
//! axe-core.

use fantoccini::Locator;

use crate::helpers::*;

#[tokio::test]
async fn a_published_message_appears_live_marked_as_a_bots() {
    let server = start_server_with(|_| {}).await;
    let key = parley_server::api_keys::generate();
    let hash = parley_server::api_keys::hash(&key);
    let store = server.state.hub.store();
    assert!(store.create_api_key("ci", &hash, 0).await.unwrap());

    let driver = chromedriver().await;
    let c = browser(&driver, 1000, 700).await;
    // The reader is named like the key: the bot's message must still not read as hers.
    enter(&c, server.addr, "ci").await;
    wait_for(&c, "textarea#composer").await;
    let auth = format!("Bearer {key}");
    let body = serde_json::json!({"text": "deployed v1.4.2", "client_id": "deploy-1"});
    let (status, answer) = loadgen::post_json(
        server.addr,
        "/api/rooms/lobby/messages",
        &[("Authorization", &auth)],
        &body,
    )
    .await
    .unwrap();
    assert_eq!(status, 201, "{answer}");
    wait_for_message(&c, "ci", "deployed v1.4.2").await;
    let line = wait_for(&c, ".messages li.msg.bot").await;
    let badge = line.find(Locator::Css(".bot-badge")).await.unwrap();
    assert_eq!(badge.text().await.unwrap().to_lowercase(), "bot");
    assert!(
        c.find_all(Locator::Css(".messages li.msg.bot.mine"))
            .await
            .unwrap()
            .is_empty(),
        "a bot's message is never the reader's own"
    );
    assert_accessible(&c, ".messages").await;
    c.close().await.unwrap();
    server.shutdown().await.unwrap();
}
