//! Password hashing with argon2id, off the async threads (it is slow on purpose), under one
//! global bound: each hash or check takes 19 MiB and a core for a while, so at most
//! `permits` run at once, at most `queue` more wait for a turn, and any beyond those are
//! refused at once ([`Busy`]: HTTP 503 `server_busy`), whoever and wherever they come from.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Every hashing permit is taken and the wait queue is full: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the server is checking as many passwords as it can")]
pub struct Busy;

/// The global bound on password hashing; see the module docs. Cloneable handle.
#[derive(Debug, Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    /// Callers waiting for a permit now.
    waiting: Arc<AtomicUsize>,
    queue: usize,
}

impl Hasher {
    /// At most `permits` (at least 1) hashes at once, and `queue` callers waiting.
    pub fn new(permits: usize, queue: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            waiting: Arc::default(),
            queue,
        }
    }

    /// A permit to hash: at once if one is free, after a wait if the queue has room, else
    /// [`Busy`].
    async fn permit(&self) -> Result<OwnedSemaphorePermit, Busy> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(permit);
        }
        let queued = self.waiting.fetch_add(1, Ordering::SeqCst);
        let _leave = Leave(&self.waiting);
        if queued >= self.queue {
            return Err(Busy);
        }
        self.permits.clone().acquire_owned().await.map_err(|_| Busy)
    }

    /// The PHC string of `password` with a fresh salt.
    pub async fn hash(&self, password: &str) -> Result<String, Busy> {
        let permit = self.permit().await?;
        let password = password.to_owned();
        Ok(tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .expect("argon2 hashes any input")
                .to_string()
        })
        .await
        .expect("hashing task"))
    }

    /// Whether `password` matches the PHC string `hash`.
    pub async fn verify(&self, password: &str, hash: &str) -> Result<bool, Busy> {
        let permit = self.permit().await?;
        let (password, hash) = (password.to_owned(), hash.to_owned());
        Ok(tokio::task::spawn_blocking(move || {
            let _permit = permit;
            PasswordHash::new(&hash).is_ok_and(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
        })
        .await
        .unwrap_or(false))
    }
}

/// Takes a caller off the wait count when it stops waiting (served, refused or dropped).
struct Leave<'a>(&'a AtomicUsize);

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Longest a call that must not wait may take.
    const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

    #[tokio::test]
    async fn hashes_verify_and_are_argon2id() {
        let hasher = Hasher::new(2, 8);
        let h = hasher.hash("correct horse").await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert_eq!(hasher.verify("correct horse", &h).await, Ok(true));
        assert_eq!(hasher.verify("wrong horse", &h).await, Ok(false));
        assert_eq!(hasher.verify("x", "not a hash").await, Ok(false));
    }

    #[tokio::test]
    async fn beyond_the_permits_and_the_queue_callers_are_refused_at_once() {
        let hasher = Hasher::new(1, 1);
        let held = hasher.permit().await.unwrap();
        let queued = tokio::spawn({
            let hasher = hasher.clone();
            async move { hasher.permit().await.map(drop) }
        });
        while hasher.waiting.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        // Refused at once, not queued behind the held permit (bounded, so that a regression
        // fails instead of hanging).
        let refused = tokio::time::timeout(WAIT, hasher.verify("x", "not a hash")).await;
        assert_eq!(refused, Ok(Err(Busy)), "queue full");
        drop(held);
        assert_eq!(
            queued.await.unwrap(),
            Ok(()),
            "the queued caller got its turn"
        );
        assert_eq!(hasher.waiting.load(Ordering::SeqCst), 0);
        assert_eq!(
            hasher.verify("x", "not a hash").await,
            Ok(false),
            "free again"
        );
        let no_queue = Hasher::new(1, 0);
        let _held = no_queue.permit().await.unwrap();
        let refused = tokio::time::timeout(WAIT, no_queue.hash("password")).await;
        assert_eq!(refused, Ok(Err(Busy)));
    }
}
