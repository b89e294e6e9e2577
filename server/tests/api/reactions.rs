//! Reactions (issue 19): a member adds or takes back an emoji on a message of a joined room.
//! It is stored (idempotent per message, user and emoji: a retry has one effect), reaches
//! the room live, is part of history (WebSocket and REST, with the reader's own marked) and
//! survives a restart; a client that was away gets what changed at its next join. Limits:
//! one emoji, 20 different per message, 10 per user per message. On every backend.

use shared::{ClientMsg, ErrorCode, Seq, ServerMsg};

use crate::helpers::*;

fn react(seq: Seq, emoji: &str, client_id: &str, remove: bool) -> ClientMsg {
    ClientMsg::React {
        room: "lobby".into(),
        seq,
        emoji: emoji.into(),
        client_id: client_id.into(),
        remove,
    }
}

/// (emoji, count, names, mine) of a message's reactions.
fn chips(list: &[shared::Reaction]) -> Vec<(String, u32, Vec<String>, bool)> {
    list.iter()
        .map(|r| {
            let names = r.names.iter().map(|n| n.to_string()).collect();
            (r.emoji.to_string(), r.count, names, r.mine)
        })
        .collect()
}

fn chip(emoji: &str, count: u32, names: &[&str], mine: bool) -> (String, u32, Vec<String>, bool) {
    let names = names.iter().map(|n| n.to_string()).collect();
    (emoji.into(), count, names, mine)
}

/// The emoji 😀, 😁, … (the Emoticons block), `n` of them.
fn faces(n: u32) -> Vec<String> {
    (0..n)
        .map(|i| char::from_u32(0x1F600 + i).unwrap().to_string())
        .collect()
}

async fn history_of(c: &mut Client, seq: Seq) -> shared::ChatMessage {
    c.send(&ClientMsg::History {
        room: "lobby".into(),
        before: None,
        after: None,
        around: Some(seq),
        limit: Some(5),
    })
    .await;
    let page = c.recv_history().await;
    page.messages.into_iter().find(|m| m.seq == seq).unwrap()
}

/// `nick`, connected and in the lobby.
async fn in_lobby(addr: std::net::SocketAddr, nick: &str) -> Client {
    let mut c = Client::connect(addr, nick).await;
    c.join("lobby").await;
    c
}

