//! HTTPS and WSS with a test certificate.

use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use rustls::pki_types::ServerName;
use shared::{ClientMsg, ServerMsg};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::*;

/// A self-signed certificate for 127.0.0.1, written as PEM files; returns the connector that
/// trusts it.
fn certificate(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf, TlsConnector) {
    let cert =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    std::fs::create_dir_all(dir).unwrap();
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.key_pair.serialize_pem()).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    (cert_path, key_path, TlsConnector::from(Arc::new(config)))
}

async fn tls_stream(
    connector: &TlsConnector,
    addr: std::net::SocketAddr,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    connector
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .expect("TLS handshake")
}

#[tokio::test]
async fn https_and_wss_with_a_test_certificate() {
    let dir = std::env::temp_dir().join(format!("parley-tls-{}", std::process::id()));
    let (cert, key, connector) = certificate(&dir);
    let server = start_with(|c| {
        c.tls_cert = Some(cert.clone());
        c.tls_key = Some(key.clone());
    })
    .await;
    assert!(server.tls);

    // HTTPS: create a session; the cookie is Secure, and HSTS is on.
    let mut tls = tls_stream(&connector, server.addr).await;
    let body = r#"{"nickname":"alice"}"#;
    let req = format!(
        "POST /api/session HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        server.addr,
        body.len()
    );
    tls.write_all(req.as_bytes()).await.unwrap();
    let mut raw = String::new();
    tls.read_to_string(&mut raw).await.unwrap();
    assert!(raw.starts_with("HTTP/1.1 201"), "{raw}");
    assert!(
        raw.contains("; Secure"),
        "cookies are Secure over TLS: {raw}"
    );
    assert_eq!(
        header(&raw, "strict-transport-security"),
        Some("max-age=31536000"),
        "{raw}"
    );
    assert!(
        header(&raw, "content-security-policy")
            .is_some_and(|csp| csp.contains(&format!("wss://127.0.0.1:{}", server.addr.port()))),
        "the policy names the secure WebSocket: {raw}"
    );
    let json = raw.split("\r\n\r\n").nth(1).unwrap();
    let json = json
        .trim()
        .trim_start_matches(|c: char| c.is_ascii_hexdigit())
        .trim();
    let token = json
        .split("\"token\":\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();

    // WSS: chat over the same port.
    let tls = tls_stream(&connector, server.addr).await;
    let mut req = format!("wss://127.0.0.1:{}{}", server.addr.port(), ws_path())
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::client_async(req, tls)
        .await
        .expect("WSS handshake");
    let first = loop {
        if let Some(Ok(Message::Text(t))) = ws.next().await {
            break serde_json::from_str::<ServerMsg>(t.as_str()).unwrap();
        }
    };
    assert!(matches!(first, ServerMsg::Welcome { .. }));
    let join = ClientMsg::Join {
        room: "secure".into(),
        nickname: None,
        after: None,
        changes_after: None,
    };
    ws.send(Message::text(join.to_json())).await.unwrap();
    let send = ClientMsg::Send {
        room: "secure".into(),
        client_id: "t1".into(),
        text: "over TLS".into(),
        reply_to: None,
    };
    ws.send(Message::text(send.to_json())).await.unwrap();
    let mut got = None;
    while got.is_none() {
        if let Some(Ok(Message::Text(t))) = ws.next().await {
            if let Ok(ServerMsg::Message(m)) = serde_json::from_str(t.as_str()) {
                got = Some(m.text.to_string());
            }
        }
    }
    assert_eq!(got.as_deref(), Some("over TLS"));

    // Plain HTTP on the TLS port is not served.
    let (status, _) = http(server.addr, "GET", "/healthz", &[]).await;
    assert_ne!(status, 200);
    server.shutdown().await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}
