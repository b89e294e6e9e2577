//! docs/PROTOCOL.md matches the code: every JSON example parses as a message, every message
//! type has an example, and every error code, close reason and protocol limit is listed.

use shared::*;

fn doc() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/PROTOCOL.md");
    std::fs::read_to_string(path).expect("docs/PROTOCOL.md exists")
}

fn json_examples(doc: &str) -> Vec<String> {
    doc.split("```json")
        .skip(1)
        .map(|block| block.split("```").next().unwrap().trim().to_owned())
        .collect()
}

#[test]
fn every_example_parses_and_every_type_has_one() {
    let doc = doc();
    let mut client_seen = Vec::new();
    let mut server_seen = Vec::new();
    // A server message may read as a client one of the same type (`typing`): examples under
    // "Server → client" are taken as server messages.
    let (before, rest) = doc
        .split_once("## Server → client")
        .expect("a server section");
    let (server_part, after) = rest.split_once("\n## ").unwrap_or((rest, ""));
    let server_examples = json_examples(server_part);
    let examples = json_examples(&format!("{before}\n{after}"))
        .into_iter()
        .map(|e| (false, e))
        .chain(server_examples.into_iter().map(|e| (true, e)));
    for (server, example) in examples {
        if let (false, Ok(msg)) = (server, decode_client_msg(&example)) {
            let kind = serde_json::from_str::<serde_json::Value>(&example).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned();
            assert_eq!(msg, decode_client_msg(&msg.to_json()).unwrap());
            client_seen.push(kind);
        } else {
            let msg: ServerMsg = serde_json::from_str(&example)
                .unwrap_or_else(|e| panic!("example is no message ({e}):\n{example}"));
            server_seen.push(msg.kind());
        }
    }
    for kind in CLIENT_TYPES {
        assert!(
            client_seen.iter().any(|k| k == kind),
            "no example of client message {kind:?}"
        );
    }
    for kind in ServerMsg::TYPES {
        assert!(
            server_seen.contains(kind),
            "no example of server message {kind:?}"
        );
    }
}

#[test]
fn every_error_code_and_close_reason_is_documented() {
    let doc = doc();
    for code in ErrorCode::ALL {
        assert!(
            doc.contains(&format!("| `{}` |", code.as_str())),
            "error code {} not in the table",
            code.as_str()
        );
    }
    for reason in CloseReason::ALL {
        let row = format!("| {} | `{}` |", reason.code(), reason.as_str());
        assert!(doc.contains(&row), "close reason missing: {row}");
    }
}

#[test]
fn protocol_limits_are_documented() {
    let doc = doc();
    for needle in [
        format!("1–{NICKNAME_MAX_CHARS} characters"),
        format!("1–{ROOM_NAME_MAX_CHARS} of"),
        "1–4,000 characters".to_owned(),
        format!("1–{CLIENT_ID_MAX_CHARS} of"),
        format!("1–{HISTORY_PAGE_MAX} messages"),
    ] {
        assert!(doc.contains(&needle), "limit not documented: {needle}");
    }
    assert_eq!(TEXT_MAX_CHARS, 4_000);
    assert!(doc.contains(&format!(
        "# Parley wire protocol (version {PROTOCOL_VERSION})"
    )));
}
