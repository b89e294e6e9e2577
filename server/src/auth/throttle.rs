//! Sign-in attempts per client address: `POST /api/session` may be called `burst` times at
//! once and then `per_minute` times a minute from one IP address; beyond that it answers 429
//! `too_many_attempts`. This bounds password guessing and nickname squatting from one place.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::bucket::Bucket;
use crate::client::ClientKey;

/// Addresses remembered before the ones whose buckets have refilled are forgotten.
const PRUNE_ABOVE: usize = 10_000;

/// See the module docs.
#[derive(Debug)]
pub struct Throttle {
    per_minute: f64,
    burst: f64,
    buckets: Mutex<HashMap<ClientKey, Bucket>>,
}

impl Throttle {
    /// `per_minute` of 0 means no limit.
    pub fn new(per_minute: f64, burst: f64) -> Self {
        Self {
            per_minute,
            burst,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt from `ip` (an address, or an IPv6 /64): `Ok` if it may go ahead,
    /// else the seconds to wait.
    pub fn attempt(&self, ip: ClientKey) -> Result<(), u64> {
        if self.per_minute <= 0.0 {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().expect("throttle lock");
        if buckets.len() >= PRUNE_ABOVE && !buckets.contains_key(&ip) {
            buckets.retain(|_, b| !b.is_full());
        }
        let bucket = buckets
            .entry(ip)
            .or_insert_with(|| Bucket::new(self.per_minute / 60.0, self.burst));
        if bucket.take() {
            Ok(())
        } else {
            Err(bucket.wait_secs().ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn burst_then_per_minute_per_address() {
        let t = Throttle::new(6.0, 3.0); // one every 10 s
        let (a, b) = (
            ClientKey::of([127, 0, 0, 1].into()),
            ClientKey::of([127, 0, 0, 2].into()),
        );
        for _ in 0..3 {
            assert_eq!(t.attempt(a), Ok(()));
        }
        assert_eq!(t.attempt(a), Err(10));
        assert_eq!(
            t.attempt(b),
            Ok(()),
            "another address has its own allowance"
        );
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(t.attempt(a), Ok(()));
        assert_eq!(t.attempt(a), Err(10));
        let off = Throttle::new(0.0, 0.0);
        assert!((0..100).all(|_| off.attempt(a).is_ok()), "0 disables");
    }
}
