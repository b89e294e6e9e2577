//! Sign-in throttling: too many `POST /api/session` from one address get 429
//! `too_many_attempts` with `Retry-After`; other addresses are unaffected. So do too many
//! registrations in a day. Password hashing has one global bound: past it, 503
//! `server_busy` with `Retry-After`.

use serde_json::json;
use shared::ErrorCode;

use crate::helpers::*;

#[tokio::test]
async fn sign_ins_from_one_address_are_throttled() {
    let server = start_with(|c| {
        c.limits.sign_in_rate = 6.0; // one every 10 s
        c.limits.sign_in_burst = 2.0;
    })
    .await;
    let addr = server.addr;
    let sign_in = |from, nick| sign_in_from(addr, from, json!({ "nickname": nick }));
    assert_eq!(sign_in([127, 0, 0, 1], "a1").await.0, 201);
    assert_eq!(sign_in([127, 0, 0, 1], "a2").await.0, 201);
    let (status, head, body) = sign_in([127, 0, 0, 1], "a3").await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("\"too_many_attempts\""), "{body}");
    let retry = retry_after(&head);
    assert!((1..=10).contains(&retry), "{retry}");
    assert_eq!(
        sign_in([127, 0, 0, 2], "b1").await.0,
        201,
        "another address"
    );
    // The server keeps serving: a refused address can still use what it has.
    let (status, _) = http(server.addr, "GET", "/healthz", &[]).await;
    assert_eq!(status, 200);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn registrations_from_one_address_are_capped_per_day() {
    let server = start_with(|c| c.limits.registrations_per_day = 2).await;
    let addr = server.addr;
    let register = |n: &str| json!({ "nickname": n, "password": "correct horse" });
    for n in ["r1", "r2"] {
        let (status, _, body) = sign_in_from(addr, [127, 0, 0, 1], register(n)).await;
        assert_eq!(status, 201, "{n}: {body}");
    }
    let (status, head, body) = sign_in_from(addr, [127, 0, 0, 1], register("r3")).await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("\"too_many_attempts\""), "{body}");
    let wait = retry_after(&head);
    assert!((3600..=12 * 3600).contains(&wait), "one every 12 h: {wait}");
    // What registers nothing goes on: a nickname without a password, a registered one with
    // its password.
    let (status, _, body) = sign_in_from(addr, [127, 0, 0, 1], json!({ "nickname": "r4" })).await;
    assert_eq!(status, 201, "{body}");
    let token: serde_json::Value = serde_json::from_str(body.trim()).unwrap();
    let token = token["token"].as_str().unwrap().to_owned();
    assert_eq!(
        sign_in_from(addr, [127, 0, 0, 1], register("r1")).await.0,
        201
    );
    // Giving r4 a first password registers it: refused too.
    let auth = format!("Authorization: Bearer {token}\r\n");
    let new = json!({ "new": "correct horse" }).to_string();
    let (status, _, body) = request_from(
        addr,
        [127, 0, 0, 1],
        "PUT",
        "/api/session/password",
        &auth,
        &new,
    )
    .await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("\"too_many_attempts\""), "{body}");
    let (status, _, body) = sign_in_from(addr, [127, 0, 0, 2], register("r3")).await;
    assert_eq!(status, 201, "another address: {body}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn password_hashing_beyond_its_global_bound_gets_503_server_busy() {
    let server = start_with(|c| {
        c.limits.hash_concurrency = Some(1);
        c.limits.hash_queue = Some(0);
    })
    .await;
    let addr = server.addr;
    // From many addresses at once: the bound is global, not per address.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 1..=8u8 {
        let body = json!({ "nickname": format!("h{i}"), "password": "correct horse" });
        tasks.spawn(async move { sign_in_from(addr, [127, 0, 1, i], body).await });
    }
    let (mut created, mut busy) = (0, 0);
    while let Some(answer) = tasks.join_next().await {
        let (status, head, body) = answer.unwrap();
        match status {
            201 => created += 1,
            503 => {
                assert!(
                    body.contains(&format!("\"{}\"", ErrorCode::ServerBusy.as_str())),
                    "{body}"
                );
                assert_eq!(retry_after(&head), 1, "{head}");
                busy += 1;
            }
            other => panic!("expected 201 or 503, got {other}: {body}"),
        }
    }
    assert!(
        created >= 1,
        "one hashes at a time: {created} created, {busy} busy"
    );
    assert!(
        busy >= 1,
        "the others are refused at once: {created} created, {busy} busy"
    );
    // The bound gives its permit back: one at a time works.
    for i in 1..=8u8 {
        let body = json!({ "nickname": format!("h{i}"), "password": "correct horse" });
        let (status, _, body) = sign_in_from(addr, [127, 0, 0, 1], body).await;
        assert_eq!(status, 201, "h{i}, one at a time: {body}");
    }
    server.shutdown().await.unwrap();
}

/// Issue 16: the per-address sign-in throttle answers before the body is read: a throttled
/// client announcing a body it never sends gets its 429 at once, not a 408 when the request
/// timeout ends.
#[tokio::test]
async fn a_throttled_sign_in_is_refused_before_its_body_is_read() {
    let server = start_with(|c| {
        c.limits.sign_in_rate = 1.0;
        c.limits.sign_in_burst = 1.0;
        c.limits.request_timeout = std::time::Duration::from_secs(30);
    })
    .await;
    let (status, _, body) =
        sign_in_from(server.addr, [127, 0, 0, 1], json!({"nickname": "a"})).await;
    assert_eq!(status, 201, "{body}");
    let tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let req = format!(
        "POST /api/session HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{",
        server.addr
    );
    // `exchange` waits `WAIT` (5 s) at most: far less than the request timeout.
    let (status, head, body) = exchange(tcp, &req).await;
    assert_eq!(status, 429, "{head}\n{body}");
    assert!(body.contains("\"too_many_attempts\""), "{body}");
    server.shutdown().await.unwrap();
}
