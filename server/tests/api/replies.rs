//! Replies (issue 19): a `send` with `reply_to` is stored with the quote of the message it
//! answers (its author and the start of its plain text), which the live `message`, the
//! catch-up, WebSocket history and REST history all carry; a `reply_to` that names no
//! message of the room is refused with `no_such_message`, storing nothing. On every backend.

use shared::{ClientMsg, ErrorCode, Seq};

use crate::helpers::*;

fn reply(client_id: &str, text: &str, to: u64) -> ClientMsg {
    ClientMsg::Send {
        room: "lobby".into(),
        client_id: client_id.into(),
        text: text.into(),
        reply_to: Some(Seq(to)),
    }
}

#[tokio::test]
async fn a_reply_carries_its_quote_everywhere_and_names_a_message_of_its_room() {
    for db in Db::all().await {
        let label = db.label;
        let server = db.start(|_| {}).await;
        let mut alice = Client::connect(server.addr, "alice").await;
        alice.join("lobby").await;
        let mut bob = Client::connect(server.addr, "bob").await;
        bob.join("lobby").await;
        let long = format!(
            "**Lunch** tomorrow?\n\n> at `noon` {}",
            "and more ".repeat(20)
        );
        let original = alice.send_acked("lobby", "a1", &long).await;

        bob.send(&reply("b1", "yes", original.seq.0)).await;
        let ack = bob.recv_ack().await;
        let live = alice
            .recv_kind_where(|m: &shared::ChatMessage| m.seq == ack.seq)
            .await;
        let quote = live.reply.clone().expect("a quote");
        assert_eq!(quote.seq, original.seq, "{label}");
        assert_eq!(quote.nickname.as_str(), "alice", "{label}");
        assert!(
            quote
                .snippet
                .starts_with("Lunch tomorrow? at noon and more"),
            "{label}: plain text, one line: {}",
            quote.snippet
        );
        assert_eq!(
            quote.snippet.chars().count(),
            shared::REPLY_SNIPPET_MAX_CHARS
        );
        assert!(quote.snippet.ends_with('…'), "{label}");

        // Nothing past the end, nothing at 0: refused, not stored.
        for (i, to) in [99, 0].into_iter().enumerate() {
            bob.send(&reply(&format!("bad{i}"), "no", to)).await;
            let err = bob.expect_error(ErrorCode::NoSuchMessage).await;
            assert_eq!(err.client_id.as_deref(), Some(format!("bad{i}").as_str()));
            assert_eq!(err.room.as_deref(), Some("lobby"));
        }
        bob.say("lobby", "b2", "the end").await;
        let seen = alice.until_message("lobby", "the end").await;
        assert!(
            !seen
                .iter()
                .any(|m| matches!(m, shared::ServerMsg::Message(c) if c.text.as_str() == "no")),
            "{label}: a refused reply is not stored"
        );

        // History over the WebSocket and REST, and a later join's catch-up, quote it too.
        alice
            .send(&ClientMsg::History {
                room: "lobby".into(),
                before: Some(Seq(100)),
                after: None,
                around: None,
                limit: None,
            })
            .await;
        let page = alice.recv_history().await;
        let stored = page.messages.iter().find(|m| m.seq == ack.seq).unwrap();
        assert_eq!(stored.reply, Some(quote.clone()), "{label}: history");
        let auth = bearer(&bob.token);
        let (status, body) = http(
            server.addr,
            "GET",
            "/api/rooms/lobby/messages",
            &[("Authorization", &auth)],
        )
        .await;
        assert_eq!(status, 200, "{label}: {body}");
        let rest: serde_json::Value = serde_json::from_str(&body).unwrap();
        let row = rest["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["seq"] == ack.seq.0)
            .unwrap()
            .clone();
        assert_eq!(row["reply"]["seq"], original.seq.0, "{label}: REST");
        assert_eq!(row["reply"]["nickname"], "alice", "{label}: REST");
        let mut carol = Client::connect(server.addr, "carol").await;
        carol
            .send(&ClientMsg::Join {
                room: "lobby".into(),
                nickname: None,
                after: Some(Seq(0)),
                changes_after: None,
            })
            .await;
        let caught = carol
            .recv_kind_where(|m: &shared::ChatMessage| m.seq == ack.seq)
            .await;
        assert_eq!(caught.reply, Some(quote), "{label}: catch-up");
        server.shutdown().await.unwrap();
    }
}
