//! Rooms, presence, messages and acks between real clients.

use std::time::Duration;

use shared::{ClientMsg, ErrorCode, PresenceChange, Seq, ServerMsg};

use crate::helpers::*;

fn presence(msg: &ServerMsg) -> Option<(String, PresenceChange)> {
    match msg {
        ServerMsg::Presence {
            nickname, change, ..
        } => Some((nickname.to_string(), *change)),
        _ => None,
    }
}

#[tokio::test]
async fn two_clients_see_each_others_presence_and_messages() {
    let server = start().await;
    let mut alice = Client::connect(server.addr, "alice").await;
    let mut bob = Client::connect(server.addr, "bob").await;

    assert_eq!(alice.join("lobby").await, ["alice"]);
    assert_eq!(bob.join("lobby").await, ["alice", "bob"]);
    let seen = alice.recv_where(|m| presence(m).is_some()).await;
    assert_eq!(
        presence(&seen),
        Some(("bob".into(), PresenceChange::Joined))
    );

    alice.say("lobby", "a1", "hello bob").await;
    bob.say("lobby", "b1", "hi alice").await;
    for client in [&mut alice, &mut bob] {
        let mut got = Vec::new();
        while got.len() < 2 {
            if let ServerMsg::Message(m) = client.recv().await {
                got.push((m.nickname.to_string(), m.text.to_string(), m.seq));
            }
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
    let frames = alice.drain(Duration::from_millis(300)).await;
    let acks: Vec<_> = frames
        .iter()
        .filter(|m| matches!(m, ServerMsg::Ack { .. }))
        .collect();
    let msgs: Vec<_> = frames
        .iter()
        .filter(|m| matches!(m, ServerMsg::Message(_)))
        .collect();
    assert_eq!(acks.len(), 1, "{frames:?}");
    assert_eq!(msgs.len(), 1, "{frames:?}");
    let (
        ServerMsg::Ack {
            client_id,
            seq,
            id,
            duplicate,
            ..
        },
        ServerMsg::Message(m),
    ) = (acks[0], msgs[0])
    else {
        unreachable!()
    };
    assert_eq!(client_id.as_str(), "only-once");
    assert_eq!((*seq, *id, *duplicate), (m.seq, m.id, false));
    let ack_pos = frames
        .iter()
        .position(|f| matches!(f, ServerMsg::Ack { .. }))
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

    bob.send(&ClientMsg::Leave {
        room: "lobby".into(),
    })
    .await;
    assert!(matches!(
        bob.recv_where(|m| matches!(m, ServerMsg::Left { .. }))
            .await,
        ServerMsg::Left { .. }
    ));
    let seen = alice
        .recv_where(|m| presence(m).is_some_and(|p| p.0 == "bob" && p.1 != PresenceChange::Joined))
        .await;
    assert_eq!(presence(&seen), Some(("bob".into(), PresenceChange::Left)));

    drop(carol);
    let seen = alice
        .recv_where(|m| {
            presence(m).is_some_and(|p| p.0 == "carol" && p.1 != PresenceChange::Joined)
        })
        .await;
    assert_eq!(
        presence(&seen),
        Some(("carol".into(), PresenceChange::Disconnected))
    );

    // Bob is no longer in the room: his send is refused and alice hears nothing.
    bob.say("lobby", "late", "am I here?").await;
    assert_eq!(bob.next_error().await, ErrorCode::NotInRoom);
    assert!(alice
        .drain(Duration::from_millis(200))
        .await
        .iter()
        .all(|m| !matches!(m, ServerMsg::Message(_))));
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
    let m = alice
        .recv_where(|m| matches!(m, ServerMsg::Message(_)))
        .await;
    let ServerMsg::Message(m) = m else {
        unreachable!()
    };
    assert_eq!((m.room.as_str(), m.text.as_str()), ("rust", "in rust"));

    // Bob is not in lobby.
    bob.say("lobby", "r2", "nope").await;
    assert_eq!(bob.next_error().await, ErrorCode::NotInRoom);

    // A different nickname on the same connection is refused.
    alice
        .send(&ClientMsg::Join {
            room: "other".into(),
            nickname: Some("alice2".into()),
            after: None,
        })
        .await;
    assert_eq!(alice.next_error().await, ErrorCode::NicknameMismatch);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_new_room_is_announced_to_everyone() {
    let server = start().await;
    let mut alice = Client::connect(server.addr, "alice").await;
    let mut bob = Client::connect(server.addr, "bob").await;
    alice.join("lobby").await;
    bob.join("lobby").await;
    bob.join("gardening").await;
    let created = alice
        .recv_where(|m| matches!(m, ServerMsg::RoomCreated { .. }))
        .await;
    let ServerMsg::RoomCreated { room } = created else {
        unreachable!()
    };
    assert_eq!(room.name.as_str(), "gardening");

    // A later connection sees both rooms in its welcome, with member counts.
    let token = session(server.addr, "carol").await;
    let mut carol = Client::connect_raw(server.addr, "/ws?v=1", &token).await;
    let ServerMsg::Welcome { rooms, .. } = carol.recv().await else {
        panic!("welcome first")
    };
    let listed: Vec<_> = rooms
        .iter()
        .map(|r| (r.name.to_string(), r.members))
        .collect();
    assert_eq!(listed, [("gardening".into(), 1), ("lobby".into(), 2)]);
    server.shutdown().await.unwrap();
}

/// Connections opened while rooms are being created get `welcome` first, then learn of
/// every room exactly through the welcome's list or a later `room_created`.
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
    let watchers: Vec<_> = tokens
        .into_iter()
        .enumerate()
        .map(|(i, token)| {
            tokio::spawn(async move {
                let mut c = Client::connect_raw(addr, "/ws?v=1", &token).await;
                let first = c.recv().await;
                let ServerMsg::Welcome { rooms, .. } = first else {
                    panic!("w{i}: expected welcome first, got {first:?}")
                };
                let mut known: std::collections::HashSet<String> =
                    rooms.iter().map(|r| r.name.to_string()).collect();
                while known.len() < ROOMS {
                    if let ServerMsg::RoomCreated { room } = c.recv().await {
                        known.insert(room.name.to_string());
                    }
                }
            })
        })
        .collect();
    for i in 0..ROOMS {
        creator
            .send(&ClientMsg::Join {
                room: format!("r{i}").as_str().into(),
                nickname: None,
                after: None,
            })
            .await;
    }
    for w in watchers {
        w.await.unwrap();
    }
    for _ in 0..ROOMS {
        creator
            .recv_where(|m| matches!(m, ServerMsg::Joined { .. }))
            .await;
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
    alice.drain(Duration::from_millis(200)).await;
    let mut bob = Client::connect(server.addr, "bob").await;
    bob.send(&ClientMsg::Join {
        room: "lobby".into(),
        nickname: None,
        after: None,
    })
    .await;
    let ServerMsg::Joined {
        after, last_seq, ..
    } = bob
        .recv_where(|m| matches!(m, ServerMsg::Joined { .. }))
        .await
    else {
        unreachable!()
    };
    assert_eq!((after, last_seq), (Seq(0), Seq(5)));
    for i in 0..5 {
        let ServerMsg::Message(m) = bob.recv().await else {
            panic!("history follows joined")
        };
        assert_eq!(
            (m.seq, m.text.as_str()),
            (Seq(i + 1), format!("message {i}").as_str())
        );
    }
    server.shutdown().await.unwrap();
}
