//! Drafts and room keys (issue 19): a half-typed message stays with its room across a room
//! switch and a reload, goes when sent, and every draft goes on sign-out; Ctrl+K opens the
//! room switcher (type to filter, Enter opens, Esc closes) and Alt+↑/↓ move through the
//! sidebar, all from the keyboard alone; axe-core finds nothing in the open switcher.

use fantoccini::Client;

use crate::helpers::*;

const CTRL: &str = "\u{E009}";
const ALT: &str = "\u{E00A}";
const RELEASE: &str = "\u{E000}";
const UP: &str = "\u{E013}";
const DOWN: &str = "\u{E015}";
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";

/// Sends keys to the focused element.
async fn keys(c: &Client, keys: &str) {
    c.active_element()
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

/// What the composer holds, once it holds `want`.
async fn composer_holds(c: &Client, want: &str) {
    eventually(&format!("the composer holds {want:?}"), || async {
        let area = c
            .find(fantoccini::Locator::Css("textarea#composer"))
            .await?;
        let value = area.prop("value").await?.unwrap_or_default();
        Ok((value == want).then_some(()))
    })
    .await;
}

/// The keys of local storage that hold drafts.
async fn draft_keys(c: &Client) -> Vec<String> {
    let v = c
        .execute(
            "return Object.keys(localStorage).filter(k => k.startsWith('parley:drafts:'))",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

#[tokio::test]
async fn drafts_stay_with_their_room_and_the_keyboard_moves_between_rooms() {
    let server = start_server_with(|_| {}).await;
    let driver = chromedriver().await;
    let c = browser(&driver, 1200, 800).await;
    enter(&c, server.addr, "alice").await;
    go_to_room(&c, "garden").await;
    wait_for(&c, "textarea#composer:not([disabled])").await;

    // A draft in #garden; #lobby has none of it.
    let area = wait_for(&c, "textarea#composer").await;
    area.send_keys("half a thought").await.unwrap();
    open_room(&c, "lobby").await;
    composer_holds(&c, "").await;
    wait_for(&c, "textarea#composer")
        .await
        .send_keys("lobby words")
        .await
        .unwrap();

    // Ctrl+K, a few letters, Enter: #garden again, with its draft.
    keys(&c, &format!("{CTRL}k{RELEASE}")).await;
    wait_for(&c, "dialog.switcher[open]").await;
    assert_eq!(focused(&c).await, "#switcher-input.");
    assert_accessible_in_both_schemes(&c, "dialog.switcher").await;
    keys(&c, "gar").await;
    let options = texts(&c, "#switcher-options li").await.unwrap();
    assert_eq!(options, ["#garden"]);
    keys(&c, ENTER).await;
    in_view(&c, "garden").await;
    composer_holds(&c, "half a thought").await;

    // Esc closes the switcher and changes nothing.
    keys(&c, &format!("{CTRL}k{RELEASE}")).await;
    wait_for(&c, "dialog.switcher[open]").await;
    keys(&c, ESCAPE).await;
    eventually("the switcher closed", || async {
        Ok(
            c.find_all(fantoccini::Locator::Css("dialog.switcher[open]"))
                .await?
                .is_empty()
                .then_some(()),
        )
    })
    .await;
    in_view(&c, "garden").await;

    // Alt+↓ from #garden is #lobby (the sidebar's order), Alt+↑ goes back.
    keys(&c, &format!("{ALT}{DOWN}{RELEASE}")).await;
    in_view(&c, "lobby").await;
    composer_holds(&c, "lobby words").await;
    keys(&c, &format!("{ALT}{UP}{RELEASE}")).await;
    in_view(&c, "garden").await;

    // A reload keeps the draft; sending clears it.
    c.refresh().await.unwrap();
    wait_for(&c, "textarea#composer:not([disabled])").await;
    in_view(&c, "garden").await;
    composer_holds(&c, "half a thought").await;
    keys(&c, ENTER).await;
    wait_for_message(&c, "alice", "half a thought").await;
    c.refresh().await.unwrap();
    wait_for(&c, "textarea#composer:not([disabled])").await;
    in_view(&c, "garden").await;
    composer_holds(&c, "").await;
    assert_eq!(
        draft_keys(&c).await.len(),
        1,
        "#lobby's draft is still kept"
    );

    // Signing out forgets every draft in this browser.
    sign_out(&c).await;
    assert_eq!(draft_keys(&c).await, Vec::<String>::new());
    c.close().await.unwrap();
    server.shutdown().await.unwrap();
}
