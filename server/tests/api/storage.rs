//! Durable history on every backend: SQLite always, PostgreSQL and MySQL/MariaDB when their
//! URLs are set (see `Db::all`).

use std::collections::HashSet;
use std::time::Duration;

use shared::{ClientMsg, ErrorCode, Seq, ServerMsg};

use crate::helpers::*;

/// Collects the next `n` chat messages' (seq, text), skipping other frames.
async fn next_messages(c: &mut Client, n: usize) -> Vec<(u64, String)> {
    let mut out = Vec::new();
    while out.len() < n {
        if let ServerMsg::Message(m) = c.recv().await {
            out.push((m.seq.0, m.text.to_string()));
        }
    }
    out
}

/// Sends `texts` and waits for each ack; returns the acked seqs.
async fn send_all(
    c: &mut Client,
    room: &str,
    prefix: &str,
    texts: impl IntoIterator<Item = String>,
) -> Vec<u64> {
    let mut seqs = Vec::new();
    for (i, text) in texts.into_iter().enumerate() {
        c.say(room, &format!("{prefix}-{i}"), &text).await;
        match c
            .recv_where(|m| matches!(m, ServerMsg::Ack { .. } | ServerMsg::Error { .. }))
            .await
        {
            ServerMsg::Ack { seq, .. } => seqs.push(seq.0),
            other => panic!("expected an ack, got {other:?}"),
        }
    }
    seqs
}

