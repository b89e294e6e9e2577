//! Sessions: who a connection is, decided before the WebSocket exists.
//!
//! `POST /api/session` creates a session for a free nickname and returns a signed, expiring
//! token (also set as an HttpOnly cookie). A nickname belongs to its live session: nobody
//! else can take it until the session ends or expires. A nickname registered with a
//! password (argon2id) can only be taken with that password, across sessions.
//!
//! Live sessions are kept in memory (and in the database, so a restart keeps them); a token
//! is valid when its signature matches, it has not expired and its session is still live.
//! In cluster mode the memory is a cache of the database, which every node shares: a token
//! another node issued is looked up there, and a nickname is free only if no node's session
//! holds it.
//!
//! A session that ends (signed out, replaced, pruned when expired, ended everywhere, or by a
//! password change) is reported to the `on_end` hook given to [`Auth::open`] at once, which
//! closes its sockets. Setting or proving a password always starts a new session (a new
//! token) and ends the old one with [`CloseReason::SessionReplaced`], so a token planted
//! before the password was set is worthless after it.

pub mod backoff;
pub mod names;
mod password;
mod recheck;
pub mod request;
pub mod throttle;
mod token;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use rand::RngCore;
use shared::{CloseReason, Nickname};
use tokio_util::sync::CancellationToken;

use crate::hub::User;
use crate::now_ms;
use crate::storage::sessions::Account as StoredAccount;
use crate::storage::{Store, StoreError};

