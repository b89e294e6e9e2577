//! API keys of the publish API (`POST /api/rooms/{room}/messages`, `http/publish.rs`):
//! made, listed and revoked with `parley api-key …` on the server's database. A key is
//! `pk_` and 32 hex digits (128 random bits); only its SHA-256 is stored, and a key is shown
//! once, when it is made.

use sha2::Digest;
use shared::Nickname;

use crate::config::{ApiKeyCommand, Config};
use crate::storage::{Sequencing, Store};

/// What every key starts with, so that a leaked one is easy to recognise (and scan for).
pub const PREFIX: &str = "pk_";
/// Longest key name.
pub const NAME_MAX: usize = 32;

/// A key's name: 1–32 of `a-z`, `0-9`, `-` and `_`, also a valid nickname (the author its
/// messages show).
pub fn parse_name(raw: &str) -> anyhow::Result<Nickname> {
    let ok = !raw.is_empty()
        && raw.len() <= NAME_MAX
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    anyhow::ensure!(
        ok,
        "an API key's name is 1–{NAME_MAX} of a-z, 0-9, - and _ (got {raw:?})"
    );
    Nickname::parse(raw).map_err(|e| anyhow::anyhow!("an API key's name must be a nickname: {e}"))
}

/// A new key.
pub fn generate() -> String {
    let bytes: [u8; 16] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}{hex}")
}

/// What is stored of a key.
pub fn hash(key: &str) -> String {
    sha2::Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `token` looks like a key (not a session token), so that the publish route can
/// say which it expected.
pub fn looks_like_key(token: &str) -> bool {
    token.len() == PREFIX.len() + 32
        && token.starts_with(PREFIX)
        && token[PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Runs `parley api-key …` on `config`'s database; what to print.
pub async fn run(config: &Config, cmd: &ApiKeyCommand) -> anyhow::Result<String> {
    let store = Store::open(
        &config.data_dir,
        config.database_url.as_deref(),
        Sequencing::Local,
    )
    .await?;
    let now = crate::now_ms();
    match cmd {
        ApiKeyCommand::Create { name } => {
            let name = parse_name(name)?;
            let key = generate();
            if !store
                .create_api_key(name.as_str(), &hash(&key), now)
                .await?
            {
                anyhow::bail!(
                    "a key named {name} exists: revoke it first (parley api-key revoke {name})"
                );
            }
            Ok(format!(
                "{key}\n# the API key {name}: keep it now, it is not shown again. Use it as\n\
                 # Authorization: Bearer {key}"
            ))
        }
        ApiKeyCommand::List => {
            let mut out =
                String::from("NAME                             CREATED                  REVOKED");
            for k in store.api_keys().await? {
                let revoked = k.revoked_at.map_or_else(|| "-".to_owned(), when);
                out.push_str(&format!(
                    "\n{:<32} {:<24} {revoked}",
                    k.name,
                    when(k.created_at)
                ));
            }
            Ok(out)
        }
        ApiKeyCommand::Revoke { name } => {
            if !store.revoke_api_key(name, now).await? {
                anyhow::bail!("no live API key is named {name:?} (parley api-key list)");
            }
            Ok(format!("revoked the API key {name}"))
        }
    }
}

/// Milliseconds since the epoch as an RFC 3339 time (UTC, seconds).
fn when(ms: i64) -> String {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_look_like_keys_and_names_are_checked() {
        let key = generate();
        assert!(looks_like_key(&key), "{key}");
        assert_ne!(generate(), key, "random");
        assert!(!looks_like_key(
            "d6431353606ba6b6a9e9c088dcbd7e9e.1795938977663.sig"
        ));
        assert_eq!(hash(&key).len(), 64);
        assert_ne!(hash(&key), hash(&generate()));
        assert!(parse_name("ci-deploys").is_ok());
        for bad in ["", "CI", "has space", "é", &"x".repeat(33)] {
            assert!(parse_name(bad).is_err(), "{bad:?}");
        }
    }
}
