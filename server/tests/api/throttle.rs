//! Sign-in throttling: too many `POST /api/session` from one address get 429
//! `too_many_attempts` with `Retry-After`; other addresses are unaffected.

use crate::helpers::*;

#[tokio::test]
async fn sign_ins_from_one_address_are_throttled() {
    let server = start_with(|c| {
        c.limits.sign_in_rate = 6.0; // one every 10 s
        c.limits.sign_in_burst = 2.0;
    })
    .await;
    let sign_in = |from: [u8; 4], nick: &'static str| async move {
        let sock = tokio::net::TcpSocket::new_v4().unwrap();
        sock.bind((std::net::Ipv4Addr::from(from), 0).into())
            .unwrap();
        let tcp = sock.connect(server.addr).await.unwrap();
        let body = serde_json::json!({ "nickname": nick }).to_string();
        let req = format!(
            "POST /api/session HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            server.addr,
            body.len()
        );
        exchange(tcp, &req).await
    };
    assert_eq!(sign_in([127, 0, 0, 1], "a1").await.0, 201);
    assert_eq!(sign_in([127, 0, 0, 1], "a2").await.0, 201);
    let (status, head, body) = sign_in([127, 0, 0, 1], "a3").await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("\"too_many_attempts\""), "{body}");
    let retry = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("retry-after: ")
                .map(str::to_owned)
        })
        .expect("Retry-After");
    assert!((1..=10).contains(&retry.parse::<u64>().unwrap()), "{retry}");
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
