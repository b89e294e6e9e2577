//! The reducer's tests: pure, native (`cargo test -p frontend`).

use std::rc::Rc;

use shared::{ClientMsg, ErrorCode, RoomName, Seq, ServerMsg};

use super::fixtures::*;
use super::{Action, ChatState, ConnStatus, PendingStatus, Screen};

fn texts(state: &ChatState, room_name: &str) -> Vec<(u64, String, String)> {
    view(state, room_name)
        .messages
        .values()
        .map(|m| (m.seq.0, m.nickname.to_string(), m.text.to_string()))
        .collect()
}

fn join_frame(room_name: &str, after: Option<u64>) -> ClientMsg {
    ClientMsg::Join {
        room: room_name.into(),
        nickname: None,
        after: after.map(Seq),
        // A room joined before (it has a resume point) resumes its reactions from the
        // `reactions` frame's rev, or from the first change when it got none.
        changes_after: after.map(|_| 0),
    }
}

fn send_frame(room_name: &str, client_id: &str, text: &str) -> ClientMsg {
    ClientMsg::Send {
        room: room_name.into(),
        client_id: client_id.into(),
        text: text.into(),
        reply_to: None,
    }
}

// Sending and acks.

#[test]
fn a_sent_message_is_pending_until_its_ack_then_stored() {
    let s = run(in_lobby(), [queue("lobby", "c1", "hello")]);
    let lobby = view(&s, "lobby");
    assert_eq!(lobby.pending.len(), 1);
    assert_eq!(lobby.pending[0].client_id, "c1");
    assert_eq!(lobby.pending[0].text, "hello");
    assert_eq!(lobby.pending[0].status, PendingStatus::Sending);
    assert!(lobby.messages.is_empty());

    let s = run(s, [ack("lobby", "c1", 7)]);
    let lobby = view(&s, "lobby");
    assert!(lobby.pending.is_empty());
    assert_eq!(texts(&s, "lobby"), [(7, ME.into(), "hello".into())]);
}

#[test]
fn an_ack_then_its_broadcast_copy_show_the_message_once() {
    let s = run(
        in_lobby(),
        [
            queue("lobby", "c1", "hello"),
            ack("lobby", "c1", 1),
            message("lobby", 1, ME, "hello"),
        ],
    );
    assert_eq!(texts(&s, "lobby"), [(1, ME.into(), "hello".into())]);
    assert!(view(&s, "lobby").pending.is_empty());
}

#[test]
fn a_broadcast_copy_then_its_ack_show_the_message_once() {
    let s = run(
        in_lobby(),
        [
            queue("lobby", "c1", "hello"),
            message("lobby", 1, ME, "hello"),
            ack("lobby", "c1", 1),
        ],
    );
    assert_eq!(texts(&s, "lobby"), [(1, ME.into(), "hello".into())]);
    assert!(view(&s, "lobby").pending.is_empty());
}

#[test]
fn a_duplicate_broadcast_is_stored_and_counted_once() {
    let s = run(
        in_lobby_and_garden(),
        [
            message("garden", 1, BOB, "tomatoes?"),
            message("garden", 1, BOB, "tomatoes?"),
        ],
    );
    assert_eq!(texts(&s, "garden"), [(1, BOB.into(), "tomatoes?".into())]);
    assert_eq!(view(&s, "garden").unread, 1);
}

#[test]
fn messages_are_kept_in_seq_order_whatever_the_arrival_order() {
    let s = run(
        in_lobby(),
        [
            message("lobby", 2, BOB, "two"),
            message("lobby", 1, BOB, "one"),
        ],
    );
    let seqs: Vec<u64> = texts(&s, "lobby").into_iter().map(|t| t.0).collect();
    assert_eq!(seqs, [1, 2]);
}

// Unread counts.

#[test]
fn a_message_from_someone_else_out_of_view_counts_as_unread() {
    let s = run(
        in_lobby_and_garden(),
        [
            message("garden", 1, BOB, "one"),
            message("garden", 2, BOB, "two"),
        ],
    );
    assert_eq!(view(&s, "garden").unread, 2);
    assert_eq!(view(&s, "lobby").unread, 0);
}

