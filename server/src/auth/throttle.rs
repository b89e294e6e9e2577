//! Sign-in attempts per client address: `POST /api/session` may be called `burst` times at
//! once and then `per_minute` times a minute from one IP address; beyond that it answers 429
//! `too_many_attempts`. This bounds password guessing and nickname squatting from one place
//! (guessing from many places is bounded per nickname: [`super::backoff`]). The addresses
//! remembered are bounded ([`KEYS_MAX`]), and a throttled one is the last forgotten.

use crate::bucket::Buckets;
use crate::client::ClientKey;

pub use crate::bucket::KEYS_MAX;

/// See the module docs.
#[derive(Debug)]
pub struct Throttle(Buckets<ClientKey>);

impl Throttle {
    /// `per_minute` of 0 means no limit.
    pub fn new(per_minute: f64, burst: f64) -> Self {
        Self(Buckets::new(per_minute / 60.0, burst))
    }

    /// Counts an attempt from `ip` (an address, or an IPv6 /64): `Ok` if it may go ahead,
    /// else the seconds to wait.
    pub fn attempt(&self, ip: ClientKey) -> Result<(), u64> {
        self.0.take(&ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;
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

    /// 100,000 addresses (IPv6 /64s) each trying once neither grow the table past its bound
    /// nor push out the throttled address: it stays throttled.
    #[tokio::test(start_paused = true)]
    async fn a_hundred_thousand_addresses_stay_bounded_and_the_throttled_one_stays_throttled() {
        let t = Throttle::new(10.0, 20.0);
        let attacker = ClientKey::of([203, 0, 113, 9].into());
        while t.attempt(attacker).is_ok() {}
        for i in 0..100_000u128 {
            let ip = Ipv6Addr::from((0x2001_0db8_u128 << 96) | (i << 64));
            assert_eq!(t.attempt(ClientKey::of(ip.into())), Ok(()), "{ip}");
            let n = t.0.remembered();
            assert!(n <= KEYS_MAX, "{n} addresses at {i}");
        }
        let n = t.0.remembered();
        assert!(n > KEYS_MAX / 2, "the table is used: {n}");
        assert!(t.attempt(attacker).is_err(), "still throttled");
    }
}
