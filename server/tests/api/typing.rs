//! Typing indicators between real clients: relayed to the others (not to the typist), at
//! most once a second per person, over when the person says so, leaves, sends, or is not
//! heard from for 6 s; never stored.

use std::time::Duration;

use shared::{ClientMsg, ErrorCode};

use crate::helpers::*;

fn typing(room: &str, on: bool) -> ClientMsg {
    ClientMsg::Typing {
        room: room.into(),
        typing: on,
    }
}

/// alice and bob in `room`, alice having seen bob come.
async fn alice_and_bob(addr: std::net::SocketAddr, room: &str) -> (Client, Client) {
    let mut alice = Client::connect(addr, "alice").await;
    let mut bob = Client::connect(addr, "bob").await;
    alice.join(room).await;
    bob.join(room).await;
    let _: Presence = alice.recv_kind().await;
    (alice, bob)
}

#[tokio::test]
async fn typing_reaches_the_others_once_a_second_and_stops_when_told() {
    let server = start().await;
    let (mut alice, mut bob) = alice_and_bob(server.addr, "lobby").await;
    for _ in 0..5 {
        bob.send(&typing("lobby", true)).await;
    }
    bob.send(&typing("lobby", false)).await;
    bob.say("lobby", "b1", "done").await;
    let before: Vec<_> = alice.until_message("lobby", "done").await;
    let seen: Vec<(String, bool)> = before
        .into_iter()
        .filter_map(|m| Typing::pick(m).ok())
        .map(|t| (t.nickname, t.typing))
        .collect();
    assert_eq!(
        seen,
        [("bob".to_string(), true), ("bob".to_string(), false)],
        "five in a row are relayed once, then the stop"
    );
    // The typist hears none of its own, and nothing was stored: the history is the message.
    let own = bob.until_message("lobby", "done").await;
    assert!(
        !own.iter()
            .any(|m| matches!(m, shared::ServerMsg::Typing { .. })),
        "{own:?}"
    );
    let (_, page) = get_signed_in(server.addr, "/api/rooms/lobby/messages").await;
    let page: shared::ServerMsg = serde_json::from_str(&page).unwrap();
    let shared::ServerMsg::History { messages, .. } = page else {
        panic!("{page:?}")
    };
    assert_eq!(messages.len(), 1, "{messages:?}");
}

#[tokio::test]
async fn typing_with_no_news_is_over_after_six_seconds() {
    let server = start().await;
    let (mut alice, mut bob) = alice_and_bob(server.addr, "lobby").await;
    bob.send(&typing("lobby", true)).await;
    let on: Typing = alice.recv_kind().await;
    assert!(on.typing);
    let started = std::time::Instant::now();
    let off: Typing = alice
        .recv_kind_after_silence(Duration::from_secs(10), |t: &Typing| !t.typing)
        .await;
    let waited = started.elapsed();
    assert_eq!(off.nickname, "bob");
    assert!(
        waited >= Duration::from_millis(5_500) && waited < Duration::from_secs(9),
        "over after about 6 s: {waited:?}"
    );
    drop(bob);
}

#[tokio::test]
async fn leaving_ends_typing_and_typing_outside_a_room_is_refused() {
    let server = start().await;
    let (mut alice, mut bob) = alice_and_bob(server.addr, "lobby").await;
    bob.send(&typing("lobby", true)).await;
    let _: Typing = alice.recv_kind_where(|t: &Typing| t.typing).await;
    bob.leave("lobby").await;
    let off: Typing = alice.recv_kind().await;
    assert_eq!((off.nickname.as_str(), off.typing), ("bob", false));
    let gone: Presence = alice.recv_kind().await;
    assert_eq!(gone.nickname, "bob", "the stop comes before the departure");
    bob.send(&typing("lobby", true)).await;
    bob.expect_error(ErrorCode::NotInRoom).await;
    bob.send(&typing("nowhere", true)).await;
    bob.expect_error(ErrorCode::NoSuchRoom).await;
}

#[tokio::test]
async fn typing_takes_nothing_from_the_users_message_rate() {
    // A burst of 3 per connection and per user (all the user's connections together).
    let server = start_with(|c| {
        c.limits.message_rate = 0.1;
        c.limits.message_burst = 3.0;
    })
    .await;
    let (_alice, mut bob) = alice_and_bob(server.addr, "lobby").await;
    for _ in 0..3 {
        bob.send(&typing("lobby", true)).await;
    }
    // Another tab of bob's: had typing counted against bob's rate, it could not send.
    let mut tab = Client::reconnect(server.addr, &bob.token).await;
    tab.join("lobby").await;
    let ack = tab.send_acked("lobby", "t1", "still allowed").await;
    assert_eq!(ack.client_id.as_str(), "t1");
}
