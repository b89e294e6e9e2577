//! Property tests: arbitrary valid messages of every variant round-trip through JSON.

use proptest::prelude::*;
use shared::*;

fn nickname() -> impl Strategy<Value = Nickname> {
    "[^\\p{Cc}\\s][^\\p{Cc}]{0,30}[^\\p{Cc}\\s]?"
        .prop_filter_map("valid", |s| Nickname::parse(&s).ok())
}
fn room() -> impl Strategy<Value = RoomName> {
    "[a-z0-9_-]{1,48}".prop_map(|s| RoomName::parse(&s).unwrap())
}
fn text() -> impl Strategy<Value = MessageText> {
    any::<String>().prop_filter_map("valid", |s| {
        let s: String = s.chars().filter(|&c| !is_forbidden_control(c)).collect();
        MessageText::parse(&s).ok()
    })
}
fn client_id() -> impl Strategy<Value = ClientMsgId> {
    "[A-Za-z0-9_-]{1,64}".prop_map(|s| ClientMsgId::parse(&s).unwrap())
}
fn chat() -> impl Strategy<Value = ChatMessage> {
    (
        room(),
        any::<u64>(),
        any::<u64>(),
        nickname(),
        text(),
        any::<i64>(),
        any::<bool>(),
        proptest::option::of((any::<u64>(), nickname(), any::<String>())),
    )
        .prop_map(
            |(room, seq, id, nickname, text, ts, bot, reply)| ChatMessage {
                room,
                seq: Seq(seq),
                id: MessageId(id),
                nickname,
                text,
                ts,
                bot,
                reply: reply.map(|(seq, nickname, snippet)| Reply {
                    seq: Seq(seq),
                    nickname,
                    snippet,
                }),
                reactions: Vec::new(),
                rev: 0,
            },
        )
}

fn reaction() -> impl Strategy<Value = Reaction> {
    (
        proptest::sample::select(vec!["👍", "❤️", "👩‍💻", "🇫🇷"]),
        any::<u32>(),
        proptest::collection::vec(nickname(), 0..3),
        any::<bool>(),
    )
        .prop_map(|(emoji, count, names, mine)| Reaction {
            emoji: Emoji::parse(emoji).unwrap(),
            count,
            names,
            mine,
        })
}
fn change() -> impl Strategy<Value = PresenceChange> {
    prop_oneof![
        Just(PresenceChange::Joined),
        Just(PresenceChange::Left),
        Just(PresenceChange::Disconnected),
        Just(PresenceChange::DroppedSlow)
    ]
}
fn summary() -> impl Strategy<Value = RoomSummary> {
    (room(), any::<u32>()).prop_map(|(name, members)| RoomSummary { name, members })
}

fn client_msg() -> impl Strategy<Value = ClientMsg> {
    prop_oneof![
        (
            any::<String>(),
            proptest::option::of(any::<String>()),
            proptest::option::of(any::<u64>())
        )
            .prop_map(|(room, nickname, after)| ClientMsg::Join {
                room,
                nickname,
                after: after.map(Seq),
                changes_after: after,
            }),
        (
            any::<String>(),
            any::<u64>(),
            any::<String>(),
            any::<String>(),
            any::<bool>()
        )
            .prop_map(|(room, seq, emoji, client_id, remove)| ClientMsg::React {
                room,
                seq: Seq(seq),
                emoji,
                client_id,
                remove
            }),
        any::<String>().prop_map(|room| ClientMsg::Leave { room }),
        (
            any::<String>(),
            any::<String>(),
            any::<String>(),
            proptest::option::of(any::<u64>())
        )
            .prop_map(|(room, client_id, text, reply_to)| ClientMsg::Send {
                room,
                client_id,
                text,
                reply_to: reply_to.map(Seq),
            }),
        (
            any::<String>(),
            proptest::option::of(any::<u64>()),
            proptest::option::of(any::<u64>()),
            proptest::option::of(any::<u64>()),
            proptest::option::of(any::<u32>())
        )
            .prop_map(|(room, before, after, around, limit)| ClientMsg::History {
                room,
                before: before.map(Seq),
                after: after.map(Seq),
                around: around.map(Seq),
                limit
            }),
        (
            proptest::option::of(any::<String>()),
            proptest::option::of(any::<String>()),
            proptest::option::of(any::<u32>())
        )
            .prop_map(|(prefix, after, limit)| ClientMsg::ListRooms {
                prefix,
                after,
                limit
            }),
        proptest::collection::vec(any::<String>(), 0..4)
            .prop_map(|rooms| ClientMsg::RoomCounts { rooms }),
        (any::<String>(), any::<bool>())
            .prop_map(|(room, typing)| ClientMsg::Typing { room, typing }),
        any::<String>().prop_map(|nickname| ClientMsg::OpenDirect { nickname }),
        (
            any::<String>(),
            proptest::sample::select(NotifyLevel::ALL.to_vec())
        )
            .prop_map(|(room, level)| ClientMsg::SetNotify { room, level }),
        (any::<String>(), any::<u64>()).prop_map(|(room, seq)| ClientMsg::Read {
            room,
            seq: Seq(seq)
        }),
    ]
}

