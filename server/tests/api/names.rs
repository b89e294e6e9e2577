//! Issue 16, names nobody can fake: the nickname table of docs/PROTOCOL.md ("Nicknames
//! refused at sign-in") is sent row by row beside a real `alice`, signed in or registered;
//! and a name registered before the rules still works for its owner.

use std::net::SocketAddr;

use serde_json::{json, Value};

use crate::helpers::*;

const PASSWORD: &str = "correct horse";

/// (nickname, answer while `alice` is signed in, answer while `alice` is registered) rows
/// between the markers, answers as `status code`.
fn rows() -> Vec<(String, String, String)> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/PROTOCOL.md"))
        .unwrap();
    let table = doc
        .split("<!-- nicknames:start -->")
        .nth(1)
        .unwrap()
        .split("<!-- nicknames:end -->")
        .next()
        .unwrap();
    let rows: Vec<_> = table
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            let literal = cells[0].split('`').nth(1).unwrap();
            let nickname: String = serde_json::from_str(literal).unwrap();
            let answer = |c: &str| c.replace('`', "");
            (nickname, answer(cells[1]), answer(cells[2]))
        })
        .collect();
    assert!(rows.len() >= 4, "the table has its rows");
    rows
}

/// `POST /api/session` as a new client; returns `status code` and the answer.
async fn sign_in(addr: SocketAddr, body: Value) -> (String, Value) {
    let (status, _, resp) = post_session(addr, body).await;
    let resp: Value = serde_json::from_str(resp.trim()).unwrap_or(Value::Null);
    let code = resp["error"].as_str().unwrap_or("").to_owned();
    (format!("{status} {code}").trim().to_owned(), resp)
}

async fn check_rows(
    addr: SocketAddr,
    alice_is: &str,
    answer: impl Fn(&(String, String, String)) -> &str,
) {
    for row in rows() {
        let (got, resp) = sign_in(addr, json!({ "nickname": row.0 })).await;
        assert_eq!(
            got,
            answer(&row),
            "{:?} while alice is {alice_is}: {resp}",
            row.0
        );
        if got.starts_with("400") {
            let why = resp["message"].as_str().unwrap();
            assert!(
                why.len() > "nickname ".len() + 10,
                "a reason for people: {why}"
            );
        }
    }
}

#[tokio::test]
async fn look_alike_and_invisible_nicknames_are_refused_beside_alice() {
    let server = start().await;
    session(server.addr, "alice").await;
    check_rows(server.addr, "signed in", |r| &r.1).await;
    server.shutdown().await.unwrap();

    let server = start().await;
    let (got, resp) = sign_in(
        server.addr,
        json!({"nickname": "alice", "password": PASSWORD}),
    )
    .await;
    assert_eq!(got, "201", "{resp}");
    let token = resp["token"].as_str().unwrap();
    let (status, _) = http(
        server.addr,
        "DELETE",
        "/api/session",
        &[("Authorization", &bearer(token))],
    )
    .await;
    assert_eq!(status, 204);
    check_rows(server.addr, "registered", |r| &r.2).await;
    // Not by a password either: alice's password unlocks alice only.
    let (got, _) = sign_in(
        server.addr,
        json!({"nickname": "\u{430}\u{4CF}\u{456}\u{441}\u{435}", "password": PASSWORD}),
    )
    .await;
    assert_eq!(got, "409 nickname_taken");
    server.shutdown().await.unwrap();
}