async fn join_after(c: &mut Client, room: &str, nick: &str, after: Option<u64>) -> (u64, u64) {
    c.send(&ClientMsg::Join {
        room: room.into(),
        nickname: Some(nick.into()),
        after: after.map(Seq),
    })
    .await;
    match c
        .recv_where(|m| matches!(m, ServerMsg::Joined { .. }))
        .await
    {
        ServerMsg::Joined {
            after, last_seq, ..
        } => (after.0, last_seq.0),
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn messages_and_rooms_survive_a_restart() {
    for db in Db::all().await {
        let server = db.start(|_| {}).await;
        let mut a = Client::connect(server.addr, "alice").await;
        let mut b = Client::connect(server.addr, "bob").await;
        a.join("lobby").await;
        b.join("lobby").await;
        b.join("garden").await;
        let mut acked = send_all(&mut a, "lobby", "a", (0..5).map(|i| format!("alice {i}"))).await;
        acked.extend(send_all(&mut b, "lobby", "b", (0..5).map(|i| format!("bob {i}"))).await);
        assert_eq!(
            acked,
            (1..=10).collect::<Vec<_>>(),
            "{}: seqs are gapless",
            db.label
        );
        drop((a, b));
        server.shutdown().await.unwrap();

        let server = db.start(|_| {}).await;
        let (status, body) = http(server.addr, "GET", "/api/rooms", &[]).await;
        assert_eq!(status, 200);
        assert!(
            body.contains("\"garden\"") && body.contains("\"lobby\""),
            "{}: {body}",
            db.label
        );
        let mut c = Client::connect(server.addr, "carol").await;
        let (after, last) = join_after(&mut c, "lobby", "carol", Some(0)).await;
        assert_eq!((after, last), (0, 10), "{}", db.label);
        let got = next_messages(&mut c, 10).await;
        let texts: Vec<_> = got.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            &texts[..5],
            ["alice 0", "alice 1", "alice 2", "alice 3", "alice 4"],
            "{}",
            db.label
        );
        assert_eq!(
            got.iter().map(|g| g.0).collect::<Vec<_>>(),
            (1..=10).collect::<Vec<_>>()
        );
        // New messages continue the sequence.
        assert_eq!(
            send_all(&mut c, "lobby", "c", ["after restart".to_string()]).await,
            [11],
            "{}",
            db.label
        );
        server.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn a_retried_send_is_acked_again_and_never_stored_twice() {
    for db in Db::all().await {
        let server = db.start(|_| {}).await;
        let mut a = Client::connect(server.addr, "alice").await;
        let alice_token = a.token.clone();
        let mut watcher = Client::connect(server.addr, "watcher").await;
        a.join("lobby").await;
        watcher.join("lobby").await;
        a.say("lobby", "retry-me", "only once").await;
        let ServerMsg::Ack {
            seq,
            id,
            duplicate: false,
            ..
        } = a.recv_where(|m| matches!(m, ServerMsg::Ack { .. })).await
        else {
            panic!("first ack")
        };
        // The client lost its connection before it saw the ack, reconnects and retries.
        drop(a);
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut a = Client::reconnect(server.addr, &alice_token).await;
        join_after(&mut a, "lobby", "alice", Some(seq.0)).await;
        a.say("lobby", "retry-me", "only once").await;
        let again = a.recv_where(|m| matches!(m, ServerMsg::Ack { .. })).await;
        let ServerMsg::Ack {
            seq: seq2,
            id: id2,
            duplicate,
            ..
        } = again
        else {
            unreachable!()
        };
        assert_eq!((seq2, id2, duplicate), (seq, id, true), "{}", db.label);

        let seen = watcher.drain(Duration::from_millis(300)).await;
        let copies = seen
            .iter()
            .filter(|m| matches!(m, ServerMsg::Message(x) if x.text.as_str() == "only once"))
            .count();
        assert_eq!(copies, 1, "{}: delivered once: {seen:?}", db.label);
        let (_, body) = http(server.addr, "GET", "/api/rooms/lobby/messages", &[]).await;
        assert_eq!(
            body.matches("only once").count(),
            1,
            "{}: stored once: {body}",
            db.label
        );
        drop(a);
        server.shutdown().await.unwrap();

        // After a restart the server no longer remembers recent ids: the database does.
        let server = db.start(|_| {}).await;
        let mut a = Client::reconnect(server.addr, &alice_token).await;
        join_after(&mut a, "lobby", "alice", Some(seq.0)).await;
        a.say("lobby", "fresh", "new one").await;
        a.say("lobby", "retry-me", "only once").await;
        let mut got = Vec::new();
        while got.len() < 2 {
            if let ServerMsg::Ack {
                client_id,
                seq,
                duplicate,
                ..
            } = a.recv().await
            {
                got.push((client_id.to_string(), seq, duplicate));
            }
        }
        got.sort();
        let expected = [
            ("fresh".to_string(), Seq(seq.0 + 1), false),
            ("retry-me".to_string(), seq, true),
        ];
        assert_eq!(got, expected, "{}", db.label);
        server.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn a_reconnecting_client_gets_exactly_what_it_missed_from_memory_or_storage() {
    for db in Db::all().await {
        // Rooms hold only 4 messages in memory: a gap of 3 comes from memory, 12 from storage.
        let server = db.start(|c| c.limits.recent_per_room = 4).await;
        let mut sender = Client::connect(server.addr, "sender").await;
        sender.join("lobby").await;
        send_all(
            &mut sender,
            "lobby",
            "warmup",
            (0..3).map(|i| format!("w{i}")),
        )
        .await;
        let reader_token = session(server.addr, "reader").await;
        for gap in [3u64, 12] {
            let mut reader = Client::reconnect(server.addr, &reader_token).await;
            let (_, last) = join_after(&mut reader, "lobby", "reader", None).await;
            let history = next_messages(&mut reader, last.min(50) as usize).await;
            let seen = history.last().map_or(0, |m| m.0);
            drop(reader);
            tokio::time::sleep(Duration::from_millis(100)).await;
            let missed = send_all(
                &mut sender,
                "lobby",
                &format!("gap{gap}"),
                (0..gap).map(|i| format!("missed {i}")),
            )
            .await;

            let mut reader = Client::reconnect(server.addr, &reader_token).await;
            let (after, last) = join_after(&mut reader, "lobby", "reader", Some(seen)).await;
            assert_eq!((after, last), (seen, seen + gap), "{}", db.label);
            sender.say("lobby", &format!("live{gap}"), "live").await;
            let got = next_messages(&mut reader, gap as usize + 1).await;
            let seqs: Vec<u64> = got.iter().map(|g| g.0).collect();
            let mut expected = missed.clone();
            expected.push(seen + gap + 1);
            assert_eq!(
                seqs, expected,
                "{}: gap of {gap}: missed ones in order, then live",
                db.label
            );
            let extra = reader.drain(Duration::from_millis(200)).await;
            assert!(
                extra.iter().all(|m| !matches!(m, ServerMsg::Message(_))),
                "{}: no duplicates: {extra:?}",
                db.label
            );
            sender.drain(Duration::from_millis(50)).await;
        }
        server.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn reconnect_across_a_server_restart_loses_nothing() {
    for db in Db::all().await {
        let server = db.start(|_| {}).await;
        let mut a = Client::connect(server.addr, "alice").await;
        let alice_token = a.token.clone();
        let (_, _) = join_after(&mut a, "lobby", "alice", None).await;
        send_all(
            &mut a,
            "lobby",
            "before",
            (0..3).map(|i| format!("before {i}")),
        )
        .await;
        let seen = 3;
        drop(a);
        server.shutdown().await.unwrap();

        let server = db.start(|_| {}).await;
        let mut b = Client::connect(server.addr, "bob").await;
        b.join("lobby").await;
        send_all(
            &mut b,
            "lobby",
            "during",
            (0..4).map(|i| format!("while away {i}")),
        )
        .await;
        let mut a = Client::reconnect(server.addr, &alice_token).await;
        let (after, last) = join_after(&mut a, "lobby", "alice", Some(seen)).await;
        assert_eq!((after, last), (3, 7), "{}", db.label);
        let got = next_messages(&mut a, 4).await;
        assert_eq!(
            got,
            (0..4)
                .map(|i| (4 + i as u64, format!("while away {i}")))
                .collect::<Vec<_>>(),
            "{}",
            db.label
        );
        server.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn history_pages_reach_the_first_message_over_ws_and_rest() {
    for db in Db::all().await {
        let server = db.start(|_| {}).await;
        let mut a = Client::connect(server.addr, "alice").await;
        a.join("lobby").await;
        send_all(&mut a, "lobby", "h", (1..=120).map(|i| format!("n{i}"))).await;

        let mut c = Client::connect(server.addr, "carol").await;
        let (after, last) = join_after(&mut c, "lobby", "carol", None).await;
        assert_eq!(
            (after, last),
            (70, 120),
            "{}: the latest page of 50",
            db.label
        );
        next_messages(&mut c, 50).await;
        let mut before = after + 1;
        let mut all = Vec::new();
        loop {
            c.send(&ClientMsg::History {
                room: "lobby".into(),
                before: Seq(before),
                limit: Some(50),
            })
            .await;
            let ServerMsg::History {
                messages, has_more, ..
            } = c
                .recv_where(|m| matches!(m, ServerMsg::History { .. }))
                .await
            else {
                unreachable!()
            };
            let mut page: Vec<u64> = messages.iter().map(|m| m.seq.0).collect();
            before = page[0];
            page.extend(all);
            all = page;
            if !has_more {
                break;
            }
        }
        assert_eq!(all, (1..=70).collect::<Vec<_>>(), "{}", db.label);

        let (status, body) = http(
            server.addr,
            "GET",
            "/api/rooms/lobby/messages?before=3&limit=5",
            &[],
        )
        .await;
        assert_eq!(status, 200);
        let page: ServerMsg = serde_json::from_str(body.trim()).expect("a history page");
        let ServerMsg::History {
            messages, has_more, ..
        } = page
        else {
            panic!("{body}")
        };
        assert_eq!((messages.len(), has_more), (2, false), "{}", db.label);
        let (status, body) =
            http(server.addr, "GET", "/api/rooms/lobby/messages?limit=2", &[]).await;
        assert_eq!(status, 200);
        assert!(
            body.contains("\"n120\"")
                && body.contains("\"n119\"")
                && body.contains("\"has_more\":true"),
            "{body}"
        );
        assert_eq!(
            http(server.addr, "GET", "/api/rooms/nope/messages", &[])
                .await
                .0,
            404
        );
        assert_eq!(
            http(server.addr, "GET", "/api/rooms/Bad%20Name/messages", &[])
                .await
                .0,
            400
        );
        server.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn concurrent_senders_get_gapless_unique_seqs_and_everyone_sees_the_same_order() {
    for db in Db::all().await {
        let server = db.start(|_| {}).await;
        let senders = 8;
        let per = 50;
        let mut clients = Vec::new();
        for i in 0..senders {
            let mut c = Client::connect(server.addr, &format!("s{i}")).await;
            c.join("busy").await;
            clients.push(c);
        }
        let mut tasks = Vec::new();
        for (i, mut c) in clients.into_iter().enumerate() {
            tasks.push(tokio::spawn(async move {
                // Fire everything, then read: acks and the room's messages, interleaved.
                for k in 0..per {
                    c.say("busy", &format!("s{i}-{k}"), &format!("from {i} #{k}"))
                        .await;
                }
                let mut acks = Vec::new();
                let mut seen = Vec::new();
                while acks.len() < per || seen.len() < senders * per {
                    match c.recv().await {
                        ServerMsg::Ack { seq, .. } => acks.push(seq.0),
                        ServerMsg::Message(m) => seen.push(m.seq.0),
                        _ => {}
                    }
                }
                (acks, seen)
            }));
        }
        let mut all_acks = HashSet::new();
        for t in tasks {
            let (acks, seen) = t.await.unwrap();
            for a in acks {
                assert!(all_acks.insert(a), "{}: seq {a} acked twice", db.label);
            }
            assert_eq!(
                seen,
                (1..=(senders * per) as u64).collect::<Vec<_>>(),
                "{}: in order",
                db.label
            );
        }
        assert_eq!(all_acks.len(), senders * per);
        server.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn a_storage_failure_refuses_the_send_and_loses_nothing_already_acked() {
    for db in Db::all().await {
        let server = db.start(|_| {}).await;
        let mut a = Client::connect(server.addr, "alice").await;
        a.join("lobby").await;
        send_all(
            &mut a,
            "lobby",
            "ok",
            ["kept 1".to_string(), "kept 2".to_string()],
        )
        .await;

        // Take the table away under the running server.
        db.exec("ALTER TABLE messages RENAME TO messages_away")
            .await;
        a.say("lobby", "doomed", "not stored").await;
        let err = a
            .recv_where(|m| matches!(m, ServerMsg::Error { .. } | ServerMsg::Ack { .. }))
            .await;
        let ServerMsg::Error {
            code, client_id, ..
        } = &err
        else {
            panic!("expected an error, got {err:?}")
        };
        assert_eq!(*code, ErrorCode::StorageUnavailable, "{}", db.label);
        assert_eq!(client_id.as_ref().map(|c| c.as_str()), Some("doomed"));
        db.exec("ALTER TABLE messages_away RENAME TO messages")
            .await;

        // The server kept serving; the retry goes through with the next seq; nothing lost.
        a.say("lobby", "doomed", "not stored").await;
        let ServerMsg::Ack { seq, duplicate, .. } =
            a.recv_where(|m| matches!(m, ServerMsg::Ack { .. })).await
        else {
            unreachable!()
        };
        assert_eq!((seq, duplicate), (Seq(3), false), "{}", db.label);
        let (_, body) = http(server.addr, "GET", "/api/rooms/lobby/messages", &[]).await;
        for text in ["kept 1", "kept 2", "not stored"] {
            assert_eq!(body.matches(text).count(), 1, "{}: {body}", db.label);
        }
        server.shutdown().await.unwrap();
    }
}