#[test]
fn own_messages_and_messages_in_view_do_not_count() {
    let s = run(
        in_lobby_and_garden(),
        [
            message("garden", 1, ME, "mine, from another tab"),
            message("lobby", 1, BOB, "in view"),
        ],
    );
    assert_eq!(view(&s, "garden").unread, 0);
    assert_eq!(view(&s, "lobby").unread, 0);
}

#[test]
fn history_and_the_catch_up_before_the_baseline_do_not_count() {
    // Joined a room holding 3 messages: the last 2 come with the join, the first as a
    // history page; then one new message comes.
    let s = run(
        in_lobby(),
        [
            Action::Joining(room("garden")),
            joined("garden", 1, 3),
            Action::Joining(RoomName::lobby()),
            message("garden", 2, BOB, "old 2"),
            message("garden", 3, BOB, "old 3"),
        ],
    );
    assert_eq!(view(&s, "garden").baseline, Seq(3));
    assert_eq!(view(&s, "garden").unread, 0);
    let s = run(
        s,
        [Action::Server(ServerMsg::History {
            room: room("garden"),
            messages: vec![chat("garden", 1, BOB, "old 1")],
            has_more: false,
            has_newer: false,
        })],
    );
    assert_eq!(view(&s, "garden").unread, 0);
    let s = run(s, [message("garden", 4, BOB, "new")]);
    assert_eq!(view(&s, "garden").unread, 1);
}

fn page(room_name: &str, seqs: std::ops::RangeInclusive<u64>, has_more: bool) -> Action {
    Action::Server(ServerMsg::History {
        room: room(room_name),
        messages: seqs.map(|s| chat(room_name, s, BOB, "m")).collect(),
        has_more,
        has_newer: true,
    })
}

#[test]
fn a_permalinks_window_and_its_gap_keep_the_rooms_start_right() {
    // The page around 10 (has_more: older exist), then the latest messages.
    let s = run(in_lobby(), [page("lobby", 5..=15, true)]);
    let s = run(
        s,
        [
            message("lobby", 40, BOB, "latest"),
            Action::JumpTo(room("lobby"), Seq(10)),
        ],
    );
    let lobby = view(&s, "lobby");
    assert_eq!(lobby.jump_to, Some(Seq(10)));
    assert_eq!(s.current, Some(room("lobby")));
    assert!(lobby.has_more);
    // The gap's page (after 15) says nothing of the start: has_more stays.
    let s = run(
        s,
        [
            Action::LoadingGap(room("lobby"), Seq(15)),
            page("lobby", 16..=30, false),
        ],
    );
    assert!(
        view(&s, "lobby").has_more,
        "a gap's page is not the room's start"
    );
    assert_eq!(view(&s, "lobby").loading_gap, None);
    // A link to a message the room does not have: a notice, no jump.
    let s = run(
        s,
        [
            Action::Jumped(room("lobby")),
            Action::JumpTo(room("lobby"), Seq(99)),
        ],
    );
    assert_eq!(view(&s, "lobby").jump_to, None);
    assert!(
        s.toasts.iter().any(|t| t.text.contains("no message 99")),
        "{:?}",
        s.toasts
    );
    // A quote's original not loaded: sought (its page asked for), shown once it is there.
    let s = run(s, [Action::Seek(room("lobby"), Seq(2))]);
    assert_eq!(view(&s, "lobby").jump_to, Some(Seq(2)));
}

#[test]
fn selecting_a_room_clears_its_unread_count() {
    let s = run(in_lobby_and_garden(), [message("garden", 1, BOB, "hi")]);
    assert_eq!(view(&s, "garden").unread, 1);
    let s = run(s, [Action::Joining(room("garden"))]);
    assert_eq!(view(&s, "garden").unread, 0);
    assert_eq!(s.current, Some(room("garden")));
    let s = run(s, [message("garden", 2, BOB, "in view now")]);
    assert_eq!(view(&s, "garden").unread, 0);
}

