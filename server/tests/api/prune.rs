//! Sessions are pruned: at start and every `--session-prune-interval`, expired sessions are
//! forgotten (their sockets close with 4001 then, not at the next ping) and expired or
//! revoked ones are deleted from the database, on every backend.

use std::time::Duration;

use shared::CloseReason;
use sqlx::Row;

use crate::helpers::*;

/// The rows of the sessions table.
pub async fn session_rows(server: &parley_server::Server) -> i64 {
    let row = sqlx::query("SELECT COUNT(*) FROM sessions")
        .fetch_one(server.state.hub.store().pool())
        .await
        .unwrap();
    row.try_get(0).unwrap()
}

/// Polls until the sessions table has `n` rows, for at most `within`.
async fn until_rows(server: &parley_server::Server, n: i64, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let rows = session_rows(server).await;
        if rows == n {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "expected {n} session rows within {within:?}, still {rows}"
        );
        // A poll interval, not a wait for the state: the loop checks the state itself.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn expired_and_revoked_sessions_are_pruned_and_expired_sockets_closed() {
    let ttl = Duration::from_secs(3);
    for db in Db::all().await {
        let server = db
            .start(|c| {
                c.session_ttl = ttl;
                c.limits.session_prune_interval = Duration::from_millis(100);
                // The ping tick also notices expiry: keep it out of the way.
                c.limits.ping_interval = Duration::from_secs(600);
                c.limits.idle_timeout = Duration::from_secs(600);
            })
            .await;
        let mut alice = Client::connect(server.addr, "alice").await;
        let bob = session(server.addr, "bob").await;
        let auth = bearer(&bob);
        let (status, _) = http(
            server.addr,
            "DELETE",
            "/api/session",
            &[("Authorization", &auth)],
        )
        .await;
        assert_eq!(status, 204, "{}", db.label);
        // Bob's revoked row goes; alice's, live, stays.
        until_rows(&server, 1, ttl).await;
        let auth = bearer(&alice.token);
        let (status, who) = http(
            server.addr,
            "GET",
            "/api/session",
            &[("Authorization", &auth)],
        )
        .await;
        assert_eq!(status, 200, "{}", db.label);
        assert!(
            who.contains(r#""signed_in":true"#),
            "{}: alice lives",
            db.label
        );
        // Once alice's session expires, the pruner closes its socket and deletes its row.
        alice.expect_close(CloseReason::Unauthorized).await;
        until_rows(&server, 0, WAIT).await;
        server.shutdown().await.unwrap();
    }
}
