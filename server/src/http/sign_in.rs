//! `/api/session`: sign in (`POST`), check (`GET`) and sign out (`DELETE`);
//! `/api/session/password`: set or change the password (`PUT`); `/api/sessions`: sign out
//! everywhere (`DELETE`). Whatever ends a session closes its sockets (see [`crate::auth`]).
//! What checks a password is a sign-in [`Attempt`], counted before its body is read, and is
//! [`guarded`] by the nickname's backoff on wrong passwords ([`crate::auth::backoff`]).

use std::future::Future;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::routing::{delete, get, put};
use axum::Router;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use serde_json::{json, Value};
use shared::Nickname;

use super::extract::Json;
use super::ApiError;
use crate::auth::{request, Identity, SessionError, Token};
use crate::client::{ClientAddr, ClientKey};
use crate::AppState;

/// Routes under `/api/session`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/session", get(check).post(create).delete(end))
        .route("/session/password", put(change_password))
        .route("/sessions", delete(end_everywhere))
}

/// A sign-in attempt from this client, counted against its address (`--sign-in-rate`) before
/// the request's body is read: a refused client (429 `too_many_attempts`) has nothing of its
/// body read or parsed.
struct Attempt(ClientAddr);

impl FromRequestParts<AppState> for Attempt {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // The edge resolves every request's client.
        let client = *parts
            .extensions
            .get::<ClientAddr>()
            .ok_or_else(|| ApiError::refused(StatusCode::INTERNAL_SERVER_ERROR, None))?;
        state
            .sign_ins
            .attempt(client.key())
            .map_err(ApiError::TooManyAttempts)?;
        Ok(Self(client))
    }
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
    current: Option<Identity>,
    jar: CookieJar,
    Attempt(client): Attempt,
    Json(body): Json<Create>,
) -> Result<(StatusCode, CookieJar, Json<Value>), ApiError> {
    let nickname = match Nickname::parse(&body.nickname) {
        Ok(nickname) => nickname,
        // A name registered before today's rules still opens with its password.
        Err(err) => state
            .auth
            .registered_before_the_rules(&body.nickname)
            .await?
            .ok_or(ApiError::BadNickname(err))?,
    };
    let guessed = body.password.is_some().then(|| nickname.key());
    let may_register = || state.registrations.attempt(client.key());
    let signing_in = state.auth.create(
        nickname,
        body.password.as_deref(),
        current.as_ref(),
        may_register,
    );
    let (identity, token) = guarded(&state, guessed, client.key(), signing_in).await?;
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
        "nickname": identity.user.nickname,
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
    identity: Identity,
    jar: CookieJar,
    // It checks a password: it counts as a sign-in attempt.
    Attempt(client): Attempt,
    Json(body): Json<ChangePassword>,
) -> Result<(CookieJar, Json<Value>), ApiError> {
    let guessed = body
        .current
        .is_some()
        .then(|| identity.user.key.to_string());
    let may_register = || state.registrations.attempt(client.key());
    let changing =
        state
            .auth
            .change_password(&identity, body.current.as_deref(), &body.new, may_register);
    let (identity, token) = guarded(&state, guessed, client.key(), changing).await?;
    Ok(issued(&state, jar, &identity, token))
}

/// Runs `check`, which checks a password of the nickname `key` (if there is one) for
/// `client`: only if the nickname's backoff lets `client` (else 429 `too_many_attempts`),
/// and a wrong password counts against the nickname, a right one makes `client` familiar.
async fn guarded<T>(
    state: &AppState,
    key: Option<String>,
    client: ClientKey,
    check: impl Future<Output = Result<T, SessionError>>,
) -> Result<T, ApiError> {
    let Some(key) = key else {
        return Ok(check.await?);
    };
    state
        .guesses
        .check(&key, client)
        .map_err(ApiError::TooManyGuesses)?;
    let result = check.await;
    match &result {
        Ok(_) => state.guesses.succeeded(&key, client),
        Err(SessionError::WrongPassword) => state.guesses.failed(&key, client),
        Err(_) => {}
    }
    Ok(result?)
}

/// Signs out everywhere: every session of the caller's nickname ends and their sockets
/// close with 4001; the cookie is cleared.
async fn end_everywhere(
    State(state): State<AppState>,
    identity: Identity,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    state.auth.end_all(&identity.user.nickname).await?;
    Ok((jar.add(request::removal_cookie()), StatusCode::NO_CONTENT))
}

/// `GET /api/session`: `{"signed_in": true, "nickname", "expires_at", "registered"}`, or
/// `{"signed_in": false}` (not a 401: being signed out is an answer, not an error, and a
/// browser logs every 401 on its console). A cookie that names no live session is cleared.
async fn check(
    State(state): State<AppState>,
    identity: Option<Identity>,
    jar: CookieJar,
) -> (CookieJar, Json<Value>) {
    let Some(identity) = identity else {
        let jar = match jar.get(request::COOKIE_NAME) {
            Some(_) => jar.add(request::removal_cookie()),
            None => jar,
        };
        return (jar, Json(json!({ "signed_in": false })));
    };
    // Storage trouble must not look like a lost session: it only hides "registered".
    let registered = state
        .auth
        .is_registered(&identity.user.nickname)
        .await
        .unwrap_or(false);
    let body = json!({
        "signed_in": true,
        "nickname": identity.user.nickname,
        "expires_at": identity.expires_at,
        "registered": registered,
    });
    (jar, Json(body))
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
