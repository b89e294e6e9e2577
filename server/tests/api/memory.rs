//! Issue 18's memory findings against the `parley` binary as its own process, asserting on
//! its resident memory (`VmRSS` in /proc/<pid>/status) against stated bounds.

use std::time::Duration;

use shared::ClientMsg;
use tokio::io::AsyncWriteExt;

use crate::helpers::*;
use crate::process::{free_addr, parley_with, wait_ready};

/// The process's resident memory, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kb * 1024
}

/// The highest RSS seen over `time`.
async fn peak_rss(pid: u32, time: Duration) -> u64 {
    let deadline = tokio::time::Instant::now() + time;
    let mut peak = 0;
    while tokio::time::Instant::now() < deadline {
        peak = peak.max(rss(pid));
        // A sampling interval, not a wait for a state.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    peak
}

/// Growth allowed while the attack runs: what the server may hold for 4 stalled sockets
/// (one 256 KiB page each, queued and in the socket buffers) plus allocator slack. Before
/// the fix the same attack held 4 × 60 pages of 3.2 MB, about 770 MB.
const HISTORY_ATTACK_BOUND: u64 = 64 * 1024 * 1024;

/// Finding 2: 60 `history` requests sent in one write, by sockets that never read, on a
/// room of large messages, do not multiply the server's memory.
#[tokio::test]
async fn history_requests_from_stalled_sockets_do_not_multiply_memory() {
    let db = Db {
        label: "sqlite",
        data_dir: parley_server::config::Config::for_tests().data_dir,
        url: None,
    };
    let addr = free_addr();
    let child = parley_with(&db, addr, &["--message-rate", "0", "--sign-in-rate", "0"]);
    let pid = child.id().expect("a pid");
    wait_ready(addr).await;
    let mut c = Client::connect(addr, "filler").await;
    c.join("big").await;
    let big = "😀".repeat(shared::TEXT_MAX_CHARS);
    // One at a time: the filler reads its own copies as it goes, so it is never a slow
    // consumer itself.
    for i in 0..200 {
        c.send_acked("big", &format!("m{i}"), &big).await;
    }
    let before = peak_rss(pid, Duration::from_millis(500)).await;
    let request = serde_json::to_string(&ClientMsg::History {
        room: "big".into(),
        before: Some(shared::Seq(u64::MAX)),
        after: None,
        around: None,
        limit: Some(200),
    })
    .unwrap();
    let burst: Vec<u8> = (0..60)
        .flat_map(|_| client_frame(0x1, request.as_bytes()))
        .collect();
    let mut stalled = Vec::new();
    for i in 0..4 {
        let mut tcp = raw_ws(addr, &format!("stalled{i}")).await;
        tcp.write_all(&burst).await.unwrap();
        stalled.push(tcp); // Never read.
    }
    let during = peak_rss(pid, Duration::from_secs(3)).await;
    let grew = during.saturating_sub(before);
    eprintln!("RSS before {before} B, during {during} B, grew {grew} B");
    assert!(
        grew < HISTORY_ATTACK_BOUND,
        "RSS grew {grew} B with 4 stalled sockets (bound {HISTORY_ATTACK_BOUND} B)"
    );
    drop(stalled);
}
