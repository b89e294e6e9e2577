//! DNS rebinding and security headers: every route but `/healthz` answers only the server's
//! public origins' `Host` (421 `bad_host` otherwise), the WebSocket only their pages'
//! `Origin`, and every response carries the security headers.

use std::net::SocketAddr;

use parley_server::origin::Origin;

use crate::helpers::*;

/// A name an attacker rebinds to the server's address.
fn evil(addr: SocketAddr) -> String {
    format!("evil.example:{}", addr.port())
}

fn assert_bad_host(what: &str, (status, body): (u16, String)) {
    assert_eq!(status, 421, "{what}: {body}");
    assert!(body.contains("\"error\":\"bad_host\""), "{what}: {body}");
}

/// A `GET /api/rooms` without a session that passed the Host check: 401.
fn assert_served(what: &str, (status, _, body): (u16, String, String)) {
    assert_eq!(status, 401, "{what}: {body}");
    assert!(
        body.contains("\"error\":\"unauthorized\""),
        "{what}: {body}"
    );
}

#[tokio::test]
async fn a_rebound_host_is_refused_on_every_route_but_healthz() {
    let server = start().await;
    let addr = server.addr;
    let token = session(addr, "alice").await;
    let auth = bearer(&token);
    for (method, path) in [("GET", "/"), ("GET", "/api/session"), ("GET", "/api/rooms")] {
        let (status, _, body) = http_as(addr, &evil(addr), method, path, &[], "").await;
        assert_bad_host(&format!("{method} {path}"), (status, body));
    }
    let json = [("Content-Type", "application/json")];
    let (status, _, body) = http_as(
        addr,
        &evil(addr),
        "POST",
        "/api/session",
        &json,
        r#"{"nickname":"mallory"}"#,
    )
    .await;
    assert_bad_host("POST /api/session", (status, body));
    // The upgrade, with the rebound page's own Origin (which the old check took for the
    // server's own) and a valid session: no WebSocket.
    let origin = format!("http://{}", evil(addr));
    let (status, head) = upgrade_as(
        addr,
        &evil(addr),
        &[("Authorization", &auth), ("Origin", &origin)],
    )
    .await;
    assert_eq!(status, 421, "{head}");
    // With the server's Host, that Origin is still foreign.
    let (status, head) = upgrade(addr, &[("Authorization", &auth), ("Origin", &origin)]).await;
    assert_eq!(status, 403, "{head}");
    // No Host at all (HTTP/1.0) is no public host either.
    let raw = "GET /api/rooms HTTP/1.0\r\n\r\n";
    let (status, _, body) =
        exchange(tokio::net::TcpStream::connect(addr).await.unwrap(), raw).await;
    assert_bad_host("no Host", (status, body));

    for host in [evil(addr).as_str(), "10.0.0.7", "localhost"] {
        let (status, _, body) = http_as(addr, host, "GET", "/healthz", &[], "").await;
        assert_eq!(status, 200, "/healthz for Host {host}: {body}");
    }
    for host in [addr.to_string(), format!("localhost:{}", addr.port())] {
        assert_served(
            &host,
            http_as(addr, &host, "GET", "/api/rooms", &[], "").await,
        );
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_public_origin_replaces_the_loopback_defaults() {
    let public = Origin::parse("https://chat.example").unwrap();
    let server = start_with(|c| c.public_origin = vec![public]).await;
    let addr = server.addr;
    let (status, body) = http(addr, "GET", "/api/session", &[]).await;
    assert_bad_host("the bound address", (status, body));
    for host in ["chat.example", "chat.example:443"] {
        assert_served(
            host,
            http_as(addr, host, "GET", "/api/rooms", &[], "").await,
        );
    }
    // Its pages may open the WebSocket; the loopback ones may not.
    let token = session_as(addr, "chat.example", "alice").await;
    let auth = bearer(&token);
    let ok = [
        ("Authorization", auth.as_str()),
        ("Origin", "https://chat.example"),
    ];
    assert_eq!(upgrade_as(addr, "chat.example", &ok).await.0, 101);
    let local = format!("http://{addr}");
    let foreign = [("Authorization", auth.as_str()), ("Origin", &local)];
    assert_eq!(upgrade_as(addr, "chat.example", &foreign).await.0, 403);
    server.shutdown().await.unwrap();
}

/// `POST /api/session` for `nick` with `Host: host`; returns the token.
async fn session_as(addr: SocketAddr, host: &str, nick: &str) -> String {
    let json = [("Content-Type", "application/json")];
    let body = serde_json::json!({ "nickname": nick }).to_string();
    let (status, _, body) = http_as(addr, host, "POST", "/api/session", &json, &body).await;
    assert_eq!(status, 201, "{body}");
    let v: serde_json::Value = serde_json::from_str(body.trim()).unwrap();
    v["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let dir = std::env::temp_dir().join(format!("parley-headers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("index.html"),
        "<script type=module>boot()</script>",
    )
    .unwrap();
    let spa = dir.clone();
    let server = start_with(move |c| c.spa_dir = spa).await;
    let addr = server.addr;
    let evil = evil(addr);
    let own = addr.to_string();
    let json = [("Content-Type", "application/json")];
    let sign_in = r#"{"nickname":"alice"}"#;
    let cases = [
        ("the SPA", &own, "GET", "/", "", 200),
        ("an API route", &own, "POST", "/api/session", sign_in, 201),
        ("an API error", &own, "GET", "/api/rooms", "", 401),
        ("a missing file", &own, "GET", "/missing.js", "", 404),
        ("a refused Host", &evil, "GET", "/", "", 421),
    ];
    for (what, host, method, path, body, want) in cases {
        let (status, head, _) = http_as(addr, host, method, path, &json, body).await;
        assert_eq!(status, want, "{what}: {head}");
        let csp =
            header(&head, "content-security-policy").unwrap_or_else(|| panic!("{what}: {head}"));
        for directive in [
            "default-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
            &format!("connect-src 'self' ws://127.0.0.1:{}", addr.port()),
            // The inline boot script, by hash: `printf 'boot()' | openssl sha256 -binary | base64`.
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-MeZS89WlF0u+o0hCvHTBt4q1WHU+U+sJKgbdRUc36mY='",
        ] {
            assert!(csp.contains(directive), "{what}: {directive} in {csp}");
        }
        assert_eq!(
            header(&head, "x-content-type-options"),
            Some("nosniff"),
            "{what}"
        );
        assert_eq!(
            header(&head, "referrer-policy"),
            Some("no-referrer"),
            "{what}"
        );
        assert_eq!(
            header(&head, "strict-transport-security"),
            None,
            "{what}: no HSTS over plain HTTP"
        );
    }
    server.shutdown().await.unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}
