//! Desktop notifications (issue 11), with a stand-in for the browser's `Notification` that
//! records what the page shows: the permission is asked for from a click only; a mention in
//! a room not in view notifies with the sender, the room and the text; clicking it opens the
//! room; a room muted from its header notifies nothing. Checked with axe-core.

use fantoccini::{Client, Locator};
use shared::ClientMsg;

use crate::helpers::*;

/// Replaces `window.Notification` with a recorder (before the chat screen mounts).
const STAND_IN: &str = r#"
window.__notes = []; window.__asked = 0;
class StandIn {
  constructor(title, opts) { window.__notes.push({ title, body: opts.body, tag: opts.tag }); window.__last = this; }
  close() {}
}
StandIn.permission = 'default';
StandIn.requestPermission = () => { window.__asked += 1; StandIn.permission = 'granted'; return Promise.resolve('granted'); };
window.Notification = StandIn;
"#;

/// What the page showed: (title, body) each.
async fn notes(c: &Client) -> Vec<(String, String)> {
    let v = c
        .execute("return window.__notes.map(n => [n.title, n.body]);", vec![])
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

async fn notes_become(c: &Client, n: usize) -> Vec<(String, String)> {
    eventually(&format!("{n} notifications"), || async {
        let got = notes(c).await;
        Ok((got.len() == n).then_some(got))
    })
    .await
}

async fn say_in(bot: &mut Bot, room: &str, id: &str, text: &str) {
    bot.send(&ClientMsg::Send {
        room: room.into(),
        client_id: id.into(),
        text: text.into(),
        reply_to: None,
    })
    .await;
}

#[tokio::test]
async fn a_mention_elsewhere_notifies_and_a_muted_room_does_not() {
    let server = start_server_with(|_| {}).await;
    let mut bob = Bot::connect(server.addr, "bob").await;
    bob.join(&["lobby", "garden"]).await;
    let driver = chromedriver().await;
    let alice = browser(&driver, 1000, 700).await;
    alice
        .goto(&format!("http://{}/", server.addr))
        .await
        .unwrap();
    alice.execute(STAND_IN, vec![]).await.unwrap();
    enter_here(&alice, "alice").await;

    // Asked for from the click, not before.
    let asked = || async {
        alice
            .execute("return window.__asked;", vec![])
            .await
            .unwrap()
    };
    assert_eq!(asked().await, 0);
    let turn_on = wait_for(&alice, ".notify-control button").await;
    assert_eq!(turn_on.text().await.unwrap(), "Turn on notifications");
    assert_accessible(&alice, "nav.sidebar").await;
    turn_on.click().await.unwrap();
    wait_for(&alice, ".notify-control [role=status]").await;
    assert_eq!(asked().await, 1);

    // In #garden, a mention in the lobby notifies; a plain message there does not.
    go_to_room(&alice, "garden").await;
    say_in(&mut bob, "lobby", "b1", "@alice ship it?").await;
    assert_eq!(
        notes_become(&alice, 1).await,
        [("bob in #lobby".to_string(), "@alice ship it?".to_string())]
    );
    say_in(&mut bob, "lobby", "b2", "no mention").await;
    // Clicking the notification opens its room.
    alice
        .execute("window.__last.onclick();", vec![])
        .await
        .unwrap();
    in_view(&alice, "lobby").await;
    wait_for_message(&alice, "bob", "no mention").await;
    assert_eq!(
        notes(&alice).await.len(),
        1,
        "a plain message notifies nobody"
    );

    // Muted from the header: a mention there notifies nothing.
    let picker = wait_for(&alice, "select#notify-level").await;
    assert_accessible(&alice, ".room-header").await;
    picker.select_by_value("nothing").await.unwrap();
    eventually("the level kept", || async {
        let v = alice
            .find(Locator::Css("select#notify-level"))
            .await?
            .prop("value")
            .await?;
        Ok((v.as_deref() == Some("nothing")).then_some(()))
    })
    .await;
    open_room(&alice, "garden").await;
    say_in(&mut bob, "lobby", "b3", "@alice muted").await;
    // Counted (the badge), so the page has had it: and shown nothing.
    eventually("the lobby's mention counted", || async {
        let badge = alice
            .find(Locator::Css(".room-link .badge.mentions"))
            .await?;
        Ok((badge.text().await? == "1").then_some(()))
    })
    .await;
    assert_eq!(
        notes(&alice).await.len(),
        1,
        "a muted room notifies nothing"
    );
    alice.close().await.unwrap();
    server.shutdown().await.unwrap();
}
