//! The publish API (issue 11): services post into rooms with API keys made by `parley
//! api-key create`; their messages are stored once per `client_id`, delivered live, and
//! marked as a bot's; every refusal is typed; keys are listed and revoked by the same
//! binary, on every backend.

use std::net::SocketAddr;

use parley_server::config::Config;
use shared::ServerMsg;

use crate::helpers::*;

/// Runs `parley api-key ARGS` on `db`; its exit status and stdout (stderr on failure).
async fn api_key(db: &Db, args: &[&str]) -> (bool, String) {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_parley"));
    cmd.arg("api-key")
        .args(args)
        .arg("--data-dir")
        .arg(&db.data_dir);
    cmd.env_remove("DATABASE_URL");
    if let Some(url) = &db.url {
        cmd.args(["--database-url", url]);
    }
    let out = cmd.output().await.expect("parley runs");
    let text = if out.status.success() {
        out.stdout
    } else {
        out.stderr
    };
    (
        out.status.success(),
        String::from_utf8_lossy(&text).into_owned(),
    )
}

/// Makes a key named `name`; the key.
pub async fn new_key(db: &Db, name: &str) -> String {
    let (ok, out) = api_key(db, &["create", name]).await;
    assert!(ok, "{out}");
    out.lines().next().unwrap().to_owned()
}

