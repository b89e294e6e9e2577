//! The REST calls the app makes: the session (`/api/session`, its password, and signing
//! out everywhere), and who reacted to a message (the full list). The session itself lives in an HttpOnly cookie the server sets; the app
//! never sees the token.

use gloo_net::http::Request;
use serde::Deserialize;
use serde_json::json;

/// Who the session says we are.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SessionInfo {
    /// The nickname the session holds.
    pub nickname: String,
}

/// `GET /api/session`'s answer: `{"signed_in": true, "nickname": …}` or
/// `{"signed_in": false}`.
#[derive(Deserialize)]
struct Probe {
    signed_in: bool,
    nickname: Option<String>,
}

/// A refused request, as the server explained it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ApiError {
    /// The error code (`nickname_taken`, `bad_password`, …).
    pub error: String,
    /// A sentence for people.
    pub message: String,
}

impl ApiError {
    fn network(err: impl std::fmt::Display) -> Self {
        Self {
            error: "network".into(),
            message: format!("the server cannot be reached ({err})"),
        }
    }
}

/// The current session, or `None` if there is none (or it ended).
pub async fn current_session() -> Result<Option<SessionInfo>, ApiError> {
    let resp = Request::get("/api/session")
        .send()
        .await
        .map_err(ApiError::network)?;
    match resp.status() {
        // `{"signed_in": false}` once no session is live (a server before that said 401).
        200 => {
            let probe: Probe = resp.json().await.map_err(ApiError::network)?;
            let nickname = probe.nickname.filter(|_| probe.signed_in);
            Ok(nickname.map(|nickname| SessionInfo { nickname }))
        }
        401 => Ok(None),
        _ => Err(resp.json().await.unwrap_or_else(ApiError::network)),
    }
}

/// Signs in as `nickname`; `password` registers a free nickname or unlocks a registered one.
pub async fn sign_in(nickname: &str, password: Option<&str>) -> Result<SessionInfo, ApiError> {
    let body = match password {
        Some(p) => json!({ "nickname": nickname, "password": p }),
        None => json!({ "nickname": nickname }),
    };
    let resp = Request::post("/api/session")
        .json(&body)
        .map_err(ApiError::network)?
        .send()
        .await
        .map_err(ApiError::network)?;
    if resp.status() == 201 {
        resp.json().await.map_err(ApiError::network)
    } else {
        Err(resp.json().await.unwrap_or_else(ApiError::network))
    }
}

/// Signs out (ends the session and clears the cookie).
pub async fn sign_out() {
    let _ = Request::delete("/api/session").send().await;
}

/// Sets a new password for the signed-in nickname; `current` is needed if it has one. The
/// server answers with a new session's cookie (and closes this session's sockets with 4002,
/// which reconnect with it).
pub async fn change_password(current: Option<&str>, new: &str) -> Result<(), ApiError> {
    let body = match current {
        Some(c) => json!({ "current": c, "new": new }),
        None => json!({ "new": new }),
    };
    let req = Request::put("/api/session/password")
        .json(&body)
        .map_err(ApiError::network)?;
    expect(req.send().await, 200).await
}

/// Signs out everywhere: every session of this nickname ends, this one included.
pub async fn sign_out_everywhere() -> Result<(), ApiError> {
    expect(Request::delete("/api/sessions").send().await, 204).await
}

/// `Ok` if the response has `status`, else the server's explanation.
async fn expect(
    resp: Result<gloo_net::http::Response, gloo_net::Error>,
    status: u16,
) -> Result<(), ApiError> {
    let resp = resp.map_err(ApiError::network)?;
    if resp.status() == status {
        Ok(())
    } else {
        Err(resp.json().await.unwrap_or_else(ApiError::network))
    }
}

/// Everyone who reacted to the message `seq` of `room` with `emoji`, in the order they did:
/// the first page (up to [`shared::REACTORS_PAGE_MAX`] names; `next` says more exist).
pub async fn reactors(room: &str, seq: u64, emoji: &str) -> Result<shared::Reactors, ApiError> {
    let resp = Request::get(&format!("/api/rooms/{room}/messages/{seq}/reactions"))
        .query([("emoji", emoji)])
        .send()
        .await
        .map_err(ApiError::network)?;
    if resp.status() == 200 {
        resp.json().await.map_err(ApiError::network)
    } else {
        Err(resp.json().await.unwrap_or_else(ApiError::network))
    }
}
