//! The signed-in [`Identity`] as an extractor: a handler that takes `Identity` answers 401
//! `unauthorized` without a valid session; one that takes `Option<Identity>` gets `None`.

use std::convert::Infallible;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;

use super::ApiError;
use crate::auth::Identity;
use crate::AppState;

impl FromRequestParts<AppState> for Identity {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        state
            .auth
            .identify(&parts.headers)
            .await
            .ok_or(ApiError::Unauthorized)
    }
}

impl OptionalFromRequestParts<AppState> for Identity {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Infallible> {
        Ok(state.auth.identify(&parts.headers).await)
    }
}
