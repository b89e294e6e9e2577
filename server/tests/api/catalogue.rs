//! The bad input catalogue of docs/PROTOCOL.md, sent row by row to a live server: each gets
//! the answer the document says, the connection survives (but for the closing rows), and
//! everyone else keeps chatting.

use std::collections::{BTreeSet, HashSet};

use futures_util::SinkExt;
use shared::{CloseReason, ErrorCode, ServerMsg};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::*;

/// (description, frame, expected answer) rows between the catalogue markers.
fn rows() -> Vec<(String, Message, String)> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/PROTOCOL.md"))
        .unwrap();
    let table = doc
        .split("<!-- catalogue:start -->")
        .nth(1)
        .unwrap()
        .split("<!-- catalogue:end -->")
        .next()
        .unwrap();
    table
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| bad input"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            let frame = match cells[1].strip_prefix("binary ") {
                Some(hex) => Message::binary(
                    hex.trim_matches('`')
                        .split(' ')
                        .map(|b| u8::from_str_radix(b, 16).unwrap())
                        .collect::<Vec<_>>(),
                ),
                None => Message::text(expand(
                    cells[1].trim_start_matches('`').trim_end_matches('`'),
                )),
            };
            (cells[0].to_owned(), frame, cells[2].replace('`', ""))
        })
        .collect()
}

