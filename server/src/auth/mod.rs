//! Sessions: who a connection is, decided before the WebSocket exists.
//!
//! `POST /api/session` creates a session for a free nickname and returns a signed, expiring
//! token (also set as an HttpOnly cookie). A nickname belongs to its live session: nobody
//! else can take it until the session ends or expires. A nickname registered with a
//! password (argon2id) can only be taken with that password, across sessions.
//!
//! Live sessions are kept in memory (and in the database, so a restart keeps them); a token
//! is valid when its signature matches, it has not expired and its session is still live.

mod password;
pub mod request;
pub mod throttle;
mod token;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use rand::RngCore;
use shared::Nickname;

use crate::now_ms;
use crate::storage::{Store, StoreError};

pub use self::token::Token;

/// Shortest password a nickname can be registered with.
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Longest password.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// Who a client is: a live session holding a nickname (stored as such too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The session's random id.
    pub id: String,
    /// The nickname it holds.
    pub nickname: Nickname,
    /// When it ends, ms since the Unix epoch.
    pub expires_at: i64,
}

/// Why a session could not be created.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Another live session holds the nickname.
    #[error("the nickname is in use")]
    NicknameTaken,
    /// The nickname is registered: its password is needed.
    #[error("the nickname is registered: give its password")]
    PasswordRequired,
    /// The password does not match, or breaks the length rules.
    #[error("wrong password")]
    BadPassword,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A nickname's account, as signing in finds it.
#[derive(Clone, Copy)]
enum Account<'p> {
    /// Registered, and the password matched.
    Registered,
    /// Not registered, and no password given.
    Free,
    /// Not registered: register it with this password.
    Register(&'p str),
}

#[derive(Default)]
struct Live {
    by_id: HashMap<String, Identity>,
    /// Nickname key → the session holding it.
    by_nickname: HashMap<String, String>,
}

/// Cloneable handle to the session registry.
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

struct Inner {
    secret: [u8; 32],
    ttl: Duration,
    store: Store,
    live: Mutex<Live>,
}

