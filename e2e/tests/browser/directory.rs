//! "Browse rooms": the sidebar lists the user's own rooms; the other rooms are found in a
//! modal dialog, by name prefix, in pages, with member counts that stay current. Used from
//! the keyboard, and checked with axe-core.

use fantoccini::{Client, Locator};
use shared::ClientMsg;

use crate::helpers::*;

/// The dialog's rooms as shown: (name, "N members").
pub async fn listed(c: &Client) -> Result<Vec<(String, String)>, fantoccini::error::CmdError> {
    let names = texts(c, "dialog.browse .browse-room .name").await?;
    let counts = texts(c, "dialog.browse .browse-room .count").await?;
    Ok(names.into_iter().zip(counts).collect())
}

/// Waits until the dialog's status line says `want`.
pub async fn status_says(c: &Client, want: &str) {
    eventually(&format!("the dialog saying {want:?}"), || async {
        let text = c.find(Locator::Css("#browse-status")).await?.text().await?;
        Ok((text == want).then_some(()))
    })
    .await;
}

/// Sends `keys` to the element matching `css` (Tab is \u{E004}, Enter \u{E007}, Esc
/// \u{E00C}).
async fn press(c: &Client, css: &str, keys: &str) {
    let el = c.find(Locator::Css(css)).await.unwrap();
    el.send_keys(keys).await.unwrap();
}

/// Closes the open dialog with Esc from its search field, and waits until it is closed.
pub async fn close_with_esc(c: &Client) {
    press(c, "#browse-prefix", "\u{E00C}").await;
    eventually("the dialog closed", || async {
        Ok(c.find_all(Locator::Css("dialog.browse[open]"))
            .await?
            .is_empty()
            .then_some(()))
    })
    .await;
}

/// Types `keys` into the search field, after clearing it.
pub async fn search(c: &Client, keys: &str) {
    let input = c.find(Locator::Css("#browse-prefix")).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(keys).await.unwrap();
}

#[tokio::test]
async fn browse_rooms_finds_pages_and_counts_and_joins_from_the_keyboard() {
    let server = start_server_with(|_| {}).await;
    // 58 rooms besides the lobby: more than the dialog's page of 50. The bot stays in
    // #garden only.
    let mut maker = Bot::connect(server.addr, "maker").await;
    let many: Vec<String> = (0..55).map(|i| format!("r{i:02}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    maker.join(&many).await;
    for room in &many {
        maker
            .send(&ClientMsg::Leave {
                room: room.to_string(),
            })
            .await;
    }
    maker.join(&["garage", "garden", "gardening"]).await;
    for room in ["garage", "gardening"] {
        maker.send(&ClientMsg::Leave { room: room.into() }).await;
    }

    let driver = chromedriver().await;
    let c = browser(&driver, 1200, 800).await;
    enter(&c, server.addr, "bob").await;
    // The sidebar has bob's own rooms only.
    assert_eq!(
        texts(&c, ".sidebar .room-link .name").await.unwrap(),
        ["lobby"]
    );

    // Opened from the keyboard: the search field has the focus.
    let open = c.find(Locator::Css("button.browse-open")).await.unwrap();
    assert_eq!(open.text().await.unwrap(), "Browse rooms");
    open.send_keys("\u{E007}").await.unwrap();
    wait_for(&c, "dialog.browse[open]").await;
    assert_eq!(focused(&c).await, "#browse-prefix.");
    status_says(&c, "50 rooms so far.").await;
    assert_accessible(&c, "dialog.browse").await;
    c.find(Locator::Css("dialog.browse .more"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    status_says(&c, "59 rooms.").await;
    assert!(c
        .find_all(Locator::Css("dialog.browse .more"))
        .await
        .unwrap()
        .is_empty());

    let png = c.screenshot().await.unwrap();
    std::fs::write(
        std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browse-rooms.png"),
        png,
    )
    .unwrap();

    // By prefix, with member counts.
    search(&c, "gar").await;
    status_says(&c, "3 rooms.").await;
    assert_eq!(
        listed(&c).await.unwrap(),
        [
            ("garage".into(), "0 members".into()),
            ("garden".into(), "1 member".into()),
            ("gardening".into(), "0 members".into())
        ]
    );
    search(&c, "garx").await;
    status_says(&c, "No room names start with “garx”.").await;
    search(&c, "gar!").await;
    status_says(&c, "Room names have only a-z, 0-9, - and _.").await;
    assert_accessible(&c, "dialog.browse").await;

    // Counts stay current while the dialog is open: the bot leaves #garden.
    search(&c, "garden").await;
    status_says(&c, "2 rooms.").await;
    maker
        .send(&ClientMsg::Leave {
            room: "garden".into(),
        })
        .await;
    eventually("#garden counted empty", || async {
        Ok(listed(&c)
            .await?
            .first()
            .is_some_and(|(name, count)| name == "garden" && count == "0 members")
            .then_some(()))
    })
    .await;

    // Tab to the first room, Enter: bob is in #garden, the dialog closed, and the room that
    // opened has the focus in its composer (closing the dialog otherwise gives it back to
    // "Browse rooms").
    press(&c, "#browse-prefix", "\u{E004}").await;
    assert_eq!(focused(&c).await, "#.browse-room");
    press(&c, ".browse-room", "\u{E007}").await;
    in_view(&c, "garden").await;
    assert!(c
        .find_all(Locator::Css("dialog.browse[open]"))
        .await
        .unwrap()
        .is_empty());
    eventually("the composer focused", || async {
        Ok((focused(&c).await == "#composer.").then_some(()))
    })
    .await;
    wait_for(&c, ".sidebar .room-link.joined.current").await;
    assert_eq!(
        texts(&c, ".sidebar .room-link .name").await.unwrap(),
        ["garden", "lobby"]
    );

    // Esc closes it.
    open.send_keys("\u{E007}").await.unwrap();
    wait_for(&c, "dialog.browse[open]").await;
    close_with_esc(&c).await;
    assert_accessible(&c, "nav.sidebar").await;

    c.close().await.unwrap();
    server.shutdown().await.unwrap();
}
