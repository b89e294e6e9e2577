//! Every refusal of an HTTP route (REST and the WebSocket upgrade), as one type and one JSON
//! shape: `{"error": code, "message": …}`, `code` a [`shared::ErrorCode`]. What went wrong
//! inside (a storage error) is logged, never sent. Every response an `ApiError` makes carries
//! the [`Typed`] extension, by which [`super::typed`] knows the responses that are not typed
//! yet (axum's own refusals) and types them.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use parley_ws::handshake::HandshakeError;
use serde_json::json;
use shared::{ErrorCode, ValidationError};

use super::extract::Json;
use crate::auth::{SessionError, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::hub::history::HistoryError;
use crate::hub::QueryError;
use crate::storage::StoreError;

/// See the module docs.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Not a WebSocket upgrade Parley can answer.
    #[error("{}", handshake_message(*.0))]
    Handshake(#[from] HandshakeError),
    /// A page of a foreign origin asked for the WebSocket.
    #[error("this page's origin may not open Parley's WebSocket")]
    OriginNotAllowed,
    /// No valid session.
    #[error(
        "no valid session: POST /api/session to get one, then send its cookie or bearer token"
    )]
    Unauthorized,
    /// No connection slot is free.
    #[error("too many connections; try again later")]
    TooManyConnections,
    /// Too many sign-ins from one address: retry after this many seconds.
    #[error("too many sign-ins from your address; try again in {0} s")]
    TooManyAttempts(u64),
    /// Too many wrong passwords for the nickname: retry after this many seconds.
    #[error("too many wrong passwords for this nickname; try again in {0} s")]
    TooManyGuesses(u64),
    /// A refusal by status only: a malformed body, path or query string (a rejection of
    /// [`super::extract`]), or one of axum's own (a method the route does not take, a file the
    /// SPA does not have). Its code is the status's (see [`ApiError::refused`]), its message
    /// says what went wrong.
    #[error("{message}")]
    Refused {
        /// The HTTP status.
        status: StatusCode,
        /// What went wrong.
        message: String,
    },
    /// A nickname that breaks the rules.
    #[error("nickname {0}")]
    BadNickname(ValidationError),
    /// A room name that breaks the rules.
    #[error("room name {0}")]
    BadRoomName(ValidationError),
    /// Signing in: the nickname is held by another live session.
    #[error("this nickname is in use; pick another")]
    NicknameTaken,
    /// Signing in: the nickname is registered and no password was given.
    #[error("this nickname is registered: give its password")]
    NicknameRegistered,
    /// Signing in: a wrong password.
    #[error("wrong password (passwords are {PASSWORD_MIN_CHARS}–{PASSWORD_MAX_CHARS} characters)")]
    BadPassword,
    /// Reading history failed.
    #[error(transparent)]
    History(#[from] HistoryError),
    /// A directory question that breaks the rules.
    #[error(transparent)]
    Directory(#[from] QueryError),
    /// No such API route.
    #[error("no such API route")]
    NotFound,
    /// Too many HTTP requests from one address: retry after this many seconds.
    #[error("too many requests from your address; try again in {0} s")]
    TooManyRequests(u64),
    /// The request (its body included) took longer than allowed.
    #[error("the request took too long to arrive")]
    RequestTimeout,
    /// Storage failed (logged where it happened).
    #[error("storage is unavailable; try again")]
    StorageUnavailable,
    /// The request's `Host` is not one of the server's public origins.
    #[error("this server does not answer for that Host: use its public address")]
    BadHost,
    /// Too many nicknames registered from one address: retry after this many seconds.
    #[error("too many nicknames registered from your address; try again in {0} s")]
    TooManyRegistrations(u64),
    /// The publish API: no API key, or one that is wrong or revoked.
    #[error("no valid API key: send Authorization: Bearer pk_… (parley api-key create NAME)")]
    BadApiKey,
    /// The publish API: the key published too fast; retry after this many seconds.
    #[error("this API key publishes too fast; try again in {0} s")]
    TooManyPublished(u64),
    /// Message text that breaks the rules.
    #[error("text {0}")]
    BadText(ValidationError),
    /// A `client_id` that breaks the rules.
    #[error("client_id (1–64 of A-Z a-z 0-9 - _) {0}")]
    BadClientId(ValidationError),
    /// A reaction's emoji that is not one emoji.
    #[error("a reaction is one emoji, and this {0}")]
    BadEmoji(ValidationError),
    /// The room has no message of that seq.
    #[error("the room has no message of that seq")]
    NoSuchMessage,
    /// A direct conversation of two others (or of nobody: such names are kept).
    #[error("this is a private conversation of two other people")]
    Forbidden,
    /// Password hashing is at its global bound: retry after [`BUSY_RETRY_SECS`].
    #[error("the server is busy checking passwords; try again in {BUSY_RETRY_SECS} s")]
    ServerBusy,
}

/// The `Retry-After` of [`ApiError::ServerBusy`], in seconds.
pub const BUSY_RETRY_SECS: u64 = 1;

fn handshake_message(err: HandshakeError) -> String {
    match err {
        HandshakeError::NotWebSocket => format!(
            "/ws is Parley's chat WebSocket; connect with a WebSocket client (ws://host/ws?v={})",
            shared::PROTOCOL_VERSION
        ),
        other => other.to_string(),
    }
}

impl ApiError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Handshake(err) => err.status(),
            Self::OriginNotAllowed | Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Unauthorized | Self::NicknameRegistered | Self::BadPassword | Self::BadApiKey => {
                StatusCode::UNAUTHORIZED
            }
            Self::TooManyConnections | Self::StorageUnavailable | Self::ServerBusy => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::TooManyAttempts(_)
            | Self::TooManyGuesses(_)
            | Self::TooManyRequests(_)
            | Self::TooManyRegistrations(_)
            | Self::TooManyPublished(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::BadNickname(_)
            | Self::BadRoomName(_)
            | Self::Directory(_)
            | Self::BadText(_)
            | Self::BadClientId(_)
            | Self::BadEmoji(_) => StatusCode::BAD_REQUEST,
            Self::NicknameTaken => StatusCode::CONFLICT,
            Self::History(HistoryError::NoSuchRoom(_)) | Self::NotFound | Self::NoSuchMessage => {
                StatusCode::NOT_FOUND
            }
            Self::History(HistoryError::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
            Self::BadHost => StatusCode::MISDIRECTED_REQUEST,
            Self::Refused { status, .. } => *status,
        }
    }

    /// The typed code in the body.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Handshake(HandshakeError::NotWebSocket) => ErrorCode::WebsocketRequired,
            Self::Handshake(HandshakeError::Version) => ErrorCode::WebsocketVersion,
            Self::Handshake(HandshakeError::MissingKey) => ErrorCode::WebsocketKey,
            Self::OriginNotAllowed => ErrorCode::OriginNotAllowed,
            Self::Forbidden => ErrorCode::Forbidden,
            Self::Unauthorized | Self::BadApiKey => ErrorCode::Unauthorized,
            Self::TooManyPublished(_) => ErrorCode::TooManyRequests,
            Self::BadText(e) => crate::chat::commands::text_code(e),
            Self::BadClientId(_) => ErrorCode::BadClientId,
            Self::BadEmoji(_) => ErrorCode::BadEmoji,
            Self::NoSuchMessage => ErrorCode::NoSuchMessage,
            Self::TooManyConnections => ErrorCode::TooManyConnections,
            Self::TooManyAttempts(_) | Self::TooManyGuesses(_) | Self::TooManyRegistrations(_) => {
                ErrorCode::TooManyAttempts
            }
            Self::TooManyRequests(_) => ErrorCode::TooManyRequests,
            Self::RequestTimeout => ErrorCode::RequestTimeout,
            Self::BadNickname(_) => ErrorCode::BadNickname,
            Self::BadRoomName(_) | Self::Directory(QueryError::BadName(_)) => {
                ErrorCode::BadRoomName
            }
            Self::Directory(QueryError::TooManyNames) => ErrorCode::TooManyNames,
            Self::NicknameTaken => ErrorCode::NicknameTaken,
            Self::NicknameRegistered => ErrorCode::NicknameRegistered,
            Self::BadPassword => ErrorCode::BadPassword,
            Self::History(err) => err.code(),
            Self::NotFound => ErrorCode::NotFound,
            Self::StorageUnavailable => ErrorCode::StorageUnavailable,
            Self::BadHost => ErrorCode::BadHost,
            Self::ServerBusy => ErrorCode::ServerBusy,
            Self::Refused { status, .. } => status_code(*status),
        }
    }

    /// A refusal with `status`, saying `detail` (axum's text, say) or, if there is none,
    /// what the status means. A 422 (a JSON body of the wrong shape) is answered as 400, like
    /// every other malformed body.
    pub fn refused(status: StatusCode, detail: Option<String>) -> Self {
        let status = match status {
            StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
            other => other,
        };
        let message = detail
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| default_message(status).to_owned());
        Self::Refused { status, message }
    }
}

