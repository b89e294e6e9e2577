//! Session tokens: `<session id>.<expiry ms>.<HMAC-SHA256 signature>`, the signature in
//! unpadded base64url, keyed with the server's secret.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A signed token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token(pub String);

fn mac(secret: &[u8], id: &str, expires_at: i64) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    m.update(id.as_bytes());
    m.update(b".");
    m.update(expires_at.to_string().as_bytes());
    m
}

impl Token {
    /// Signs a session id and expiry.
    pub fn sign(secret: &[u8], id: &str, expires_at: i64) -> Token {
        let sig = URL_SAFE_NO_PAD.encode(mac(secret, id, expires_at).finalize().into_bytes());
        Token(format!("{id}.{expires_at}.{sig}"))
    }

    /// The session id and expiry of a token whose signature is right (in constant time).
    /// Expiry is the caller's to check.
    pub fn verify<'t>(secret: &[u8], token: &'t str) -> Option<(&'t str, i64)> {
        let mut parts = token.splitn(3, '.');
        let (id, expires, sig) = (parts.next()?, parts.next()?, parts.next()?);
        let expires_at: i64 = expires.parse().ok()?;
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        mac(secret, id, expires_at).verify_slice(&sig).ok()?;
        Some((id, expires_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() {
        let t = Token::sign(b"secret", "abc", 42);
        assert_eq!(Token::verify(b"secret", &t.0), Some(("abc", 42)));
        assert_eq!(Token::verify(b"other secret", &t.0), None, "another key");
        let forged = t.0.replace("abc.42", "abc.43");
        assert_eq!(Token::verify(b"secret", &forged), None, "a changed expiry");
        assert_eq!(Token::verify(b"secret", "abc.42"), None);
        assert_eq!(Token::verify(b"secret", "garbage"), None);
    }
}