pub use self::password::{Busy, Hasher};
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
    /// The nickname it holds, with its key.
    pub user: User,
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
    /// The password breaks the length rules.
    #[error("the password breaks the length rules")]
    BadPassword,
    /// The password is not the nickname's (a wrong guess: see [`backoff`]).
    #[error("wrong password")]
    WrongPassword,
    /// The request would register a nickname, and its address has registered as many as
    /// allowed: retry after this many seconds.
    #[error("too many registrations from this address")]
    TooManyRegistrations(u64),
    /// Password hashing is at its global bound.
    #[error(transparent)]
    Busy(#[from] Busy),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A nickname's account, as signing in finds it.
#[derive(Clone, Copy)]
enum Account<'p> {
    /// Registered (filed under this key), and the password matched.
    Registered(&'p str),
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

/// Told which sessions ended and with what reason their sockets are to close.
pub type OnEnd = Box<dyn Fn(&HashSet<String>, CloseReason) + Send + Sync>;

/// Cloneable handle to the session registry.
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

struct Inner {
    key: token::Key,
    ttl: Duration,
    store: Store,
    live: Mutex<Live>,
    hasher: Hasher,
    on_end: OnEnd,
    /// Cluster mode: other nodes make sessions too.
    shared: bool,
    /// Cluster mode: tells the other nodes of the sessions this one ended.
    tell_others: std::sync::OnceLock<OnEnd>,
    /// Cluster mode: when the last re-check of the sessions against the database began.
    checked: Mutex<Option<i64>>,
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
    /// Loads the live sessions. Password hashing goes through `hasher`; sessions that end are
    /// reported to `on_end`. `shared`: other nodes make sessions in the same database.
    pub async fn open(
        store: Store,
        secret: [u8; 32],
        ttl: Duration,
        hasher: Hasher,
        on_end: impl Fn(&HashSet<String>, CloseReason) + Send + Sync + 'static,
        shared: bool,
    ) -> anyhow::Result<Self> {
        names::review(&store)
            .await
            .context("reviewing the registered nicknames")?;
        let mut live = Live::default();
        for s in store
            .live_sessions(now_ms())
            .await
            .context("reading the sessions")?
        {
            live.by_nickname
                .insert(s.user.key.to_string(), s.id.clone());
            live.by_id.insert(s.id.clone(), s);
        }
        Ok(Self {
            inner: Arc::new(Inner {
                key: token::Key::new(&secret),
                ttl,
                store,
                live: Mutex::new(live),
                hasher,
                on_end: Box::new(on_end),
                shared,
                tell_others: std::sync::OnceLock::new(),
                checked: Mutex::new(None),
            }),
        })
    }

    /// Creates a session for `nickname`. `password`, for a registered nickname, must match;
    /// for a free one it registers the nickname, if `may_register` allows (else it says how
    /// many seconds to wait). `current` is the caller's session, if any: asking again for its
    /// own nickname without a password returns it; asking for another nickname, or with a
    /// password, starts a new session and then ends the current one (never before: a refused
    /// request leaves the caller as it was).
    pub async fn create(
        &self,
        nickname: Nickname,
        password: Option<&str>,
        current: Option<&Identity>,
        may_register: impl FnOnce() -> Result<(), u64>,
    ) -> Result<(Identity, Token), SessionError> {
        let registration = self.registration(&nickname).await?;
        let account = self.account(&registration, password).await?;
        let same = current.filter(|c| *c.user.key == *nickname.key());
        if let (Some(cur), Account::Free) = (same, account) {
            return Ok((cur.clone(), self.token(cur)));
        }
        let hash = match account {
            Account::Register(p) => {
                may_register().map_err(SessionError::TooManyRegistrations)?;
                Some(self.inner.hasher.hash(p).await?)
            }
            _ => None,
        };
        let registered = matches!(account, Account::Registered(_));
        let identity = self.start(&nickname, registered, same).await?;
        if let Some(hash) = hash {
            let stored = self
                .inner
                .store
                .insert_account(&nickname, &hash, now_ms())
                .await;
            if let Err(err) = stored {
                self.revoke(&identity.id).await.ok();
                return Err(err.into());
            }
        }
        if let Some(cur) = current {
            let reason = if same.is_some() {
                CloseReason::SessionReplaced
            } else {
                CloseReason::Unauthorized
            };
            self.end(&cur.id, reason).await?;
        }
        let token = self.token(&identity);
        Ok((identity, token))
    }

    /// Sets a new password for the nickname of the session `cur`: `current`, its password
    /// now, is needed if it is registered; if not, it is registered (if `may_register`
    /// allows). Starts a new session, ends `cur` with [`CloseReason::SessionReplaced`] and
    /// every other session of the nickname with [`CloseReason::Unauthorized`].
    pub async fn change_password(
        &self,
        cur: &Identity,
        current: Option<&str>,
        new: &str,
        may_register: impl FnOnce() -> Result<(), u64>,
    ) -> Result<(Identity, Token), SessionError> {
        if !password_fits(new) {
            return Err(SessionError::BadPassword);
        }
        let nickname = &cur.user.nickname;
        let registration = self.registration(nickname).await?;
        let key = match self.account(&registration, current).await? {
            Account::Registered(key) => Some(key),
            Account::Free | Account::Register(_) => {
                may_register().map_err(SessionError::TooManyRegistrations)?;
                None
            }
        };
        let hash = self.inner.hasher.hash(new).await?;
        let store = &self.inner.store;
        match key {
            Some(key) => store.update_account_hash(key, &hash).await?,
            None => store.insert_account(nickname, &hash, now_ms()).await?,
        }
        let identity = self.start(nickname, true, Some(cur)).await?;
        let others = self.sessions_of(nickname, &[&identity.id, &cur.id]);
        self.end(&cur.id, CloseReason::SessionReplaced).await?;
        self.forget(&others, CloseReason::Unauthorized);
        for id in &others {
            store.revoke_session(id, now_ms()).await?;
        }
        let token = self.token(&identity);
        Ok((identity, token))
    }

    /// Ends every session of `nickname` (sign-out everywhere); their sockets close with
    /// [`CloseReason::Unauthorized`].
    pub async fn end_all(&self, nickname: &Nickname) -> Result<(), StoreError> {
        let ids = self.sessions_of(nickname, &[]);
        self.forget(&ids, CloseReason::Unauthorized);
        for id in &ids {
            self.inner.store.revoke_session(id, now_ms()).await?;
        }
        Ok(())
    }

    /// Claims the nickname for a new session and stores it.
    async fn start(
        &self,
        nickname: &Nickname,
        registered: bool,
        current: Option<&Identity>,
    ) -> Result<Identity, SessionError> {
        if self.inner.shared && !registered {
            let key = nickname.key();
            let holders = self.inner.store.live_sessions_of(&key, now_ms()).await?;
            if holders.iter().any(|id| current.is_none_or(|c| c.id != *id)) {
                return Err(SessionError::NicknameTaken);
            }
        }
        let identity = self.claim(nickname, registered, current)?;
        let mine = HashSet::from([identity.id.clone()]);
        if let Err(err) = self.inner.store.insert_session(&identity, now_ms()).await {
            self.forget(&mine, CloseReason::Unauthorized);
            return Err(err.into());
        }
        if self.inner.shared && !registered {
            // Stored first: a node that finds this session holding the grant sees it live.
            let store = &self.inner.store;
            let was = current.map(|c| c.id.as_str());
            let granted = store
                .grant_nickname(&identity.user.key, &identity.id, was, now_ms())
                .await;
            if !matches!(granted, Ok(true)) {
                self.forget(&mine, CloseReason::Unauthorized);
                store.revoke_session(&identity.id, now_ms()).await.ok();
                return Err(match granted {
                    Err(err) => err.into(),
                    Ok(_) => SessionError::NicknameTaken,
                });
            }
        }
        Ok(identity)
    }

    /// The live sessions holding `nickname` (ignoring case and width, not a look-alike
    /// registered before the nickname rules), but those in `except`.
    fn sessions_of(&self, nickname: &Nickname, except: &[&str]) -> HashSet<String> {
        let name = nickname.folded();
        let live = self.inner.live.lock().expect("sessions lock");
        live.by_id
            .values()
            .filter(|s| s.user.nickname.folded() == name && !except.contains(&s.id.as_str()))
            .map(|s| s.id.clone())
            .collect()
    }

    /// The account registered under `nickname` (ignoring case and width), if any. A
    /// nickname that only looks like a registered one (the same key, another name) is
    /// taken: [`SessionError::NicknameTaken`].
    async fn registration(
        &self,
        nickname: &Nickname,
    ) -> Result<Option<StoredAccount>, SessionError> {
        let found = self.inner.store.accounts_like(nickname).await?;
        let name = nickname.folded();
        let same =
            |a: &StoredAccount| Nickname::stored(&a.nickname).is_ok_and(|n| n.folded() == name);
        match found.iter().find(|a| same(a)) {
            Some(own) => Ok(Some(own.clone())),
            None if found.is_empty() => Ok(None),
            None => Err(SessionError::NicknameTaken),
        }
    }

    /// The password rules: a registered nickname needs its password; a password is 8–128
    /// characters.
    async fn account<'p>(
        &self,
        registration: &'p Option<StoredAccount>,
        password: Option<&'p str>,
    ) -> Result<Account<'p>, SessionError> {
        if password.is_some_and(|p| !password_fits(p)) {
            return Err(SessionError::BadPassword);
        }
        match (registration, password) {
            (Some(_), None) => Err(SessionError::PasswordRequired),
            (Some(a), Some(p)) if !self.inner.hasher.verify(p, &a.hash).await? => {
                Err(SessionError::WrongPassword)
            }
            (Some(a), Some(_)) => Ok(Account::Registered(&a.key)),
            (None, Some(p)) => Ok(Account::Register(p)),
            (None, None) => Ok(Account::Free),
        }
    }

    /// A nickname belongs to its live session: a new session for it is refused while
    /// another lives, unless the nickname is registered (its password was proven) or the
    /// holder is `current`, the caller's own session, which the new one replaces.
    fn claim(
        &self,
        nickname: &Nickname,
        registered: bool,
        current: Option<&Identity>,
    ) -> Result<Identity, SessionError> {
        let now = now_ms();
        let mut live = self.inner.live.lock().expect("sessions lock");
        let user = User::new(nickname.clone());
        let holder = live.by_nickname.get(&*user.key);
        let held = holder
            .filter(|id| current.is_none_or(|c| c.id != **id))
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
            user: user.clone(),
            expires_at: now + self.inner.ttl.as_millis() as i64,
        };
        live.by_nickname.insert(user.key.to_string(), id.clone());
        live.by_id.insert(id, identity.clone());
        Ok(identity)
    }

    /// The token for a session.
    pub fn token(&self, s: &Identity) -> Token {
        Token::sign(&self.inner.key, &s.id, s.expires_at)
    }

    /// The live session a token stands for; `None` if forged, expired or ended.
    pub fn verify(&self, token: &str) -> Option<Identity> {
        let (id, expires_at) = Token::verify(&self.inner.key, token)?;
        if expires_at <= now_ms() {
            return None;
        }
        let live = self.inner.live.lock().expect("sessions lock");
        live.by_id
            .get(id)
            .filter(|s| s.expires_at == expires_at)
            .cloned()
    }

    /// [`Auth::verify`], and in cluster mode a session another node made, from the database
    /// (then kept in memory like this node's own).
    pub async fn verify_anywhere(&self, token: &str) -> Option<Identity> {
        if let Some(s) = self.verify(token) {
            return Some(s);
        }
        if !self.inner.shared {
            return None;
        }
        let (id, expires_at) = Token::verify(&self.inner.key, token)?;
        let now = now_ms();
        if expires_at <= now {
            return None;
        }
        let found = match self.inner.store.live_session(id, now).await {
            Ok(found) => found?,
            Err(err) => {
                tracing::warn!(cause = %err, "cannot look a session up");
                return None;
            }
        };
        if found.expires_at != expires_at {
            return None;
        }
        let mut live = self.inner.live.lock().expect("sessions lock");
        live.by_nickname
            .insert(found.user.key.to_string(), found.id.clone());
        live.by_id.insert(found.id.clone(), found.clone());
        Some(found)
    }

    /// Who a request is, from the token it carries (see [`request::token`]).
    pub async fn identify(&self, headers: &axum::http::HeaderMap) -> Option<Identity> {
        self.verify_anywhere(&request::token(headers)?).await
    }

    /// Ends a session (sign-out); its sockets close with [`CloseReason::Unauthorized`].
    pub async fn revoke(&self, id: &str) -> Result<(), StoreError> {
        self.end(id, CloseReason::Unauthorized).await
    }

    /// Ends a session: it stops being valid at once, its sockets close with `reason`.
    async fn end(&self, id: &str, reason: CloseReason) -> Result<(), StoreError> {
        self.forget(&HashSet::from([id.to_owned()]), reason);
        self.inner.store.revoke_session(id, now_ms()).await
    }

    /// Cluster mode: `tell` is told of every session this node ends, to tell the others.
    pub fn tell_others(
        &self,
        tell: impl Fn(&HashSet<String>, CloseReason) + Send + Sync + 'static,
    ) {
        let _ = self.inner.tell_others.set(Box::new(tell));
    }

    /// Cluster mode: another node ended these sessions. They stop being valid here too, and
    /// their sockets here close with `reason`.
    pub fn ended_elsewhere(&self, ids: &HashSet<String>, reason: CloseReason) {
        self.drop_live(ids);
        (self.inner.on_end)(ids, reason);
    }

    /// Takes sessions out of the live ones and reports them ended (to the other nodes too).
    fn forget(&self, ids: &HashSet<String>, reason: CloseReason) {
        if ids.is_empty() {
            return;
        }
        self.drop_live(ids);
        (self.inner.on_end)(ids, reason);
        if let Some(tell) = self.inner.tell_others.get() {
            tell(ids, reason);
        }
    }

    /// Takes sessions out of the live ones.
    fn drop_live(&self, ids: &HashSet<String>) {
        let mut live = self.inner.live.lock().expect("sessions lock");
        for id in ids {
            if let Some(s) = live.by_id.remove(id) {
                if live.by_nickname.get(&*s.user.key) == Some(&s.id) {
                    live.by_nickname.remove(&*s.user.key);
                }
            }
        }
    }

    /// Forgets the sessions expired by now (their sockets close with
    /// [`CloseReason::Unauthorized`]) and deletes them, and the revoked ones (in cluster
    /// mode those revoked [`recheck::REVOKED_KEPT`] ago), from the database. Returns how many
    /// rows were deleted.
    pub async fn prune(&self) -> Result<u64, StoreError> {
        let now = now_ms();
        let expired: HashSet<String> = {
            let live = self.inner.live.lock().expect("sessions lock");
            live.by_id
                .values()
                .filter(|s| s.expires_at <= now)
                .map(|s| s.id.clone())
                .collect()
        };
        self.forget(&expired, CloseReason::Unauthorized);
        let kept = if self.inner.shared {
            recheck::REVOKED_KEPT.as_millis() as i64
        } else {
            0
        };
        let pruned = self.inner.store.prune_sessions(now, now - kept).await?;
        // Read state of nicknames without a password goes with their last session.
        self.inner.store.prune_read_state().await?;
        if self.inner.shared {
            self.inner.store.prune_nickname_grants().await?;
        }
        Ok(pruned)
    }

    /// Prunes at once, then every `every`, until `stop`.
    pub async fn prune_every(self, every: Duration, stop: CancellationToken) {
        loop {
            match self.prune().await {
                Ok(n) => tracing::debug!(deleted = n, "sessions pruned"),
                Err(err) => tracing::warn!(cause = %err, "pruning sessions failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.cancelled() => return,
            }
        }
    }

    /// Whether a nickname is registered with a password.
    pub async fn is_registered(&self, nickname: &Nickname) -> Result<bool, StoreError> {
        match self.registration(nickname).await {
            Ok(found) => Ok(found.is_some()),
            Err(SessionError::Store(err)) => Err(err),
            Err(_) => Ok(false),
        }
    }

    /// A nickname that breaks today's rules, as given at sign-in: `Some` if it is registered
    /// (before the rules) under this very name, so that its owner can still sign in with the
    /// password.
    pub async fn registered_before_the_rules(
        &self,
        raw: &str,
    ) -> Result<Option<Nickname>, StoreError> {
        let Ok(nickname) = Nickname::stored(raw) else {
            return Ok(None);
        };
        match self.registration(&nickname).await {
            Ok(Some(_)) => Ok(Some(nickname)),
            Err(SessionError::Store(err)) => Err(err),
            Ok(None) | Err(_) => Ok(None),
        }
    }

    /// How long new sessions last.
    pub fn ttl(&self) -> Duration {
        self.inner.ttl
    }

    /// The store behind the sessions, for tests that plant data (a name registered before
    /// the nickname rules).
    #[cfg(feature = "test-util")]
    pub fn store(&self) -> &Store {
        &self.inner.store
    }
}

/// A password is 8–128 characters.
fn password_fits(p: &str) -> bool {
    (PASSWORD_MIN_CHARS..=PASSWORD_MAX_CHARS).contains(&p.chars().count())
}