/// Expands `<N × c>` into `c` repeated `N` times (any other `<` is itself).
fn expand(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('>').map(|e| e + start);
        let repeat = end.and_then(|end| {
            let (n, c) = rest[start + 1..end].split_once(" × ")?;
            Some((c.repeat(n.parse().ok()?), end))
        });
        match repeat {
            Some((repeated, end)) => {
                out.push_str(&repeated);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('<');
                rest = &rest[start + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Error codes a WebSocket client can get that no catalogue row produces (each needs a
/// limit or a fault set up on purpose), each with the test that exercises it: (code, file
/// under tests/api, test).
const EXERCISED_ELSEWHERE: &[(ErrorCode, &str, &str)] = &[
    (
        ErrorCode::TooManyReactions,
        "reactions.rs",
        "a_reaction_is_one_emoji_within_the_limits_on_a_message_of_a_joined_room",
    ),
    (
        ErrorCode::StorageUnavailable,
        "storage.rs",
        "a_storage_failure_refuses_the_send_and_loses_nothing_already_acked",
    ),
    (
        ErrorCode::SlowDown,
        "floods.rs",
        "a_flood_gets_slow_down_then_a_close_while_others_are_unaffected",
    ),
    (
        ErrorCode::TooManyRooms,
        "limits.rs",
        "too_many_rooms_is_refused_counting_every_connection_of_the_user",
    ),
    (
        ErrorCode::HistoryBusy,
        "hostile_rooms.rs",
        "history_is_one_page_at_a_time_and_bounded_in_bytes",
    ),
    (
        ErrorCode::TooManyRoomsCreated,
        "hostile_rooms.rs",
        "room_creation_is_bounded_and_welcome_stays_small",
    ),
];

/// The codes only ever sent in an HTTP answer (their doc in shared/src/codes.rs starts with
/// "HTTP"): no WebSocket client gets them.
const HTTP_ONLY: &[ErrorCode] = &[
    ErrorCode::NicknameTaken,
    ErrorCode::WebsocketRequired,
    ErrorCode::WebsocketVersion,
    ErrorCode::WebsocketKey,
    ErrorCode::OriginNotAllowed,
    ErrorCode::Unauthorized,
    ErrorCode::TooManyConnections,
    ErrorCode::TooManyAttempts,
    ErrorCode::TooManyRequests,
    ErrorCode::RequestTimeout,
    ErrorCode::BadRequest,
    ErrorCode::MethodNotAllowed,
    ErrorCode::PayloadTooLarge,
    ErrorCode::UnsupportedMediaType,
    ErrorCode::InternalError,
    ErrorCode::NicknameRegistered,
    ErrorCode::BadPassword,
    ErrorCode::NotFound,
    ErrorCode::BadHost,
    ErrorCode::ServerBusy,
];

#[tokio::test]
async fn every_catalogued_bad_input_gets_its_documented_answer() {
    let server = start().await;
    let rows = rows();
    assert!(
        rows.len() >= 20,
        "the catalogue was found: {} rows",
        rows.len()
    );
    let mut other = Client::connect(server.addr, "somebody-else").await;
    other.join("busy").await;
    other.join("lobby").await;
    let mut tester = Client::connect(server.addr, "tester").await;
    tester.join("lobby").await;
    let mut produced = HashSet::new();
    for (i, (what, frame, answer)) in rows.into_iter().enumerate() {
        let sent = frame.to_text().map(str::to_owned).unwrap_or_default();
        tester.ws.send(frame).await.unwrap();
        if answer == "ack, stored as typed" {
            // Accepted: the text comes back exactly as it was sent (the SPA shows it as text).
            let sent: serde_json::Value = serde_json::from_str(&sent).unwrap();
            let text = sent["text"].as_str().unwrap();
            let seen = tester.until_message("lobby", text).await;
            assert!(
                seen.iter().any(|m| matches!(m, ServerMsg::Ack { .. })),
                "{what}: acked"
            );
        } else if let Some(code) = answer.strip_prefix("error ") {
            let err = tester.recv_error().await;
            assert_eq!(err.code.as_str(), code, "{what}: {err:?}");
            produced.insert(err.code);
            // One answer: no second error came for the row before the next request's.
            let more = tester.until_refused_leave(NO_ROOM).await;
            assert_none(&more, &format!("second error for {what}"), |m| {
                matches!(m, ServerMsg::Error { .. })
            });
            // Still alive.
            tester
                .send_acked("lobby", &format!("ok-{i}"), "still here")
                .await;
        } else {
            let (code, name) = answer
                .strip_prefix("close ")
                .and_then(|c| c.split_once(' '))
                .unwrap_or_else(|| {
                    panic!("{what}: expected `error <code>` or `close <code> <name>`, got {answer}")
                });
            let reason = code
                .parse()
                .ok()
                .and_then(CloseReason::from_code)
                .unwrap_or_else(|| panic!("{what}: expected a close code of Parley's, got {code}"));
            assert_eq!(reason.as_str(), name, "{what}: the close code's name");
            tester.expect_close(reason).await;
            tester = Client::reconnect(server.addr, &tester.token.clone()).await;
            tester.join("lobby").await;
        }
    }
    // Everyone else saw only the good messages: nothing reached a room the sender had not
    // joined (a message sent there now is delivered after anything the bad rows put in it).
    other.say("busy", "other-0", "marker").await;
    let seen = other.until_message("busy", "marker").await;
    assert_none(
        &seen,
        "chat message in #busy from the bad rows",
        |m| matches!(m, ServerMsg::Message(x) if x.room.as_str() == "busy"),
    );
    // And kept chatting.
    other.send_acked("lobby", "other-1", "all fine here").await;

    // Every error code a WebSocket client can get is exercised: by a row here, or by the
    // test EXERCISED_ELSEWHERE names.
    let elsewhere: HashSet<ErrorCode> = EXERCISED_ELSEWHERE.iter().map(|e| e.0).collect();
    let http_only: HashSet<ErrorCode> = HTTP_ONLY.iter().copied().collect();
    let unexercised: Vec<&str> = ErrorCode::ALL
        .iter()
        .filter(|c| !produced.contains(c) && !elsewhere.contains(c) && !http_only.contains(c))
        .map(|c| c.as_str())
        .collect();
    assert!(
        unexercised.is_empty(),
        "error codes a WebSocket client can get that no test exercises: {unexercised:?}; add a \
         row to the catalogue in docs/PROTOCOL.md, or a test listed in EXERCISED_ELSEWHERE \
         (or, if only HTTP sends it, say so in its doc and list it in HTTP_ONLY)"
    );
    let mut over_ws: Vec<&str> = produced
        .intersection(&http_only)
        .map(|c| c.as_str())
        .collect();
    over_ws.sort();
    assert!(
        over_ws.is_empty(),
        "codes listed as HTTP-only came over the WebSocket: {over_ws:?}"
    );
    server.shutdown().await.unwrap();
}

/// A file of the crate, read at test time.
fn source(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("expected to read {full}: {e}"))
}

/// `CamelCase` as `snake_case`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// The lists the catalogue test counts on are true: HTTP_ONLY is exactly the codes whose doc
/// starts with "HTTP", and each test EXERCISED_ELSEWHERE names exists and uses its code.
#[test]
fn the_codes_exercised_elsewhere_and_the_http_only_ones_are_listed_truly() {
    let src = source("../shared/src/codes.rs");
    let body = src
        .split("pub enum ErrorCode {")
        .nth(1)
        .and_then(|rest| rest.split("\n}").next())
        .expect("the ErrorCode enum in shared/src/codes.rs");
    let (mut variants, mut by_doc) = (Vec::new(), BTreeSet::new());
    let mut first_doc: Option<String> = None;
    for line in body.lines().map(str::trim) {
        if let Some(doc) = line.strip_prefix("///") {
            first_doc.get_or_insert_with(|| doc.trim().to_owned());
        } else if let Some(variant) = line
            .strip_suffix(',')
            .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            let doc = first_doc.take().unwrap_or_default();
            if doc.starts_with("HTTP") {
                by_doc.insert(snake(variant));
            }
            variants.push(snake(variant));
        }
    }
    let all: Vec<String> = ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    assert_eq!(variants, all, "every variant of codes.rs was read");
    let listed: BTreeSet<String> = HTTP_ONLY.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(
        listed.len(),
        HTTP_ONLY.len(),
        "HTTP_ONLY lists each code once"
    );
    assert_eq!(
        listed, by_doc,
        "HTTP_ONLY is the codes whose doc in shared/src/codes.rs starts with \"HTTP\""
    );

    let mut seen = HashSet::new();
    for &(code, file, test) in EXERCISED_ELSEWHERE {
        assert!(seen.insert(code), "{} is listed twice", code.as_str());
        assert!(
            !HTTP_ONLY.contains(&code),
            "{} is HTTP-only: no WebSocket test can exercise it",
            code.as_str()
        );
        let src = source(&format!("tests/api/{file}"));
        let body = src
            .split(&format!("async fn {test}("))
            .nth(1)
            .unwrap_or_else(|| panic!("expected a test {test} in tests/api/{file}"));
        let body = body.split("#[tokio::test]").next().unwrap_or(body);
        assert!(
            body.contains(&format!("ErrorCode::{code:?}")),
            "expected {file}'s {test} to check for ErrorCode::{code:?}"
        );
    }
}
