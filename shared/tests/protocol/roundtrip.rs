//! Every `ClientMsg` and `ServerMsg` variant survives JSON and back, and its wire shape is the
//! one docs/PROTOCOL.md shows.

use serde_json::json;
use shared::*;

fn nick(s: &str) -> Nickname {
    Nickname::parse(s).unwrap()
}
fn room(s: &str) -> RoomName {
    RoomName::parse(s).unwrap()
}
fn chat(seq: u64) -> ChatMessage {
    ChatMessage {
        room: room("lobby"),
        seq: Seq(seq),
        id: MessageId(100 + seq),
        nickname: nick("alice"),
        text: MessageText::parse("hi <b>there</b>").unwrap(),
        ts: 1_700_000_000_000,
        bot: false,
        reply: None,
        reactions: Vec::new(),
        rev: 0,
    }
}

/// Round-trips `msg` and checks the JSON it makes equals `expected`.
fn check_client(msg: ClientMsg, expected: serde_json::Value) {
    let text = msg.to_json();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        expected
    );
    assert_eq!(decode_client_msg(&text).unwrap(), msg);
}

fn check_server(msg: ServerMsg, expected: serde_json::Value) {
    let text = msg.to_json();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap(),
        expected
    );
    assert_eq!(serde_json::from_str::<ServerMsg>(&text).unwrap(), msg);
}

#[test]
fn client_join() {
    check_client(
        ClientMsg::Join {
            room: "lobby".into(),
            nickname: None,
            after: None,
            changes_after: None,
        },
        json!({"type": "join", "room": "lobby"}),
    );
    check_client(
        ClientMsg::Join {
            room: "lobby".into(),
            nickname: Some("alice".into()),
            after: Some(Seq(41)),
            changes_after: Some(9),
        },
        json!({"type": "join", "room": "lobby", "nickname": "alice", "after": 41,
               "changes_after": 9}),
    );
}

#[test]
fn client_leave() {
    check_client(
        ClientMsg::Leave {
            room: "lobby".into(),
        },
        json!({"type": "leave", "room": "lobby"}),
    );
}

#[test]
fn client_send() {
    check_client(
        ClientMsg::Send {
            room: "lobby".into(),
            client_id: "c-1".into(),
            text: "hello".into(),
            reply_to: None,
        },
        json!({"type": "send", "room": "lobby", "client_id": "c-1", "text": "hello"}),
    );
}

#[test]
fn client_history() {
    check_client(
        ClientMsg::History {
            room: "lobby".into(),
            before: Some(Seq(51)),
            after: None,
            around: None,
            limit: Some(50),
        },
        json!({"type": "history", "room": "lobby", "before": 51, "limit": 50}),
    );
    check_client(
        ClientMsg::History {
            room: "lobby".into(),
            before: Some(Seq(51)),
            after: None,
            around: None,
            limit: None,
        },
        json!({"type": "history", "room": "lobby", "before": 51}),
    );
    check_client(
        ClientMsg::History {
            room: "lobby".into(),
            before: None,
            after: None,
            around: Some(Seq(42)),
            limit: None,
        },
        json!({"type": "history", "room": "lobby", "around": 42}),
    );
    assert_eq!(
        HistoryFrom::of(None, Some(Seq(3)), None),
        Ok(HistoryFrom::After(Seq(3)))
    );
    assert!(
        HistoryFrom::of(Some(Seq(1)), Some(Seq(3)), None).is_err(),
        "two starts"
    );
}

#[test]
fn server_welcome() {
    check_server(
        ServerMsg::Welcome {
            protocol: PROTOCOL_VERSION,
            rooms: vec![RoomSummary {
                name: room("lobby"),
                members: 2,
            }],
            directs: vec![],
        },
        json!({"type": "welcome", "protocol": 8, "rooms": [{"name": "lobby", "members": 2}]}),
    );
    check_server(
        ServerMsg::Welcome {
            protocol: PROTOCOL_VERSION,
            rooms: vec![],
            directs: vec![DirectRoom {
                room: room("dm-0a"),
                with: nick("bob"),
            }],
        },
        json!({"type": "welcome", "protocol": 8, "rooms": [],
               "directs": [{"room": "dm-0a", "with": "bob"}]}),
    );
}

#[test]
fn server_joined() {
    check_server(
        ServerMsg::Joined {
            room: room("lobby"),
            nickname: nick("alice"),
            members: vec![nick("alice"), nick("bob")],
            member_count: 2,
            after: Seq(10),
            last_seq: Seq(60),
            read_seq: Seq(55),
            unread: 5,
            mentions: 1,
            direct: None,
            notify: NotifyLevel::Mentions,
        },
        json!({"type": "joined", "room": "lobby", "nickname": "alice",
               "members": ["alice", "bob"], "member_count": 2, "after": 10, "last_seq": 60,
               "read_seq": 55, "unread": 5, "mentions": 1, "notify": "mentions"}),
    );
}

