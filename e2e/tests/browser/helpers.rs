//! Starting chromedriver and browsers, and finding things on the page.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::{SinkExt, StreamExt};
use parley_server::config::Config;
use parley_server::Server;
use shared::{ClientMsg, ServerMsg};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message;

/// How long to wait for something to appear on a page.
pub const WAIT: Duration = Duration::from_secs(10);

/// The workspace's `dist/` (the release SPA).
pub fn dist_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../dist");
    assert!(
        dir.join("index.html").exists(),
        "{} has no index.html: build the SPA first (`trunk build --release`, or scripts/test)",
        dir.display()
    );
    dir
}

/// Starts the server on port 0, serving the built SPA, with `tweak` applied to the config.
pub async fn start_server_with(tweak: impl FnOnce(&mut Config)) -> Server {
    let mut cfg = Config::for_tests();
    cfg.spa_dir = dist_dir();
    tweak(&mut cfg);
    parley_server::start(cfg).await.expect("server starts")
}

/// A chromedriver process, killed on drop.
pub struct Driver {
    pub url: String,
    _child: Child,
}

/// Starts chromedriver on a free port and waits until it answers.
pub async fn chromedriver() -> Driver {
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {bin} ({e}): install chromium-driver (scripts/test does)")
        });
    let deadline = Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Driver {
        url: format!("http://127.0.0.1:{port}"),
        _child: child,
    }
}

