//! Issue 16: guessing a registered nickname's password from many addresses is held back per
//! nickname (429 `too_many_attempts` with `Retry-After`), while its owner still signs in from
//! an address it signed in from before.

use serde_json::json;
use shared::ErrorCode;

use crate::helpers::*;

const OWNER: [u8; 4] = [127, 0, 0, 1];

fn sign_in(password: &str) -> serde_json::Value {
    json!({ "nickname": "owner", "password": password })
}

/// Asserts the answer is 429 `too_many_attempts` with a `Retry-After` within `max`.
fn assert_held_back((status, head, body): (u16, String, String), max: u64, what: &str) {
    assert_eq!(status, 429, "{what}: {body}");
    assert!(
        body.contains(&format!("\"{}\"", ErrorCode::TooManyAttempts.as_str())),
        "{what}: {body}"
    );
    let wait = retry_after(&head);
    assert!((1..=max).contains(&wait), "{what}: Retry-After {wait}");
}

#[tokio::test]
async fn guessing_from_many_addresses_is_held_back_but_not_the_owner() {
    let server = start_with(|c| {
        c.limits.password_guesses = 3;
        c.limits.password_backoff = std::time::Duration::from_secs(60);
        c.limits.password_backoff_max = std::time::Duration::from_secs(600);
    })
    .await;
    let addr = server.addr;
    let (status, _, body) = sign_in_from(addr, OWNER, sign_in("correct horse")).await;
    assert_eq!(status, 201, "registered: {body}");
    // Each guess from an address of its own: the per-address limits see a new client each time.
    for i in 1..=3u8 {
        let (status, _, body) = sign_in_from(addr, [127, 0, 1, i], sign_in("wrong guess")).await;
        assert_eq!(status, 401, "free guess {i}: {body}");
        assert!(body.contains("\"bad_password\""), "{body}");
    }
    for i in 4..=6u8 {
        let answer = sign_in_from(addr, [127, 0, 1, i], sign_in("wrong guess")).await;
        assert_held_back(answer, 60, &format!("guess {i}"));
    }
    // Even the right password gets nowhere from a stranger: it is not checked.
    let answer = sign_in_from(addr, [127, 0, 2, 1], sign_in("correct horse")).await;
    assert_held_back(answer, 60, "a stranger with the right password");
    // The owner, from the address it signed in from, is not held back.
    let (status, _, body) = sign_in_from(addr, OWNER, sign_in("correct horse")).await;
    assert_eq!(status, 201, "the owner: {body}");
    // A wrong password from it makes it a stranger again.
    let (status, _, body) = sign_in_from(addr, OWNER, sign_in("a typo here")).await;
    assert_eq!(status, 401, "{body}");
    let answer = sign_in_from(addr, OWNER, sign_in("correct horse")).await;
    assert_held_back(answer, 120, "the owner after a wrong password");
    // Other nicknames are not affected.
    let other = json!({ "nickname": "other", "password": "correct horse" });
    let (status, _, body) = sign_in_from(addr, [127, 0, 1, 4], other).await;
    assert_eq!(status, 201, "{body}");
    server.shutdown().await.unwrap();
}
