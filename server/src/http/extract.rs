//! Parley's extractors for a request's body, path and query string: [`Json`], [`Path`] and
//! [`Query`] are axum's, refusing with an [`ApiError`] (the typed JSON body) where axum's
//! answer in plain text. Handlers take these, never axum's: `server/clippy.toml` disallows
//! axum's, and [`super::typed`] types whatever refusal gets through anyway.
//!
//! Every refusal keeps axum's status and text (which names the field that failed), with the
//! code of the status: 400 `bad_request` (a JSON body of the wrong shape too, which axum
//! answers with 422), 413 `payload_too_large` (over [`BODY_LIMIT`]), 415
//! `unsupported_media_type` (a body that is not `application/json`).

#![allow(clippy::disallowed_types)]

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::ApiError;

/// The largest request body the API reads (fixed): a sign-in's is well under 1 KiB.
pub const BODY_LIMIT: usize = 16 * 1024;

/// A JSON body (`Content-Type: application/json`, at most [`BODY_LIMIT`] bytes), and a JSON
/// response.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// The path's parameters (`{room}`).
#[derive(Debug, Clone)]
pub struct Path<T>(pub T);

/// The query string.
#[derive(Debug, Clone)]
pub struct Query<T>(pub T);

/// A rejection of one of axum's extractors as the refusal it stands for.
macro_rules! refusal {
    ($($rejection:ty),*) => {$(
        impl From<$rejection> for ApiError {
            fn from(rejection: $rejection) -> Self {
                ApiError::refused(rejection.status(), Some(rejection.body_text()))
            }
        }
    )*};
}

refusal!(JsonRejection, PathRejection, QueryRejection);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(value) = axum::Json::from_request(req, state).await?;
        Ok(Self(value))
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(value) =
            axum::extract::Path::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Query(value) =
            axum::extract::Query::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}
