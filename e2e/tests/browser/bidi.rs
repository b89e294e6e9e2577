//! Bidi controls in what users wrote cannot reorder the page around it: every user string
//! is isolated (`<bdi>` for names, `dir="auto"` for message text), checked on the real
//! layout. A name like that can only be one registered before the nickname rules, which the
//! test plants; a new one is refused with the server's reason.

use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use shared::Nickname;

use crate::helpers::*;

const PASSWORD: &str = "correct horse";
/// Shows as "alice": a right-to-left override reverses what follows it.
const LEGACY: &str = "a\u{202E}ecila";

/// Fills the nickname form by script (the name holds characters no keyboard types) and
/// presses "Join".
async fn sign_in_with(c: &Client, nick: &str, password: &str) {
    wait_for(c, "input#nickname").await;
    c.execute(
        "document.querySelector('input#nickname').value = arguments[0];
         document.querySelector('input#password').value = arguments[1];",
        vec![json!(nick), json!(password)],
    )
    .await
    .unwrap();
    c.find(Locator::XPath("//button[normalize-space()='Join']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Sends `text` from the composer (set by script, then Enter).
async fn send(c: &Client, text: &str) {
    let area = wait_for(c, "textarea#composer:not([disabled])").await;
    c.execute(
        "document.querySelector('textarea#composer').value = arguments[0];",
        vec![json!(text)],
    )
    .await
    .unwrap();
    area.send_keys("\u{E007}").await.unwrap();
}

/// Where things are on the page, as the browser laid them out.
const LAYOUT: &str = "
    const box = el => el.getBoundingClientRect();
    const me = document.querySelector('.sidebar .me strong');
    const out = document.querySelector('.sidebar .me button');
    const msgs = [...document.querySelectorAll('.messages li.msg:not(.pending)')];
    return {
        me_isolated: me.querySelector('bdi') !== null,
        sign_out_after_name: box(out).left >= box(me).right - 0.5,
        nick_tags: msgs.map(m => m.querySelector('.nick').tagName),
        text_dirs: msgs.map(m => m.querySelector('.text').getAttribute('dir')),
        time_after_nick: msgs.map(m =>
            box(m.querySelector('.time')).left >= box(m.querySelector('.nick')).right - 0.5),
        rtl_text: msgs.map(m => m.querySelector('.text').matches(':dir(rtl)')),
    };";

#[tokio::test]
async fn bidi_controls_in_a_name_or_a_message_do_not_reorder_the_page_around_them() {
    let server = start_server_with(|_| {}).await;
    let driver = chromedriver().await;
    let c = browser(&driver, 1280, 800).await;
    c.goto(&format!("http://{}/", server.addr)).await.unwrap();

    // A new name with a bidi control is refused, and the form says why (the server's
    // reason: the SPA checks only what a stored name meets).
    sign_in_with(&c, LEGACY, "").await;
    let error = eventually("the refusal's reason", || async {
        let text = wait_for(&c, "#nickname-error").await.text().await?;
        Ok(text.contains("U+202E").then_some(text))
    })
    .await;
    assert!(error.contains("bidi"), "{error}");

    // Plant the same name as registered before the rules, with a password.
    let store = server.state.auth.store();
    let hash = {
        sign_in_with(&c, "planter", PASSWORD).await;
        wait_for(&c, "textarea#composer:not([disabled])").await;
        store.accounts().await.unwrap()[0].hash.clone()
    };
    let legacy = Nickname::stored(LEGACY).unwrap();
    store.insert_account(&legacy, &hash, 0).await.unwrap();
    sign_out(&c).await;
    sign_in_with(&c, LEGACY, PASSWORD).await;
    wait_for(&c, ".banner[data-status=connected]").await;

    send(&c, "\u{202E}an override, never closed 12:34").await;
    send(&c, "\u{5E9}\u{5DC}\u{5D5}\u{5DD} (Hebrew)").await;
    send(&c, "and a plain line").await;
    let layout: Value = eventually("three messages shown", || async {
        let layout = c.execute(LAYOUT, vec![]).await?;
        Ok((layout["nick_tags"].as_array().map(Vec::len) == Some(3)).then_some(layout))
    })
    .await;
    assert_eq!(layout["me_isolated"], true, "{layout}");
    assert_eq!(
        layout["sign_out_after_name"], true,
        "the override in the name moved the button before it: {layout}"
    );
    assert_eq!(
        layout["nick_tags"],
        json!(["BDI", "BDI", "BDI"]),
        "{layout}"
    );
    assert_eq!(
        layout["text_dirs"],
        json!(["auto", "auto", "auto"]),
        "{layout}"
    );
    assert_eq!(
        layout["time_after_nick"],
        json!([true, true, true]),
        "{layout}"
    );
    // Each text takes its own direction from its first strong letter.
    assert_eq!(layout["rtl_text"], json!([false, true, false]), "{layout}");

    c.close().await.unwrap();
    server.shutdown().await.unwrap();
}
