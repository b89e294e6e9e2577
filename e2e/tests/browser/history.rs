//! Scrolling up loads older pages until the first message of the room.

use shared::{ClientMsg, ServerMsg};

use crate::helpers::*;

/// Fills `room` with `n` messages ("m1" …) through a WebSocket client.
async fn seed(addr: std::net::SocketAddr, room: &str, n: usize) {
    let mut bot = Bot::connect(addr, "archivist").await;
    bot.join(&[room]).await;
    for i in 1..=n {
        let send = ClientMsg::Send {
            room: room.into(),
            client_id: format!("s{i}"),
            text: format!("m{i}"),
            reply_to: None,
        };
        bot.send(&send).await;
    }
    bot.until(n, |m| matches!(m, ServerMsg::Ack { .. })).await;
}

#[tokio::test]
async fn scrolling_up_reaches_the_first_message_of_a_long_room() {
    let server = start_server_with(|_| {}).await;
    seed(server.addr, "archive", 300).await;
    let driver = chromedriver().await;
    let c = browser(&driver, 1000, 700).await;
    c.goto(&format!("http://{}/r/archive", server.addr))
        .await
        .unwrap();
    enter_here(&c, "reader").await;
    wait_for_message(&c, "archivist", "m300").await;
    assert!(
        messages(&c).await.unwrap().len() < 300,
        "only the latest page at first"
    );

    eventually("the start of #archive", || async {
        if c.find_all(fantoccini::Locator::Css(".history-edge.start"))
            .await?
            .is_empty()
        {
            c.execute("document.querySelector('.messages').scrollTop = 0;", vec![])
                .await?;
            return Ok(None);
        }
        Ok(Some(()))
    })
    .await;
    let shown: Vec<String> = message_texts(&c).await;
    assert_eq!(
        shown,
        (1..=300).map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
    assert_eq!(seqs(&c).await, (1..=300).collect::<Vec<u64>>());
    c.close().await.unwrap();
    server.shutdown().await.unwrap();
}
