//! The chat screen for keyboards and screen readers (issue 19), with day separators,
//! messages grouped by author, code, quotes, lists and links: axe-core finds nothing on the
//! sign-in screen or the whole chat page, at desktop and phone widths, in the light and the
//! dark colour schemes; the composer has the focus once a
//! room opens; a new live message is said once, "bob: text", by a live region apart from
//! the message list (which is no live region, and can be focused to scroll it).

use fantoccini::Locator;

use crate::helpers::*;

#[tokio::test]
async fn the_chat_screen_passes_axe_at_both_widths_and_announces_live_messages() {
    let server = start_server_with(|_| {}).await;
    let mut bob = Bot::connect(server.addr, "bob").await;
    bob.join(&["lobby"]).await;
    let driver = chromedriver().await;
    let desk = browser(&driver, 1200, 800).await;
    let phone = browser(&driver, 390, 844).await;
    for c in [&desk, &phone] {
        c.goto(&format!("http://{}/", server.addr)).await.unwrap();
        wait_for(c, "input#nickname").await;
        assert_accessible_in_both_schemes(c, "body").await;
    }
    enter_here(&desk, "alice").await;
    enter_here(&phone, "carol").await;
    let busy = [
        "`code`, **strong**, a link to https://example.com and\n```\nfn main() {}\n```",
        "> a quote\n- a list\n- of two",
    ];
    for (i, text) in busy.iter().enumerate() {
        bob.send(&shared::ClientMsg::Send {
            room: "lobby".into(),
            client_id: format!("busy{i}"),
            text: (*text).into(),
            reply_to: None,
        })
        .await;
    }
    for (i, text) in ["first", "@alice second", "third"].iter().enumerate() {
        bob.send(&shared::ClientMsg::Send {
            room: "lobby".into(),
            client_id: format!("b{i}"),
            text: (*text).into(),
            reply_to: None,
        })
        .await;
    }
    wait_for_message(&desk, "bob", "third").await;
    wait_for_message(&phone, "bob", "third").await;

    let focus = focused(&desk).await;
    assert!(
        focus.starts_with("#composer."),
        "the composer has the focus, not {focus}"
    );
    let list = wait_for(&desk, "ol.messages").await;
    assert_eq!(
        list.attr("aria-live").await.unwrap(),
        None,
        "the list is no live region"
    );
    assert_eq!(list.attr("tabindex").await.unwrap().as_deref(), Some("0"));
    let said = desk.find(Locator::Css("#announcer")).await.unwrap();
    let said = said.prop("textContent").await.unwrap().unwrap_or_default();
    assert_eq!(said.replace(['\u{2068}', '\u{2069}'], ""), "bob: third");
    // Today's messages under a "Today" separator; bob's five, sent together, under one
    // name and time (each still says both to screen readers), with the full date on hover.
    assert_eq!(
        texts(&desk, ".messages li.day-separator").await.unwrap(),
        ["Today"]
    );
    let grouped = desk
        .find_all(Locator::Css(".messages li.msg.continued"))
        .await
        .unwrap();
    assert_eq!(grouped.len(), 4, "all but the first of bob's five");
    let time = desk
        .find(Locator::Css(".messages li.msg time"))
        .await
        .unwrap();
    assert!(time
        .attr("datetime")
        .await
        .unwrap()
        .is_some_and(|d| d.contains('T')));
    assert!(time
        .attr("title")
        .await
        .unwrap()
        .is_some_and(|t| !t.is_empty()));
    let heading = desk.find(Locator::Css("h1")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "Parley");

    // An own message too: its bubble has a background of its own.
    say(&desk, "mine").await;
    wait_for(&desk, ".messages li.msg.mine:not(.pending)").await;
    assert_accessible_in_both_schemes(&desk, "body").await;
    assert_accessible_in_both_schemes(&phone, "body").await;
    desk.close().await.unwrap();
    phone.close().await.unwrap();
    server.shutdown().await.unwrap();
}
