//! The benchmark's smoke run, part of the test suite: a few rooms for a few seconds against
//! an in-process Parley, checking only correctness (nothing lost, nothing duplicated or
//! reordered). Speed is measured by `scripts/bench`, not here.

use loadgen::proto::Target;
use loadgen::scenario::fanout::{self, FanoutParams};
use loadgen::{Endpoint, Sources};
use parley_server::config::Config;

#[test]
fn a_short_fanout_loses_and_duplicates_nothing() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt
        .block_on(parley_server::start(Config::for_tests()))
        .unwrap();
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let params = FanoutParams {
        rooms: 4,
        clients: 20,
        senders: 3,
        rate: 0.0,
        window: 8,
        seconds: 2.0,
        pad: 100,
        stall: false,
    };
    let local = tokio::task::LocalSet::new();
    let r = local
        .block_on(&client, async {
            let endpoint = Endpoint::open(Target::Parley, server.addr, "smoke")
                .await
                .unwrap();
            fanout::run(&endpoint, &params, &Sources::loopback(4), None).await
        })
        .unwrap();
    assert!(r.sent > 100, "traffic flowed: {r:?}");
    assert_eq!(
        r.deliveries,
        r.sent * 20,
        "every member got every message: {r:?}"
    );
    assert_eq!(
        (r.lost, r.duplicated, r.reordered, r.errors),
        (0, 0, 0, 0),
        "{r:?}"
    );
    rt.block_on(server.shutdown()).unwrap();
}
