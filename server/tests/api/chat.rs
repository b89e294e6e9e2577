//! Rooms, presence, messages and acks between real clients.

use shared::{ChatMessage, ClientMsg, ErrorCode, PresenceChange, Seq, ServerMsg};

use crate::helpers::*;

#[tokio::test]
async fn two_clients_see_each_others_presence_and_messages() {
    let server = start().await;
    let mut alice = Client::connect(server.addr, "alice").await;
    let mut bob = Client::connect(server.addr, "bob").await;

    assert_eq!(alice.join("lobby").await, ["alice"]);
    assert_eq!(bob.join("lobby").await, ["alice", "bob"]);
    let seen: Presence = alice.recv_kind().await;
    assert_eq!(
        (seen.nickname.as_str(), seen.change),
        ("bob", PresenceChange::Joined)
    );

    alice.say("lobby", "a1", "hello bob").await;
    bob.say("lobby", "b1", "hi alice").await;
    for client in [&mut alice, &mut bob] {
        let mut got = Vec::new();
        while got.len() < 2 {
            let m = client.recv_message().await;
            got.push((m.nickname.to_string(), m.text.to_string(), m.seq));
        }
        got.sort_by_key(|g| g.2);
        assert_eq!(got[0].2, Seq(1));
        assert_eq!(got[1].2, Seq(2));
        let mut pairs: Vec<_> = got.into_iter().map(|(n, t, _)| (n, t)).collect();
        pairs.sort();
        assert_eq!(
            pairs,
            [
                ("alice".into(), "hello bob".into()),
                ("bob".into(), "hi alice".into())
            ]
        );
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn sender_gets_one_ack_before_its_message_and_the_message_once() {
    let server = start().await;
    let mut alice = Client::connect(server.addr, "alice").await;
    alice.join("lobby").await;
    alice.say("lobby", "only-once", "ping").await;
    // A second message is acked and delivered after everything the first one causes.
    alice.say("lobby", "marker", "marker").await;
    let frames = alice.until_message("lobby", "marker").await;
    let acks: Vec<Ack> = frames
        .iter()
        .filter_map(|m| Ack::pick(m.clone()).ok())
        .filter(|a| a.client_id == "only-once")
        .collect();
    let msgs: Vec<ChatMessage> = frames
        .iter()
        .filter_map(|m| ChatMessage::pick(m.clone()).ok())
        .collect();
    assert_eq!(acks.len(), 1, "{frames:?}");
    assert_eq!(msgs.len(), 1, "{frames:?}");
    let (ack, m) = (&acks[0], &msgs[0]);
    assert_eq!(m.text.as_str(), "ping");
    assert_eq!((ack.seq, ack.id, ack.duplicate), (m.seq, m.id, false));
    let ack_pos = frames
        .iter()
        .position(
            |f| matches!(f, ServerMsg::Ack { client_id, .. } if client_id.as_str() == "only-once"),
        )
        .unwrap();
    let msg_pos = frames
        .iter()
        .position(|f| matches!(f, ServerMsg::Message(_)))
        .unwrap();
    assert!(ack_pos < msg_pos, "ack comes before the broadcast copy");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn leave_and_disconnect_notify_the_room() {
    let server = start().await;
    let mut alice = Client::connect(server.addr, "alice").await;
    let mut bob = Client::connect(server.addr, "bob").await;
    let mut carol = Client::connect(server.addr, "carol").await;
    alice.join("lobby").await;
    bob.join("lobby").await;
    carol.join("lobby").await;

    bob.leave("lobby").await;
    let seen = alice
        .recv_kind_where(|p: &Presence| p.nickname == "bob" && p.change != PresenceChange::Joined)
        .await;
    assert_eq!(seen.change, PresenceChange::Left, "{seen:?}");

    drop(carol);
    let seen = alice
        .recv_kind_where(|p: &Presence| p.nickname == "carol" && p.change != PresenceChange::Joined)
        .await;
    assert_eq!(seen.change, PresenceChange::Disconnected, "{seen:?}");

    // Bob is no longer in the room: his send is refused and alice hears nothing.
    bob.say("lobby", "late", "am I here?").await;
    bob.expect_error(ErrorCode::NotInRoom).await;
    // A message alice sends now is delivered after anything bob's send had put in the room.
    alice.say("lobby", "marker", "marker").await;
    let seen = alice.until_message("lobby", "marker").await;
    assert_none(&seen, "chat message before the marker", |m| {
        matches!(m, ServerMsg::Message(_))
    });
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn one_connection_in_several_rooms_gets_each_rooms_traffic_only() {
    let server = start().await;
    let mut alice = Client::connect(server.addr, "alice").await;
    let mut bob = Client::connect(server.addr, "bob").await;
    alice.join("lobby").await;
    alice.join("rust").await;
    bob.join("rust").await;

    bob.say("rust", "r1", "in rust").await;
    let m = alice.recv_message().await;
    assert_eq!((m.room.as_str(), m.text.as_str()), ("rust", "in rust"));

    // Bob is not in lobby.
    bob.say("lobby", "r2", "nope").await;
    bob.expect_error(ErrorCode::NotInRoom).await;

    // A different nickname on the same connection is refused.
    alice
        .send(&ClientMsg::Join {
            room: "other".into(),
            nickname: Some("alice2".into()),
            after: None,
            changes_after: None,
        })
        .await;
    alice.expect_error(ErrorCode::NicknameMismatch).await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_new_room_is_in_the_directory_and_in_its_creators_welcome_only() {
    let server = start().await;
    let mut alice = Client::connect(server.addr, "alice").await;
    let mut bob = Client::connect(server.addr, "bob").await;
    alice.join("lobby").await;
    bob.join("lobby").await;
    bob.join("gardening").await;
    // Nobody else is told (one creation would otherwise cost a frame per connection): after
    // bob's arrival in the lobby, the very next frame alice gets answers her own question,
    // and the room is in it.
    let arrived: Presence = alice.expect_next().await;
    assert_eq!(arrived.nickname, "bob");
    alice
        .send(&ClientMsg::RoomCounts {
            rooms: vec!["gardening".into()],
        })
        .await;
    let counts: RoomCounts = alice.expect_next().await;
    assert_eq!(
        counts.rooms,
        [shared::RoomSummary {
            name: shared::RoomName::parse("gardening").unwrap(),
            members: 1
        }]
    );

    // A later connection's welcome lists its own rooms with member counts: the lobby for
    // anyone, and what the user created (the rest is in the directory).
    let token = session(server.addr, "carol").await;
    let mut carol = Client::connect_raw(server.addr, &ws_path(), &token).await;
    let welcome = carol.expect_welcome().await;
    let listed: Vec<_> = welcome
        .rooms
        .iter()
        .map(|r| (r.name.to_string(), r.members))
        .collect();
    assert_eq!(listed, [("lobby".into(), 2)]);
    let mut bob_again = Client::connect_raw(server.addr, &ws_path(), &bob.token).await;
    let welcome = bob_again.expect_welcome().await;
    let listed: Vec<_> = welcome
        .rooms
        .iter()
        .map(|r| (r.name.to_string(), r.members))
        .collect();
    assert_eq!(listed, [("gardening".into(), 1), ("lobby".into(), 2)]);
    server.shutdown().await.unwrap();
}

/// Connections opened while rooms are being created get `welcome` first, and find every
/// room in the directory once they are made.
#[tokio::test]
async fn welcome_comes_first_while_rooms_are_being_created() {
    const ROOMS: usize = 90;
    const WATCHERS: usize = 40;
    let server = start().await;
    let addr = server.addr;
    let mut creator = Client::connect(addr, "creator").await;
    let mut tokens = Vec::new();
    for i in 0..WATCHERS {
        tokens.push(session(addr, &format!("w{i}")).await);
    }
    let (made_tx, made_rx) = tokio::sync::watch::channel(false);
    let watchers: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(i, token)| {
            let mut made = made_rx.clone();
            tokio::spawn(async move {
                let mut c = Client::connect_raw(addr, &ws_path(), &token).await;
                let first = c.recv().await;
                Welcome::pick(first)
                    .unwrap_or_else(|other| panic!("w{i}: expected welcome first, got {other:?}"));
                made.wait_for(|m| *m).await.unwrap();
                c.send(&ClientMsg::ListRooms {
                    prefix: Some("r".into()),
                    after: None,
                    limit: Some(200),
                })
                .await;
                let page: RoomList = c.expect_next().await;
                assert_eq!(page.rooms.len(), ROOMS, "w{i}");
            })
        })
        .collect();
    for i in 0..ROOMS {
        creator
            .send(&ClientMsg::Join {
                room: format!("r{i}").as_str().into(),
                nickname: None,
                after: None,
                changes_after: None,
            })
            .await;
    }
    for _ in 0..ROOMS {
        creator.recv_joined().await;
    }
    made_tx.send(true).unwrap();
    for w in watchers {
        w.await.unwrap();
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_late_joiner_gets_recent_history_in_order() {
    let server = start().await;
    let mut alice = Client::connect(server.addr, "alice").await;
    alice.join("lobby").await;
    for i in 0..5 {
        alice
            .say("lobby", &format!("m{i}"), &format!("message {i}"))
            .await;
    }
    // Every message is in the room once it is acked.
    for i in 0..5 {
        assert_eq!(alice.recv_ack().await.client_id, format!("m{i}"));
    }
    let mut bob = Client::connect(server.addr, "bob").await;
    bob.send(&ClientMsg::Join {
        room: "lobby".into(),
        nickname: None,
        after: None,
        changes_after: None,
    })
    .await;
    let joined = bob.recv_joined().await;
    assert_eq!((joined.after, joined.last_seq), (Seq(0), Seq(5)));
    for i in 0..5 {
        // History follows joined, with nothing in between.
        let m: ChatMessage = bob.expect_next().await;
        assert_eq!(
            (m.seq, m.text.as_str()),
            (Seq(i + 1), format!("message {i}").as_str())
        );
    }
    server.shutdown().await.unwrap();
}
