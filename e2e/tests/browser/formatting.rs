//! Formatting and links (issue 19): every fixture of `shared::format` renders in the SPA with
//! the outline the shared parser gives it, so both sides agree; the cross-site scripting
//! payloads stay text (nothing runs, no element but the formatting ones appears), and every
//! link opens in a new tab with no opener, no referrer and no follow.

use shared::format::fixtures::FIXTURES;
use shared::ClientMsg;

use crate::helpers::*;

/// The outline of each message's text, as `shared::format::outline` writes it: tags without
/// their attributes but `href` (links) and `start` (numbered lists); mentions' spans and
/// the link targets' class are left out.
const OUTLINES: &str = "
    const esc = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const o = n => {
        if (n.nodeType === 3) return esc(n.data);
        if (n.nodeType !== 1) return '';
        const t = n.tagName.toLowerCase();
        const inner = [...n.childNodes].map(o).join('');
        if (t === 'span') return inner;
        if (t === 'br') return '<br>';
        let a = '';
        if (t === 'a') a = ` href=\"${esc(n.getAttribute('href'))}\"`;
        if (t === 'ol' && n.hasAttribute('start')) a = ` start=\"${n.getAttribute('start')}\"`;
        return `<${t}${a}>${inner}</${t}>`;
    };
    return [...document.querySelectorAll('.messages li.msg:not(.pending) .text')]
        .map(e => [...e.childNodes].map(o).join(''));";

/// What a payload that ran would have left, and what the messages hold that they should not.
const DAMAGE: &str = "
    const links = [...document.querySelectorAll('.messages a')];
    return {
        ran: window.pwned !== undefined,
        foreign: document.querySelectorAll('.messages script, .messages img, .messages svg, .messages iframe, .messages [onerror], .messages [onload]').length,
        bad_links: links.filter(a => !/^(https?:|mailto:)/i.test(a.getAttribute('href'))
            || a.target !== '_blank' || a.rel !== 'noopener noreferrer nofollow').length,
        links: links.length,
    };";

#[tokio::test]
async fn every_fixture_renders_as_the_shared_parser_says_and_no_payload_runs() {
    let server = start_server_with(|_| {}).await;
    let mut bob = Bot::connect(server.addr, "bob").await;
    bob.join(&["lobby"]).await;
    let driver = chromedriver().await;
    let alice = browser(&driver, 1200, 800).await;
    enter(&alice, server.addr, "alice").await;

    let payloads = [
        "<img src=x onerror=\"window.pwned=1\">",
        "[x](javascript:window.pwned=1)",
        "<script>window.pwned=1</script>",
        "`<b onload=\"window.pwned=1\">`",
    ];
    let texts: Vec<&str> = FIXTURES
        .iter()
        .map(|(input, _)| *input)
        .chain(payloads)
        .collect();
    for (i, text) in texts.iter().enumerate() {
        bob.send(&ClientMsg::Send {
            room: "lobby".into(),
            client_id: format!("f{i}"),
            text: (*text).into(),
            reply_to: None,
        })
        .await;
    }
    let shown: Vec<String> = eventually("every fixture shown", || async {
        let v = alice.execute(OUTLINES, vec![]).await?;
        let shown: Vec<String> = serde_json::from_value(v).unwrap();
        Ok((shown.len() == texts.len()).then_some(shown))
    })
    .await;
    let wrong: Vec<String> = FIXTURES
        .iter()
        .zip(&shown)
        .filter(|((_, want), got)| want != got)
        .map(|((input, want), got)| format!("{input:?}\n  shared {want}\n  SPA    {got}"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let damage = alice.execute(DAMAGE, vec![]).await.unwrap();
    assert_eq!(damage["ran"], false, "a payload ran");
    assert_eq!(damage["foreign"], 0, "a payload made an element");
    assert_eq!(damage["bad_links"], 0, "a link without the safe attributes");
    assert!(damage["links"].as_u64().unwrap() >= 8, "{damage}");
    // A room full of code, quotes, lists and links is still usable by everyone.
    assert_accessible(&alice, "body").await;
    alice.close().await.unwrap();
    server.shutdown().await.unwrap();
}
