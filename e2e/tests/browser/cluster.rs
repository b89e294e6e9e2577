//! Two nodes as one chat (issue 10): a browser on node A and a browser on node B chat, and a
//! room made on A is in B's "Browse rooms"; when A goes away, its browser reconnects
//! (through the same address, now sent to B) and sends what it typed meanwhile once. Needs
//! `TEST_NATS_URL` and `TEST_POSTGRES_URL` (set by .ci/run; under `CI=true` a missing one
//! fails).

use parley_server::origin::Origin;

use fantoccini::Locator;

use crate::directory::{close_with_esc, listed, search, status_says};
use crate::helpers::*;
use crate::proxy::Proxy;

/// This run's database name.
fn db_name() -> String {
    format!("parley_e2e_{}", std::process::id())
}

/// Runs `sql` on the server `admin` names.
async fn admin_sql(admin: &str, sql: &str) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(admin).await.unwrap();
    sqlx::query(sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

/// A fresh PostgreSQL database on the server `TEST_POSTGRES_URL` names (an admin URL).
async fn fresh_postgres(admin: &str) -> String {
    let name = db_name();
    admin_sql(admin, &format!("DROP DATABASE IF EXISTS {name}")).await;
    admin_sql(admin, &format!("CREATE DATABASE {name}")).await;
    let mut url = url::Url::parse(admin).unwrap();
    url.set_path(&format!("/{name}"));
    url.to_string()
}

/// The URLs the test needs, if set; under `CI=true` a missing one fails.
fn services() -> Option<(String, String)> {
    match (
        std::env::var("TEST_NATS_URL"),
        std::env::var("TEST_POSTGRES_URL"),
    ) {
        (Ok(nats), Ok(pg)) => Some((nats, pg)),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("TEST_NATS_URL and TEST_POSTGRES_URL must be set in CI")
        }
        _ => {
            eprintln!("TEST_NATS_URL or TEST_POSTGRES_URL not set: skipping the cluster test");
            None
        }
    }
}

#[tokio::test]
async fn browsers_on_two_nodes_chat_and_one_moves_when_its_node_goes() {
    let Some((nats, admin)) = services() else {
        return;
    };
    let db = fresh_postgres(&admin).await;
    let (to_a, to_b) = (Proxy::listener().await, Proxy::listener().await);
    let origins = [&to_a, &to_b].map(|l| format!("http://{}", l.local_addr().unwrap()));
    let node = |id: &'static str| {
        let (db, nats, origins) = (db.clone(), nats.clone(), origins.clone());
        start_server_with(move |c| {
            c.database_url = Some(db);
            c.cluster = Some(nats);
            c.session_secret = Some("a-cluster-secret-for-tests".into());
            c.node_id = Some(id.into());
            c.public_origin = origins.iter().map(|o| Origin::parse(o).unwrap()).collect();
        })
    };
    let (a, b) = (node("node-a").await, node("node-b").await);
    let (lb, steady) = (Proxy::start(to_a, a.addr), Proxy::start(to_b, b.addr));
    let driver = chromedriver().await;
    let alice = browser(&driver, 1000, 700).await;
    let bob = browser(&driver, 1000, 700).await;
    enter(&alice, lb.addr, "alice").await;
    enter(&bob, steady.addr, "bob").await;

    say(&bob, "hello from node b").await;
    wait_for_message(&alice, "bob", "hello from node b").await;
    say(&alice, "hi from node a").await;
    wait_for_message(&bob, "alice", "hi from node a").await;

    // A room made on node A after B started is in B's "Browse rooms", with A's member.
    let mut maker = Bot::connect(lb.addr, "maker").await;
    maker.join(&["far-garden"]).await;
    let open = bob.find(Locator::Css("button.browse-open")).await.unwrap();
    open.click().await.unwrap();
    wait_for(&bob, "dialog.browse[open]").await;
    search(&bob, "far").await;
    status_says(&bob, "1 room.").await;
    assert_eq!(
        listed(&bob).await.unwrap(),
        [("far-garden".into(), "1 member".into())]
    );
    search(&bob, "").await; // Esc in a search field with text only clears it.
    close_with_esc(&bob).await;
    drop(maker);

    // Node A goes; alice types meanwhile; the balancer sends her to B.
    lb.cut();
    wait_for(&alice, ".banner[data-status=reconnecting]").await;
    say(&alice, "typed while moving").await;
    wait_for(&alice, ".messages li.pending").await;
    say(&bob, "said while she moved").await;
    wait_for_message(&bob, "bob", "said while she moved").await;
    a.shutdown().await.unwrap();
    lb.retarget(b.addr);
    lb.restore();
    wait_for(&alice, ".banner[data-status=connected]").await;
    wait_for_message(&alice, "bob", "said while she moved").await;
    wait_for_message(&bob, "alice", "typed while moving").await;
    wait_for_message(&alice, "alice", "typed while moving").await;

    let expected = [
        "hello from node b",
        "hi from node a",
        "said while she moved",
        "typed while moving",
    ];
    assert_eq!(message_texts(&alice).await, expected, "each once, in order");
    assert_eq!(message_texts(&bob).await, expected, "each once, in order");
    alice.close().await.unwrap();
    bob.close().await.unwrap();
    b.shutdown().await.unwrap();
    drop((lb, steady));
    admin_sql(
        &admin,
        &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db_name()),
    )
    .await;
}
