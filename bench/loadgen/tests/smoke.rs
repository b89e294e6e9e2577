//! The benchmark's smoke runs, part of the test suite, against an in-process Parley,
//! checking only correctness: a short fan-out (nothing lost, nothing duplicated or reordered)
//! and a small reconnect storm (everyone comes back, nothing lost or duplicated). Speed is
//! measured by `scripts/bench`, not here.

use std::sync::{Arc, Mutex};

use loadgen::proto::Target;
use loadgen::scenario::fanout::{self, FanoutParams};
use loadgen::scenario::reconnect::{self, ReconnectParams};
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
        // Typing rides along, and must cost no message.
        chatters: 5,
        chatter_every_ms: 200,
        // And reactions: each one changes something, reaches every member, costs no message.
        react_every: 4,
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
    assert!(r.reactions_sent > 100, "reactions flowed: {r:?}");
    assert_eq!(
        r.reaction_deliveries,
        r.reactions_sent * 20,
        "every reaction reached every member: {r:?}"
    );
    rt.block_on(server.shutdown()).unwrap();
}

/// 200 clients in 10 rooms; the server restarts (same data directory, so the same database
/// and session secret) while each room's sender has a burst in flight. Everyone comes back
/// with the shared backoff, and every member holds every message exactly once.
#[test]
fn a_small_reconnect_storm_brings_everyone_back_losing_and_duplicating_nothing() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let cfg = Config::for_tests();
    let server = rt.block_on(parley_server::start(cfg.clone())).unwrap();
    let addr = server.addr;
    let running = Arc::new(Mutex::new(Some(server)));
    let restart = {
        let (running, handle) = (running.clone(), rt.handle().clone());
        let mut cfg = cfg;
        cfg.listen = addr;
        move || async move {
            let old = running.lock().unwrap().take().expect("a running server");
            let new = handle
                .spawn(async move {
                    old.shutdown().await?;
                    parley_server::start(cfg).await
                })
                .await??;
            *running.lock().unwrap() = Some(new);
            anyhow::Ok(())
        }
    };
    let params = ReconnectParams {
        clients: 200,
        rooms: 10,
        stored: 5,
        burst: 5,
        timeout_s: 60.0,
    };
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let local = tokio::task::LocalSet::new();
    let r = local
        .block_on(&client, async {
            reconnect::run(addr, &params, &Sources::loopback(4), restart).await
        })
        .unwrap();
    eprintln!("{r:?}");
    assert_eq!((r.back, r.not_back), (200, 0), "everyone came back: {r:?}");
    assert_eq!(r.messages, 100, "{r:?}");
    assert_eq!(
        (r.lost, r.duplicated, r.unacked, r.errors),
        (0, 0, 0, 0),
        "{r:?}"
    );
    assert_eq!(r.setup_failures, 0, "{r:?}");
    let server = running.lock().unwrap().take().unwrap();
    rt.block_on(server.shutdown()).unwrap();
}