fn server_msg() -> impl Strategy<Value = ServerMsg> {
    prop_oneof![
        (any::<u32>(), proptest::collection::vec(summary(), 0..4)).prop_map(|(protocol, rooms)| {
            ServerMsg::Welcome {
                protocol,
                rooms,
                directs: Vec::new(),
            }
        }),
        (room(), nickname()).prop_map(|(room, with)| ServerMsg::Direct { room, with }),
        (room(), proptest::sample::select(NotifyLevel::ALL.to_vec()))
            .prop_map(|(room, level)| ServerMsg::Notify { room, level }),
        (
            "[a-z]{0,3}",
            proptest::collection::vec(summary(), 0..4),
            proptest::option::of(room())
        )
            .prop_map(|(prefix, rooms, next)| ServerMsg::RoomList {
                prefix,
                rooms,
                next
            }),
        proptest::collection::vec(summary(), 0..4)
            .prop_map(|rooms| ServerMsg::RoomCounts { rooms }),
        (room(), any::<u64>()).prop_map(|(room, seq)| ServerMsg::Read {
            room,
            seq: Seq(seq)
        }),
        (room(), nickname(), any::<bool>()).prop_map(|(room, nickname, typing)| {
            ServerMsg::Typing {
                room,
                nickname,
                typing,
            }
        }),
        (
            room(),
            nickname(),
            proptest::collection::vec(nickname(), 0..4),
            any::<u32>(),
            any::<u64>(),
            any::<u64>(),
            (any::<u64>(), any::<u32>(), any::<u32>())
        )
            .prop_map(
                |(room, nickname, members, n, a, l, (r, u, m))| ServerMsg::Joined {
                    room,
                    nickname,
                    members,
                    member_count: n,
                    after: Seq(a),
                    last_seq: Seq(l),
                    read_seq: Seq(r),
                    unread: u,
                    mentions: m,
                    direct: None,
                    notify: NotifyLevel::All,
                }
            ),
        room().prop_map(|room| ServerMsg::Left { room }),
        (room(), nickname(), change()).prop_map(|(room, nickname, change)| ServerMsg::Presence {
            room,
            nickname,
            change
        }),
        chat().prop_map(ServerMsg::Message),
        (
            room(),
            any::<u64>(),
            nickname(),
            reaction(),
            any::<bool>(),
            proptest::collection::vec(reaction(), 0..3)
        )
            .prop_map(|(room, seq, nickname, r, added, reactions)| {
                ServerMsg::Reaction {
                    room,
                    seq: Seq(seq),
                    rev: seq,
                    nickname,
                    emoji: r.emoji,
                    added,
                    reactions,
                }
            }),
        (
            room(),
            any::<u64>(),
            proptest::collection::vec((any::<u64>(), reaction()), 0..3),
            any::<bool>()
        )
            .prop_map(|(room, rev, messages, partial)| ServerMsg::Reactions {
                room,
                rev,
                messages: messages
                    .into_iter()
                    .map(|(seq, r)| MessageReactions {
                        seq: Seq(seq),
                        rev,
                        reactions: vec![r],
                    })
                    .collect(),
                partial,
            }),
        (room(), client_id(), any::<u64>(), reaction(), any::<bool>()).prop_map(
            |(room, client_id, seq, r, changed)| ServerMsg::Reacted {
                room,
                client_id,
                seq: Seq(seq),
                emoji: r.emoji,
                changed,
            }
        ),
        (
            room(),
            client_id(),
            any::<u64>(),
            any::<u64>(),
            any::<i64>(),
            any::<bool>()
        )
            .prop_map(|(room, client_id, seq, id, ts, duplicate)| ServerMsg::Ack {
                room,
                client_id,
                seq: Seq(seq),
                id: MessageId(id),
                ts,
                duplicate
            }),
        (
            room(),
            proptest::collection::vec(chat(), 0..3),
            any::<bool>(),
            any::<bool>()
        )
            .prop_map(|(room, messages, has_more, has_newer)| ServerMsg::History {
                room,
                messages,
                has_more,
                has_newer
            }),
        (
            proptest::sample::select(ErrorCode::ALL.to_vec()),
            any::<String>(),
            proptest::option::of(room()),
            proptest::option::of(client_id())
        )
            .prop_map(|(code, message, room, client_id)| ServerMsg::Error {
                code,
                message,
                room,
                client_id
            }),
    ]
}

proptest! {
    #[test]
    fn every_client_msg_round_trips(msg in client_msg()) {
        prop_assert_eq!(decode_client_msg(&msg.to_json()).unwrap(), msg);
    }

    #[test]
    fn every_server_msg_round_trips(msg in server_msg()) {
        prop_assert_eq!(serde_json::from_str::<ServerMsg>(&msg.to_json()).unwrap(), msg);
    }

    #[test]
    fn decoding_arbitrary_text_never_panics(s in any::<String>()) {
        let _ = decode_client_msg(&s);
    }
}