// Resume points and resume frames.

#[test]
fn a_room_wanted_but_never_joined_resumes_without_a_point() {
    let s = run(in_lobby(), [Action::Joining(room("garden"))]);
    let garden = view(&s, "garden");
    assert!(garden.wanted);
    assert_eq!(garden.resume, None);
    assert!(s.resume_frames().contains(&join_frame("garden", None)));
}

#[test]
fn the_resume_point_is_the_joined_after_then_the_highest_seq_received() {
    let s = run(in_lobby(), [joined("lobby", 10, 12)]);
    assert_eq!(view(&s, "lobby").resume, Some(Seq(10)));
    let s = run(s, [message("lobby", 12, BOB, "twelve")]);
    assert_eq!(view(&s, "lobby").resume, Some(Seq(12)));
    // A late, lower message or a lower `after` never moves it back.
    let s = run(
        s,
        [message("lobby", 11, BOB, "eleven"), joined("lobby", 5, 12)],
    );
    assert_eq!(view(&s, "lobby").resume, Some(Seq(12)));
    // An own message's ack is not a message received: only its broadcast copy is.
    let s = run(s, [queue("lobby", "c1", "mine"), ack("lobby", "c1", 13)]);
    assert_eq!(view(&s, "lobby").resume, Some(Seq(12)));
    assert_eq!(s.resume_frames(), [join_frame("lobby", Some(12))]);
}

#[test]
fn a_left_room_leaves_the_sidebar_and_a_later_join_starts_afresh() {
    let s = run(
        in_lobby_and_garden(),
        [
            message("garden", 4, BOB, "hi"),
            Action::Leaving(room("garden")),
        ],
    );
    assert!(!s.rooms.contains_key(&room("garden")));
    assert_eq!(s.resume_frames(), [join_frame("lobby", Some(0))]);
    // What was still in flight for it does not bring it back.
    let s = run(
        s,
        [
            message("garden", 5, BOB, "late"),
            Action::Server(ServerMsg::Presence {
                room: room("garden"),
                nickname: nick(BOB),
                change: shared::PresenceChange::Left,
            }),
            joined("garden", 0, 5),
            Action::Server(ServerMsg::Left {
                room: room("garden"),
            }),
        ],
    );
    assert!(!s.rooms.contains_key(&room("garden")));
    let s = run(s, [Action::Joining(room("garden"))]);
    assert!(s.resume_frames().contains(&join_frame("garden", None)));
}

#[test]
fn rooms_only_listed_by_the_server_are_not_joined() {
    let s = run(in_lobby(), [welcome(&["lobby", "music"])]);
    assert!(!view(&s, "music").wanted);
    assert_eq!(s.resume_frames(), [join_frame("lobby", Some(0))]);
}

#[test]
fn resume_frames_rejoin_first_then_resend_sending_messages_room_by_room() {
    let s = run(
        in_lobby_and_garden(),
        [
            message("lobby", 3, BOB, "three"),
            queue("lobby", "c1", "a"),
            queue("garden", "c2", "b"),
            queue("lobby", "c3", "c"),
            queue("garden", "c4", "d"),
            refused("garden", "c2", "not stored"),
            queue("lobby", "c5", "acked"),
            ack("lobby", "c5", 4),
        ],
    );
    assert_eq!(
        s.resume_frames(),
        [
            join_frame("garden", Some(0)),
            join_frame("lobby", Some(3)),
            send_frame("garden", "c4", "d"),
            send_frame("lobby", "c1", "a"),
            send_frame("lobby", "c3", "c"),
        ]
    );
}