/// The code of a refusal known by its status only.
fn status_code(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::REQUEST_TIMEOUT => ErrorCode::RequestTimeout,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::MISDIRECTED_REQUEST => ErrorCode::BadHost,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::TooManyRequests,
        s if s.is_server_error() => ErrorCode::InternalError,
        _ => ErrorCode::BadRequest,
    }
}

/// What a refusal says when nothing more specific is known.
fn default_message(status: StatusCode) -> &'static str {
    match status_code(status) {
        ErrorCode::NotFound => "no such file or route",
        ErrorCode::MethodNotAllowed => {
            "this route does not take that method (Allow lists those it takes)"
        }
        ErrorCode::PayloadTooLarge => "the request body is too large",
        ErrorCode::UnsupportedMediaType => "expected a JSON body (Content-Type: application/json)",
        ErrorCode::InternalError => "the server could not answer; try again",
        _ => status.canonical_reason().unwrap_or("refused"),
    }
}

/// Marks a response as made by an [`ApiError`] (typed), in its extensions.
#[derive(Debug, Clone, Copy)]
pub struct Typed;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(json!({"error": self.code(), "message": self.to_string()}));
        let mut resp = (self.status(), body).into_response();
        resp.extensions_mut().insert(Typed);
        let headers = resp.headers_mut();
        match &self {
            Self::Handshake(err) => {
                if let Some((name, value)) = err.hint() {
                    headers.insert(name, value);
                }
            }
            Self::TooManyAttempts(wait)
            | Self::TooManyGuesses(wait)
            | Self::TooManyRequests(wait)
            | Self::TooManyRegistrations(wait)
            | Self::TooManyPublished(wait) => {
                headers.insert(RETRY_AFTER, HeaderValue::from(*wait));
            }
            Self::ServerBusy => {
                headers.insert(RETRY_AFTER, HeaderValue::from(BUSY_RETRY_SECS));
            }
            _ => {}
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        tracing::warn!(cause = %err, "storage failed");
        Self::StorageUnavailable
    }
}

