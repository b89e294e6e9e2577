//! The bad input catalogue of docs/PROTOCOL.md, sent row by row to a live server: each gets
//! the answer the document says, the connection survives (but for the closing rows), and
//! everyone else keeps chatting.

use std::time::Duration;

use futures_util::SinkExt;
use shared::{ErrorCode, ServerMsg};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::*;

/// (description, frame, expected answer) rows between the catalogue markers.
fn rows() -> Vec<(String, Message, String)> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/PROTOCOL.md"))
        .unwrap();
    let table = doc
        .split("<!-- catalogue:start -->")
        .nth(1)
        .unwrap()
        .split("<!-- catalogue:end -->")
        .next()
        .unwrap();
    table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| bad input"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            let frame = match cells[1].strip_prefix("binary ") {
                Some(hex) => Message::binary(
                    hex.trim_matches('`')
                        .split(' ')
                        .map(|b| u8::from_str_radix(b, 16).unwrap())
                        .collect::<Vec<_>>(),
                ),
                None => Message::text(expand(
                    cells[1].trim_start_matches('`').trim_end_matches('`'),
                )),
            };
            (cells[0].to_owned(), frame, cells[2].replace('`', ""))
        })
        .collect()
}

/// Expands `<N × c>` into `c` repeated `N` times.
fn expand(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('>').unwrap() + start;
        let (n, c) = rest[start + 1..end].split_once(" × ").unwrap();
        out.push_str(&c.repeat(n.parse().unwrap()));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn every_catalogued_bad_input_gets_its_documented_answer() {
    let server = start().await;
    let rows = rows();
    assert!(
        rows.len() >= 20,
        "the catalogue was found: {} rows",
        rows.len()
    );
    let mut other = Client::connect(server.addr, "somebody-else").await;
    other.join("busy").await;
    other.join("lobby").await;
    let mut tester = Client::connect(server.addr, "tester").await;
    tester.join("lobby").await;
    for (i, (what, frame, answer)) in rows.into_iter().enumerate() {
        tester.ws.send(frame).await.unwrap();
        if let Some(code) = answer.strip_prefix("error ") {
            assert_eq!(tester.next_error().await.as_str(), code, "{what}");
            // Still alive.
            let id = format!("ok-{i}");
            tester.say("lobby", &id, "still here").await;
            let ServerMsg::Ack { client_id, .. } = tester
                .recv_where(|m| matches!(m, ServerMsg::Ack { .. }))
                .await
            else {
                unreachable!()
            };
            assert_eq!(client_id.as_str(), id, "{what}");
        } else {
            let code: u16 = answer
                .strip_prefix("close ")
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let close = tester
                .closed()
                .await
                .unwrap_or_else(|| panic!("{what}: a close frame"));
            assert_eq!(u16::from(close.code), code, "{what}");
            tester = Client::reconnect(server.addr, &tester.token.clone()).await;
            tester.join("lobby").await;
        }
    }
    // Everyone else kept chatting, and saw only the good messages.
    other.say("lobby", "other-1", "all fine here").await;
    let ack = other
        .recv_where(|m| matches!(m, ServerMsg::Ack { .. } | ServerMsg::Error { .. }))
        .await;
    assert!(matches!(ack, ServerMsg::Ack { .. }), "{ack:?}");
    let seen = other.drain(Duration::from_millis(300)).await;
    assert!(
        seen.iter()
            .all(|m| !matches!(m, ServerMsg::Message(x) if x.room.as_str() == "busy")),
        "nothing reached a room the sender had not joined"
    );
    let _ = ErrorCode::ALL;
    server.shutdown().await.unwrap();
}
