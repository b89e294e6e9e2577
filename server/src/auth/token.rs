//! Session tokens: `<session id>.<expiry ms>.<HMAC-SHA256 signature>`, the signature in
//! unpadded base64url, keyed with the server's secret.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A signed token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token(pub String);

/// The signing key: HMAC-SHA256 keyed once with the server's secret (cloned for each token,
/// so no token pays for hashing the key again).
#[derive(Clone)]
pub struct Key(Hmac<Sha256>);

impl Key {
    /// The key for `secret`.
    pub fn new(secret: &[u8]) -> Self {
        Self(Hmac::new_from_slice(secret).expect("HMAC takes any key length"))
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

fn mac(key: &Key, id: &str, expires_at: i64) -> Hmac<Sha256> {
    let mut m = key.0.clone();
    m.update(id.as_bytes());
    m.update(b".");
    m.update(expires_at.to_string().as_bytes());
    m
}

impl Token {
    /// Signs a session id and expiry.
    pub fn sign(key: &Key, id: &str, expires_at: i64) -> Token {
        let sig = URL_SAFE_NO_PAD.encode(mac(key, id, expires_at).finalize().into_bytes());
        Token(format!("{id}.{expires_at}.{sig}"))
    }

    /// The session id and expiry of a token whose signature is right (in constant time).
    /// Expiry is the caller's to check. A token has one spelling: the expiry in canonical
    /// decimal (no `+`, no leading `0`), as [`Token::sign`] writes it.
    pub fn verify<'t>(key: &Key, token: &'t str) -> Option<(&'t str, i64)> {
        let mut parts = token.splitn(3, '.');
        let (id, expires, sig) = (parts.next()?, parts.next()?, parts.next()?);
        let expires_at: i64 = expires.parse().ok()?;
        if expires_at.to_string() != expires {
            return None;
        }
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        mac(key, id, expires_at).verify_slice(&sig).ok()?;
        Some((id, expires_at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &[u8]) -> Key {
        Key::new(secret)
    }

    #[test]
    fn sign_and_verify() {
        let t = Token::sign(&key(b"secret"), "abc", 42);
        assert_eq!(Token::verify(&key(b"secret"), &t.0), Some(("abc", 42)));
        assert_eq!(
            Token::verify(&key(b"other secret"), &t.0),
            None,
            "another key"
        );
        let forged = t.0.replace("abc.42", "abc.43");
        assert_eq!(
            Token::verify(&key(b"secret"), &forged),
            None,
            "a changed expiry"
        );
        assert_eq!(Token::verify(&key(b"secret"), "abc.42"), None);
        assert_eq!(Token::verify(&key(b"secret"), "garbage"), None);
    }

    #[test]
    fn only_the_canonical_spelling_of_the_expiry_verifies() {
        let t = Token::sign(&key(b"secret"), "abc", 42);
        assert_eq!(Token::verify(&key(b"secret"), &t.0), Some(("abc", 42)));
        for respelled in ["abc.042.", "abc.+42.", "abc.0042.", "abc. 42."] {
            let other = t.0.replacen("abc.42.", respelled, 1);
            assert_ne!(other, t.0);
            assert_eq!(Token::verify(&key(b"secret"), &other), None, "{other}");
        }
        let negative = Token::sign(&key(b"secret"), "abc", -1);
        assert_eq!(
            Token::verify(&key(b"secret"), &negative.0),
            Some(("abc", -1))
        );
        let zero = Token::sign(&key(b"secret"), "abc", 0);
        assert_eq!(Token::verify(&key(b"secret"), &zero.0), Some(("abc", 0)));
        let minus_zero = zero.0.replacen("abc.0.", "abc.-0.", 1);
        assert_eq!(Token::verify(&key(b"secret"), &minus_zero), None);
    }
}
