//! How long a client waits before reconnecting: exponential backoff with a cap and jitter.
//!
//! When a server restarts, every client loses its socket in the same instant. Were they all
//! to come back after the same delay, the new process would get them all in the same
//! instant too (a thundering herd). So the delay doubles per failed attempt, up to a cap, and
//! each client waits a random part of it. The SPA and the load generator's reconnect scenario
//! both use [`Backoff::PARLEY`], so the benchmark measures what browsers do.
//!
//! The function is pure: the caller supplies the random number (the browser's
//! `Math.random()`, or any generator), which keeps this crate free of a random source and
//! makes the policy testable.

/// A reconnect backoff policy: the nominal delay is `base_ms × 2^(attempt − 1)`, at most
/// `max_ms`; the delay is a random point in its upper half, `[nominal / 2, nominal)`.
///
/// The upper half ("equal jitter") keeps a floor under the delay, so a client never retries
/// at once, while still spreading clients cut off together over a window as wide as the
/// floor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// Nominal delay before the first attempt, in milliseconds.
    pub base_ms: f64,
    /// Largest nominal delay, in milliseconds.
    pub max_ms: f64,
}

impl Backoff {
    /// Parley's policy: 500 ms, doubling per failed attempt, at most 30 s (so the waits are
    /// 250–500 ms, 0.5–1 s, 1–2 s, … and 15–30 s from the seventh attempt on).
    pub const PARLEY: Backoff = Backoff {
        base_ms: 500.0,
        max_ms: 30_000.0,
    };

    /// The delay before reconnect attempt `attempt` (1 for the first retry after a socket
    /// ended; 0 counts as 1), in milliseconds. `random` is a uniform random number in
    /// `[0, 1)`; values outside are clamped into it.
    pub fn delay_ms(&self, attempt: u32, random: f64) -> f64 {
        // 2^16 × any sensible base is past any sensible cap: stop doubling there.
        let doublings = attempt.clamp(1, 17) - 1;
        let nominal = (self.base_ms * f64::from(1u32 << doublings)).min(self.max_ms);
        let random = if random.is_nan() {
            0.0
        } else {
            random.clamp(0.0, 1.0)
        };
        nominal * (0.5 + 0.5 * random)
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::PARLEY
    }
}

#[cfg(test)]
mod tests {
    use super::Backoff;

    const B: Backoff = Backoff::PARLEY;

    #[test]
    fn doubles_per_attempt_from_half_the_base() {
        assert_eq!(B.delay_ms(1, 0.0), 250.0);
        assert_eq!(B.delay_ms(1, 0.5), 375.0);
        assert_eq!(B.delay_ms(2, 0.0), 500.0);
        assert_eq!(B.delay_ms(3, 0.0), 1_000.0);
        assert_eq!(B.delay_ms(4, 0.999), 4_000.0 * (0.5 + 0.5 * 0.999));
    }

    #[test]
    fn attempt_zero_is_the_first() {
        assert_eq!(B.delay_ms(0, 0.3), B.delay_ms(1, 0.3));
    }

    #[test]
    fn capped_at_max_for_any_attempt() {
        assert_eq!(B.delay_ms(7, 0.0), 15_000.0);
        for attempt in [7, 8, 16, 17, 18, 1_000, u32::MAX] {
            let d = B.delay_ms(attempt, 0.999_999);
            assert!((15_000.0..30_000.0).contains(&d), "{attempt}: {d}");
        }
    }

    #[test]
    fn jitter_stays_in_the_upper_half_and_spreads() {
        for attempt in 1..20 {
            let lo = B.delay_ms(attempt, 0.0);
            let hi = B.delay_ms(attempt, 0.999_999);
            assert!(hi > lo, "{attempt}: jitter spreads the delay");
            assert!(hi <= 2.0 * lo, "{attempt}: floor is half the nominal delay");
            let mid = B.delay_ms(attempt, 0.5);
            assert!(
                lo < mid && mid < hi,
                "{attempt}: monotonic in the random input"
            );
        }
    }

    #[test]
    fn out_of_range_random_is_clamped() {
        assert_eq!(B.delay_ms(2, -1.0), B.delay_ms(2, 0.0));
        assert_eq!(B.delay_ms(2, f64::NAN), B.delay_ms(2, 0.0));
        assert_eq!(B.delay_ms(2, 7.0), 1_000.0);
    }
}