/// The signing secret: `configured` if given, else the one in `data_dir/session.key`,
/// created (random) on first run.
pub fn load_secret(configured: Option<&str>, data_dir: &Path) -> anyhow::Result<[u8; 32]> {
    use sha2::Digest;
    if let Some(s) = configured {
        anyhow::ensure!(
            s.len() >= 16,
            "the session secret must be at least 16 characters"
        );
        return Ok(sha2::Sha256::digest(s.as_bytes()).into());
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let path = data_dir.join("session.key");
    match std::fs::read(&path) {
        Ok(bytes) if bytes.len() == 32 => Ok(bytes.try_into().expect("32 bytes")),
        Ok(_) => anyhow::bail!(
            "{} is not a 32-byte key: delete it to make a new one",
            path.display()
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            rand::thread_rng().fill_bytes(&mut key);
            write_private(&path, &key)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(bytes)
}

impl Auth {
    /// Loads the live sessions.
    pub async fn open(store: Store, secret: [u8; 32], ttl: Duration) -> anyhow::Result<Self> {
        let mut live = Live::default();
        for s in store
            .live_sessions(now_ms())
            .await
            .context("reading the sessions")?
        {
            live.by_nickname.insert(s.nickname.key(), s.id.clone());
            live.by_id.insert(s.id.clone(), s);
        }
        Ok(Self {
            inner: Arc::new(Inner {
                secret,
                ttl,
                store,
                live: Mutex::new(live),
            }),
        })
    }

    /// Creates a session for `nickname`. `password`, for a registered nickname, must match;
    /// for a free one it registers the nickname. `current` is the caller's session, if any:
    /// asking again for its own nickname returns it; asking for another ends it.
    pub async fn create(
        &self,
        nickname: Nickname,
        password: Option<&str>,
        current: Option<&Identity>,
    ) -> Result<(Identity, Token), SessionError> {
        let account = self.account(&nickname, password).await?;
        if let Some(cur) = current {
            if cur.nickname.key() == nickname.key() {
                self.register(&nickname, account).await?;
                return Ok((cur.clone(), self.token(cur)));
            }
            self.revoke(&cur.id).await?;
        }
        let identity = self.claim(&nickname, matches!(account, Account::Registered))?;
        if let Err(err) = self.inner.store.insert_session(&identity, now_ms()).await {
            self.forget(&identity.id);
            return Err(err.into());
        }
        self.register(&nickname, account).await?;
        let token = self.token(&identity);
        Ok((identity, token))
    }

    /// The password rules: a registered nickname needs its password; a password is 8–128
    /// characters.
    async fn account<'p>(
        &self,
        nickname: &Nickname,
        password: Option<&'p str>,
    ) -> Result<Account<'p>, SessionError> {
        if let Some(p) = password {
            let n = p.chars().count();
            if !(PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&n) {
                return Err(SessionError::BadPassword);
            }
        }
        match (self.inner.store.account_hash(nickname).await?, password) {
            (Some(_), None) => Err(SessionError::PasswordRequired),
            (Some(hash), Some(p)) if !password::verify(p, &hash).await => {
                Err(SessionError::BadPassword)
            }
            (Some(_), Some(_)) => Ok(Account::Registered),
            (None, Some(p)) => Ok(Account::Register(p)),
            (None, None) => Ok(Account::Free),
        }
    }

    /// A nickname belongs to its live session: a new session for it is refused while
    /// another lives, unless the nickname is registered (its password was proven).
    fn claim(&self, nickname: &Nickname, registered: bool) -> Result<Identity, SessionError> {
        let now = now_ms();
        let mut live = self.inner.live.lock().expect("sessions lock");
        let holder = live.by_nickname.get(&nickname.key());
        let held = holder
            .and_then(|id| live.by_id.get(id))
            .is_some_and(|s| s.expires_at > now);
        if held && !registered {
            return Err(SessionError::NicknameTaken);
        }
        let mut id = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut id);
        let id: String = id.iter().map(|b| format!("{b:02x}")).collect();
        let identity = Identity {
            id: id.clone(),
            nickname: nickname.clone(),
            expires_at: now + self.inner.ttl.as_millis() as i64,
        };
        live.by_nickname.insert(nickname.key(), id.clone());
        live.by_id.insert(id, identity.clone());
        Ok(identity)
    }

    /// Registers a free nickname signed in with a password.
    async fn register(&self, nickname: &Nickname, account: Account<'_>) -> Result<(), StoreError> {
        let Account::Register(p) = account else {
            return Ok(());
        };
        let hash = password::hash(p).await;
        self.inner
            .store
            .insert_account(nickname, &hash, now_ms())
            .await
    }

    /// The token for a session.
    pub fn token(&self, s: &Identity) -> Token {
        Token::sign(&self.inner.secret, &s.id, s.expires_at)
    }

    /// The live session a token stands for; `None` if forged, expired or ended.
    pub fn verify(&self, token: &str) -> Option<Identity> {
        let (id, expires_at) = Token::verify(&self.inner.secret, token)?;
        if expires_at <= now_ms() {
            return None;
        }
        let live = self.inner.live.lock().expect("sessions lock");
        live.by_id
            .get(id)
            .filter(|s| s.expires_at == expires_at)
            .cloned()
    }

    /// Who a request is, from the token it carries (see [`request::token`]).
    pub fn identify(&self, headers: &axum::http::HeaderMap) -> Option<Identity> {
        self.verify(&request::token(headers)?)
    }

    /// Ends a session (sign-out).
    pub async fn revoke(&self, id: &str) -> Result<(), StoreError> {
        self.forget(id);
        self.inner.store.revoke_session(id).await
    }

    fn forget(&self, id: &str) {
        let mut live = self.inner.live.lock().expect("sessions lock");
        if let Some(s) = live.by_id.remove(id) {
            if live.by_nickname.get(&s.nickname.key()) == Some(&s.id) {
                live.by_nickname.remove(&s.nickname.key());
            }
        }
    }

    /// Whether a nickname is registered with a password.
    pub async fn is_registered(&self, nickname: &Nickname) -> Result<bool, StoreError> {
        Ok(self.inner.store.account_hash(nickname).await?.is_some())
    }

    /// How long new sessions last.
    pub fn ttl(&self) -> Duration {
        self.inner.ttl
    }
}
