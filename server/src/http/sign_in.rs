//! `/api/session`: sign in (`POST`), check (`GET`) and sign out (`DELETE`);
//! `/api/session/password`: set or change the password (`PUT`); `/api/sessions`: sign out
//! everywhere (`DELETE`). Whatever ends a session closes its sockets (see [`crate::auth`]).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, put};
use axum::{Json, Router};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::Nickname;

use super::ApiError;
use crate::auth::{request, Identity, Token};
use crate::client::ClientAddr;
use crate::AppState;

/// Routes under `/api/session`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session", get(check).post(create).delete(end))
        .route("/session/password", put(change_password))
        .route("/sessions", delete(end_everywhere))
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
    let nickname = match Nickname::parse(&body.nickname) {
        Ok(nickname) => nickname,
        // A name registered before today's rules still opens with its password.
        Err(err) => state
            .auth
            .registered_before_the_rules(&body.nickname)
            .await?
            .ok_or(ApiError::BadNickname(err))?,
    };
    let may_register = || state.registrations.attempt(client.key());
    let (identity, token) = state
        .auth
        .create(
            nickname,
            body.password.as_deref(),
            current.as_ref(),
            may_register,
        )
        .await?;
    let (jar, body) = issued(&state, jar, &identity, token);
    Ok((StatusCode::CREATED, jar, body))
}

/// The answer to a request that issued a session: its cookie and
/// `{"nickname","token","expires_at"}`.
fn issued(
    state: &AppState,
    jar: CookieJar,
    identity: &Identity,
    token: Token,
) -> (CookieJar, Json<Value>) {
    let cookie = request::session_cookie(token.0.clone(), state.auth.ttl().as_secs(), state.tls);
    let body = json!({
        "nickname": identity.nickname,
        "token": token.0,
        "expires_at": identity.expires_at,
    });
    (jar.add(cookie), Json(body))
}

/// Body of `PUT /api/session/password`.
#[derive(Debug, Deserialize)]
struct ChangePassword {
    /// The password now; needed when the nickname is registered.
    #[serde(default)]
    current: Option<String>,
    /// The new password.
    new: String,
}

/// Sets the password of the session's nickname (registering it if it has none): a new
/// session replaces the caller's (whose sockets close with 4002) and every other session of
/// the nickname ends (4001).
async fn change_password(
    State(state): State<AppState>,
    Extension(client): Extension<ClientAddr>,
    identity: Identity,
    jar: CookieJar,
    body: Result<Json<ChangePassword>, JsonRejection>,
) -> Result<(CookieJar, Json<Value>), ApiError> {
    // It checks a password: it counts as a sign-in attempt.
    state
        .sign_ins
        .attempt(client.key())
        .map_err(ApiError::TooManyAttempts)?;
    let Json(body) = body
        .map_err(|_| ApiError::BadRequest("expected JSON {\"current\"?: …, \"new\": …}".into()))?;
    let may_register = || state.registrations.attempt(client.key());
    let (identity, token) = state
        .auth
        .change_password(&identity, body.current.as_deref(), &body.new, may_register)
        .await?;
    Ok(issued(&state, jar, &identity, token))
}

/// Signs out everywhere: every session of the caller's nickname ends and their sockets
/// close with 4001; the cookie is cleared.
async fn end_everywhere(
    State(state): State<AppState>,
    identity: Identity,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    state.auth.end_all(&identity.nickname).await?;
    Ok((jar.add(request::removal_cookie()), StatusCode::NO_CONTENT))
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
    let result = state.auth.revoke(&identity.id).await;
    (
        jar,
        result
            .map(|()| StatusCode::NO_CONTENT)
            .map_err(ApiError::from),
    )
}
