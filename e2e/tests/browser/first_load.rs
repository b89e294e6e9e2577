//! The first load (issue 19): the SPA goes out precompressed (brotli, else gzip), trunk's
//! hashed files are cached for a year and `index.html` is revalidated, a permalink's path
//! serves the app, and a normal load logs no console error: no 401 from the session probe
//! (signed out is `200 {"signed_in": false}`), no 404 for an icon.

use std::net::SocketAddr;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

/// A GET's status, its head (lower case) and its body's length in bytes.
async fn get(addr: SocketAddr, path: &str, accept_encoding: &str) -> (u16, String, usize) {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept-Encoding: {accept_encoding}\r\n\r\n"
    );
    tcp.write_all(req.as_bytes()).await.unwrap();
    let mut resp = Vec::new();
    tcp.read_to_end(&mut resp).await.unwrap();
    let split = resp.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&resp[..split]).to_lowercase();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head, resp.len() - split - 4)
}

/// The value of `name` (lower case) in `head`.
fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .map(str::trim)
}

#[tokio::test]
async fn the_spa_goes_out_compressed_and_cached_and_loads_with_no_console_error() {
    let server = start_server_with(|_| {}).await;
    let addr = server.addr;
    let wasm = std::fs::read_dir(dist_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.ends_with("_bg.wasm"))
        .expect("a built SPA");
    let path = format!("/{wasm}");
    let (status, plain, plain_len) = get(addr, &path, "identity").await;
    assert_eq!(status, 200);
    assert_eq!(header(&plain, "content-encoding"), None);
    let (status, br, br_len) = get(addr, &path, "gzip, deflate, br").await;
    assert_eq!(status, 200);
    assert_eq!(header(&br, "content-encoding"), Some("br"), "{br}");
    assert_eq!(header(&br, "content-type"), Some("application/wasm"));
    assert!(
        br_len * 2 < plain_len,
        "brotli: {br_len} of {plain_len} bytes"
    );
    let (_, gz, _) = get(addr, &path, "gzip").await;
    assert_eq!(header(&gz, "content-encoding"), Some("gzip"));
    for head in [&plain, &br, &gz] {
        assert_eq!(
            header(head, "cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert!(
            header(head, "vary").is_some_and(|v| v.contains("accept-encoding")),
            "{head}"
        );
    }
    for page in ["/", "/index.html", "/r/lobby", "/r/lobby/42"] {
        let (status, head, _) = get(addr, page, "br").await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(header(&head, "cache-control"), Some("no-cache"), "{page}");
        assert_eq!(header(&head, "content-encoding"), Some("br"), "{page}");
        assert!(header(&head, "content-type").is_some_and(|t| t.starts_with("text/html")));
    }
    assert_eq!(get(addr, "/no-such-file.js", "br").await.0, 404);

    let driver = chromedriver().await;
    let c = browser(&driver, 1000, 700).await;
    c.goto(&format!("http://{addr}/")).await.unwrap();
    wait_for(&c, "input#nickname").await;
    let description = c
        .execute(
            "return document.querySelector('meta[name=description]').content",
            vec![],
        )
        .await
        .unwrap();
    assert!(description.as_str().is_some_and(|d| d.len() > 20));
    assert_eq!(console_errors(&c).await, Vec::<String>::new(), "signed out");
    enter_here(&c, "alice").await;
    say(&c, "hello").await;
    wait_for_message(&c, "alice", "hello").await;
    c.refresh().await.unwrap();
    wait_for(&c, "textarea#composer:not([disabled])").await;
    assert_eq!(console_errors(&c).await, Vec::<String>::new(), "signed in");
    // The log does report what this test looks for: a 404 is an error on the console.
    c.goto(&format!("http://{addr}/no-such-file.js"))
        .await
        .unwrap();
    let seen = eventually("the 404 on the console", || async {
        let seen = console_errors(&c).await;
        Ok((!seen.is_empty()).then_some(seen))
    })
    .await;
    assert!(seen.iter().any(|e| e.contains("404")), "{seen:?}");
    c.close().await.unwrap();
    server.shutdown().await.unwrap();
}
