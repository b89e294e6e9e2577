//! Read state on every device: the server keeps, per user and room, the last seq read. It
//! only moves forward, `joined` counts what is unread (and the mentions in it) from it, and
//! the user's other connections hear of each new position live. On every backend.

use std::time::Duration;

use shared::{ClientMsg, Seq};

use crate::helpers::*;

fn read(room: &str, seq: u64) -> ClientMsg {
    ClientMsg::Read {
        room: room.into(),
        seq: Seq(seq),
    }
}

/// Joins `room` and returns its `joined`.
async fn join_for(c: &mut Client, room: &str) -> Joined {
    c.send(&ClientMsg::Join {
        room: room.into(),
        nickname: None,
        after: None,
        changes_after: None,
    })
    .await;
    c.recv_joined().await
}

#[tokio::test]
async fn read_positions_follow_the_user_to_every_connection_and_count_on_join() {
    for db in Db::all().await {
        let label = db.label;
        let server = db.start(|_| {}).await;
        let mut bob = Client::connect(server.addr, "bob").await;
        bob.join("lobby").await;
        let mut tab1 = Client::connect(server.addr, "alice").await;
        let first = join_for(&mut tab1, "lobby").await;
        assert_eq!(
            (first.read_seq, first.unread, first.mentions),
            (Seq(0), 0, 0),
            "{label}: a first join has nothing unread"
        );
        let mut tab2 = Client::reconnect(server.addr, &tab1.token).await;
        tab2.join("lobby").await;
        for (i, text) in ["hi", "@alice lunch?", "anyone?", "@Alice!", "@alicia no"]
            .iter()
            .enumerate()
        {
            bob.send_acked("lobby", &format!("b{i}"), text).await;
        }
        // Tab 1 reads up to 1: tab 2 hears it, bob and tab 1 do not.
        tab1.send(&read("lobby", 1)).await;
        let told: Read = tab2.recv_kind().await;
        assert_eq!((told.room.as_str(), told.seq), ("lobby", Seq(1)), "{label}");
        tab1.say("lobby", "marker", "the end").await;
        for c in [&mut tab1, &mut bob] {
            let before = c.until_message("lobby", "the end").await;
            assert!(
                !before
                    .iter()
                    .any(|m| matches!(m, shared::ServerMsg::Read { .. })),
                "{label}: {before:?}"
            );
        }
        // Backwards changes nothing, and nobody hears of it.
        tab1.send(&read("lobby", 0)).await;
        let token = tab1.token.clone();
        drop((tab1, tab2));
        // A reload, later: the badge starts right (messages 2–6 unread, 2 mention
        // alice; "@alicia" is someone else and "the end" is her own, counted unread but no
        // mention).
        let mut phone = Client::reconnect(server.addr, &token).await;
        let again = eventually_joined(&mut phone, "lobby", Seq(1)).await;
        assert_eq!(
            (again.read_seq, again.last_seq, again.unread, again.mentions),
            (Seq(1), Seq(6), 5, 2),
            "{label}"
        );
        // Past the end is the end; a room not joined is refused.
        phone.send(&read("lobby", 99)).await;
        phone.send(&read("garden", 1)).await;
        phone.expect_error(shared::ErrorCode::NoSuchRoom).await;
        let mut laptop = Client::reconnect(server.addr, &token).await;
        let last = eventually_joined(&mut laptop, "lobby", Seq(6)).await;
        assert_eq!((last.read_seq, last.unread), (Seq(6), 0), "{label}");
    }
}

/// Joins `room` until the read position stored is `want` (the write is not awaited by the
/// reader), and returns that `joined`.
async fn eventually_joined(c: &mut Client, room: &str, want: Seq) -> Joined {
    for _ in 0..100 {
        let joined = join_for(c, room).await;
        if joined.read_seq == want {
            return joined;
        }
        c.leave(room).await;
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the read position never became {want:?}");
}

/// The rows of the read-state table.
async fn read_rows(server: &parley_server::Server) -> i64 {
    let row = sqlx::query("SELECT COUNT(*) FROM read_state")
        .fetch_one(server.state.hub.store().pool())
        .await
        .unwrap();
    sqlx::Row::try_get(&row, 0).unwrap()
}

#[tokio::test]
async fn the_read_state_of_a_nickname_without_a_password_ends_with_its_session() {
    for db in Db::all().await {
        let label = db.label;
        let server = db
            .start(|c| c.limits.session_prune_interval = Duration::from_millis(100))
            .await;
        let mut ivy = Client::connect(server.addr, "ivy").await;
        ivy.join("lobby").await;
        let (status, _, body) = post_session(
            server.addr,
            serde_json::json!({"nickname": "gus", "password": "a long password"}),
        )
        .await;
        assert_eq!(status, 201, "{label}: {body}");
        let gus: serde_json::Value = serde_json::from_str(&body).unwrap();
        let gus_token = gus["token"].as_str().unwrap().to_owned();
        let mut gus = Client::reconnect(server.addr, &gus_token).await;
        gus.join("lobby").await;
        until(label, "both rows", || async {
            read_rows(&server).await == 2
        })
        .await;
        for token in [&ivy.token, &gus_token] {
            assert_eq!(sign_out(server.addr, token).await, 204, "{label}");
        }
        // Ivy's goes with her session; gus keeps his (his nickname has a password).
        until(label, "ivy's row gone", || async {
            read_rows(&server).await == 1
        })
        .await;
        drop((ivy, gus));
        server.shutdown().await.unwrap();
    }
}

/// Polls `done` (every 20 ms, at most [`WAIT`]) until it holds.
async fn until<F, Fut>(label: &str, what: &str, done: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    while !done().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{label}: {what}, never"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn the_notification_level_follows_the_user_to_every_connection() {
    for db in Db::all().await {
        let label = db.label;
        let server = db.start(|_| {}).await;
        let mut tab1 = Client::connect(server.addr, "alice").await;
        let first = join_for(&mut tab1, "lobby").await;
        assert_eq!(
            first.notify,
            shared::NotifyLevel::Mentions,
            "{label}: the default"
        );
        let mut tab2 = Client::reconnect(server.addr, &tab1.token).await;
        tab2.join("lobby").await;
        tab1.send(&ClientMsg::SetNotify {
            room: "lobby".into(),
            level: shared::NotifyLevel::Nothing,
        })
        .await;
        let told = match tab2.recv().await {
            shared::ServerMsg::Notify { room, level } => (room.to_string(), level),
            other => panic!("{label}: expected notify, got {other:?}"),
        };
        assert_eq!(
            told,
            ("lobby".into(), shared::NotifyLevel::Nothing),
            "{label}"
        );
        let token = tab1.token.clone();
        drop((tab1, tab2));
        let mut later = Client::reconnect(server.addr, &token).await;
        for _ in 0..100 {
            if join_for(&mut later, "lobby").await.notify == shared::NotifyLevel::Nothing {
                break;
            }
            later.leave("lobby").await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let kept = join_for(&mut later, "lobby").await;
        assert_eq!(kept.notify, shared::NotifyLevel::Nothing, "{label}: kept");
        assert_eq!(
            kept.read_seq, first.read_seq,
            "{label}: the read position is untouched"
        );
    }
}
