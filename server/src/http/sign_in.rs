//! `/api/session`: sign in (`POST`), check (`GET`) and sign out (`DELETE`).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::{CloseReason, Nickname};

use super::ApiError;
use crate::auth::{request, Identity};
use crate::client::ClientAddr;
use crate::AppState;

/// Routes under `/api/session`.
pub fn router() -> Router<AppState> {
    Router::new().route("/session", get(check).post(create).delete(end))
}

/// Body of `POST /api/session`.
#[derive(Debug, Deserialize)]
struct Create {
    nickname: String,
    /// For a registered nickname: its password. For a free one: registers it.
    #[serde(default)]
    password: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    Extension(client): Extension<ClientAddr>,
    current: Option<Identity>,
    jar: CookieJar,
    body: Result<Json<Create>, JsonRejection>,
) -> Result<(StatusCode, CookieJar, Json<Value>), ApiError> {
    state
        .sign_ins
        .attempt(client.key())
        .map_err(ApiError::TooManyAttempts)?;
    let Json(body) = body.map_err(|_| {
        ApiError::BadRequest("expected JSON {\"nickname\": …, \"password\"?: …}".into())
    })?;
    let nickname = Nickname::parse(&body.nickname).map_err(ApiError::BadNickname)?;
    let (identity, token) = state
        .auth
        .create(nickname, body.password.as_deref(), current.as_ref())
        .await?;
    if let Some(old) = current.filter(|c| c.id != identity.id) {
        state.hub.close_session(&old.id, CloseReason::Unauthorized);
    }
    let cookie = request::session_cookie(token.0.clone(), state.auth.ttl().as_secs(), state.tls);
    let body = json!({
        "nickname": identity.nickname,
        "token": token.0,
        "expires_at": identity.expires_at,
    });
    Ok((StatusCode::CREATED, jar.add(cookie), Json(body)))
}

async fn check(State(state): State<AppState>, identity: Identity) -> Json<Value> {
    // Storage trouble must not look like a lost session: it only hides "registered".
    let registered = state
        .auth
        .is_registered(&identity.nickname)
        .await
        .unwrap_or(false);
    Json(json!({
        "nickname": identity.nickname,
        "expires_at": identity.expires_at,
        "registered": registered,
    }))
}

/// Signs out: the session ends and its sockets close with 4001. The cookie is cleared even
/// without a valid session.
async fn end(
    State(state): State<AppState>,
    identity: Option<Identity>,
    jar: CookieJar,
) -> (CookieJar, Result<StatusCode, ApiError>) {
    let jar = jar.add(request::removal_cookie());
    let Some(identity) = identity else {
        return (jar, Err(ApiError::Unauthorized));
    };
    let result = state.auth.revoke(&identity.id).await.map(|()| {
        state
            .hub
            .close_session(&identity.id, CloseReason::Unauthorized);
        StatusCode::NO_CONTENT
    });
    (jar, result.map_err(ApiError::from))
}
