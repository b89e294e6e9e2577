//! Every kind of bad input gets its typed error, and the connection keeps working after it.

use futures_util::SinkExt;
use shared::{ClientMsg, CloseReason, ErrorCode, ServerMsg};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::*;

/// Sends `frame`, expects an error with `code`, then checks the connection still chats.
async fn refused(client: &mut Client, frame: Message, code: ErrorCode) {
    client.ws.send(frame.clone()).await.unwrap();
    let err = client
        .recv_where(|m| matches!(m, ServerMsg::Error { .. }))
        .await;
    assert_eq!(error_code(&err), code, "for {frame:?}");
    let ServerMsg::Error { message, .. } = err else {
        unreachable!()
    };
    assert!(!message.is_empty());
    // Still alive: a good message gets its ack.
    let id = format!("after-{}", code.as_str());
    client.say("lobby", &id, "still here").await;
    let ack = client
        .recv_where(|m| matches!(m, ServerMsg::Ack { .. }))
        .await;
    let ServerMsg::Ack { client_id, .. } = ack else {
        unreachable!()
    };
    assert_eq!(client_id.as_str(), id);
}

#[tokio::test]
async fn each_bad_input_gets_its_typed_error_and_the_connection_survives() {
    let server = start().await;
    let mut c = Client::connect(server.addr).await;
    c.join("lobby", "tester").await;
    let text = |s: String| Message::text(s);
    let send = |room: &str, text: String| {
        ClientMsg::Send {
            room: room.into(),
            client_id: "x1".into(),
            text,
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
    };
    refused(&mut c, text(bad_id.to_json()), ErrorCode::BadClientId).await;
    let join = |room: &str, nick: &str| {
        ClientMsg::Join {
            room: room.into(),
            nickname: nick.into(),
            after: None,
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
    let mut other = Client::connect(server.addr).await;
    other.join("busy", "other").await;
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

    // Nothing leaked into the room the bad sends named.
    let seen = other.drain(std::time::Duration::from_millis(200)).await;
    assert!(
        seen.iter().all(|m| !matches!(m, ServerMsg::Message(_))),
        "{seen:?}"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_oversize_frame_closes_with_1009_and_others_are_unaffected() {
    let server = start_with(|c| c.limits.max_frame_bytes = 16 * 1024).await;
    let mut bystander = Client::connect(server.addr).await;
    bystander.join("lobby", "bystander").await;
    let mut big = Client::connect(server.addr).await;
    big.join("lobby", "big").await;
    let _ = big.ws.send(Message::text("x".repeat(17 * 1024))).await;
    let close = big.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), CloseReason::TooBig.code());
    assert_eq!(close.reason.as_str(), "too_big");

    bystander.say("lobby", "ok", "still fine").await;
    assert!(matches!(
        bystander
            .recv_where(|m| matches!(m, ServerMsg::Ack { .. }))
            .await,
        ServerMsg::Ack { .. }
    ));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_wrong_protocol_version_closes_with_4000() {
    let server = start().await;
    let mut c = Client::connect_raw(server.addr, "/ws?v=99").await;
    let close = c.closed().await.expect("a close frame");
    assert_eq!(u16::from(close.code), 4000);
    assert_eq!(close.reason.as_str(), "protocol_version");
    server.shutdown().await.unwrap();
}
