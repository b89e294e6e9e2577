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
    /// Expiry is the caller's to check. A token has one spelling: the expiry in canonical
    /// decimal (no `+`, no leading `0`), as [`Token::sign`] writes it.
    pub fn verify<'t>(secret: &[u8], token: &'t str) -> Option<(&'t str, i64)> {
        let mut parts = token.splitn(3, '.');
        let (id, expires, sig) = (parts.next()?, parts.next()?, parts.next()?);
        let expires_at: i64 = expires.parse().ok()?;
        if expires_at.to_string() != expires {
            return None;
        }
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

    #[test]
    fn only_the_canonical_spelling_of_the_expiry_verifies() {
        let t = Token::sign(b"secret", "abc", 42);
        assert_eq!(Token::verify(b"secret", &t.0), Some(("abc", 42)));
        for respelled in ["abc.042.", "abc.+42.", "abc.0042.", "abc. 42."] {
            let other = t.0.replacen("abc.42.", respelled, 1);
            assert_ne!(other, t.0);
            assert_eq!(Token::verify(b"secret", &other), None, "{other}");
        }
        let negative = Token::sign(b"secret", "abc", -1);
        assert_eq!(Token::verify(b"secret", &negative.0), Some(("abc", -1)));
        let zero = Token::sign(b"secret", "abc", 0);
        assert_eq!(Token::verify(b"secret", &zero.0), Some(("abc", 0)));
        let minus_zero = zero.0.replacen("abc.0.", "abc.-0.", 1);
        assert_eq!(Token::verify(b"secret", &minus_zero), None);
    }
}