/// A new headless Chromium session with its own profile, `width`×`height` pixels.
pub async fn browser(driver: &Driver, width: u32, height: u32) -> Client {
    let profile = std::env::temp_dir().join(format!(
        "parley-e2e-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let chrome = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = serde_json::json!({
        "goog:loggingPrefs": { "browser": "ALL" },
        "goog:chromeOptions": {
            "binary": chrome,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    let serde_json::Value::Object(caps) = caps else {
        unreachable!()
    };
    // A driver just started may still drop its first connection (seen once in CI, a reset
    // while the request was written): a session that could not even be asked for is asked
    // for again, twice at most.
    use fantoccini::error::NewSessionError;
    let mut tries = 0;
    loop {
        let made = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&driver.url)
            .await;
        match made {
            Ok(client) => return client,
            Err(e @ (NewSessionError::Failed(_) | NewSessionError::FailedC(_))) if tries < 2 => {
                tries += 1;
                eprintln!("chromedriver refused a connection ({e}); asking again");
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("a browser session: {e:?}"),
        }
    }
}

/// Polls `f` until it yields `Some`, or panics after [`WAIT`] naming `what`.
pub async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, CmdError>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(Some(v)) = f().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits for an element matching `css`.
pub async fn wait_for(c: &Client, css: &str) -> Element {
    eventually(css, || async {
        Ok(c.find_all(Locator::Css(css)).await?.into_iter().next())
    })
    .await
}

/// The texts of every element matching `css`.
pub async fn texts(c: &Client, css: &str) -> Result<Vec<String>, CmdError> {
    let mut out = Vec::new();
    for el in c.find_all(Locator::Css(css)).await? {
        out.push(el.text().await?);
    }
    Ok(out)
}

/// (nickname, text) of every stored message shown, in order.
pub async fn messages(c: &Client) -> Result<Vec<(String, String)>, CmdError> {
    let nicks = texts(c, ".messages li.msg:not(.pending):not(.failed) .nick").await?;
    let bodies = texts(c, ".messages li.msg:not(.pending):not(.failed) .text").await?;
    Ok(nicks.into_iter().zip(bodies).collect())
}

/// The text of every stored message shown, in order.
pub async fn message_texts(c: &Client) -> Vec<String> {
    messages(c)
        .await
        .unwrap()
        .into_iter()
        .map(|(_, t)| t)
        .collect()
}

/// The seq of every stored message shown, in order.
pub async fn seqs(c: &Client) -> Vec<u64> {
    let mut out = Vec::new();
    for el in c
        .find_all(Locator::Css(".messages li.msg[data-seq]"))
        .await
        .unwrap()
    {
        out.push(el.attr("data-seq").await.unwrap().unwrap().parse().unwrap());
    }
    out
}

/// Waits until a message from `nick` with `text` is shown.
pub async fn wait_for_message(c: &Client, nick: &str, text: &str) {
    eventually(&format!("{nick}: {text}"), || async {
        Ok(messages(c)
            .await?
            .iter()
            .any(|(n, t)| n == nick && t == text)
            .then_some(()))
    })
    .await
}

/// Opens the app at `addr`, enters `nick` and waits for the chat screen.
pub async fn enter(c: &Client, addr: SocketAddr, nick: &str) {
    c.goto(&format!("http://{addr}/")).await.unwrap();
    enter_here(c, nick).await;
}

/// Enters `nick` on the page already open and waits for the chat screen.
pub async fn enter_here(c: &Client, nick: &str) {
    wait_for(c, "input#nickname").await;
    // The input is the one labelled "Nickname".
    let label = c.find(Locator::Css("label[for=nickname]")).await.unwrap();
    assert_eq!(label.text().await.unwrap(), "Nickname");
    submit_nickname(c, nick).await;
    wait_for(c, "textarea#composer:not([disabled])").await;
    wait_for(c, ".banner[data-status=connected]").await;
}

/// Types `nick` into the nickname input and presses "Join".
pub async fn submit_nickname(c: &Client, nick: &str) {
    c.find(Locator::Css("input#nickname"))
        .await
        .unwrap()
        .send_keys(nick)
        .await
        .unwrap();
    c.find(Locator::XPath("//button[normalize-space()='Join']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Waits until `#room` is the room in view.
pub async fn in_view(c: &Client, room: &str) {
    let want = format!("#{room}");
    eventually(&format!("{want} in view"), || async {
        let h2 = c
            .find(Locator::Css(".room-header h2"))
            .await?
            .text()
            .await?;
        Ok((h2 == want).then_some(()))
    })
    .await;
}

/// Types `room` into "New room" and presses Enter (joining it), and waits until it is in
/// view.
pub async fn go_to_room(c: &Client, room: &str) {
    let new_room = c.find(Locator::Css("input#new-room")).await.unwrap();
    new_room
        .send_keys(&format!("{room}\u{E007}"))
        .await
        .unwrap();
    in_view(c, room).await;
}

/// Clicks "Sign out" and waits for the nickname screen.
pub async fn sign_out(c: &Client) {
    c.find(Locator::XPath("//button[normalize-space()='Sign out']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(c, "input#nickname").await;
}

/// Clicks `room` in the sidebar and waits until it is in view.
pub async fn open_room(c: &Client, room: &str) {
    let entry = format!("//button[contains(@class,'room-link')][.//bdi[text()='{room}']]");
    let button = c.find(Locator::XPath(&entry)).await.unwrap();
    button.click().await.unwrap();
    in_view(c, room).await;
}

/// Types `text` into the composer and presses Enter.
pub async fn say(c: &Client, text: &str) {
    let area = wait_for(c, "textarea#composer").await;
    area.send_keys(&format!("{text}\u{E007}")).await.unwrap();
}

/// A WebSocket client of the server under test, signed in as its own nickname: a bot that
/// fills rooms and comes and goes.
pub struct Bot {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
}

impl Bot {
    /// Signs in as `nick` and connects.
    pub async fn connect(addr: SocketAddr, nick: &str) -> Bot {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let token = loadgen::session(addr, nick).await.unwrap();
        let mut req = format!("ws://{addr}/ws?v={}", shared::PROTOCOL_VERSION)
            .into_client_request()
            .unwrap();
        req.headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
        let (ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        Bot { ws }
    }

    /// Sends a frame.
    pub async fn send(&mut self, msg: &ClientMsg) {
        self.ws.send(Message::text(msg.to_json())).await.unwrap();
    }

    /// Reads frames until `n` match `want`.
    pub async fn until(&mut self, n: usize, want: impl Fn(&ServerMsg) -> bool) {
        let mut seen = 0;
        while seen < n {
            let frame = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame in time");
            if let Some(Ok(Message::Text(t))) = frame {
                if serde_json::from_str(t.as_str()).is_ok_and(|m| want(&m)) {
                    seen += 1;
                }
            }
        }
    }

    /// Sends `n` messages to `room` (the `i`th says `text(i)`, under client id
    /// `{room}-{i}`) and waits for their acks.
    pub async fn fill(&mut self, room: &str, n: usize, text: impl Fn(usize) -> String) {
        for i in 0..n {
            self.send(&ClientMsg::Send {
                room: room.into(),
                client_id: format!("{room}-{i}"),
                text: text(i),
                reply_to: None,
            })
            .await;
        }
        self.until(n, |m| matches!(m, ServerMsg::Ack { .. })).await;
    }

    /// Joins (creating them) these rooms and waits until it is in all of them.
    pub async fn join(&mut self, rooms: &[&str]) {
        for room in rooms {
            let join = ClientMsg::Join {
                room: (*room).into(),
                nickname: None,
                after: None,
                changes_after: None,
            };
            self.send(&join).await;
        }
        self.until(rooms.len(), |m| matches!(m, ServerMsg::Joined { .. }))
            .await;
    }
}

/// Runs axe-core (the engine behind Lighthouse's accessibility audit) on the element
/// matching `css` and fails on any violation, naming each with the nodes it found.
/// scripts/test installs axe-core and names its script in `PARLEY_AXE_JS`.
pub async fn assert_accessible(c: &Client, css: &str) {
    let path = std::env::var("PARLEY_AXE_JS").unwrap_or_else(|_| {
        panic!("PARLEY_AXE_JS is not set: run the browser tests through scripts/test, which installs axe-core")
    });
    let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    c.execute(&axe, vec![]).await.unwrap();
    const RUN: &str = "const done = arguments[arguments.length - 1];
        axe.run(document.querySelector(arguments[0]), { resultTypes: ['violations'] })
          .then(r => done(r.violations.map(v =>
            `${v.impact} ${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)))
          .catch(e => done(['axe failed: ' + e]));";
    let found = c
        .execute_async(RUN, vec![serde_json::json!(css)])
        .await
        .unwrap();
    let violations: Vec<String> = serde_json::from_value(found).unwrap();
    assert!(
        violations.is_empty(),
        "axe-core found in {css}:\n{}",
        violations.join("\n")
    );
}

/// [`assert_accessible`] in the light colour scheme, then in the dark one (emulated through
/// DevTools' `Emulation.setEmulatedMedia`), then back to the browser's own.
pub async fn assert_accessible_in_both_schemes(c: &Client, css: &str) {
    for scheme in ["light", "dark", ""] {
        c.issue_cmd(Cdp(serde_json::json!({
            "cmd": "Emulation.setEmulatedMedia",
            "params": { "features": [{ "name": "prefers-color-scheme", "value": scheme }] },
        })))
        .await
        .expect("chromedriver runs DevTools commands");
        if !scheme.is_empty() {
            let dark = c
                .execute(
                    "return matchMedia('(prefers-color-scheme: dark)').matches",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(dark, scheme == "dark", "the {scheme} scheme is on");
            assert_accessible(c, css).await;
        }
    }
}

/// The id and classes of the focused element ("#id.class1.class2").
pub async fn focused(c: &Client) -> String {
    let v = c
        .execute(
            "const e = document.activeElement; return '#' + e.id + '.' + [...e.classList].join('.');",
            vec![],
        )
        .await
        .unwrap();
    v.as_str().unwrap_or_default().to_owned()
}

/// A Chrome DevTools command, through chromedriver: `{"cmd": …, "params": {…}}`.
#[derive(Debug)]
pub struct Cdp(pub serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

/// Reads (and empties) the browser's console log, kept since the session began or the last
/// read (chromedriver's log endpoint; `browser` asks for every level).
#[derive(Debug)]
pub struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// The console's errors since the last read: "SEVERE" entries, as "source: message".
pub async fn console_errors(c: &Client) -> Vec<String> {
    let log = c.issue_cmd(BrowserLog).await.expect("the browser's log");
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| format!("{}: {}", e["source"], e["message"]))
        .collect()
}

/// A plain HTTP request to the server; returns the status code and the body.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> (u16, String) {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{headers}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    tokio::io::AsyncWriteExt::write_all(&mut tcp, req.as_bytes())
        .await
        .unwrap();
    let mut resp = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut tcp, &mut resp)
        .await
        .unwrap();
    let status = resp
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = resp.split_once("\r\n\r\n").map(|(_, b)| b.to_owned());
    (status, body.unwrap_or_default())
}
