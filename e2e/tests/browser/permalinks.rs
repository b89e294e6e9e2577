//! Permalinks (issue 19): `/r/{room}/{seq}` opened in a fresh browser asks for a nickname,
//! then opens the room at that message (one `around` page), focused and highlighted; the
//! gap between that window and the latest messages says how many are missing and loads
//! them; a link to a room that does not exist creates none and says so, and a link to a
//! message the room does not have says so.

use fantoccini::Locator;

use crate::helpers::*;

#[tokio::test]
async fn a_permalink_opens_its_message_after_the_sign_in_and_the_gap_fills_on_request() {
    let server = start_server_with(|_| {}).await;
    let mut carol = Bot::connect(server.addr, "carol").await;
    carol.join(&["plans"]).await;
    // Seqs 1–200, "plan 1" to "plan 200".
    carol
        .fill("plans", 200, |i| format!("plan {}", i + 1))
        .await;

    let driver = chromedriver().await;
    let c = browser(&driver, 1200, 800).await;
    c.goto(&format!("http://{}/r/plans/5", server.addr))
        .await
        .unwrap();
    enter_here(&c, "dave").await;
    in_view(&c, "plans").await;
    eventually("message 5 focused and highlighted", || async {
        let v = c
            .execute(
                "const e = document.activeElement; \
                 return e && e.dataset.seq === '5' && e.classList.contains('highlight');",
                vec![],
            )
            .await?;
        Ok((v == true).then_some(()))
    })
    .await;
    // The window around 5 (1–30) and the latest page (151–200), with the gap between.
    let gap = eventually("the gap, with its size", || async {
        Ok(c.find_all(Locator::XPath(
            "//ol[contains(@class,'messages')]//button[normalize-space()='Load 120 more messages']",
        ))
        .await?
        .into_iter()
        .next())
    })
    .await;
    let held = seqs(&c).await;
    assert!(
        held.contains(&1) && held.contains(&30) && held.contains(&200),
        "{held:?}"
    );
    assert!(!held.contains(&100), "{held:?}");
    gap.click().await.unwrap();
    eventually("the gap filled", || async {
        let held = seqs(&c).await;
        Ok((held == (1..=200).collect::<Vec<u64>>()).then_some(()))
    })
    .await;
    assert_accessible(&c, "body").await;

    // A link to a room that is not there: a notice, and no room made.
    c.goto(&format!("http://{}/r/nowhere/3", server.addr))
        .await
        .unwrap();
    wait_for(&c, "textarea#composer:not([disabled])").await;
    let toast = eventually("a notice", || async {
        let toasts = texts(&c, ".toasts .toast").await?;
        Ok(toasts.into_iter().find(|t| t.contains("no room #nowhere")))
    })
    .await;
    assert!(toast.contains("nowhere"));
    let token = loadgen::session(server.addr, "erin").await.unwrap();
    let auth = format!("Authorization: Bearer {token}\r\n");
    let (status, body) = request(server.addr, "GET", "/api/rooms?names=nowhere", &auth, "").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        !body.contains("\"nowhere\""),
        "the link made no room: {body}"
    );

    // A link to a message the room does not have.
    c.goto(&format!("http://{}/r/plans/999", server.addr))
        .await
        .unwrap();
    in_view(&c, "plans").await;
    eventually("a notice", || async {
        let toasts = texts(&c, ".toasts .toast").await?;
        Ok(toasts
            .iter()
            .any(|t| t.contains("no message 999"))
            .then_some(()))
    })
    .await;
    assert!(c
        .find_all(Locator::Css(".msg.highlight"))
        .await
        .unwrap()
        .is_empty());
    c.close().await.unwrap();
    server.shutdown().await.unwrap();
}
