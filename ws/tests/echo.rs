//! The echo example over real loopback sockets, driven by a third-party client
//! (tokio-tungstenite): text, binary, fragments, ping and close all behave as RFC 6455 says.

#[allow(dead_code)]
#[path = "../examples/echo.rs"]
mod echo;

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(echo::serve(listener));
    format!("ws://{addr}/")
}

async fn next(
    ws: &mut (impl StreamExt<Item = tokio_tungstenite::tungstenite::Result<Message>> + Unpin),
) -> Message {
    tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
        .await
        .expect("an answer within 5 s")
        .expect("the stream is open")
        .expect("a valid frame")
}

#[tokio::test]
async fn echoes_text_binary_and_pings_then_closes_cleanly() {
    let url = start().await;
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    ws.send(Message::text("héllo")).await.unwrap();
    assert_eq!(next(&mut ws).await, Message::text("héllo"));
    let big: Vec<u8> = (0..70_000u32).map(|i| i as u8).collect();
    ws.send(Message::binary(big.clone())).await.unwrap();
    assert_eq!(next(&mut ws).await, Message::binary(big));
    ws.send(Message::Ping(b"p".to_vec().into())).await.unwrap();
    assert_eq!(next(&mut ws).await, Message::Pong(b"p".to_vec().into()));
    ws.send(Message::Close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    })))
    .await
    .unwrap();
    match next(&mut ws).await {
        Message::Close(Some(frame)) => assert_eq!(frame.code, CloseCode::Normal),
        other => panic!("expected the close answered, got {other:?}"),
    }
}

#[tokio::test]
async fn fragmented_messages_come_back_whole() {
    use tokio_tungstenite::tungstenite::protocol::frame::{
        coding::{Data, OpCode},
        Frame,
    };
    let url = start().await;
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let first = Frame::message(b"frag".to_vec(), OpCode::Data(Data::Binary), false);
    let last = Frame::message(b"ments".to_vec(), OpCode::Data(Data::Continue), true);
    ws.send(Message::Frame(first)).await.unwrap();
    ws.send(Message::Frame(last)).await.unwrap();
    assert_eq!(next(&mut ws).await, Message::binary(b"fragments".to_vec()));
}

#[tokio::test]
async fn invalid_utf8_is_closed_with_1007_and_a_plain_request_gets_426() {
    use tokio_tungstenite::tungstenite::protocol::frame::{
        coding::{Data, OpCode},
        Frame,
    };
    let url = start().await;
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.unwrap();
    let bad = Frame::message(vec![0xC3, 0x28], OpCode::Data(Data::Text), true);
    ws.send(Message::Frame(bad)).await.unwrap();
    match next(&mut ws).await {
        Message::Close(Some(frame)) => assert_eq!(u16::from(frame.code), 1007),
        other => panic!("expected close 1007, got {other:?}"),
    }
    let addr = url.trim_start_matches("ws://").trim_end_matches('/');
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    tcp.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 426"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("upgrade: websocket"),
        "{answer}"
    );
}