/// `POST /api/rooms/{room}/messages` with `key` (if any) and `body`: status, head, body.
pub async fn publish(
    addr: SocketAddr,
    key: Option<&str>,
    room: &str,
    body: serde_json::Value,
) -> (u16, String, serde_json::Value) {
    let auth = key.map(bearer);
    let mut headers = vec![("Content-Type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth));
    }
    let path = format!("/api/rooms/{room}/messages");
    let (status, head, body) = http_full(addr, "POST", &path, &headers, &body.to_string()).await;
    let json = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{status}: {body}"));
    (status, head, json)
}

#[tokio::test]
async fn keys_are_made_listed_and_revoked_and_a_published_message_is_stored_once_live() {
    for db in Db::all().await {
        let label = db.label;
        let key = new_key(&db, "ci").await;
        let (ok, out) = api_key(&db, &["create", "ci"]).await;
        assert!(!ok && out.contains("exists"), "{label}: {out}");
        let server = db.start(|_| {}).await;
        let mut alice = Client::connect(server.addr, "alice").await;
        alice.join("deploys").await;

        let body = serde_json::json!({"text": "v1.4.2 is live", "client_id": "deploy-42"});
        let (status, _, first) = publish(server.addr, Some(&key), "deploys", body.clone()).await;
        assert_eq!(status, 201, "{label}: {first}");
        assert_eq!(first["duplicate"], false);
        let m = alice.recv_message().await;
        assert_eq!(
            (m.nickname.as_str(), m.text.as_str(), m.bot, m.seq.0),
            ("ci", "v1.4.2 is live", true, first["seq"].as_u64().unwrap()),
            "{label}"
        );
        // A retry is stored once and answered with the same seq.
        let (status, _, again) = publish(server.addr, Some(&key), "deploys", body).await;
        assert_eq!(status, 201, "{label}: {again}");
        assert_eq!(
            (again["seq"].clone(), again["duplicate"].clone()),
            (first["seq"].clone(), true.into())
        );
        let (status, _, next) = publish(
            server.addr,
            Some(&key),
            "deploys",
            serde_json::json!({"text": "next"}),
        )
        .await;
        assert_eq!(status, 201, "{label}: {next}");
        let m = alice.recv_message().await;
        assert_eq!(m.text.as_str(), "next", "{label}");
        assert_eq!(
            m.seq.0,
            first["seq"].as_u64().unwrap() + 1,
            "{label}: no second copy"
        );
        // History keeps the mark.
        let (_, page) = get_signed_in(server.addr, "/api/rooms/deploys/messages").await;
        let page: ServerMsg = serde_json::from_str(&page).unwrap();
        let ServerMsg::History { messages, .. } = page else {
            panic!("{label}: {page:?}")
        };
        assert!(messages.iter().all(|m| m.bot), "{label}");

        let (_, list) = api_key(&db, &["list"]).await;
        let line = list.lines().find(|l| l.starts_with("ci ")).unwrap();
        assert!(line.trim_end().ends_with('-'), "{label}: live: {list}");
        let (ok, out) = api_key(&db, &["revoke", "ci"]).await;
        assert!(ok, "{label}: {out}");
        let (status, _, refused) = publish(
            server.addr,
            Some(&key),
            "deploys",
            serde_json::json!({"text": "x"}),
        )
        .await;
        assert_eq!(
            (status, refused["error"].as_str()),
            (401, Some("unauthorized")),
            "{label}"
        );
        let (_, list) = api_key(&db, &["list"]).await;
        assert!(!list
            .lines()
            .find(|l| l.starts_with("ci "))
            .unwrap()
            .trim_end()
            .ends_with('-'));
        // A revoked name can be given a new key.
        let key = new_key(&db, "ci").await;
        let (status, _, _) = publish(
            server.addr,
            Some(&key),
            "deploys",
            serde_json::json!({"text": "y"}),
        )
        .await;
        assert_eq!(status, 201, "{label}");
        drop(alice);
        server.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn publish_refusals_are_typed_and_the_rate_is_per_key() {
    let db = Db::all().await.remove(0);
    let key = new_key(&db, "alerts").await;
    let other = new_key(&db, "orders").await;
    let server = db
        .start(|c: &mut Config| {
            c.limits.publish_rate = 0.1;
            c.limits.publish_burst = 2.0;
        })
        .await;
    let addr = server.addr;
    let mut maker = Client::connect(addr, "maker").await;
    maker.join("ops").await;
    let session = maker.token.clone();
    let text = || serde_json::json!({"text": "disk full"});
    for (k, why) in [
        (None, "no key"),
        (Some("pk_00000000000000000000000000000000"), "a wrong key"),
        (Some(session.as_str()), "a session token"),
    ] {
        let (status, _, body) = publish(addr, k, "ops", text()).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("unauthorized")),
            "{why}"
        );
    }
    let cases = [
        ("nowhere", text(), 404, "no_such_room"),
        ("Bad!", text(), 400, "bad_room_name"),
        ("ops", serde_json::json!({"text": ""}), 400, "empty_text"),
        (
            "ops",
            serde_json::json!({"text": "x".repeat(4_001)}),
            400,
            "text_too_long",
        ),
        (
            "ops",
            serde_json::json!({"text": "a\u{0}b"}),
            400,
            "bad_text",
        ),
        (
            "ops",
            serde_json::json!({"text": "x", "client_id": "no spaces"}),
            400,
            "bad_client_id",
        ),
    ];
    for (room, body, want, code) in cases {
        let (status, _, got) = publish(addr, Some(&other), room, body).await;
        assert_eq!(
            (status, got["error"].as_str()),
            (want, Some(code)),
            "{room}: {got}"
        );
    }
    // Two at once, then 429 with Retry-After; another key has its own allowance.
    for _ in 0..2 {
        assert_eq!(publish(addr, Some(&key), "ops", text()).await.0, 201);
    }
    let (status, head, body) = publish(addr, Some(&key), "ops", text()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("too_many_requests"))
    );
    assert!(head.to_lowercase().contains("retry-after: "), "{head}");
    // A person named like the key's sender shares none of its retries.
    let mut twin = Client::connect(addr, "bot:orders").await;
    twin.join("ops").await;
    twin.send_acked("ops", "order-1", "from a person").await;
    let body = serde_json::json!({"text": "from the key", "client_id": "order-1"});
    let (status, _, stored) = publish(addr, Some(&other), "ops", body).await;
    assert_eq!(
        (status, stored["duplicate"].as_bool()),
        (201, Some(false)),
        "{stored}"
    );
    drop((maker, twin));
    server.shutdown().await.unwrap();
}