#[test]
fn server_left() {
    check_server(
        ServerMsg::Left {
            room: room("lobby"),
        },
        json!({"type": "left", "room": "lobby"}),
    );
}

#[test]
fn server_presence() {
    for (change, name) in [
        (PresenceChange::Joined, "joined"),
        (PresenceChange::Left, "left"),
        (PresenceChange::Disconnected, "disconnected"),
        (PresenceChange::DroppedSlow, "dropped_slow"),
    ] {
        check_server(
            ServerMsg::Presence {
                room: room("lobby"),
                nickname: nick("bob"),
                change,
            },
            json!({"type": "presence", "room": "lobby", "nickname": "bob", "change": name}),
        );
    }
}

#[test]
fn client_list_rooms_and_room_counts() {
    check_client(
        ClientMsg::ListRooms {
            prefix: Some("ga".into()),
            after: None,
            limit: Some(20),
        },
        json!({"type": "list_rooms", "prefix": "ga", "limit": 20}),
    );
    check_client(
        ClientMsg::RoomCounts {
            rooms: vec!["lobby".into()],
        },
        json!({"type": "room_counts", "rooms": ["lobby"]}),
    );
}

#[test]
fn server_room_list_and_room_counts() {
    let garden = RoomSummary {
        name: room("garden"),
        members: 3,
    };
    check_server(
        ServerMsg::RoomList {
            prefix: "ga".into(),
            rooms: vec![garden.clone()],
            next: Some(room("garden")),
        },
        json!({"type": "room_list", "prefix": "ga", "rooms": [{"name": "garden", "members": 3}], "next": "garden"}),
    );
    check_server(
        ServerMsg::RoomList {
            prefix: String::new(),
            rooms: vec![],
            next: None,
        },
        json!({"type": "room_list", "prefix": "", "rooms": []}),
    );
    check_server(
        ServerMsg::RoomCounts {
            rooms: vec![garden],
        },
        json!({"type": "room_counts", "rooms": [{"name": "garden", "members": 3}]}),
    );
}

#[test]
fn typing_both_ways() {
    check_client(
        ClientMsg::Typing {
            room: "lobby".into(),
            typing: true,
        },
        json!({"type": "typing", "room": "lobby", "typing": true}),
    );
    check_server(
        ServerMsg::Typing {
            room: room("lobby"),
            nickname: nick("alice"),
            typing: false,
        },
        json!({"type": "typing", "room": "lobby", "nickname": "alice", "typing": false}),
    );
}

#[test]
fn direct_conversations() {
    check_client(
        ClientMsg::OpenDirect {
            nickname: "bob".into(),
        },
        json!({"type": "open_direct", "nickname": "bob"}),
    );
    check_server(
        ServerMsg::Direct {
            room: room("dm-0a"),
            with: nick("alice"),
        },
        json!({"type": "direct", "room": "dm-0a", "with": "alice"}),
    );
}

#[test]
fn notify_levels_both_ways() {
    check_client(
        ClientMsg::SetNotify {
            room: "lobby".into(),
            level: NotifyLevel::Nothing,
        },
        json!({"type": "set_notify", "room": "lobby", "level": "nothing"}),
    );
    check_server(
        ServerMsg::Notify {
            room: room("lobby"),
            level: NotifyLevel::All,
        },
        json!({"type": "notify", "room": "lobby", "level": "all"}),
    );
    for level in NotifyLevel::ALL {
        assert_eq!(NotifyLevel::parse(level.as_str()), Some(level));
    }
    assert!(NotifyLevel::Mentions.notifies(true) && !NotifyLevel::Mentions.notifies(false));
    assert!(NotifyLevel::All.notifies(false) && !NotifyLevel::Nothing.notifies(true));
}

#[test]
fn read_both_ways() {
    check_client(
        ClientMsg::Read {
            room: "lobby".into(),
            seq: Seq(42),
        },
        json!({"type": "read", "room": "lobby", "seq": 42}),
    );
    check_server(
        ServerMsg::Read {
            room: room("lobby"),
            seq: Seq(42),
        },
        json!({"type": "read", "room": "lobby", "seq": 42}),
    );
}

#[test]
fn server_message() {
    check_server(
        ServerMsg::Message(chat(7)),
        json!({"type": "message", "room": "lobby", "seq": 7, "id": 107, "nickname": "alice",
               "text": "hi <b>there</b>", "ts": 1_700_000_000_000_i64}),
    );
}

#[test]
fn a_reply_and_its_quote() {
    check_client(
        ClientMsg::Send {
            room: "lobby".into(),
            client_id: "c-2".into(),
            text: "yes".into(),
            reply_to: Some(Seq(7)),
        },
        json!({"type": "send", "room": "lobby", "client_id": "c-2", "text": "yes", "reply_to": 7}),
    );
    let mut answer = chat(8);
    answer.reply = Some(Reply::to(&chat(7)));
    check_server(
        ServerMsg::Message(answer),
        json!({"type": "message", "room": "lobby", "seq": 8, "id": 108, "nickname": "alice",
               "text": "hi <b>there</b>", "ts": 1_700_000_000_000_i64,
               "reply": {"seq": 7, "nickname": "alice", "snippet": "hi <b>there</b>"}}),
    );
}

