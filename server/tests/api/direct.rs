//! Direct messages: a private room of two. Opening one joins the opener and tells the other
//! person's connections; only the two may join it or read its history (over the WebSocket
//! or REST); nobody else sees it in the directory, in counts or in `welcome`.

use shared::{ClientMsg, ErrorCode, ServerMsg};

use crate::helpers::*;

fn open(nickname: &str) -> ClientMsg {
    ClientMsg::OpenDirect {
        nickname: nickname.into(),
    }
}

#[tokio::test]
async fn a_direct_conversation_reaches_its_person_and_nobody_else() {
    let server = start().await;
    let mut alice = Client::connect(server.addr, "alice").await;
    let mut bob = Client::connect(server.addr, "bob").await;
    let mut carol = Client::connect(server.addr, "carol").await;
    alice.join("lobby").await;

    alice.send(&open("Bob")).await;
    let joined: Joined = alice.recv_kind().await;
    assert_eq!(joined.direct.as_deref(), Some("bob"), "{joined:?}");
    let room = joined.room.clone();
    assert!(room.starts_with("dm-"), "{room}");
    // Bob hears of it, joins, and gets what alice says.
    let told = match bob.recv().await {
        ServerMsg::Direct { room, with } => (room.to_string(), with.to_string()),
        other => panic!("expected direct, got {other:?}"),
    };
    assert_eq!(told, (room.clone(), "alice".to_string()));
    let members = bob.join(&room).await;
    assert_eq!(members, ["alice", "bob"]);
    alice.say(&room, "a1", "just between us").await;
    let m = bob.recv_message().await;
    assert_eq!(
        (m.room.as_str(), m.text.as_str()),
        (room.as_str(), "just between us")
    );
    // Opening it again is the same room, and tells nobody anew.
    bob.send(&open("alice")).await;
    let again: Joined = bob.recv_kind().await;
    assert_eq!(
        (again.room.as_str(), again.direct.as_deref()),
        (room.as_str(), Some("alice"))
    );

    // Carol: refused everywhere, and shown nothing.
    let refused = carol.try_join(&room).await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Forbidden);
    carol
        .send(&ClientMsg::History {
            room: room.clone(),
            before: Some(shared::Seq(10)),
            after: None,
            around: None,
            limit: None,
        })
        .await;
    carol.expect_error(ErrorCode::Forbidden).await;
    let path = format!("/api/rooms/{room}/messages");
    let auth = format!("Bearer {}", carol.token);
    let (status, body) = http(server.addr, "GET", &path, &[("Authorization", &auth)]).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("\"forbidden\""), "{body}");
    let (status, _) = get_signed_in(server.addr, &format!("/api/rooms?names={room}")).await;
    assert_eq!(status, 200);
    carol
        .send(&ClientMsg::RoomCounts {
            rooms: vec![room.clone()],
        })
        .await;
    let counts: RoomCounts = carol.recv_kind().await;
    assert!(counts.rooms.is_empty(), "{counts:?}");
    carol
        .send(&ClientMsg::ListRooms {
            prefix: Some("dm-".into()),
            after: None,
            limit: None,
        })
        .await;
    let list: RoomList = carol.recv_kind().await;
    assert!(list.rooms.is_empty(), "{list:?}");
    // A name of that shape that is no conversation cannot be made a room.
    let refused = carol.try_join("dm-0123").await.unwrap_err();
    assert_eq!(refused.code, ErrorCode::Forbidden);
    // The two find it in their next welcome; carol does not.
    let directs = |token: String| async move {
        let mut c = Client::connect_raw(server.addr, &ws_path(), &token).await;
        let welcome = c.expect_welcome().await;
        assert!(
            welcome
                .rooms
                .iter()
                .all(|r| !r.name.as_str().starts_with("dm-")),
            "{welcome:?}"
        );
        welcome.directs
    };
    assert_eq!(
        directs(bob.token.clone()).await,
        [(room.clone(), "alice".to_string())]
    );
    assert!(directs(carol.token.clone()).await.is_empty());
}

#[tokio::test]
async fn opening_a_conversation_with_nobody_or_oneself_is_refused() {
    let server = start().await;
    let mut alice = Client::connect(server.addr, "alice").await;
    alice.send(&open("nobody-here")).await;
    alice.expect_error(ErrorCode::NoSuchUser).await;
    alice.send(&open("ALICE")).await;
    alice.expect_error(ErrorCode::BadNickname).await;
    alice.send(&open("")).await;
    alice.expect_error(ErrorCode::BadNickname).await;
}
