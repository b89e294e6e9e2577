//! A token bucket: `burst` tokens, refilled at `rate` per second. The per-connection message
//! rate ([`crate::chat::rate`]), the per-address HTTP rate ([`crate::http::edge`]) and the
//! per-address sign-in rate ([`crate::auth::throttle`]) are built on it.

use std::sync::{Arc, Mutex};

use tokio::time::Instant;

/// A bucket shared by several owners (a user's connections).
pub type SharedBucket = Arc<Mutex<Bucket>>;

/// See the module docs.
#[derive(Debug, Clone)]
pub struct Bucket {
    /// Tokens per second; 0 or less disables the limit.
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    /// A full bucket.
    pub fn new(rate: f64, burst: f64) -> Self {
        let burst = burst.max(1.0);
        Self {
            rate,
            burst,
            tokens: burst,
            last: Instant::now(),
        }
    }

    /// Takes a token if there is one.
    pub fn take(&mut self) -> bool {
        if self.rate <= 0.0 {
            return true;
        }
        self.refill();
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Seconds until the next token.
    pub fn wait_secs(&self) -> f64 {
        if self.rate <= 0.0 {
            0.0
        } else {
            ((1.0 - self.tokens) / self.rate).max(0.0)
        }
    }

    /// Whether the bucket has refilled completely (nothing to remember about its owner).
    pub fn is_full(&mut self) -> bool {
        self.refill();
        self.tokens >= self.burst
    }

    /// The tokens it holds now.
    fn tokens_now(&self) -> f64 {
        let refilled = Instant::now().duration_since(self.last).as_secs_f64() * self.rate;
        (self.tokens + refilled).min(self.burst)
    }

    fn refill(&mut self) {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(self.burst);
        self.last = now;
    }
}

/// Keyed buckets (one per client address, say): each key may take `burst` at once, then
/// `rate` per second. At most [`KEYS_MAX`] keys are remembered: a full table forgets its
/// fullest buckets first ([`crate::bounded`]), those that limit nobody (a forgotten key
/// starts again with a full bucket, as it would have soon). A key that is being held back
/// has the emptiest bucket and is forgotten last: to have it forgotten, an attacker must
/// first empty a table's worth of buckets of other keys (10,000 × the burst requests).
#[derive(Debug)]
pub struct Buckets<K> {
    rate: f64,
    burst: f64,
    map: Mutex<std::collections::HashMap<K, Bucket>>,
}

/// Keys a [`Buckets`] remembers at most (fixed): about 1 MiB for client addresses (a key and
/// its bucket are 64 bytes, in a table at most 87.5 % full).
pub const KEYS_MAX: usize = 10_000;

impl<K: std::hash::Hash + Eq + Clone> Buckets<K> {
    /// `rate` per second (0: no limit) after a burst of `burst`.
    pub fn new(rate: f64, burst: f64) -> Self {
        Self {
            rate,
            burst,
            map: Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// Takes a token for `key`: `Ok`, or the whole seconds to wait.
    pub fn take(&self, key: &K) -> Result<(), u64> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let mut map = self.map.lock().expect("buckets lock");
        if !map.contains_key(key) {
            // The emptiest buckets are worth the most: worth is the tokens missing.
            let worth = |b: &Bucket| ((b.burst - b.tokens_now()) * 1000.0) as u64;
            crate::bounded::make_room(&mut map, KEYS_MAX, worth);
        }
        let bucket = map
            .entry(key.clone())
            .or_insert_with(|| Bucket::new(self.rate, self.burst));
        if bucket.take() {
            Ok(())
        } else {
            Err(bucket.wait_secs().ceil().max(1.0) as u64)
        }
    }

    /// The keys remembered now.
    #[cfg(test)]
    pub fn remembered(&self) -> usize {
        self.map.lock().expect("buckets lock").len()
    }
}
