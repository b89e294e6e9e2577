//! Issue 16: every HTTP refusal is typed. Malformed input to every route (a method it does not
//! take, bad path segments and query values, bodies that are not JSON, of the wrong shape,
//! of another type or too large) gets `{"error": code, "message": …}`, `code` an
//! `ErrorCode`. [`ROUTES`] names every route, and a test checks it against every `.route(`
//! in the server's source, so a new route cannot be left out.

use std::collections::BTreeSet;

use shared::ErrorCode as E;

use crate::helpers::*;

/// A route as its `.route(…)` declares it, and the malformed requests it gets besides every
/// method it does not take.
struct Route {
    /// The pattern, as written in `.route(…)`.
    pattern: &'static str,
    /// Where its router is nested.
    under: &'static str,
    /// The methods it takes.
    methods: &'static [&'static str],
    /// Requests it refuses.
    bad: &'static [Bad],
}

/// A malformed request and its answer.
#[derive(Clone, Copy)]
struct Bad {
    method: &'static str,
    target: &'static str,
    content_type: Option<&'static str>,
    body: Body,
    status: u16,
    code: E,
}

/// A request body.
#[derive(Clone, Copy)]
enum Body {
    Text(&'static str),
    /// A JSON body larger than the API takes.
    Oversized,
}

/// `GET target`, answered with `status` and `code`.
const fn get(target: &'static str, status: u16, code: E) -> Bad {
    let body = Body::Text("");
    let (method, content_type) = ("GET", None);
    Bad {
        method,
        target,
        content_type,
        body,
        status,
        code,
    }
}

/// A body of `content_type`, answered with `status` and `code` (sent to every JSON route).
const fn body(content_type: Option<&'static str>, body: Body, status: u16, code: E) -> Bad {
    let (method, target) = ("", "");
    Bad {
        method,
        target,
        content_type,
        body,
        status,
        code,
    }
}

const JSON: Option<&str> = Some("application/json");

/// Bodies every JSON route refuses, whatever its shape.
const BAD_BODIES: &[Bad] = &[
    body(JSON, Body::Text("{oops"), 400, E::BadRequest),
    body(JSON, Body::Text(""), 400, E::BadRequest),
    body(JSON, Body::Text("[1, 2]"), 400, E::BadRequest),
    body(
        JSON,
        Body::Text(r#"{"nickname": 5, "new": 5}"#),
        400,
        E::BadRequest,
    ),
    body(
        None,
        Body::Text(r#"{"nickname": "a"}"#),
        415,
        E::UnsupportedMediaType,
    ),
    body(
        Some("text/plain"),
        Body::Text("{}"),
        415,
        E::UnsupportedMediaType,
    ),
    body(JSON, Body::Oversized, 413, E::PayloadTooLarge),
];

/// Every route of the server (see the module docs).
const ROUTES: &[Route] = &[
    Route {
        pattern: "/healthz",
        under: "",
        methods: &["GET"],
        bad: &[],
    },
    Route {
        pattern: "/rooms",
        under: "/api",
        methods: &["GET"],
        bad: &[
            get("/api/rooms?limit=x", 400, E::BadRequest),
            get("/api/rooms?limit=-1", 400, E::BadRequest),
            get("/api/rooms?after=Bad%20Room", 400, E::BadRoomName),
        ],
    },
    Route {
        pattern: "/rooms/{room}/messages",
        under: "/api",
        methods: &["GET", "POST"],
        bad: &[
            get("/api/rooms/lobby/messages?before=-1", 400, E::BadRequest),
            get("/api/rooms/lobby/messages?before=x", 400, E::BadRequest),
            get("/api/rooms/lobby/messages?limit=1.5", 400, E::BadRequest),
            get("/api/rooms/Bad%20Room/messages", 400, E::BadRoomName),
            get("/api/rooms/%FF/messages", 400, E::BadRequest),
        ],
    },
    Route {
        pattern: "/rooms/{room}/messages/{seq}/reactions",
        under: "/api",
        methods: &["GET"],
        bad: &[
            get("/api/rooms/lobby/messages/1/reactions", 400, E::BadRequest),
            get(
                "/api/rooms/lobby/messages/x/reactions?emoji=%F0%9F%91%8D",
                400,
                E::BadRequest,
            ),
            get(
                "/api/rooms/lobby/messages/1/reactions?emoji=ok",
                400,
                E::BadEmoji,
            ),
            get(
                "/api/rooms/lobby/messages/1/reactions?emoji=%F0%9F%91%8D&from=-1",
                400,
                E::BadRequest,
            ),
            get(
                "/api/rooms/lobby/messages/999/reactions?emoji=%F0%9F%91%8D",
                404,
                E::NoSuchMessage,
            ),
            get(
                "/api/rooms/Bad%20Room/messages/1/reactions?emoji=%F0%9F%91%8D",
                400,
                E::BadRoomName,
            ),
        ],
    },
    Route {
        pattern: "/session",
        under: "/api",
        methods: &["GET", "POST", "DELETE"],
        bad: &[Bad {
            method: "POST",
            target: "/api/session",
            ..body(
                JSON,
                Body::Text(r#"{"nickname": "a\u0007b"}"#),
                400,
                E::BadNickname,
            )
        }],
    },
    Route {
        pattern: "/session/password",
        under: "/api",
        methods: &["PUT"],
        bad: &[],
    },
    Route {
        pattern: "/sessions",
        under: "/api",
        methods: &["DELETE"],
        bad: &[],
    },
    Route {
        pattern: "/r/{room}",
        under: "",
        methods: &["GET"],
        bad: &[],
    },
    Route {
        pattern: "/r/{room}/{seq}",
        under: "",
        methods: &["GET"],
        bad: &[],
    },
    Route {
        pattern: "/ws",
        under: "",
        methods: &["GET"],
        bad: &[
            get("/ws?v=x", 400, E::BadRequest),
            get("/ws?v=-1", 400, E::BadRequest),
        ],
    },
];

/// The routes that take a JSON body: (method, path).
const JSON_ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/session"),
    ("PUT", "/api/session/password"),
    ("POST", "/api/rooms/lobby/messages"),
];

/// Requests no route matches.
const NO_ROUTE: &[&str] = &["/api/nope", "/missing.js", "/ws/extra"];

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH"];

/// Sends `bad` with a session; checks that the answer is typed, with its status and code.
async fn check(addr: std::net::SocketAddr, token: &str, bad: Bad) {
    let auth = bearer(token);
    let mut headers = vec![("Authorization", auth.as_str())];
    headers.extend(bad.content_type.map(|c| ("Content-Type", c)));
    let oversized;
    let body = match bad.body {
        Body::Text(text) => text,
        Body::Oversized => {
            oversized = format!("{{\"nickname\": \"{}\"}}", "x".repeat(20_000));
            &oversized
        }
    };
    let (method, target) = (bad.method, bad.target);
    let (status, head, text) = http_full(addr, method, target, &headers, body).await;
    let what = format!(
        "{method} {target} ({:?}, {} bytes)",
        bad.content_type,
        body.len()
    );
    assert_eq!(status, bad.status, "{what}: {head}\n{text}");
    let content = header(&head, "content-type").unwrap_or_default();
    assert!(content.starts_with("application/json"), "{what}: {head}");
    let json: serde_json::Value =
        serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{what}: {e}: {text}"));
    let code: E = serde_json::from_value(json["error"].clone())
        .unwrap_or_else(|e| panic!("{what}: not an ErrorCode ({e}): {text}"));
    assert_eq!(code, bad.code, "{what}: {text}");
    let message = json["message"].as_str().unwrap_or_default();
    assert!(!message.trim().is_empty(), "{what}: no message: {text}");
    if status == 405 {
        assert!(header(&head, "allow").is_some(), "{what}: no Allow: {head}");
    }
}

#[tokio::test]
async fn every_route_refuses_malformed_input_with_a_typed_error() {
    let server = start().await;
    let token = session(server.addr, "refuser").await;
    let mut checked = 0;
    for route in ROUTES {
        let path = format!(
            "{}{}",
            route.under,
            route.pattern.replace("{room}", "lobby")
        );
        let target: &'static str = Box::leak(path.into_boxed_str());
        for &method in METHODS.iter().filter(|m| !route.methods.contains(m)) {
            let bad = Bad {
                method,
                target,
                ..get("", 405, E::MethodNotAllowed)
            };
            check(server.addr, &token, bad).await;
            checked += 1;
        }
        for &bad in route.bad {
            check(server.addr, &token, bad).await;
            checked += 1;
        }
    }
    for &(method, target) in JSON_ROUTES {
        for &bad in BAD_BODIES {
            check(
                server.addr,
                &token,
                Bad {
                    method,
                    target,
                    ..bad
                },
            )
            .await;
            checked += 1;
        }
    }
    for &path in NO_ROUTE {
        check(server.addr, &token, get(path, 404, E::NotFound)).await;
        checked += 1;
    }
    assert!(checked > 50, "{checked} requests");
    server.shutdown().await.unwrap();
}

/// The `.route(pattern, methods)` declarations under `dir`, as (pattern, methods).
fn declared_routes(dir: &std::path::Path, found: &mut BTreeSet<(String, Vec<String>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            declared_routes(&path, found);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for (i, _) in source.match_indices(".route(") {
            let call = balanced(&source[i + ".route".len()..]);
            let pattern = call
                .split('"')
                .nth(1)
                .expect("a route's pattern")
                .to_owned();
            let mut methods: Vec<String> = ["get", "post", "put", "delete", "patch"]
                .into_iter()
                .filter(|m| routes_method(call, m))
                .map(str::to_uppercase)
                .collect();
            methods.sort();
            found.insert((pattern, methods));
        }
    }
}

/// Whether the arguments of a `.route(` call route `method` (`get(…)`, `.post(…)`,
/// `get_service(…)`).
fn routes_method(call: &str, method: &str) -> bool {
    call.match_indices(method).any(|(i, _)| {
        let before = call[..i].chars().next_back();
        let after = &call[i + method.len()..];
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && (after.starts_with('(') || after.starts_with("_service("))
    })
}

/// `s` from its opening parenthesis to the one that closes it.
fn balanced(s: &str) -> &str {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return &s[..=i];
                }
            }
            _ => {}
        }
    }
    s
}

#[test]
fn the_route_table_names_every_route_of_the_server() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut declared = BTreeSet::new();
    declared_routes(&src, &mut declared);
    let listed: BTreeSet<(String, Vec<String>)> = ROUTES
        .iter()
        .map(|r| {
            let mut methods: Vec<String> = r.methods.iter().map(|m| m.to_string()).collect();
            methods.sort();
            (r.pattern.to_owned(), methods)
        })
        .collect();
    assert!(declared.len() >= 8, "routes found: {declared:?}");
    assert_eq!(
        declared, listed,
        "ROUTES in tests/api/refusals.rs must list every .route( of server/src, with its methods"
    );
}
