//! A token bucket: `burst` tokens, refilled at `rate` per second. The per-connection message
//! rate ([`crate::ws::rate`]) and the per-address sign-in rate ([`crate::auth::throttle`])
//! are built on it.

use tokio::time::Instant;

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

    fn refill(&mut self) {
        let now = Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(self.burst);
        self.last = now;
    }
}
