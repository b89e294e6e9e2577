//! Per-connection message rate: a token bucket. A message over the rate is refused with
//! `slow_down`; a client that goes on regardless is closed with 4009 (flood).

use crate::bucket::Bucket;

/// Refused messages in a row after which the connection is closed.
pub const FLOOD_STRIKES: u32 = 20;

/// What to do with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Handle it.
    Accept,
    /// Refuse it with `slow_down`.
    SlowDown,
    /// Close the connection (flood).
    Flood,
}

/// See the module docs.
#[derive(Debug)]
pub struct RateLimit {
    bucket: Bucket,
    strikes: u32,
}

impl RateLimit {
    /// A full bucket of `burst` tokens refilled at `rate` per second (0: no limit).
    pub fn new(rate: f64, burst: f64) -> Self {
        Self {
            bucket: Bucket::new(rate, burst),
            strikes: 0,
        }
    }

    /// Takes a token for one message.
    pub fn check(&mut self) -> Verdict {
        if self.bucket.take() {
            self.strikes = 0;
            return Verdict::Accept;
        }
        self.strikes += 1;
        if self.strikes >= FLOOD_STRIKES {
            Verdict::Flood
        } else {
            Verdict::SlowDown
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn burst_then_slow_down_then_flood_and_refill() {
        let mut r = RateLimit::new(10.0, 5.0);
        for _ in 0..5 {
            assert_eq!(r.check(), Verdict::Accept);
        }
        for _ in 0..FLOOD_STRIKES - 1 {
            assert_eq!(r.check(), Verdict::SlowDown);
        }
        assert_eq!(r.check(), Verdict::Flood);
        tokio::time::advance(std::time::Duration::from_millis(300)).await;
        assert_eq!(
            r.check(),
            Verdict::Accept,
            "refilled: 3 tokens after 300 ms"
        );
        assert_eq!(
            RateLimit::new(0.0, 0.0).check(),
            Verdict::Accept,
            "0 disables"
        );
    }
}
