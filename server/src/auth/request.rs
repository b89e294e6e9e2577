//! Where a request carries its session token, and the session cookie.

use axum::http::header::{AUTHORIZATION, COOKIE, SEC_WEBSOCKET_PROTOCOL};
use axum::http::{HeaderMap, HeaderName, HeaderValue};

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "parley_session";
/// WebSocket subprotocol prefix carrying a token: `bearer.<token>`.
pub const PROTOCOL_BEARER: &str = "bearer.";
/// The subprotocol the server answers with when a client offers one.
pub const PROTOCOL: &str = "parley";

/// The token from the `parley_session` cookie, an `Authorization: Bearer` header, or (for
/// WebSocket clients that cannot set headers) a `bearer.<token>` subprotocol.
pub fn token(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let cookie = || {
        list_items(headers, COOKIE, ';')
            .find_map(|c| c.strip_prefix(COOKIE_NAME)?.strip_prefix('='))
    };
    let protocol = || {
        list_items(headers, SEC_WEBSOCKET_PROTOCOL, ',')
            .find_map(|p| p.strip_prefix(PROTOCOL_BEARER))
    };
    bearer.or_else(cookie).or_else(protocol)
}

/// The trimmed items of a list-valued header (`Connection`, `Sec-WebSocket-Protocol`,
/// `Cookie`), over all its occurrences; values that are not visible ASCII are skipped.
pub fn list_items(
    headers: &HeaderMap,
    name: HeaderName,
    separator: char,
) -> impl Iterator<Item = &str> {
    headers
        .get_all(name)
        .into_iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(move |v| v.split(separator))
        .map(str::trim)
}

/// Whether the client offered the `parley` subprotocol (then the answer names it; the
/// answer may only name a protocol the client offered).
pub fn offers_parley(headers: &HeaderMap) -> bool {
    list_items(headers, SEC_WEBSOCKET_PROTOCOL, ',').any(|p| p == PROTOCOL)
}

/// `Set-Cookie` for a session: HttpOnly, SameSite=Lax, the session's lifetime; Secure over TLS.
pub fn set_cookie(token: &str, max_age_secs: u64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("tokens are header-safe")
}

/// `Set-Cookie` removing the session cookie.
pub fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("parley_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn finds_the_token_wherever_it_is() {
        assert_eq!(
            token(&headers(&[("authorization", "Bearer t1")])),
            Some("t1")
        );
        assert_eq!(
            token(&headers(&[("cookie", "a=b; parley_session=t2; c=d")])),
            Some("t2")
        );
        assert_eq!(
            token(&headers(&[("sec-websocket-protocol", "parley, bearer.t3")])),
            Some("t3")
        );
        assert_eq!(token(&headers(&[("cookie", "parley_sessionx=no")])), None);
        assert_eq!(token(&headers(&[])), None);
    }
}
