//! Security headers on every response, the SPA's and the API's (not a WebSocket's 101): a strict
//! `Content-Security-Policy`, `X-Content-Type-Options: nosniff`, `Referrer-Policy:
//! no-referrer`, and `Strict-Transport-Security` when the server speaks TLS.
//!
//! The policy allows scripts from the server itself, wasm compilation (`'wasm-unsafe-eval'`)
//! and, by their SHA-256, the inline scripts of the SPA's `index.html` (trunk boots the app
//! with one), hashed when the server starts: a rebuilt SPA needs a restart.

use std::path::Path;
use std::sync::Arc;

use axum::http::{header, HeaderName, HeaderValue};
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::origin::Origin;

/// How long a browser that saw HSTS keeps to HTTPS: a year.
const HSTS: &str = "max-age=31536000";

/// The headers added to every response.
#[derive(Clone)]
pub struct Headers(Arc<[(HeaderName, HeaderValue)]>);

impl Headers {
    /// The headers for `config` (its SPA directory, public origins and TLS).
    pub fn new(config: &Config) -> Self {
        let policy = policy(&config.spa_dir, &config.public_origin);
        let mut headers = vec![
            (header::CONTENT_SECURITY_POLICY, policy),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (header::REFERRER_POLICY, "no-referrer".into()),
        ];
        if config.tls_cert.is_some() {
            headers.push((header::STRICT_TRANSPORT_SECURITY, HSTS.into()));
        }
        let headers = headers.into_iter().map(|(name, value)| {
            let value = HeaderValue::try_from(value).expect("a policy of header characters");
            (name, value)
        });
        Self(headers.collect())
    }
}

impl Headers {
    /// Adds the headers to `resp`.
    pub fn apply(&self, resp: &mut Response) {
        for (name, value) in self.0.iter() {
            resp.headers_mut().insert(name, value.clone());
        }
    }
}

/// The `Content-Security-Policy`: `'self'` for everything, the WebSocket of each public
/// origin (browsers that predate CSP 3 do not count `ws:` as `'self'`), the inline scripts
/// of `spa_dir/index.html` by hash; no framing, no `<base>`, no plugins.
fn policy(spa_dir: &Path, public: &[Origin]) -> String {
    let index = std::fs::read_to_string(spa_dir.join("index.html")).unwrap_or_default();
    let scripts: String = inline_scripts(&index)
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            let digest = base64::engine::general_purpose::STANDARD.encode(digest);
            format!(" 'sha256-{digest}'")
        })
        .collect();
    let sockets: String = public
        .iter()
        .map(|o| format!(" {}", o.to_string().replacen("http", "ws", 1)))
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{scripts}; \
         connect-src 'self'{sockets}; frame-ancestors 'none'; base-uri 'none'; \
         object-src 'none'; form-action 'self'"
    )
}

/// The text of every `<script>` element of `html` without a `src`, as the browser hashes it.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    // ASCII lower-casing keeps byte offsets.
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(open) = lower[at..].find("<script").map(|i| at + i) {
        let Some(body) = lower[open..].find('>').map(|i| open + i + 1) else {
            break;
        };
        let Some(close) = lower[body..].find("</script").map(|i| body + i) else {
            break;
        };
        let attrs = &lower[open + "<script".len()..body - 1];
        if !attrs
            .split_ascii_whitespace()
            .any(|a| a.starts_with("src="))
        {
            found.push(body..close);
        }
        at = close;
    }
    found.into_iter().map(move |range| &html[range])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_scripts_with_a_src_are_not() {
        let html = "<head><SCRIPT type=\"module\">import init from '/a.js';\n</SCRIPT>\
                    <script src=\"/b.js\"></script><script data-src=x>b()</script></head>";
        let got: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(got, ["import init from '/a.js';\n", "b()"]);
    }

    #[test]
    fn the_policy_hashes_the_boot_script_and_names_the_websockets() {
        let dir = std::env::temp_dir().join(format!("parley-csp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<script>alert(1)</script>").unwrap();
        let public = ["http://127.0.0.1:3000", "https://chat.example.com"]
            .map(|o| Origin::parse(o).unwrap());
        let policy = policy(&dir, &public);
        // `printf 'alert(1)' | openssl sha256 -binary | base64`
        assert!(
            policy.contains(
                "script-src 'self' 'wasm-unsafe-eval' \
                 'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=';"
            ),
            "{policy}"
        );
        assert!(
            policy.contains("connect-src 'self' ws://127.0.0.1:3000 wss://chat.example.com;"),
            "{policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