#[test]
fn a_reply_goes_with_its_message_and_is_resent_with_it_after_a_reconnect() {
    let quote = shared::Reply {
        seq: Seq(3),
        nickname: nick(BOB),
        snippet: "three".into(),
    };
    let s = run(
        in_lobby_and_garden(),
        [
            message("lobby", 3, BOB, "three"),
            Action::ReplyTo(room("lobby"), Some(quote.clone())),
        ],
    );
    assert_eq!(view(&s, "lobby").replying, Some(quote));
    assert_eq!(view(&s, "garden").replying, None, "per room");
    let s = run(
        s,
        [Action::Queue {
            room: room("lobby"),
            client_id: "c1".into(),
            text: "yes".into(),
            reply_to: Some(Seq(3)),
        }],
    );
    assert_eq!(view(&s, "lobby").replying, None, "sent: done");
    let mut resend = send_frame("lobby", "c1", "yes");
    if let ClientMsg::Send { reply_to, .. } = &mut resend {
        *reply_to = Some(Seq(3));
    }
    assert_eq!(
        s.resume_frames(),
        [
            join_frame("garden", Some(0)),
            join_frame("lobby", Some(3)),
            resend
        ]
    );
}

#[test]
fn every_welcome_bumps_the_welcome_count_even_across_a_reset() {
    let s = in_lobby();
    assert_eq!(s.welcomes(), 1);
    let s = run(s, [welcome(&["lobby"])]);
    assert_eq!(s.welcomes(), 2);
    // The provider resumes when the count changes: a reset must not take it back to a
    // value it had, or the next welcome could go unnoticed.
    let s = run(s, [Action::SignedOut]);
    assert_eq!(s.welcomes(), 2);
}

// Refusals and retries.

#[test]
fn a_refusal_naming_a_message_marks_it_failed_and_retry_sends_it_again() {
    let s = run(
        in_lobby(),
        [
            queue("lobby", "c1", "hello"),
            refused("lobby", "c1", "not stored"),
        ],
    );
    let p = &view(&s, "lobby").pending[0];
    assert_eq!(p.status, PendingStatus::Failed("not stored".into()));
    assert!(s.toasts.is_empty(), "shown on the message, not as a toast");
    assert_eq!(s.resume_frames(), [join_frame("lobby", Some(0))]);

    let s = run(
        s,
        [Action::Retry {
            room: RoomName::lobby(),
            client_id: "c1".into(),
        }],
    );
    assert_eq!(view(&s, "lobby").pending[0].status, PendingStatus::Sending);
    assert_eq!(
        s.resume_frames(),
        [
            join_frame("lobby", Some(0)),
            send_frame("lobby", "c1", "hello")
        ]
    );
}

#[test]
fn a_refusal_naming_no_message_is_a_toast() {
    let s = run(
        in_lobby(),
        [
            queue("lobby", "c1", "hello"),
            Action::Server(ServerMsg::error(ErrorCode::SlowDown, "slow down")),
        ],
    );
    assert_eq!(s.toasts.len(), 1);
    assert_eq!(s.toasts[0].text, "slow down");
    assert_eq!(view(&s, "lobby").pending[0].status, PendingStatus::Sending);
}

// Resets.

fn busy_chat() -> Rc<ChatState> {
    run(
        in_lobby_and_garden(),
        [
            message("garden", 1, BOB, "hi"),
            queue("lobby", "c1", "pending"),
            Action::Server(ServerMsg::error(ErrorCode::SlowDown, "slow down")),
            Action::Conn(ConnStatus::Connected),
        ],
    )
}

fn assert_reset(s: &ChatState) {
    assert!(s.rooms.is_empty());
    assert_eq!(s.current, None);
    assert!(s.toasts.is_empty());
    assert_eq!(s.conn, ConnStatus::Connecting);
    assert!(s.resume_frames().is_empty(), "nothing to rejoin or resend");
}

#[test]
fn session_ended_resets_the_chat_and_says_why() {
    let s = run(busy_chat(), [Action::SessionEnded]);
    assert_reset(&s);
    let Screen::Nickname { error: Some(why) } = &s.screen else {
        panic!("the nickname screen with a reason, not {:?}", s.screen);
    };
    assert!(why.contains("session has ended"), "{why}");
}

