//! The REST calls the app makes: the session (`/api/session`). The session itself lives in
//! an HttpOnly cookie the server sets; the app never sees the token.

use gloo_net::http::Request;
use serde::Deserialize;
use serde_json::json;

/// Who the session says we are.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SessionInfo {
    /// The nickname the session holds.
    pub nickname: String,
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
        200 => resp.json().await.map(Some).map_err(ApiError::network),
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

/// A page of the room directory (`GET /api/rooms`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RoomsPage {
    /// Rooms by name, with member counts.
    pub rooms: Vec<shared::RoomSummary>,
    /// The name to ask for the next page after, if there are more.
    pub next: Option<String>,
}

/// The first `limit` rooms of the directory, by name. (`welcome` lists only the user's own
/// rooms; the directory has everyone's.)
pub async fn rooms(limit: usize) -> Result<RoomsPage, ApiError> {
    let resp = Request::get(&format!("/api/rooms?limit={limit}"))
        .send()
        .await
        .map_err(ApiError::network)?;
    if resp.status() == 200 {
        resp.json().await.map_err(ApiError::network)
    } else {
        Err(resp.json().await.unwrap_or_else(ApiError::network))
    }
}

/// Signs out (ends the session and clears the cookie).
pub async fn sign_out() {
    let _ = Request::delete("/api/session").send().await;
}
