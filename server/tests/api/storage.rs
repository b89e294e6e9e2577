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
        let m = c.recv_message().await;
        out.push((m.seq.0, m.text.to_string()));
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
        let ack = c.send_acked(room, &format!("{prefix}-{i}"), &text).await;
        seqs.push(ack.seq.0);
    }
    seqs
}

async fn join_after(c: &mut Client, room: &str, nick: &str, after: Option<u64>) -> (u64, u64) {
    c.send(&ClientMsg::Join {
        room: room.into(),
        nickname: Some(nick.into()),
        after: after.map(Seq),
        changes_after: None,
    })
    .await;
    let joined = c.recv_joined().await;
    (joined.after.0, joined.last_seq.0)
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
        let (status, body) = get_signed_in(server.addr, "/api/rooms").await;
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
        let first = a.send_acked("lobby", "retry-me", "only once").await;
        assert!(!first.duplicate, "{}: first ack: {first:?}", db.label);
        let (seq, id) = (first.seq, first.id);
        // The client lost its connection before it saw the ack, reconnects and retries
        // (once the server has seen it go).
        drop(a);
        wait_for_connections(server.addr, 1).await;
        let mut a = Client::reconnect(server.addr, &alice_token).await;
        join_after(&mut a, "lobby", "alice", Some(seq.0)).await;
        let again = a.send_acked("lobby", "retry-me", "only once").await;
        assert_eq!(
            (again.seq, again.id, again.duplicate),
            (seq, id, true),
            "{}",
            db.label
        );

        // A message sent now is delivered after any copy the retry would have delivered.
        let marker = a.send_acked("lobby", "marker", "marker").await;
        let seen = watcher.until_message("lobby", "marker").await;
        let copies = seen
            .iter()
            .filter(|m| matches!(m, ServerMsg::Message(x) if x.text.as_str() == "only once"))
            .count();
        assert_eq!(copies, 1, "{}: delivered once: {seen:?}", db.label);
        let (_, body) = get_signed_in(server.addr, "/api/rooms/lobby/messages").await;
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
            let ack = a.recv_ack().await;
            got.push((ack.client_id, ack.seq, ack.duplicate));
        }
        got.sort();
        let expected = [
            // The room's next seq, after the marker's.
            ("fresh".to_string(), Seq(marker.seq.0 + 1), false),
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
            // Away for good: the server has seen it go before the messages it misses are sent.
            drop(reader);
            wait_for_connections(server.addr, 1).await;
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
            sender
                .send_acked("lobby", &format!("live{gap}"), "live")
                .await;
            let got = next_messages(&mut reader, gap as usize + 1).await;
            let seqs: Vec<u64> = got.iter().map(|g| g.0).collect();
            let mut expected = missed.clone();
            expected.push(seen + gap + 1);
            assert_eq!(
                seqs, expected,
                "{}: gap of {gap}: missed ones in order, then live",
                db.label
            );
            // A message sent now is delivered after any duplicate of those.
            let marker = format!("marker{gap}");
            sender.send_acked("lobby", &marker, &marker).await;
            let extra = reader.until_message("lobby", &marker).await;
            assert_none(&extra, &format!("{}: duplicate", db.label), |m| {
                matches!(m, ServerMsg::Message(_))
            });
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
                before: Some(Seq(before)),
                after: None,
                around: None,
                limit: Some(50),
            })
            .await;
            let history = c.recv_history().await;
            assert_eq!(history.room, "lobby", "{}", db.label);
            let mut page: Vec<u64> = history.messages.iter().map(|m| m.seq.0).collect();
            before = page[0];
            page.extend(all);
            all = page;
            if !history.has_more {
                break;
            }
        }
        assert_eq!(all, (1..=70).collect::<Vec<_>>(), "{}", db.label);

        let (status, body) =
            get_signed_in(server.addr, "/api/rooms/lobby/messages?before=3&limit=5").await;
        assert_eq!(status, 200);
        let page: HistoryPage =
            expect_kind(serde_json::from_str(body.trim()).expect("a history page"));
        assert_eq!(
            (page.messages.len(), page.has_more),
            (2, false),
            "{}",
            db.label
        );
        let (status, body) = get_signed_in(server.addr, "/api/rooms/lobby/messages?limit=2").await;
        assert_eq!(status, 200);
        assert!(
            body.contains("\"n120\"")
                && body.contains("\"n119\"")
                && body.contains("\"has_more\":true"),
            "{body}"
        );
        assert_eq!(
            get_signed_in(server.addr, "/api/rooms/nope/messages")
                .await
                .0,
            404
        );
        assert_eq!(
            get_signed_in(server.addr, "/api/rooms/Bad%20Name/messages")
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
            .send_answer()
            .await
            .expect_err("expected the send to be refused");
        assert_eq!(err.code, ErrorCode::StorageUnavailable, "{}", db.label);
        assert_eq!(
            (err.room.as_deref(), err.client_id.as_deref()),
            (Some("lobby"), Some("doomed"))
        );
        db.exec("ALTER TABLE messages_away RENAME TO messages")
            .await;

        // The server kept serving; the retry goes through with the next seq; nothing lost.
        let ack = a.send_acked("lobby", "doomed", "not stored").await;
        assert_eq!((ack.seq, ack.duplicate), (Seq(3), false), "{}", db.label);
        let (_, body) = get_signed_in(server.addr, "/api/rooms/lobby/messages").await;
        for text in ["kept 1", "kept 2", "not stored"] {
            assert_eq!(body.matches(text).count(), 1, "{}: {body}", db.label);
        }
        server.shutdown().await.unwrap();
    }
}

