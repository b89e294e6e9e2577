//! The session in the browser: a reload keeps the nickname; a session ended elsewhere brings
//! the nickname screen back with a clear message instead of endless retries.

use fantoccini::Locator;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

#[tokio::test]
async fn a_reload_keeps_the_session_and_an_ended_session_asks_for_a_nickname() {
    let server = start_server_with(|_| {}).await;
    let driver = chromedriver().await;
    let c = browser(&driver, 1000, 700).await;
    enter(&c, server.addr, "frida").await;

    // Reload: straight back into the chat as frida, no nickname screen.
    c.refresh().await.unwrap();
    wait_for(&c, "textarea#composer:not([disabled])").await;
    let me = wait_for(&c, ".sidebar .me strong").await;
    assert_eq!(me.text().await.unwrap(), "frida");

    // End the session from outside (as signing out in another tab would).
    let cookie = c
        .get_named_cookie("parley_session")
        .await
        .expect("the session cookie");
    assert_eq!(
        cookie.http_only(),
        Some(true),
        "the page's scripts cannot read it"
    );
    let mut tcp = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let req = format!(
        "DELETE /api/session HTTP/1.1\r\nHost: {}\r\nCookie: parley_session={}\r\nConnection: close\r\n\r\n",
        server.addr,
        cookie.value()
    );
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut resp = String::new();
    tcp.read_to_string(&mut resp).await.unwrap();
    assert!(resp.starts_with("HTTP/1.1 204"), "{resp}");

    wait_for(&c, "input#nickname").await;
    let error = wait_for(&c, "#nickname-error").await;
    assert!(error.text().await.unwrap().contains("session has ended"));
    assert!(
        c.find_all(Locator::Css(".banner"))
            .await
            .unwrap()
            .is_empty(),
        "not retrying"
    );

    // Signing in again works.
    submit_nickname(&c, "frida").await;
    wait_for(&c, "textarea#composer:not([disabled])").await;
    c.close().await.unwrap();
    server.shutdown().await.unwrap();
}
