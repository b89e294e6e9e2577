//! Issue 18's findings, each as the attack that found it: one user (or nobody) trying to
//! take the server down. Each test fails if its fix is undone.

use shared::{ClientMsg, CloseReason, ErrorCode, ServerMsg};
use tokio::io::AsyncWriteExt;

use crate::helpers::*;

fn json_frame(msg: &ClientMsg) -> Vec<u8> {
    client_frame(0x1, serde_json::to_string(msg).unwrap().as_bytes())
}

/// Finding 16: a frame in the same packet as the upgrade request is answered at once.
#[tokio::test]
async fn a_frame_sent_with_the_handshake_is_answered_without_another_read() {
    let server = start().await;
    let join = json_frame(&ClientMsg::Join {
        room: "lobby".into(),
        nickname: None,
        after: None,
        changes_after: None,
    });
    let mut tcp = raw_ws_with(server.addr, "eager", &join).await;
    read_until_type(&mut tcp, "welcome").await;
    let joined = read_until_type(&mut tcp, "joined").await;
    assert_eq!(joined["room"], "lobby");
    server.shutdown().await.unwrap();
}

/// Finding 15: `Sec-WebSocket-Key` must be base64 of 16 bytes.
#[tokio::test]
async fn a_websocket_key_that_is_not_base64_of_16_bytes_is_refused() {
    let server = start().await;
    let token = session(server.addr, "keys").await;
    let auth = bearer(&token);
    for key in [
        "x",
        "",
        "AAAAAAAAAAAAAAAAAAAAAA",
        "dGhlIHNhbXBsZSBub25jZSE=",
    ] {
        let (status, head) = upgrade(
            server.addr,
            &[("Sec-WebSocket-Key", key), ("Authorization", &auth)],
        )
        .await;
        assert_eq!(status, 400, "key {key:?}: {head}");
    }
    let (status, _) = upgrade(server.addr, &[("Authorization", &auth)]).await;
    assert_eq!(status, 101);
    server.shutdown().await.unwrap();
}

/// Finding 9: pings and binary frames count against the flood limit.
#[tokio::test]
async fn ping_and_binary_floods_are_closed_with_4009() {
    let server = start_with(|c| {
        c.limits.message_rate = 20.0;
        c.limits.message_burst = 60.0;
    })
    .await;
    for (opcode, count, what) in [(0x9u8, 20_000usize, "ping"), (0x2, 3_000, "binary")] {
        let mut tcp = raw_ws(server.addr, &format!("flood-{what}")).await;
        let burst: Vec<u8> = (0..count)
            .flat_map(|_| client_frame(opcode, b"x"))
            .collect();
        // The server may close before it has read everything: a failed write is fine.
        let _ = tcp.write_all(&burst).await;
        let (code, seen) = frames_until_close(&mut tcp).await;
        assert_eq!(code, CloseReason::Flood.code(), "{what} flood");
        let answers = seen[0xA] + seen[0x1];
        assert!(answers < 200, "{what}: {answers} answers before the close");
    }
    let mut calm = Client::connect(server.addr, "calm").await;
    calm.join("lobby").await;
    server.shutdown().await.unwrap();
}

/// Finding 5: control characters are refused (they swell frames 6×), CRLF becomes LF, and
/// NUL (finding 6) is refused on every backend alike.
#[tokio::test]
async fn control_characters_are_refused_and_crlf_becomes_lf() {
    let server = start().await;
    let mut c = Client::connect(server.addr, "texter").await;
    c.join("lobby").await;
    for (i, bad) in ["a\u{1}b", "nul\0", "bell\u{7}", "c1\u{85}", "cr\ronly"]
        .iter()
        .enumerate()
    {
        c.say("lobby", &format!("bad{i}"), bad).await;
        let r = c.expect_error(ErrorCode::BadText).await;
        assert_eq!(r.client_id.as_deref(), Some(format!("bad{i}").as_str()));
    }
    c.say("lobby", "crlf", "line 1\r\nline 2").await;
    let m = c.recv_message().await;
    assert_eq!(m.text.as_str(), "line 1\nline 2");
    server.shutdown().await.unwrap();
}

/// Finding 5: the message rate holds per user across connections, and rejoining every room
/// after a reconnect (from two tabs, at the room cap) is not a flood.
#[tokio::test]
async fn the_rate_is_per_user_and_a_reconnect_at_the_room_cap_is_not_a_flood() {
    let rooms = 30;
    let server = start_with(|c| {
        c.limits.message_rate = 5.0;
        c.limits.message_burst = 10.0;
        c.limits.max_rooms_per_user = rooms;
    })
    .await;
    let token = session(server.addr, "tabs").await;
    let names: Vec<String> = (0..rooms).map(|i| format!("cap-{i}")).collect();
    for _round in 0..2 {
        let mut tabs = [
            Client::reconnect(server.addr, &token).await,
            Client::reconnect(server.addr, &token).await,
        ];
        for tab in &mut tabs {
            for name in &names {
                tab.send(&ClientMsg::Join {
                    room: name.clone(),
                    nickname: None,
                    after: None,
                    changes_after: None,
                })
                .await;
            }
        }
        for tab in &mut tabs {
            let mut joined = 0;
            while joined < rooms {
                match tab.recv().await {
                    ServerMsg::Joined { .. } => joined += 1,
                    ServerMsg::Error { code, message, .. } => panic!("{code:?}: {message}"),
                    _ => {}
                }
            }
        }
        // Reconnect (both tabs at once), and rejoin everything again.
        drop(tabs);
        wait_for_connections(server.addr, 0).await;
    }
    // The rate is the user's: two tabs share one burst of 10.
    let mut a = Client::reconnect(server.addr, &token).await;
    let mut b = Client::reconnect(server.addr, &token).await;
    a.join("lobby").await;
    b.join("lobby").await;
    for i in 0..8 {
        a.say("lobby", &format!("a{i}"), "from a").await;
        b.say("lobby", &format!("b{i}"), "from b").await;
    }
    // Each send is answered: an ack, or `slow_down` naming it.
    let mut refused = 0;
    for tab in [&mut a, &mut b] {
        let mut answered = 0;
        while answered < 8 {
            match tab.recv().await {
                ServerMsg::Ack { .. } => answered += 1,
                ServerMsg::Error {
                    code: ErrorCode::SlowDown,
                    client_id: Some(_),
                    ..
                } => {
                    answered += 1;
                    refused += 1;
                }
                _ => {}
            }
        }
    }
    assert!(
        refused >= 4,
        "16 sends against a shared burst of 10: {refused} refused"
    );
    server.shutdown().await.unwrap();
}