/// SQL that makes the database refuse (for real) any message whose text is `poison`.
fn poison_trigger(label: &str) -> Vec<&'static str> {
    match label {
        "sqlite" => vec![
            "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.body = 'poison' \
             BEGIN SELECT RAISE(ABORT, 'poisoned row'); END",
        ],
        "postgres" => vec![
            "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN \
             IF NEW.body = 'poison' THEN RAISE EXCEPTION 'poisoned row'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER poison BEFORE INSERT ON messages \
             FOR EACH ROW EXECUTE FUNCTION poison()",
        ],
        _ => vec![
            "CREATE TRIGGER poison BEFORE INSERT ON messages FOR EACH ROW \
             BEGIN IF NEW.body = 'poison' THEN \
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poisoned row'; END IF; END",
        ],
    }
}

/// Finding 6 of issue 18: a row the database refuses fails only its own sender; the
/// others in the same commit are stored, and the room's seqs stay gapless.
#[tokio::test]
async fn a_row_the_database_refuses_fails_only_its_sender() {
    for db in Db::all().await {
        // The trigger goes in between two runs of the server: a schema change under a
        // running server can fail its next statement on any pooled connection, which would
        // be another (transient) refusal.
        let server = db.start(|_| {}).await;
        let mut a = Client::connect(server.addr, "alice").await;
        a.join("lobby").await;
        a.send_acked("lobby", "first", "before").await;
        drop(a);
        server.shutdown().await.unwrap();
        for sql in poison_trigger(db.label) {
            db.exec(sql).await;
        }
        let server = db.start(|_| {}).await;
        let mut a = Client::connect(server.addr, "alice2").await;
        a.join("lobby").await;
        a.send_acked("lobby", "settle", "settled").await;
        // Sent back to back from one connection: the room queues them while the first is
        // being committed, so the poisoned row shares its commit with others.
        for i in 0..10 {
            a.say("lobby", &format!("a{i}"), &format!("fine {i}")).await;
            if i == 4 {
                a.say("lobby", "bad", "poison").await;
            }
        }
        let mut seqs = Vec::new();
        let mut refused = Vec::new();
        while seqs.len() + refused.len() < 11 {
            match a.send_answer().await {
                Ok(ack) => seqs.push(ack.seq.0),
                Err(r) => refused.push((r.code, r.client_id)),
            }
        }
        assert_eq!(
            refused,
            [(ErrorCode::StorageUnavailable, Some("bad".to_owned()))],
            "{}: only the poisoned row fails",
            db.label
        );
        seqs.sort();
        assert_eq!(seqs, (3..13).collect::<Vec<u64>>(), "{}: gapless", db.label);
        let (_, body) = get_signed_in(server.addr, "/api/rooms/lobby/messages").await;
        assert!(!body.contains("poison"), "{}: {body}", db.label);
        assert_eq!(body.matches("fine ").count(), 10, "{}", db.label);
        server.shutdown().await.unwrap();
    }
}