/// Registers `nick`, then renames it in the database to `legacy` as the rules before would
/// have filed it (under its lower-case form), its session too; returns the session's token.
async fn register_as_before(db: &Db, addr: SocketAddr, nick: &str, legacy: &str) -> String {
    let (got, resp) = sign_in(addr, json!({"nickname": nick, "password": PASSWORD})).await;
    assert_eq!(got, "201", "{resp}");
    let old_key = legacy.to_lowercase();
    for table in ["accounts", "sessions"] {
        db.exec(&format!(
            "UPDATE {table} SET nickname = '{legacy}', nickname_key = '{old_key}' WHERE nickname = '{nick}'"
        ))
        .await;
    }
    resp["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn names_registered_before_the_rules_still_work_for_their_owners() {
    // A name the rules refuse now, and one in a single script that looks like `alice`.
    let broken = "a\u{202E}ecila";
    let look_alike = "\u{430}\u{4CF}\u{456}\u{441}\u{435}";
    for db in Db::all().await {
        let server = db.start(|_| {}).await;
        let (got, resp) = sign_in(
            server.addr,
            json!({"nickname": "alice", "password": PASSWORD}),
        )
        .await;
        assert_eq!(got, "201", "{}: {resp}", db.label);
        let broken_token = register_as_before(&db, server.addr, "legacy-one", broken).await;
        let look_alike_token = register_as_before(&db, server.addr, "legacy-two", look_alike).await;
        // A name that meets the rules, filed under its old key ("bob1", not the skeleton).
        // Signed out: only the account can hold the name.
        let bob1 = register_as_before(&db, server.addr, "legacy-three", "bob1").await;
        let auth = bearer(&bob1);
        let (status, _) = http(
            server.addr,
            "DELETE",
            "/api/session",
            &[("Authorization", &auth)],
        )
        .await;
        assert_eq!(status, 204);
        server.shutdown().await.unwrap();

        // At start the accounts are filed under their keys; `alice`, the older, keeps hers.
        let server = db.start(|_| {}).await;
        for (name, token) in [(broken, &broken_token), (look_alike, &look_alike_token)] {
            let (status, body) = http(
                server.addr,
                "GET",
                "/api/session",
                &[("Authorization", &bearer(token))],
            )
            .await;
            assert_eq!(
                status, 200,
                "{}: the session of {name:?} lives on: {body}",
                db.label
            );
            let body: Value = serde_json::from_str(body.trim()).unwrap();
            assert_eq!(body["nickname"], name);
            assert_eq!(body["registered"], true, "{}: {name:?}", db.label);
            let (got, resp) =
                sign_in(server.addr, json!({"nickname": name, "password": PASSWORD})).await;
            assert_eq!(
                got, "201",
                "{}: {name:?} signs in with its password: {resp}",
                db.label
            );
            assert_eq!(resp["nickname"], name);
            let (got, _) = sign_in(server.addr, json!({"nickname": name})).await;
            assert_eq!(got, "401 nickname_registered", "{}: {name:?}", db.label);
            let (got, _) = sign_in(
                server.addr,
                json!({"nickname": name, "password": "wrong password"}),
            )
            .await;
            assert_eq!(got, "401 bad_password", "{}: {name:?}", db.label);
        }
        // The widest key there is (7 characters for each Hangul syllable) fits the columns.
        let wide = "\u{CB94}".repeat(32);
        let (got, resp) =
            sign_in(server.addr, json!({"nickname": wide, "password": PASSWORD})).await;
        assert_eq!(got, "201", "{}: {resp}", db.label);
        let (got, resp) = sign_in(
            server.addr,
            json!({"nickname": "ALICE", "password": PASSWORD}),
        )
        .await;
        assert_eq!(got, "201", "{}: alice's own account: {resp}", db.label);
        // The look-alike's own name in capitals is its name, not a third one.
        let (got, _) = sign_in(
            server.addr,
            json!({"nickname": "\u{410}\u{4C0}\u{406}\u{421}\u{415}"}),
        )
        .await;
        assert_eq!(got, "401 nickname_registered", "{}", db.label);
        // Filed under its skeleton at start, it is found by its look-alikes.
        let (got, _) = sign_in(server.addr, json!({"nickname": "BOBl"})).await;
        assert_eq!(got, "409 nickname_taken", "{}: like bob1", db.label);
        // Nobody new gets a name like any of the three.
        for taken in ["a\u{200B}lice", "\u{430}lice", "A\u{202E}ECILA"] {
            let (got, _) = sign_in(server.addr, json!({"nickname": taken})).await;
            assert!(got.starts_with("4"), "{}: {taken:?}: {got}", db.label);
            assert_ne!(got, "401 bad_password");
        }
        server.shutdown().await.unwrap();
    }
}
