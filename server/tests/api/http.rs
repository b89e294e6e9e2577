//! HTTP routes: health, rooms, 404s, and a plain request to the WebSocket endpoint.

use crate::helpers::*;

#[tokio::test]
async fn health_and_rooms() {
    let server = start().await;
    let (status, body) = http(server.addr, "GET", "/healthz", &[]).await;
    assert_eq!(status, 200);
    assert!(body.contains("\"status\":\"ok\""), "{body}");

    let mut a = Client::connect(server.addr, "a").await;
    a.join("lobby").await;
    a.join("zed").await;
    let mut b = Client::connect(server.addr, "b").await;
    b.join("lobby").await;
    let (status, body) = get_signed_in(server.addr, "/api/rooms").await;
    assert_eq!(status, 200);
    let page: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        page,
        serde_json::json!({"prefix": "", "rooms": [{"name": "lobby", "members": 2}, {"name": "zed", "members": 1}], "next": null}),
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn plain_http_to_ws_gets_426_with_an_explanation() {
    let server = start().await;
    let (status, body) = http(server.addr, "GET", "/ws", &[]).await;
    assert_eq!(status, 426);
    assert!(body.contains("websocket_required"), "{body}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_paths_get_404_and_no_upgrade() {
    let server = start().await;
    for path in ["/nope", "/ws/extra", "/api/nope", "/wss"] {
        let (status, _) = http(server.addr, "GET", path, &UPGRADE).await;
        assert_eq!(status, 404, "{path}");
    }
    let (status, body) = http(server.addr, "GET", "/api/nope", &[]).await;
    assert_eq!(status, 404);
    assert!(body.contains("not_found"));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_spa_and_its_client_routes_are_served() {
    let dir = std::env::temp_dir().join(format!("parley-spa-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<title>Parley</title>").unwrap();
    std::fs::write(dir.join("app.js"), "//js").unwrap();
    let spa = dir.clone();
    let server = start_with(move |c| c.spa_dir = spa).await;
    for path in ["/", "/r/lobby"] {
        let (status, body) = http(server.addr, "GET", path, &[]).await;
        assert_eq!(
            (status, body.as_str()),
            (200, "<title>Parley</title>"),
            "{path}"
        );
    }
    assert_eq!(
        http(server.addr, "GET", "/app.js", &[]).await,
        (200, "//js".into())
    );
    assert_eq!(http(server.addr, "GET", "/missing.js", &[]).await.0, 404);
    server.shutdown().await.unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}
