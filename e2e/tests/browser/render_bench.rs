//! The SPA's rendering, measured (issue 19): not a test (it asserts only that it could
//! measure) but a benchmark, run by `scripts/bench-spa` (`cargo test --test browser --
//! --ignored render_bench --nocapture`), which prints the figures docs/PERFORMANCE.md
//! records:
//! - the time to open a room of 200 formatted messages, each with two reactions (a click on
//!   its sidebar entry, to the last of them on screen);
//! - with 1,000 such messages held, the time from a message's frame arriving to its
//!   line in the DOM (p50 and p95 of 50, sent 100 ms apart);
//! - the longest task while scrolling those 1,000 messages from the bottom to the top.

use std::time::Duration;

use fantoccini::Client;
use shared::{ClientMsg, Seq, ServerMsg};

use crate::helpers::*;

/// A message with some of everything the formatter does (plain text with
/// `PARLEY_BENCH_PLAIN=1`, to compare).
fn formatted(i: usize) -> String {
    if std::env::var_os("PARLEY_BENCH_PLAIN").is_some() {
        return format!("plain message {i}");
    }
    format!(
        "**{i}**: see https://example.com/{i} and `code {i}`, *emphasis*, ~~old~~\n> a quote\n- one\n- two"
    )
}

/// Two reactions on each of the first `n` messages of `room`, as a lively room has (none
/// with `PARLEY_BENCH_PLAIN=1` or `PARLEY_BENCH_NO_REACTIONS=1`).
async fn react_to_all(bot: &mut Bot, room: &str, n: u64) {
    if ["PARLEY_BENCH_PLAIN", "PARLEY_BENCH_NO_REACTIONS"]
        .iter()
        .any(|v| std::env::var_os(v).is_some())
    {
        return;
    }
    for seq in 1..=n {
        for (i, emoji) in ["👍", "🎉"].into_iter().enumerate() {
            bot.send(&ClientMsg::React {
                room: room.into(),
                seq: Seq(seq),
                emoji: emoji.into(),
                client_id: format!("{room}-{seq}-{i}"),
                remove: false,
            })
            .await;
        }
    }
    bot.until(2 * n as usize, |m| matches!(m, ServerMsg::Reacted { .. }))
        .await;
}

/// Records, from the next page on, when each frame arrives that holds `bench-N`.
const RECORD_FRAMES: &str = "window.__arrived = {};
    const Real = WebSocket;
    window.WebSocket = function (url, protocols) {
        const ws = new Real(url, protocols);
        ws.addEventListener('message', e => {
            const m = /bench-(\\d+)/.exec(e.data);
            if (m) window.__arrived[m[1]] = performance.now();
        });
        return ws;
    };
    window.WebSocket.prototype = Real.prototype;
    Object.assign(window.WebSocket, Real);";

