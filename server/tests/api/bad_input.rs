//! Every kind of bad input gets its typed error, and the connection keeps working after it.

use futures_util::SinkExt;
use shared::{ClientMsg, CloseReason, ErrorCode, ServerMsg};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::*;

/// Sends `frame`, expects an error with `code` and no other answer, then checks the
/// connection still chats.
async fn refused(client: &mut Client, frame: Message, code: ErrorCode) {
    client.ws.send(frame.clone()).await.unwrap();
    let err = client.recv_error().await;
    assert_eq!(err.code, code, "for {frame:?}: {err:?}");
    assert!(!err.message.is_empty());
    // One answer: no second error came for the frame before the next request's.
    let more = client.until_refused_leave(NO_ROOM).await;
    assert_none(&more, &format!("second error for {frame:?}"), |m| {
        matches!(m, ServerMsg::Error { .. })
    });
    // Still alive: a good message gets its ack.
    let id = format!("after-{}", code.as_str());
    client.send_acked("lobby", &id, "still here").await;
}

#[tokio::test]
async fn each_bad_input_gets_its_typed_error_and_the_connection_survives() {
    let server = start().await;
    let mut c = Client::connect(server.addr, "tester").await;
    c.join("lobby").await;
    let text = |s: String| Message::text(s);
    let send = |room: &str, text: String| {
        ClientMsg::Send {
            room: room.into(),
            client_id: "x1".into(),
            text,
            reply_to: None,
        }
        .to_json()
    };

    refused(&mut c, text("{oops".into()), ErrorCode::InvalidJson).await;
    refused(
        &mut c,
        text(r#"{"room":"lobby"}"#.into()),
        ErrorCode::MissingType,
    )
    .await;
    refused(
        &mut c,
        text(r#"{"type":"dance"}"#.into()),
        ErrorCode::UnknownType,
    )
    .await;
    refused(
        &mut c,
        text(r#"{"type":"send","room":"lobby"}"#.into()),
        ErrorCode::BadMessage,
    )
    .await;
    refused(
        &mut c,
        Message::binary(vec![1u8, 2, 3]),
        ErrorCode::BinaryNotSupported,
    )
    .await;
    refused(
        &mut c,
        text(send("lobby", "x".repeat(4001))),
        ErrorCode::TextTooLong,
    )
    .await;
    refused(
        &mut c,
        text(send("lobby", "   ".into())),
        ErrorCode::EmptyText,
    )
    .await;
    refused(
        &mut c,
        text(send("elsewhere", "hi".into())),
        ErrorCode::NoSuchRoom,
    )
    .await;
    refused(
        &mut c,
        text(send("Bad Room", "hi".into())),
        ErrorCode::BadRoomName,
    )
    .await;
    let bad_id = ClientMsg::Send {
        room: "lobby".into(),
        client_id: "has space".into(),
        text: "hi".into(),
        reply_to: None,
    };
    refused(&mut c, text(bad_id.to_json()), ErrorCode::BadClientId).await;
    let join = |room: &str, nick: &str| {
        ClientMsg::Join {
            room: room.into(),
            nickname: Some(nick.into()),
            after: None,
            changes_after: None,
        }
        .to_json()
    };
    refused(&mut c, text(join("lobby", "")), ErrorCode::BadNickname).await;
    refused(
        &mut c,
        text(join("lobby", &"n".repeat(33))),
        ErrorCode::BadNickname,
    )
    .await;
    refused(
        &mut c,
        text(join("lobby", "bell\u{7}")),
        ErrorCode::BadNickname,
    )
    .await;
    refused(
        &mut c,
        text(join("no/slash", "tester")),
        ErrorCode::BadRoomName,
    )
    .await;
    refused(
        &mut c,
        text(join(&"r".repeat(49), "tester")),
        ErrorCode::BadRoomName,
    )
    .await;

    // A room that exists but was not joined.
    let mut other = Client::connect(server.addr, "other").await;
    other.join("busy").await;
    refused(
        &mut c,
        text(send("busy", "hi".into())),
        ErrorCode::NotInRoom,
    )
    .await;
    let leave = ClientMsg::Leave {
        room: "busy".into(),
    }
    .to_json();
    refused(&mut c, text(leave), ErrorCode::NotInRoom).await;

    // Nothing leaked into the room the bad sends named: a message sent there now is
    // delivered after anything they had put in it.
    other.say("busy", "marker", "marker").await;
    let seen = other.until_message("busy", "marker").await;
    assert_none(&seen, "chat message in #busy before the marker", |m| {
        matches!(m, ServerMsg::Message(_))
    });
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_oversize_frame_closes_with_1009_and_others_are_unaffected() {
    let server = start_with(|c| c.limits.max_frame_bytes = 16 * 1024).await;
    let mut bystander = Client::connect(server.addr, "bystander").await;
    bystander.join("lobby").await;
    let mut big = Client::connect(server.addr, "big").await;
    big.join("lobby").await;
    let _ = big.ws.send(Message::text("x".repeat(17 * 1024))).await;
    big.expect_close(CloseReason::TooBig).await;

    bystander.send_acked("lobby", "ok", "still fine").await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_wrong_protocol_version_closes_with_4000() {
    let server = start().await;
    let token = session(server.addr, "old-client").await;
    let mut c = Client::connect_raw(server.addr, "/ws?v=99", &token).await;
    c.expect_close(CloseReason::ProtocolVersion).await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn websocket_protocol_violations_close_with_their_codes() {
    use tokio::io::AsyncWriteExt;
    let server = start().await;
    // Unmasked client frame: 1002.
    let mut tcp = raw_ws(server.addr, "raw1").await;
    tcp.write_all(&[0x81, 0x01, b'a']).await.unwrap();
    assert_eq!(
        close_code(&mut tcp).await,
        CloseReason::ProtocolError.code()
    );
    // Text that is not UTF-8 (mask key 0): 1007.
    let mut tcp = raw_ws(server.addr, "raw2").await;
    tcp.write_all(&[0x81, 0x82, 0, 0, 0, 0, 0xC3, 0x28])
        .await
        .unwrap();
    assert_eq!(close_code(&mut tcp).await, CloseReason::InvalidUtf8.code());
    // A 1 GB frame header: 1009 at once, without the server waiting for the payload.
    let mut tcp = raw_ws(server.addr, "raw3").await;
    let mut head = vec![0x81, 0x80 | 127];
    head.extend_from_slice(&(1u64 << 30).to_be_bytes());
    head.extend_from_slice(&[0, 0, 0, 0]);
    tcp.write_all(&head).await.unwrap();
    assert_eq!(close_code(&mut tcp).await, CloseReason::TooBig.code());
    // The server still serves.
    let mut c = Client::connect(server.addr, "tester").await;
    c.join("lobby").await;
    server.shutdown().await.unwrap();
}