#[test]
fn signing_out_resets_the_chat() {
    let s = run(busy_chat(), [Action::SignedOut]);
    assert_reset(&s);
    assert_eq!(s.screen, Screen::Nickname { error: None });
}

// Rooms keep their `Rc` when an action does not touch them (renders are skipped by it).

#[test]
fn an_action_on_one_room_leaves_the_others_pointer_identical() {
    let before = in_lobby_and_garden();
    let actions = [
        message("garden", 1, BOB, "hi"),
        queue("garden", "c1", "hello"),
        ack("garden", "c1", 2),
        refused("garden", "c9", "unknown id"),
    ];
    for action in actions {
        let after = run(before.clone(), [action.clone()]);
        assert!(
            Rc::ptr_eq(view(&before, "lobby"), view(&after, "lobby")),
            "{action:?} changed the lobby"
        );
    }
    let after = run(before.clone(), [message("garden", 1, BOB, "hi")]);
    assert!(!Rc::ptr_eq(view(&before, "garden"), view(&after, "garden")));
}

#[test]
fn an_action_on_no_room_leaves_every_room_pointer_identical() {
    let before = busy_chat();
    let actions = [
        Action::DismissToast(before.toasts[0].id),
        Action::Server(ServerMsg::error(ErrorCode::NoSuchRoom, "no such room")),
        Action::Conn(ConnStatus::Disconnected {
            reason: "gone".into(),
        }),
        Action::SigningIn,
    ];
    for action in actions {
        let after = run(before.clone(), [action.clone()]);
        assert_ne!(*before, *after, "{action:?} is a change the context sees");
        for (name, room) in &before.rooms {
            assert!(
                Rc::ptr_eq(room, &after.rooms[name]),
                "{action:?} changed #{name}"
            );
        }
    }
}

// Bounded lists (issue 18): the directory, big rooms, one history page at a time.

fn summaries(rooms: &[(&str, u32)]) -> Vec<shared::RoomSummary> {
    rooms
        .iter()
        .map(|(name, members)| shared::RoomSummary {
            name: room(name),
            members: *members,
        })
        .collect()
}

fn room_list(prefix: &str, rooms: &[(&str, u32)], next: Option<&str>) -> Action {
    Action::Server(ServerMsg::RoomList {
        prefix: prefix.into(),
        rooms: summaries(rooms),
        next: next.map(room),
    })
}

fn dialog(s: &ChatState) -> Vec<(String, u32)> {
    s.directory
        .rooms
        .iter()
        .map(|r| (r.name.to_string(), r.members))
        .collect()
}

#[test]
fn directory_pages_add_up_in_name_order_for_the_current_search_only() {
    let s = run(
        in_lobby(),
        [
            Action::Browse("ga".into()),
            // An answer to an earlier search.
            room_list("g", &[("garage", 1), ("go", 1)], None),
        ],
    );
    assert!(s.directory.open && s.directory.loading);
    assert!(dialog(&s).is_empty());
    let s = run(
        s,
        [room_list(
            "ga",
            &[("garage", 1), ("garden", 3)],
            Some("garden"),
        )],
    );
    assert_eq!(dialog(&s), [("garage".into(), 1), ("garden".into(), 3)]);
    assert_eq!(s.directory.next, Some(room("garden")));
    assert!(!s.directory.loading);
    // The next page, then the same page again (asked for twice): each room once.
    let next = room_list("ga", &[("gazebo", 0)], None);
    let s = run(s, [Action::MoreRooms, next.clone(), next]);
    assert_eq!(dialog(&s).len(), 3);
    assert_eq!(s.directory.next, None);
    // Directory rooms are not the user's: the sidebar is unchanged.
    assert_eq!(s.rooms.keys().collect::<Vec<_>>(), [&room("lobby")]);
    // A new search starts afresh; closing forgets it all.
    let s = run(s, [Action::Browse(String::new())]);
    assert!(dialog(&s).is_empty() && s.directory.prefix.is_empty());
    let s = run(s, [room_list("", &[("a", 1)], None), Action::CloseBrowse]);
    assert_eq!(s.directory, crate::state::DirectoryView::default());
    assert!(s.rooms_to_count().is_empty());
}