/// After a restart the rooms hold nothing in memory, and every member rejoins at once. The
/// first rejoin reads the room's latest messages for everyone, so the others' catch-ups read
/// nothing (a reconnect storm of ten thousand would otherwise queue ten thousand reads for a
/// few database connections, and the late ones fail). Shown by taking the messages table
/// away after the first rejoin: the second member still gets what it missed, from memory.
#[tokio::test]
async fn after_a_restart_the_first_rejoin_reads_the_latest_messages_for_everyone() {
    for db in Db::all().await {
        let server = db.start(|_| {}).await;
        let mut a = Client::connect(server.addr, "alice").await;
        let mut b = Client::connect(server.addr, "bob").await;
        let tokens = (a.token.clone(), b.token.clone());
        join_after(&mut a, "lobby", "alice", None).await;
        join_after(&mut b, "lobby", "bob", None).await;
        let texts = (1..=5).map(|i| format!("before the restart {i}"));
        let seqs = send_all(&mut a, "lobby", "m", texts).await;
        drop((a, b));
        server.shutdown().await.unwrap();

        let server = db.start(|_| {}).await;
        let seen = seqs[1]; // Both saw the first two before the restart.
        let mut a = Client::reconnect(server.addr, &tokens.0).await;
        join_after(&mut a, "lobby", "alice", Some(seen)).await;
        let missed: Vec<u64> = seqs[2..].to_vec();
        let got: Vec<u64> = next_messages(&mut a, 3).await.iter().map(|m| m.0).collect();
        assert_eq!(got, missed, "{}: the first rejoin", db.label);
        db.exec("ALTER TABLE messages RENAME TO messages_away")
            .await;
        let mut b = Client::reconnect(server.addr, &tokens.1).await;
        join_after(&mut b, "lobby", "bob", Some(seen)).await;
        let mut got = Vec::new();
        while got.len() < missed.len() {
            match b.recv().await {
                ServerMsg::Message(m) => got.push(m.seq.0),
                ServerMsg::Error { code, message, .. } => {
                    panic!(
                        "{}: the second rejoin read storage: {code:?} {message}",
                        db.label
                    )
                }
                _ => {}
            }
        }
        assert_eq!(got, missed, "{}: the second rejoin", db.label);
        db.exec("ALTER TABLE messages_away RENAME TO messages")
            .await;
        server.shutdown().await.unwrap();
    }
}

/// The same once a room has gone idle and forgotten its recent messages: the next join reads
/// them back for everyone (the server's cache holds bytes again), not only for itself.
#[tokio::test]
async fn an_idle_room_reads_its_latest_messages_back_on_the_next_join() {
    let server = start_with(|c| c.limits.recent_idle = Duration::from_millis(300)).await;
    let mut a = Client::connect(server.addr, "alice").await;
    let token = a.token.clone();
    join_after(&mut a, "lobby", "alice", None).await;
    let texts = (1..=3).map(|i| format!("before the idle time {i}"));
    let seqs = send_all(&mut a, "lobby", "m", texts).await;
    drop(a);
    let deadline = tokio::time::Instant::now() + WAIT;
    while cache_bytes(server.addr).await != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the idle room kept its cache"
        );
        // A poll interval: the loop checks the cache itself.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut a = Client::reconnect(server.addr, &token).await;
    join_after(&mut a, "lobby", "alice", Some(seqs[0])).await;
    let got: Vec<u64> = next_messages(&mut a, 2).await.iter().map(|m| m.0).collect();
    assert_eq!(got, seqs[1..]);
    assert!(
        cache_bytes(server.addr).await > 0,
        "the join read the room back"
    );
    server.shutdown().await.unwrap();
}

/// Bytes of recent messages the server holds in memory (`/healthz`).
async fn cache_bytes(addr: std::net::SocketAddr) -> u64 {
    let (status, body) = http(addr, "GET", "/healthz", &[]).await;
    assert_eq!(status, 200, "{body}");
    let health: serde_json::Value = serde_json::from_str(&body).unwrap();
    health["recent_cache_bytes"].as_u64().unwrap()
}
