//! History windows (issue 19): besides `before`, a page may start `after` a seq (the oldest
//! after it: a gap between two pages a client holds) or `around` one (half up to it, it
//! included, half after: a permalink, a reply's original), saying `has_more` and
//! `has_newer`; two starts at once are refused. The same over REST. On every backend.

use shared::{ClientMsg, ErrorCode, Seq};

use crate::helpers::*;

/// The seqs of a page, and its `has_more` and `has_newer`.
async fn page(
    c: &mut Client,
    (before, after, around): (Option<u64>, Option<u64>, Option<u64>),
    limit: u32,
) -> (Vec<u64>, bool, bool) {
    c.send(&ClientMsg::History {
        room: "lobby".into(),
        before: before.map(Seq),
        after: after.map(Seq),
        around: around.map(Seq),
        limit: Some(limit),
    })
    .await;
    let (messages, has_more, has_newer) = loop {
        if let shared::ServerMsg::History {
            messages,
            has_more,
            has_newer,
            ..
        } = c.recv().await
        {
            break (messages, has_more, has_newer);
        }
    };
    (
        messages.iter().map(|m| m.seq.0).collect(),
        has_more,
        has_newer,
    )
}

#[tokio::test]
async fn pages_start_before_after_or_around_a_seq_and_say_what_lies_beyond() {
    for db in Db::all().await {
        let label = db.label;
        let server = db.start(|_| {}).await;
        let mut alice = Client::connect(server.addr, "alice").await;
        alice.join("lobby").await;
        for i in 1..=30 {
            alice
                .send_acked("lobby", &format!("m{i}"), &format!("message {i}"))
                .await;
        }
        let seqs = |r: std::ops::RangeInclusive<u64>| r.collect::<Vec<u64>>();
        assert_eq!(
            page(&mut alice, (None, None, Some(15)), 10).await,
            (seqs(11..=20), true, true),
            "{label}: around"
        );
        assert_eq!(
            page(&mut alice, (None, None, Some(1)), 4).await,
            (seqs(1..=3), false, true),
            "{label}: around the first"
        );
        assert_eq!(
            page(&mut alice, (None, Some(25), None), 10).await,
            (seqs(26..=30), true, false),
            "{label}: after, to the end"
        );
        assert_eq!(
            page(&mut alice, (None, Some(0), None), 5).await,
            (seqs(1..=5), false, true),
            "{label}: after 0"
        );
        assert_eq!(
            page(&mut alice, (Some(6), None, None), 5).await,
            (seqs(1..=5), false, false),
            "{label}: before"
        );
        assert_eq!(
            page(&mut alice, (None, None, Some(999)), 4).await,
            (seqs(29..=30), true, false),
            "{label}: around a seq past the end"
        );
        alice
            .send(&ClientMsg::History {
                room: "lobby".into(),
                before: Some(Seq(5)),
                after: Some(Seq(1)),
                around: None,
                limit: None,
            })
            .await;
        alice.expect_error(ErrorCode::BadMessage).await;

        let auth = bearer(&alice.token);
        let get = |q: &'static str| {
            let auth = auth.clone();
            let addr = server.addr;
            async move {
                http(
                    addr,
                    "GET",
                    &format!("/api/rooms/lobby/messages?{q}"),
                    &[("Authorization", &auth)],
                )
                .await
            }
        };
        let (status, body) = get("around=15&limit=10").await;
        assert_eq!(status, 200, "{label}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        let got: Vec<u64> = v["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["seq"].as_u64().unwrap())
            .collect();
        assert_eq!(
            (got, v["has_newer"].clone()),
            (seqs(11..=20), serde_json::json!(true)),
            "{label}: REST"
        );
        let (status, body) = get("before=5&after=1").await;
        assert_eq!(status, 400, "{label}: {body}");
        server.shutdown().await.unwrap();
    }
}