#[test]
fn server_ack() {
    check_server(
        ServerMsg::Ack {
            room: room("lobby"),
            client_id: ClientMsgId::parse("c-1").unwrap(),
            seq: Seq(7),
            id: MessageId(107),
            ts: 5,
            duplicate: false,
        },
        json!({"type": "ack", "room": "lobby", "client_id": "c-1", "seq": 7, "id": 107,
               "ts": 5, "duplicate": false}),
    );
}

#[test]
fn server_history() {
    check_server(
        ServerMsg::History {
            room: room("lobby"),
            messages: vec![chat(1), chat(2)],
            has_more: false,
            has_newer: false,
        },
        json!({"type": "history", "room": "lobby", "has_more": false, "messages": [
            serde_json::to_value(chat(1)).unwrap(), serde_json::to_value(chat(2)).unwrap()]}),
    );
}

#[test]
fn server_error() {
    check_server(
        ServerMsg::error(ErrorCode::UnknownType, "nope"),
        json!({"type": "error", "code": "unknown_type", "message": "nope"}),
    );
    check_server(
        ServerMsg::Error {
            code: ErrorCode::StorageUnavailable,
            message: "x".into(),
            room: Some(room("lobby")),
            client_id: Some(ClientMsgId::parse("c-9").unwrap()),
        },
        json!({"type": "error", "code": "storage_unavailable", "message": "x",
               "room": "lobby", "client_id": "c-9"}),
    );
}

#[test]
fn server_msgs_with_invalid_names_are_refused() {
    let bad = json!({"type": "left", "room": "Not A Room"}).to_string();
    assert!(serde_json::from_str::<ServerMsg>(&bad).is_err());
}

#[test]
fn reactions_both_ways() {
    check_client(
        ClientMsg::React {
            room: "lobby".into(),
            seq: Seq(7),
            emoji: "👍".into(),
            client_id: "r-1".into(),
            remove: false,
        },
        json!({"type": "react", "room": "lobby", "seq": 7, "emoji": "👍", "client_id": "r-1"}),
    );
    check_client(
        ClientMsg::React {
            room: "lobby".into(),
            seq: Seq(7),
            emoji: "👍".into(),
            client_id: "r-2".into(),
            remove: true,
        },
        json!({"type": "react", "room": "lobby", "seq": 7, "emoji": "👍", "client_id": "r-2",
               "remove": true}),
    );
    let up = Emoji::parse("👍").unwrap();
    let chip = |mine| Reaction {
        emoji: up.clone(),
        count: 2,
        names: vec![nick("alice"), nick("bob")],
        mine,
    };
    check_server(
        ServerMsg::Reaction {
            room: room("lobby"),
            seq: Seq(7),
            rev: 12,
            nickname: nick("bob"),
            emoji: up.clone(),
            added: true,
            reactions: vec![chip(false)],
        },
        json!({"type": "reaction", "room": "lobby", "seq": 7, "rev": 12, "nickname": "bob",
               "emoji": "👍", "added": true,
               "reactions": [{"emoji": "👍", "count": 2, "names": ["alice", "bob"]}]}),
    );
    check_server(
        ServerMsg::Reactions {
            room: room("lobby"),
            rev: 12,
            messages: vec![MessageReactions {
                seq: Seq(7),
                rev: 12,
                reactions: vec![chip(true)],
            }],
            partial: false,
        },
        json!({"type": "reactions", "room": "lobby", "rev": 12, "messages": [{"seq": 7,
               "rev": 12, "reactions": [{"emoji": "👍", "count": 2, "names": ["alice", "bob"],
               "mine": true}]}]}),
    );
    check_server(
        ServerMsg::Reacted {
            room: room("lobby"),
            client_id: ClientMsgId::parse("r-1").unwrap(),
            seq: Seq(7),
            emoji: up.clone(),
            changed: true,
        },
        json!({"type": "reacted", "room": "lobby", "client_id": "r-1", "seq": 7, "emoji": "👍",
               "changed": true}),
    );
    let mut held = chat(7);
    held.reactions = vec![chip(true)];
    held.rev = 12;
    let json = serde_json::to_value(ServerMsg::Message(held)).unwrap();
    assert_eq!(json["rev"], 12);
    assert_eq!(json["reactions"][0]["mine"], true);
    assert!(
        serde_json::from_value::<ServerMsg>(json!({"type": "reacted", "room": "lobby",
            "client_id": "r-1", "seq": 7, "emoji": "ok", "changed": true}))
        .is_err(),
        "an emoji that is text is refused"
    );
}
