//! `/api/session`: create (`POST`), check (`GET`) and end (`DELETE`) a session.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use shared::{CloseReason, Nickname};

use super::error;
use crate::auth::{request, Session, SessionError, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
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

/// The request's session, if its token is valid.
pub fn current(state: &AppState, headers: &HeaderMap) -> Option<Session> {
    request::token(headers).and_then(|t| state.auth.verify(t))
}

fn unauthorized() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "no valid session: POST /api/session to get one",
    )
}

async fn create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Option<Json<Create>>,
) -> Response {
    if let Err(wait) = state.sign_ins.attempt(peer.ip()) {
        let mut resp = error(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            format!("too many sign-ins from your address; try again in {wait} s"),
        );
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return resp;
    }
    let Some(Json(body)) = body else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "expected JSON {\"nickname\": …, \"password\"?: …}",
        );
    };
    let nickname = match Nickname::parse(&body.nickname) {
        Ok(n) => n,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_nickname",
                format!("nickname {e}"),
            )
        }
    };
    let current = current(&state, &headers);
    match state.auth.create(nickname, body.password.as_deref(), current.as_ref()).await {
        Ok((session, token)) => {
            if let Some(old) = current.filter(|c| c.id != session.id) {
                state.hub.close_session(&old.id, CloseReason::Unauthorized);
            }
            let max_age = state.auth.ttl().as_secs();
            let mut resp = (
                StatusCode::CREATED,
                Json(json!({
                    "nickname": session.nickname,
                    "token": token.0,
                    "expires_at": session.expires_at,
                })),
            )
                .into_response();
            resp.headers_mut().insert(header::SET_COOKIE, request::set_cookie(&token.0, max_age, state.tls));
            resp
        }
        Err(SessionError::NicknameTaken) => {
            error(StatusCode::CONFLICT, "nickname_taken", "this nickname is in use; pick another")
        }
        Err(SessionError::PasswordRequired) => error(
            StatusCode::UNAUTHORIZED,
            "nickname_registered",
            "this nickname is registered: give its password",
        ),
        Err(SessionError::BadPassword) => error(
            StatusCode::UNAUTHORIZED,
            "bad_password",
            format!("wrong password (passwords are {PASSWORD_MIN_CHARS}–{PASSWORD_MAX_CHARS} characters)"),
        ),
        Err(SessionError::Store(err)) => {
            tracing::warn!(cause = %err, "session not created");
            error(StatusCode::SERVICE_UNAVAILABLE, "storage_unavailable", "try again")
        }
    }
}

async fn check(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(session) = current(&state, &headers) else {
        return unauthorized();
    };
    let registered = state
        .auth
        .is_registered(&session.nickname)
        .await
        .unwrap_or(false);
    Json(json!({"nickname": session.nickname, "expires_at": session.expires_at, "registered": registered}))
        .into_response()
}

async fn end(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let mut resp = match current(&state, &headers) {
        Some(session) => match state.auth.revoke(&session.id).await {
            Ok(()) => {
                state
                    .hub
                    .close_session(&session.id, CloseReason::Unauthorized);
                StatusCode::NO_CONTENT.into_response()
            }
            Err(err) => {
                tracing::warn!(cause = %err, "session not ended");
                return error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_unavailable",
                    "try again",
                );
            }
        },
        None => unauthorized(),
    };
    resp.headers_mut()
        .insert(header::SET_COOKIE, request::clear_cookie());
    resp
}
