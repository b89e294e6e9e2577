//! Where a request carries its session token, and the session cookie.

use axum::http::header::{AUTHORIZATION, SEC_WEBSOCKET_PROTOCOL};
use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use parley_ws::handshake::header_items;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "parley_session";
/// WebSocket subprotocol prefix carrying a token: `bearer.<token>`.
pub const PROTOCOL_BEARER: &str = "bearer.";
/// The subprotocol the server answers with when a client offers one.
pub const PROTOCOL: &str = "parley";

/// The token from an `Authorization: Bearer` header, the `parley_session` cookie, or (for
/// WebSocket clients that cannot set headers) a `bearer.<token>` subprotocol.
pub fn token(headers: &HeaderMap) -> Option<String> {
    let cookie = || {
        CookieJar::from_headers(headers)
            .get(COOKIE_NAME)
            .map(|c| c.value().to_owned())
    };
    let protocol = || {
        header_items(headers, SEC_WEBSOCKET_PROTOCOL, ',')
            .find_map(|p| p.strip_prefix(PROTOCOL_BEARER))
            .map(str::to_owned)
    };
    bearer(headers).or_else(cookie).or_else(protocol)
}

/// The token of an `Authorization: Bearer` header.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(|t| t.trim().to_owned())
}

/// The session cookie: HttpOnly, SameSite=Lax, the session's lifetime; Secure over TLS.
pub fn session_cookie(token: String, max_age_secs: u64, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE_NAME, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(cookie::time::Duration::seconds(
            i64::try_from(max_age_secs).unwrap_or(i64::MAX),
        ))
        .secure(secure)
        .build()
}

/// The cookie that removes the session cookie (sent whether or not the request had one).
pub fn removal_cookie() -> Cookie<'static> {
    let mut cookie = session_cookie(String::new(), 0, false);
    cookie.make_removal();
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn finds_the_token_wherever_it_is() {
        let found = |pairs| token(&headers(pairs));
        assert_eq!(
            found(&[("authorization", "Bearer t1")]).as_deref(),
            Some("t1")
        );
        assert_eq!(
            found(&[("cookie", "a=b; parley_session=t2; c=d")]).as_deref(),
            Some("t2")
        );
        assert_eq!(
            found(&[("sec-websocket-protocol", "parley, bearer.t3")]).as_deref(),
            Some("t3")
        );
        assert_eq!(found(&[("cookie", "parley_sessionx=no")]), None);
        assert_eq!(found(&[]), None);
    }

    #[test]
    fn the_session_cookie_is_http_only_and_lax() {
        let text = session_cookie("t".into(), 60, true).to_string();
        for part in [
            "parley_session=t",
            "HttpOnly",
            "SameSite=Lax",
            "Path=/",
            "Max-Age=60",
            "Secure",
        ] {
            assert!(text.contains(part), "{text} lacks {part}");
        }
    }
}
