//! The SPA under the server's Content-Security-Policy: it boots (trunk's inline boot script
//! by hash, the wasm by `'wasm-unsafe-eval'`), signs in and chats over the WebSocket, and the
//! browser reports no violation.

use fantoccini::Client;
use serde_json::{json, Value};

use crate::helpers::*;

/// From the next page on, before any of its scripts runs, records every
/// `securitypolicyviolation` in `window.cspViolations`.
async fn record_violations(c: &Client) {
    let source = "window.cspViolations = []; document.addEventListener(\
        'securitypolicyviolation', e => window.cspViolations.push(\
        `${e.effectiveDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));";
    c.issue_cmd(Cdp(json!({
        "cmd": "Page.addScriptToEvaluateOnNewDocument",
        "params": { "source": source },
    })))
    .await
    .expect("chromedriver runs DevTools commands");
}

/// The violations recorded so far.
async fn violations(c: &Client) -> Vec<String> {
    let got = c.execute("return window.cspViolations;", vec![]).await;
    serde_json::from_value(got.unwrap()).expect("the recorder ran")
}

#[tokio::test]
async fn the_spa_runs_under_its_content_security_policy_without_a_violation() {
    let server = start_server_with(|_| {}).await;
    let driver = chromedriver().await;
    let c = browser(&driver, 1000, 700).await;
    record_violations(&c).await;

    enter(&c, server.addr, "alice").await; // booted, signed in, the WebSocket connected
    say(&c, "under the policy").await;
    wait_for_message(&c, "alice", "under the policy").await;
    assert_eq!(violations(&c).await, Vec::<String>::new());

    // The policy is on and the recorder sees what it blocks: an inline script of no hash.
    let plant = "const s = document.createElement('script'); \
                 s.textContent = 'window.planted = 1'; document.body.append(s);";
    c.execute(plant, vec![]).await.unwrap();
    let seen = eventually("the planted script reported", || async {
        let seen = violations(&c).await;
        Ok((!seen.is_empty()).then_some(seen))
    })
    .await;
    assert!(seen[0].starts_with("script-src"), "{seen:?}");
    let ran = c.execute("return window.planted ?? null;", vec![]).await;
    assert_eq!(ran.unwrap(), Value::Null, "the planted script did not run");

    c.close().await.unwrap();
    server.shutdown().await.unwrap();
}
