//! Message floods: over the message rate a client gets `slow_down`, then close 4009, while
//! everyone else keeps chatting.

use shared::{CloseReason, ErrorCode, ServerMsg};

use crate::helpers::*;

#[tokio::test]
async fn a_flood_gets_slow_down_then_a_close_while_others_are_unaffected() {
    let server = start_with(|c| {
        c.limits.message_rate = 5.0;
        c.limits.message_burst = 10.0;
    })
    .await;
    let mut calm = Client::connect(server.addr, "calm").await;
    calm.join("lobby").await;
    let mut flood = Client::connect(server.addr, "flood").await;
    flood.join("lobby").await;
    for i in 0..100 {
        flood.say("lobby", &format!("f{i}"), "spam").await;
    }
    let mut slow_downs = 0;
    let code = loop {
        match tokio::time::timeout(WAIT, futures_util::StreamExt::next(&mut flood.ws))
            .await
            .unwrap()
        {
            Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t))) => {
                if let Ok(ServerMsg::Error {
                    code: ErrorCode::SlowDown,
                    client_id,
                    ..
                }) = serde_json::from_str(t.as_str())
                {
                    assert!(client_id.is_some(), "names the refused message");
                    slow_downs += 1;
                }
            }
            Some(Ok(tokio_tungstenite::tungstenite::Message::Close(Some(f)))) => {
                break u16::from(f.code)
            }
            Some(Ok(_)) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert!(slow_downs >= 5, "slow_down came first ({slow_downs})");
    assert_eq!(code, CloseReason::Flood.code());
    // The calm client got the burst's messages, and keeps chatting.
    calm.send_acked("lobby", "c1", "still here").await;
    server.shutdown().await.unwrap();
}