#[test]
fn room_counts_update_the_sidebar_and_the_dialog_and_add_no_room() {
    let s = run(
        in_lobby(),
        [
            welcome(&["lobby", "mine"]),
            Action::Browse(String::new()),
            room_list("", &[("garden", 7), ("lobby", 1), ("mine", 1)], None),
        ],
    );
    // Counted: the sidebar's room not joined, and the dialog's rooms (once each).
    assert_eq!(
        s.rooms_to_count(),
        [room("mine"), room("garden"), room("lobby")]
    );
    let counts = Action::Server(ServerMsg::RoomCounts {
        rooms: summaries(&[("garden", 2), ("mine", 4), ("unlisted", 5)]),
    });
    let s = run(s, [counts]);
    assert_eq!(
        dialog(&s),
        [
            ("garden".into(), 2),
            ("lobby".into(), 1),
            ("mine".into(), 4)
        ]
    );
    assert_eq!(view(&s, "mine").member_count, 4);
    assert!(!s.rooms.contains_key(&room("unlisted")));
    assert!(!s.rooms.contains_key(&room("garden")));
}

#[test]
fn a_big_room_counts_members_beyond_the_names_it_was_given() {
    let big = Action::Server(ServerMsg::Joined {
        room: room("big"),
        nickname: nick(ME),
        members: vec![nick("a"), nick(ME)],
        member_count: 500,
        after: Seq(0),
        last_seq: Seq(0),
        read_seq: Seq(0),
        unread: 0,
        mentions: 0,
        direct: None,
        notify: shared::NotifyLevel::default(),
    });
    let bob_joined = Action::Server(ServerMsg::Presence {
        room: room("big"),
        nickname: nick("bob"),
        change: shared::PresenceChange::Joined,
    });
    let a_left = Action::Server(ServerMsg::Presence {
        room: room("big"),
        nickname: nick("a"),
        change: shared::PresenceChange::Left,
    });
    let s = run(in_lobby(), [Action::Joining(room("big")), big.clone()]);
    assert_eq!(view(&s, "big").member_count, 500);
    let s = run(s, [bob_joined]);
    assert_eq!(view(&s, "big").member_count, 501);
    let s = run(s, [a_left]);
    assert_eq!(view(&s, "big").member_count, 500);
    assert_eq!(view(&s, "big").members.len(), 2, "me and bob");
}

#[test]
fn a_busy_history_refusal_brings_the_load_older_button_back_without_a_toast() {
    let s = run(
        in_lobby(),
        [
            Action::LoadingOlder(room("lobby")),
            Action::Server(ServerMsg::Error {
                code: ErrorCode::HistoryBusy,
                message: "wait".into(),
                room: Some(room("lobby")),
                client_id: None,
            }),
        ],
    );
    assert!(!view(&s, "lobby").loading_older);
    assert!(s.toasts.is_empty(), "{:?}", s.toasts);
}

#[test]
fn a_name_in_a_notice_or_a_toast_is_isolated_from_the_words_around_it() {
    // A name registered before the nickname rules may hold a bidi override.
    let odd = shared::Nickname::stored("a\u{202E}ecila").unwrap();
    let s = run(
        in_lobby_and_garden(),
        [Action::Server(ServerMsg::Presence {
            room: room("garden"),
            nickname: odd,
            change: shared::PresenceChange::Joined,
        })],
    );
    let isolated = "\u{2068}a\u{202E}ecila\u{2069}";
    assert_eq!(s.toasts[0].text, format!("{isolated} joined #garden"));
    let notice = &view(&s, "garden")
        .notices
        .values()
        .flatten()
        .last()
        .unwrap()
        .text;
    assert_eq!(notice, &format!("{isolated} joined"));
}
