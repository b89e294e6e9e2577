//! A page that loses its connection gets what it missed once, in order, and sends what was
//! typed meanwhile.

use parley_server::origin::Origin;

use crate::helpers::*;
use crate::proxy::Proxy;

#[tokio::test]
async fn a_page_that_loses_its_connection_gets_the_missed_messages_once_in_order() {
    // Both reach the server through a proxy, at an origin the server is told is its own;
    // alice's proxy will fail.
    let (cut, steady) = (Proxy::listener().await, Proxy::listener().await);
    let origins = [&cut, &steady].map(|l| format!("http://{}", l.local_addr().unwrap()));
    let server = start_server_with(|c| {
        c.public_origin = origins.iter().map(|o| Origin::parse(o).unwrap()).collect();
    })
    .await;
    let (proxy, steady) = (
        Proxy::start(cut, server.addr),
        Proxy::start(steady, server.addr),
    );
    let driver = chromedriver().await;
    let alice = browser(&driver, 1000, 700).await;
    let bob = browser(&driver, 1000, 700).await;
    enter(&alice, proxy.addr, "alice").await;
    enter(&bob, steady.addr, "bob").await;

    say(&bob, "before the cut").await;
    wait_for_message(&alice, "bob", "before the cut").await;

    proxy.cut();
    wait_for(&alice, ".banner[data-status=reconnecting]").await;
    say(&alice, "typed while offline").await;
    wait_for(&alice, ".messages li.pending").await;
    for i in 1..=5 {
        say(&bob, &format!("missed {i}")).await;
        wait_for_message(&bob, "bob", &format!("missed {i}")).await;
    }
    proxy.restore();

    wait_for(&alice, ".banner[data-status=connected]").await;
    wait_for_message(&alice, "bob", "missed 5").await;
    wait_for_message(&alice, "alice", "typed while offline").await;
    wait_for_message(&bob, "alice", "typed while offline").await;
    eventually("no message left sending", || async {
        Ok(alice
            .find_all(fantoccini::Locator::Css(".messages li.pending"))
            .await?
            .is_empty()
            .then_some(()))
    })
    .await;

    let shown: Vec<String> = message_texts(&alice).await;
    let expected = [
        "before the cut",
        "missed 1",
        "missed 2",
        "missed 3",
        "missed 4",
        "missed 5",
        "typed while offline",
    ];
    assert_eq!(shown, expected, "each once, in order");
    let seqs = seqs(&alice).await;
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "seq order: {seqs:?}");
    let bob_view: Vec<String> = message_texts(&bob).await;
    assert_eq!(
        bob_view
            .iter()
            .filter(|t| *t == "typed while offline")
            .count(),
        1,
        "{bob_view:?}"
    );

    alice.close().await.unwrap();
    bob.close().await.unwrap();
    server.shutdown().await.unwrap();
}