#[tokio::test]
async fn reactions_are_stored_live_once_and_in_history_on_every_backend() {
    for db in Db::all().await {
        let label = db.label;
        let server = db.start(|_| {}).await;
        let mut alice = in_lobby(server.addr, "alice").await;
        let mut bob = in_lobby(server.addr, "bob").await;
        let m = alice.send_acked("lobby", "a1", "lunch?").await.seq;

        bob.send(&react(m, "👍", "r1", false)).await;
        let answer: Reacted = bob.recv_kind().await;
        assert!(answer.changed, "{label}");
        assert_eq!((answer.client_id.as_str(), answer.seq), ("r1", m));
        let live: ReactionNews = alice.recv_kind().await;
        assert_eq!(
            (live.room.as_str(), live.seq, live.nickname.as_str()),
            ("lobby", m, "bob")
        );
        assert_eq!((live.emoji.as_str(), live.added), ("👍", true));
        assert_eq!(chips(&live.reactions), [chip("👍", 1, &["bob"], false)]);
        let first_rev = live.rev;

        // The retry: answered, nothing stored or sent again.
        bob.send(&react(m, "👍", "r1", false)).await;
        let again: Reacted = bob.recv_kind().await;
        assert!(!again.changed, "{label}: a retry has one effect");
        alice.send(&react(m, "👍", "a-r1", false)).await;
        let live: ReactionNews = bob
            .recv_kind_where(|r: &ReactionNews| r.nickname == "alice")
            .await;
        assert!(live.rev > first_rev, "{label}: changes count up");
        assert_eq!(
            chips(&live.reactions),
            [chip("👍", 2, &["bob", "alice"], false)],
            "{label}: the retry did not count"
        );

        // History carries them, each reader's own marked; so does REST.
        let mut carol = in_lobby(server.addr, "carol").await;
        assert_eq!(
            chips(&history_of(&mut bob, m).await.reactions),
            [chip("👍", 2, &["bob", "alice"], true)],
            "{label}"
        );
        assert_eq!(
            chips(&history_of(&mut carol, m).await.reactions),
            [chip("👍", 2, &["bob", "alice"], false)],
            "{label}"
        );
        let (status, body) = http(
            server.addr,
            "GET",
            &format!("/api/rooms/lobby/messages?around={}", m.0),
            &[("Authorization", &bearer(&alice.token))],
        )
        .await;
        assert_eq!(status, 200, "{label}: {body}");
        let rest: serde_json::Value = serde_json::from_str(&body).unwrap();
        let row = &rest["messages"][0];
        assert_eq!(row["reactions"][0]["count"], 2, "{label}: REST {row}");
        assert_eq!(row["reactions"][0]["mine"], true, "{label}: REST");

        // Taken back: the next in line is listed; taking back again changes nothing.
        bob.send(&react(m, "👍", "r2", true)).await;
        let news: ReactionNews = carol.recv_kind().await;
        assert_eq!((news.nickname.as_str(), news.added), ("bob", false));
        assert_eq!(chips(&news.reactions), [chip("👍", 1, &["alice"], false)]);
        bob.send(&react(m, "👍", "r3", true)).await;
        let none: Reacted = bob.recv_kind_where(|r: &Reacted| r.client_id == "r3").await;
        assert!(!none.changed, "{label}");

        // It is all still there after a restart.
        let token = alice.token.clone();
        server.shutdown().await.unwrap();
        let server = db.start(|_| {}).await;
        let mut alice = Client::reconnect(server.addr, &token).await;
        alice.join("lobby").await;
        assert_eq!(
            chips(&history_of(&mut alice, m).await.reactions),
            [chip("👍", 1, &["alice"], true)],
            "{label}: after a restart"
        );
        server.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn a_reaction_is_one_emoji_within_the_limits_on_a_message_of_a_joined_room() {
    for db in Db::all().await {
        let label = db.label;
        let server = db.start(|_| {}).await;
        let mut alice = in_lobby(server.addr, "alice").await;
        let mut bob = in_lobby(server.addr, "bob").await;
        let mut carol = in_lobby(server.addr, "carol").await;
        let m = alice.send_acked("lobby", "a1", "react to me").await.seq;

        for (i, (seq, emoji, code)) in [
            (m, "ok", ErrorCode::BadEmoji),
            (m, "👍👍", ErrorCode::BadEmoji),
            (m, "", ErrorCode::BadEmoji),
            (Seq(m.0 + 50), "👍", ErrorCode::NoSuchMessage),
            (Seq(0), "👍", ErrorCode::NoSuchMessage),
        ]
        .into_iter()
        .enumerate()
        {
            let id = format!("bad{i}");
            bob.send(&react(seq, emoji, &id, false)).await;
            let err = bob.expect_error(code).await;
            assert_eq!(err.client_id.as_deref(), Some(id.as_str()), "{label}");
            assert_eq!(err.room.as_deref(), Some("lobby"), "{label}");
        }

        // 10 per person, 20 different per message.
        let faces = faces(21);
        for (i, face) in faces[..10].iter().enumerate() {
            bob.send(&react(m, face, &format!("b{i}"), false)).await;
            let _: Reacted = bob.recv_kind_where(|r: &Reacted| r.changed).await;
        }
        bob.send(&react(m, &faces[10], "b10", false)).await;
        let err = bob.expect_error(ErrorCode::TooManyReactions).await;
        assert_eq!(err.client_id.as_deref(), Some("b10"), "{label}");
        for (i, face) in faces[10..20].iter().enumerate() {
            carol.send(&react(m, face, &format!("c{i}"), false)).await;
            let _: Reacted = carol.recv_kind_where(|r: &Reacted| r.changed).await;
        }
        alice.send(&react(m, &faces[20], "a21", false)).await;
        let err = alice.expect_error(ErrorCode::TooManyReactions).await;
        assert!(err.message.contains("20 different"), "{label}: {err:?}");
        alice.send(&react(m, &faces[0], "a0", false)).await;
        let ok: Reacted = alice.recv_kind().await;
        assert!(ok.changed, "{label}: one of the 20 may still be added");
        let page = history_of(&mut alice, m).await;
        assert_eq!(page.reactions.len(), 20, "{label}");
        assert_eq!(page.reactions[0].count, 2, "{label}");

        // Only in a joined room.
        let mut dave = Client::connect(server.addr, "dave").await;
        dave.send(&react(m, "👍", "d1", false)).await;
        let err = dave.expect_error(ErrorCode::NotInRoom).await;
        assert_eq!(err.client_id.as_deref(), Some("d1"), "{label}");
        server.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn a_join_ends_with_the_reactions_of_what_it_sent_and_of_what_changed_while_away() {
    let server = start().await;
    let mut alice = in_lobby(server.addr, "alice").await;
    let mut seqs = Vec::new();
    for i in 0..4 {
        seqs.push(
            alice
                .send_acked("lobby", &format!("a{i}"), &format!("m{i}"))
                .await
                .seq,
        );
    }
    // A room without reactions sends no `reactions` frame.
    let mut bob = in_lobby(server.addr, "bob").await;
    let seen = bob.until_refused_leave(NO_ROOM).await;
    assert_none(&seen, "a reactions frame", |m| {
        matches!(m, ServerMsg::Reactions { .. })
    });
    let token = bob.token.clone();
    drop(bob);

    // While bob is away, alice reacts to the oldest message.
    alice.send(&react(seqs[0], "🎉", "r1", false)).await;
    let _: Reacted = alice.recv_kind().await;
    let mut bob = Client::reconnect(server.addr, &token).await;
    bob.send(&ClientMsg::Join {
        room: "lobby".into(),
        nickname: None,
        after: Some(seqs[3]),
        changes_after: Some(0),
    })
    .await;
    let frame: ReactionsFrame = bob.recv_kind().await;
    assert!(frame.rev >= 1 && !frame.partial && frame.room == "lobby");
    assert_eq!(frame.messages.len(), 1, "{frame:?}");
    assert_eq!(frame.messages[0].seq, seqs[0], "an old message changed");
    assert_eq!(
        chips(&frame.messages[0].reactions),
        [chip("🎉", 1, &["alice"], false)]
    );

    // Resumed from that frame's rev: only what changed since.
    alice.send(&react(seqs[2], "👀", "r2", false)).await;
    let _: ReactionNews = bob.recv_kind().await;
    let mut again = Client::reconnect(server.addr, &token).await;
    again
        .send(&ClientMsg::Join {
            room: "lobby".into(),
            nickname: None,
            after: Some(seqs[3]),
            changes_after: Some(frame.rev),
        })
        .await;
    let next: ReactionsFrame = again.recv_kind().await;
    assert_eq!(
        next.messages.iter().map(|m| m.seq).collect::<Vec<_>>(),
        [seqs[2]]
    );
    assert!(next.rev > frame.rev);

    // A first join's latest page: the reactions of its messages, the reader's own marked.
    alice
        .send(&ClientMsg::Leave {
            room: "lobby".into(),
        })
        .await;
    let _: Left = alice.recv_kind().await;
    alice.join("lobby").await;
    let mine: ReactionsFrame = alice.recv_kind().await;
    assert_eq!(
        mine.messages
            .iter()
            .map(|m| (m.seq, chips(&m.reactions)))
            .collect::<Vec<_>>(),
        [
            (seqs[0], vec![chip("🎉", 1, &["alice"], true)]),
            (seqs[2], vec![chip("👀", 1, &["alice"], true)])
        ]
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn quick_adds_and_take_backs_keep_their_order() {
    let server = start().await;
    let mut alice = in_lobby(server.addr, "alice").await;
    let m = alice.send_acked("lobby", "a1", "toggle me").await.seq;
    for i in 0..20 {
        alice
            .send(&react(m, "👍", &format!("t{i}"), i % 2 == 1))
            .await;
    }
    let mut changed = 0;
    for _ in 0..20 {
        let r: Reacted = alice.recv_kind().await;
        changed += u32::from(r.changed);
    }
    assert_eq!(changed, 20, "each one, in order, changed something");
    assert!(history_of(&mut alice, m).await.reactions.is_empty());
    server.shutdown().await.unwrap();
}

/// `GET …/messages/{seq}/reactions?emoji=👍&from=…` as `token`: (status, body).
async fn reactors(
    addr: std::net::SocketAddr,
    token: &str,
    seq: Seq,
    from: u32,
) -> (u16, serde_json::Value) {
    let path = format!(
        "/api/rooms/lobby/messages/{}/reactions?emoji=%F0%9F%91%8D&from={from}",
        seq.0
    );
    let (status, body) = http(addr, "GET", &path, &[("Authorization", &bearer(token))]).await;
    (status, serde_json::from_str(&body).unwrap_or_default())
}

#[tokio::test]
async fn the_full_list_of_who_reacted_comes_on_request_a_page_at_a_time() {
    for db in Db::all().await {
        let label = db.label;
        let server = db.start(|_| {}).await;
        let mut alice = in_lobby(server.addr, "alice").await;
        let m = alice.send_acked("lobby", "a1", "who is in?").await.seq;
        // Five people, one after the other: more than a frame names.
        let mut voters = Vec::new();
        for i in 0..5 {
            let nick = format!("voter{i}");
            let mut c = in_lobby(server.addr, &nick).await;
            c.send(&react(m, "👍", "v1", false)).await;
            let done: Reacted = c.recv_kind().await;
            assert!(done.changed, "{label}");
            voters.push(nick);
        }
        let page = history_of(&mut alice, m).await;
        assert_eq!(
            page.reactions[0].names.len(),
            3,
            "{label}: frames name three"
        );

        let (status, all) = reactors(server.addr, &alice.token, m, 0).await;
        assert_eq!(status, 200, "{label}: {all}");
        assert_eq!(
            (all["emoji"].as_str(), &all["count"]),
            (Some("👍"), &5.into())
        );
        assert_eq!(
            all["names"],
            serde_json::json!(voters),
            "{label}: all, in order"
        );
        assert!(all.get("next").is_none(), "{label}: one page: {all}");
        let (_, rest) = reactors(server.addr, &alice.token, m, 3).await;
        assert_eq!(rest["names"], serde_json::json!(voters[3..]), "{label}");
        let (_, past) = reactors(server.addr, &alice.token, m, 9).await;
        assert_eq!(
            (&past["count"], &past["names"]),
            (&5.into(), &serde_json::json!([]))
        );
        // Without a session: 401.
        let (status, _) = http(
            server.addr,
            "GET",
            &format!(
                "/api/rooms/lobby/messages/{}/reactions?emoji=%F0%9F%91%8D",
                m.0
            ),
            &[],
        )
        .await;
        assert_eq!(status, 401, "{label}");
        server.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn a_joins_reactions_frame_says_partial_past_250_messages_with_reactions() {
    let server = start().await;
    let mut alice = in_lobby(server.addr, "alice").await;
    let mut seqs = Vec::new();
    for i in 0..252 {
        let ack = alice.send_acked("lobby", &format!("a{i}"), "hi").await;
        seqs.push(ack.seq);
    }
    for (i, seq) in seqs.iter().enumerate() {
        alice
            .send(&react(*seq, "👍", &format!("r{i}"), false))
            .await;
    }
    for _ in &seqs {
        let done: Reacted = alice.recv_kind().await;
        assert!(done.changed);
    }
    let join = |after: Seq| ClientMsg::Join {
        room: "lobby".into(),
        nickname: None,
        after: Some(after),
        changes_after: None,
    };
    // All 252 sent: the frame lists the newest 250, and says it is not all.
    let mut bob = Client::connect(server.addr, "bob").await;
    bob.send(&join(Seq(0))).await;
    let frame: ReactionsFrame = bob.recv_kind().await;
    assert!(frame.partial, "252 > 250");
    let listed: Vec<Seq> = frame.messages.iter().map(|m| m.seq).collect();
    assert_eq!(listed, seqs[2..], "the newest 250, in seq order");
    // 250 sent: all of them, and complete.
    let mut carol = Client::connect(server.addr, "carol").await;
    carol.send(&join(seqs[1])).await;
    let frame: ReactionsFrame = carol.recv_kind().await;
    assert!(!frame.partial);
    assert_eq!(frame.messages.len(), 250);
    server.shutdown().await.unwrap();
}
