//! The server side of the opening handshake (RFC 6455 §4.2): checking the upgrade request
//! and the `101 Switching Protocols` answer.

use base64::Engine;
use http::header::{
    HeaderName, CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_PROTOCOL,
    SEC_WEBSOCKET_VERSION, UPGRADE,
};
use http::{HeaderMap, HeaderValue, StatusCode};
use sha1::{Digest, Sha1};

/// Why a request cannot be upgraded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HandshakeError {
    /// No `Connection: upgrade` and `Upgrade: websocket` (answer 426).
    #[error("not a WebSocket upgrade request")]
    NotWebSocket,
    /// `Sec-WebSocket-Version` is not 13 (answer 400).
    #[error("only WebSocket version 13 is supported")]
    Version,
    /// No `Sec-WebSocket-Key`, or one that is not the base64 of 16 bytes (answer 400).
    #[error("Sec-WebSocket-Key must be the base64 encoding of 16 random bytes")]
    MissingKey,
}

impl HandshakeError {
    /// The HTTP status to refuse with.
    pub fn status(self) -> StatusCode {
        match self {
            Self::NotWebSocket => StatusCode::UPGRADE_REQUIRED,
            Self::Version | Self::MissingKey => StatusCode::BAD_REQUEST,
        }
    }

    /// A header the refusal must carry to tell the client what would work, if any.
    pub fn hint(self) -> Option<(HeaderName, HeaderValue)> {
        match self {
            Self::NotWebSocket => Some((UPGRADE, HeaderValue::from_static("websocket"))),
            Self::Version => Some((SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"))),
            Self::MissingKey => None,
        }
    }
}

/// The trimmed items of a list-valued header (`Connection`, `Sec-WebSocket-Protocol`,
/// `Cookie` with `;`), over all its occurrences; values that are not visible ASCII are
/// skipped.
pub fn header_items(
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

fn has_token(headers: &HeaderMap, name: HeaderName, token: &str) -> bool {
    header_items(headers, name, ',').any(|t| t.eq_ignore_ascii_case(token))
}

/// Checks an upgrade request's headers; returns the `Sec-WebSocket-Accept` value to answer
/// with.
pub fn check(headers: &HeaderMap) -> Result<String, HandshakeError> {
    if !has_token(headers, CONNECTION, "upgrade") || !has_token(headers, UPGRADE, "websocket") {
        return Err(HandshakeError::NotWebSocket);
    }
    if headers.get(SEC_WEBSOCKET_VERSION).map(|v| v.as_bytes()) != Some(b"13") {
        return Err(HandshakeError::Version);
    }
    let key = headers
        .get(SEC_WEBSOCKET_KEY)
        .filter(|key| is_valid_key(key.as_bytes()))
        .ok_or(HandshakeError::MissingKey)?;
    Ok(accept_key(key.as_bytes()))
}

/// RFC 6455 §4.2.1: the key is a nonce of 16 bytes, base64-encoded (24 characters).
fn is_valid_key(key: &[u8]) -> bool {
    key.len() == 24
        && base64::engine::general_purpose::STANDARD
            .decode(key)
            .is_ok_and(|nonce| nonce.len() == 16)
}

/// Whether the client offered `protocol` in `Sec-WebSocket-Protocol` (an answer may only
/// name a protocol the client offered).
pub fn offers_protocol(headers: &HeaderMap, protocol: &str) -> bool {
    header_items(headers, SEC_WEBSOCKET_PROTOCOL, ',').any(|p| p == protocol)
}

/// The `101 Switching Protocols` answer, naming `protocol` if given.
pub fn response(accept: &str, protocol: Option<&str>) -> http::response::Builder {
    let resp = http::Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(UPGRADE, "websocket")
        .header(CONNECTION, "Upgrade")
        .header(SEC_WEBSOCKET_ACCEPT, accept);
    match protocol {
        Some(p) => resp.header(SEC_WEBSOCKET_PROTOCOL, p),
        None => resp,
    }
}

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`.
pub fn accept_key(key: &[u8]) -> String {
    let mut sha = Sha1::new();
    sha.update(key);
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(pairs: &[(&str, &str)]) -> HeaderMap {
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
    fn accept_key_matches_rfc_6455_example() {
        assert_eq!(
            accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn checks_each_required_header() {
        let good = [
            ("connection", "keep-alive, Upgrade"),
            ("upgrade", "WebSocket"),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
        ];
        assert_eq!(
            check(&request(&good)).as_deref(),
            Ok("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        );
        assert_eq!(
            check(&request(&good[1..])),
            Err(HandshakeError::NotWebSocket)
        );
        let mut v8 = good;
        v8[2].1 = "8";
        assert_eq!(check(&request(&v8)), Err(HandshakeError::Version));
        assert_eq!(check(&request(&good[..3])), Err(HandshakeError::MissingKey));
        // The key must be base64 of exactly 16 bytes.
        for bad in [
            "",
            "x",
            "dGhlIHNhbXBsZSBub25jZQ",
            "dGhlIHNhbXBsZSBub25jZSE=",
            "!!!!!!!!!!!!!!!!!!!!!!==",
        ] {
            let mut k = good;
            k[3].1 = bad;
            assert_eq!(
                check(&request(&k)),
                Err(HandshakeError::MissingKey),
                "{bad:?}"
            );
        }
        assert_eq!(HandshakeError::NotWebSocket.status(), 426);
    }

    #[test]
    fn protocols_offered() {
        let h = request(&[("sec-websocket-protocol", "parley, bearer.x")]);
        assert!(offers_protocol(&h, "parley"));
        assert!(!offers_protocol(&h, "chat"));
    }
}