/// Scrolls the list to its top until `n` messages are held.
async fn load_back(c: &Client, n: usize) {
    eventually(&format!("{n} messages held"), || async {
        c.execute(
            "const l = document.querySelector('ol.messages'); l.scrollTop = 0; \
             l.dispatchEvent(new Event('scroll'));",
            vec![],
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        // Counted in the page: a WebDriver call per line would take seconds for 1,000.
        let held = c
            .execute(
                "return document.querySelectorAll('.messages li.msg[data-seq]').length",
                vec![],
            )
            .await?;
        Ok((held.as_u64().unwrap_or(0) as usize >= n).then_some(()))
    })
    .await;
}

#[tokio::test]
#[ignore = "a benchmark: scripts/bench-spa runs it"]
async fn render_bench() {
    let server = start_server_with(|c| c.limits.history_page = 200).await;
    let mut bot = Bot::connect(server.addr, "carol").await;
    bot.join(&["big", "huge"]).await;
    bot.fill("big", 200, formatted).await;
    bot.fill("huge", 1000, formatted).await;
    react_to_all(&mut bot, "big", 200).await;
    react_to_all(&mut bot, "huge", 1000).await;
    let driver = chromedriver().await;
    let c = browser(&driver, 1200, 800).await;
    c.issue_cmd(Cdp(serde_json::json!({
        "cmd": "Page.addScriptToEvaluateOnNewDocument",
        "params": { "source": RECORD_FRAMES },
    })))
    .await
    .unwrap();
    enter(&c, server.addr, "alice").await;
    go_to_room(&c, "big").await;
    load_back(&c, 200).await;
    go_to_room(&c, "huge").await;
    load_back(&c, 1000).await;

    // Opening #big, 200 messages: from the click to its last message painted.
    let mut opens = Vec::new();
    for _ in 0..5 {
        open_room(&c, "lobby").await;
        let took = c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const button = [...document.querySelectorAll('button.room-link')]
                     .find(b => b.textContent.includes('big'));
                 const t0 = performance.now();
                 button.click();
                 const check = () => {
                     const h = document.querySelector('.room-header h2');
                     if (h && h.textContent === '#big'
                         && document.querySelectorAll('.messages li.msg').length >= 200) {
                         requestAnimationFrame(() => done(performance.now() - t0));
                     } else { requestAnimationFrame(check); }
                 };
                 check();",
                vec![],
            )
            .await
            .unwrap();
        opens.push(took.as_f64().unwrap());
    }
    open_room(&c, "huge").await;

    // New messages into a room of 1,000: frame arrival to line in the DOM.
    c.execute(
        "window.__shown = {};
         new MutationObserver(ms => { for (const m of ms) for (const n of m.addedNodes) {
             const t = n.textContent || ''; const k = /bench-(\\d+)/.exec(t);
             if (k && !(k[1] in window.__shown)) window.__shown[k[1]] = performance.now(); } })
           .observe(document.querySelector('ol.messages'), { childList: true, subtree: true });",
        vec![],
    )
    .await
    .unwrap();
    for i in 0..50 {
        bot.send(&ClientMsg::Send {
            room: "huge".into(),
            client_id: format!("live-{i}"),
            text: format!("bench-{i} {}", formatted(i)),
            reply_to: None,
        })
        .await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let delays: Vec<f64> = eventually("every live message shown", || async {
        let v = c
            .execute(
                "const a = window.__arrived, s = window.__shown;
                 const k = Object.keys(a).filter(k => k in s);
                 return k.length >= 50 ? k.map(k => s[k] - a[k]) : null;",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value::<Option<Vec<f64>>>(v).unwrap())
    })
    .await;

    // Scrolling the 1,000 messages from the bottom to the top: the longest task.
    let longest = c
        .execute_async(
            "const done = arguments[arguments.length - 1];
             let longest = 0;
             new PerformanceObserver(l => { for (const e of l.getEntries())
                 longest = Math.max(longest, e.duration); }).observe({ type: 'longtask' });
             const list = document.querySelector('ol.messages');
             list.scrollTop = list.scrollHeight;
             const step = () => {
                 if (list.scrollTop <= 0) { setTimeout(() => done(longest), 200); return; }
                 list.scrollTop -= 400;
                 requestAnimationFrame(step);
             };
             requestAnimationFrame(step);",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap();

    let pct = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[((v.len() as f64 - 1.0) * p).round() as usize]
    };
    let (mut opens, mut delays) = (opens, delays);
    println!("| measure | p50 | p95 / max |");
    println!("|---|---:|---:|");
    println!(
        "| open a room of 200 formatted messages (ms, 5 runs) | {:.1} | {:.1} |",
        pct(&mut opens, 0.5),
        pct(&mut opens, 1.0)
    );
    println!(
        "| a new message in the DOM after its frame, 1,000 held (ms, 50) | {:.1} | {:.1} |",
        pct(&mut delays, 0.5),
        pct(&mut delays, 0.95)
    );
    println!("| longest task scrolling 1,000 messages to the top (ms) | | {longest:.1} |");
    c.close().await.unwrap();
    server.shutdown().await.unwrap();
}