impl From<SessionError> for ApiError {
    fn from(err: SessionError) -> Self {
        match err {
            SessionError::NicknameTaken => Self::NicknameTaken,
            SessionError::PasswordRequired => Self::NicknameRegistered,
            SessionError::BadPassword | SessionError::WrongPassword => Self::BadPassword,
            SessionError::TooManyRegistrations(wait) => Self::TooManyRegistrations(wait),
            SessionError::Busy(_) => Self::ServerBusy,
            SessionError::Store(err) => err.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_has_its_status_code_and_hint() {
        let cases = [
            (
                ApiError::Handshake(HandshakeError::NotWebSocket),
                426,
                "websocket_required",
            ),
            (
                ApiError::Handshake(HandshakeError::Version),
                400,
                "websocket_version",
            ),
            (ApiError::TooManyAttempts(7), 429, "too_many_attempts"),
            (ApiError::NicknameTaken, 409, "nickname_taken"),
            (ApiError::NotFound, 404, "not_found"),
            (ApiError::BadHost, 421, "bad_host"),
            (ApiError::TooManyRegistrations(9), 429, "too_many_attempts"),
            (ApiError::ServerBusy, 503, "server_busy"),
            (ApiError::NoSuchMessage, 404, "no_such_message"),
            (ApiError::TooManyGuesses(3), 429, "too_many_attempts"),
            (
                ApiError::refused(StatusCode::METHOD_NOT_ALLOWED, None),
                405,
                "method_not_allowed",
            ),
            (
                ApiError::refused(StatusCode::PAYLOAD_TOO_LARGE, None),
                413,
                "payload_too_large",
            ),
            (
                ApiError::refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, None),
                415,
                "unsupported_media_type",
            ),
            (
                ApiError::refused(StatusCode::UNPROCESSABLE_ENTITY, None),
                400,
                "bad_request",
            ),
            (
                ApiError::refused(StatusCode::IM_A_TEAPOT, None),
                418,
                "bad_request",
            ),
            (
                ApiError::refused(StatusCode::BAD_GATEWAY, None),
                502,
                "internal_error",
            ),
        ];
        for (err, status, code) in cases {
            assert_eq!(err.status(), status, "{err:?}");
            assert_eq!(err.code().as_str(), code, "{err:?}");
        }
        let resp = ApiError::TooManyAttempts(7).into_response();
        assert_eq!(resp.headers()[RETRY_AFTER], "7");
        let resp = ApiError::TooManyRegistrations(9).into_response();
        assert_eq!(resp.headers()[RETRY_AFTER], "9");
        let resp = ApiError::ServerBusy.into_response();
        assert_eq!(resp.headers()[RETRY_AFTER], "1");
        let resp = ApiError::Handshake(HandshakeError::Version).into_response();
        assert_eq!(resp.headers()["sec-websocket-version"], "13");
    }
}
