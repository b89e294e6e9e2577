//! Wrong passwords per nickname: after `free` of them, a nickname's password is checked again
//! only after a wait, `first` after the `free`-th, doubled with each further one, at most
//! `max` (429 `too_many_attempts`, `Retry-After`). Guessing spread over many addresses gets
//! no further than guessing from one: the count is the nickname's, not the address's.
//!
//! The owner still signs in: an address (a [`ClientKey`]) the nickname signed in from with its
//! password (or registered it from) in the last [`FAMILIAR_FOR`], and from which no wrong
//! password came since, is *familiar* and is not held back (its sign-ins still count against
//! its own address, [`super::throttle`]). A nickname remembers its [`FAMILIAR_MAX`] latest
//! familiar addresses; a wrong password from one makes it a stranger again.
//!
//! Memory is bounded: at most [`NICKNAMES_MAX`] nicknames are remembered, each with at most
//! [`FAMILIAR_MAX`] addresses. A full table forgets first the nicknames under no wait, with
//! the fewest wrong passwords, the longest untouched ([`crate::bounded`]); a nickname under
//! attack is kept. Wrong passwords are forgotten [`FORGET_AFTER`] after the last one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use crate::client::ClientKey;

/// Nicknames remembered at most (fixed): about 6 MiB (each a key of up to 128 bytes and 8
/// addresses with their times, in a table at most 87.5 % full).
pub const NICKNAMES_MAX: usize = 10_000;
/// Familiar addresses remembered per nickname (fixed).
pub const FAMILIAR_MAX: usize = 8;
/// How long a sign-in keeps its address familiar (fixed).
pub const FAMILIAR_FOR: Duration = Duration::from_secs(30 * 24 * 3600);
/// Wrong passwords are forgotten this long after the last one (fixed).
pub const FORGET_AFTER: Duration = Duration::from_secs(24 * 3600);

/// What one nickname's sign-ins left behind.
#[derive(Debug)]
struct Record {
    /// Wrong passwords given, the last at `last_failure`.
    failures: u32,
    last_failure: Instant,
    /// Familiar addresses, with their last sign-in, oldest first.
    familiar: Vec<(ClientKey, Instant)>,
    /// The last failure or sign-in.
    touched: Instant,
}

/// See the module docs.
#[derive(Debug)]
pub struct Backoff {
    free: u32,
    first: Duration,
    max: Duration,
    table: Mutex<HashMap<String, Record>>,
}

impl Backoff {
    /// `free` wrong passwords, then waits from `first` (0: no backoff) doubling up to `max`.
    pub fn new(free: u32, first: Duration, max: Duration) -> Self {
        Self {
            free,
            first,
            max,
            table: Mutex::default(),
        }
    }

    /// Whether `client` may have a password of the nickname `key` checked now: `Ok`, or the
    /// seconds to wait.
    pub fn check(&self, key: &str, client: ClientKey) -> Result<(), u64> {
        let table = self.table.lock().expect("backoff lock");
        let now = Instant::now();
        match table.get(key) {
            Some(r) if !r.is_familiar(client, now) => match self.wait(r, now) {
                Some(wait) => Err(wait.as_secs_f64().ceil().max(1.0) as u64),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// A wrong password for `key` from `client`: it counts, and `client` is a stranger now.
    pub fn failed(&self, key: &str, client: ClientKey) {
        if self.first.is_zero() {
            return;
        }
        self.update(key, |r, now| {
            r.failures = r.failures_at(now).saturating_add(1);
            r.last_failure = now;
            r.familiar.retain(|(c, _)| *c != client);
        });
    }

    /// `client` proved the password of `key` (or set it): it is familiar now.
    pub fn succeeded(&self, key: &str, client: ClientKey) {
        if self.first.is_zero() {
            return;
        }
        self.update(key, |r, now| {
            r.familiar
                .retain(|(c, at)| *c != client && now - *at < FAMILIAR_FOR);
            if r.familiar.len() == FAMILIAR_MAX {
                r.familiar.remove(0);
            }
            r.familiar.push((client, now));
        });
    }

    fn update(&self, key: &str, change: impl FnOnce(&mut Record, Instant)) {
        let mut table = self.table.lock().expect("backoff lock");
        let now = Instant::now();
        if !table.contains_key(key) {
            let worth = |r: &Record| (self.wait(r, now).is_some(), r.failures_at(now), r.touched);
            crate::bounded::make_room(&mut table, NICKNAMES_MAX, worth);
        }
        let record = table.entry(key.to_owned()).or_insert_with(|| Record {
            failures: 0,
            last_failure: now,
            familiar: Vec::new(),
            touched: now,
        });
        change(record, now);
        record.touched = now;
    }

    /// How long a stranger must still wait before its password of `r` is checked.
    fn wait(&self, r: &Record, now: Instant) -> Option<Duration> {
        let over = r.failures_at(now).checked_sub(self.free)?;
        let delay = self
            .first
            .saturating_mul(1 << over.min(31))
            .min(self.max.max(self.first));
        (r.last_failure + delay)
            .checked_duration_since(now)
            .filter(|wait| !wait.is_zero())
    }

    /// The nicknames remembered now.
    #[cfg(test)]
    fn remembered(&self) -> usize {
        self.table.lock().expect("backoff lock").len()
    }
}

impl Record {
    /// The wrong passwords that still count at `now`.
    fn failures_at(&self, now: Instant) -> u32 {
        if now - self.last_failure >= FORGET_AFTER {
            0
        } else {
            self.failures
        }
    }

    fn is_familiar(&self, client: ClientKey, now: Instant) -> bool {
        self.familiar
            .iter()
            .any(|(c, at)| *c == client && now - *at < FAMILIAR_FOR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv6Addr;

    fn addr(i: u32) -> ClientKey {
        ClientKey::of(std::net::Ipv4Addr::from(0x0a00_0000 + i).into())
    }

    fn backoff() -> Backoff {
        Backoff::new(5, Duration::from_secs(1), Duration::from_secs(15 * 60))
    }

    #[tokio::test(start_paused = true)]
    async fn five_free_then_waits_doubling_up_to_the_cap_from_any_address() {
        let b = backoff();
        for i in 0..5 {
            assert_eq!(b.check("alice", addr(i)), Ok(()), "free guess {i}");
            b.failed("alice", addr(i));
        }
        // Every further wrong password, from a new address each time, doubles the wait.
        for (i, wait) in [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
            .iter()
            .enumerate()
        {
            let from = addr(100 + i as u32);
            assert_eq!(
                b.check("alice", from),
                Err(*wait),
                "after {} failures",
                5 + i
            );
            tokio::time::advance(Duration::from_secs(*wait)).await;
            assert_eq!(b.check("alice", from), Ok(()));
            b.failed("alice", from);
        }
        assert_eq!(b.check("bob", addr(1)), Ok(()), "another nickname is free");
        tokio::time::advance(FORGET_AFTER).await;
        assert_eq!(b.check("alice", addr(1)), Ok(()), "forgotten after a day");
        b.failed("alice", addr(1));
        assert_eq!(b.check("alice", addr(2)), Ok(()), "counting from 1 again");
        let off = Backoff::new(5, Duration::ZERO, Duration::ZERO);
        (0..50).for_each(|_| off.failed("alice", addr(1)));
        assert_eq!(off.check("alice", addr(1)), Ok(()), "0 disables");
    }

    #[tokio::test(start_paused = true)]
    async fn a_familiar_address_is_not_held_back_until_it_fails() {
        let b = backoff();
        let owner = addr(1);
        b.succeeded("alice", owner);
        for i in 0..20 {
            b.failed("alice", addr(100 + i));
        }
        assert!(b.check("alice", addr(2)).is_err(), "a stranger waits");
        assert_eq!(b.check("alice", owner), Ok(()), "the owner does not");
        assert!(b.check("bob", owner).is_ok());
        b.failed("alice", owner);
        assert!(
            b.check("alice", owner).is_err(),
            "a wrong password: a stranger"
        );
        b.succeeded("alice", owner);
        assert_eq!(
            b.check("alice", owner),
            Ok(()),
            "familiar again once proven"
        );
        tokio::time::advance(FAMILIAR_FOR).await;
        for i in 0..20 {
            b.failed("alice", addr(200 + i));
        }
        assert!(b.check("alice", owner).is_err(), "familiar for 30 days");
        // At most FAMILIAR_MAX familiar addresses: the oldest goes.
        for i in 0..=FAMILIAR_MAX as u32 {
            b.succeeded("alice", addr(300 + i));
        }
        assert!(
            b.check("alice", addr(300)).is_err(),
            "the oldest is forgotten"
        );
        assert_eq!(b.check("alice", addr(301)), Ok(()));
    }

    /// 100,000 nicknames, each with a wrong password from its own /64, keep the table at
    /// its bound, and the nickname under attack stays held back.
    #[tokio::test(start_paused = true)]
    async fn the_table_is_bounded_and_keeps_the_nickname_under_attack() {
        let b = backoff();
        for i in 0..10 {
            b.failed("alice", addr(i));
        }
        for i in 0..100_000u128 {
            let ip = Ipv6Addr::from((0x2001_0db8_u128 << 96) | (i << 64));
            b.failed(&format!("n{i}"), ClientKey::of(ip.into()));
            let n = b.remembered();
            assert!(n <= NICKNAMES_MAX, "{n} nicknames at {i}");
        }
        assert!(b.remembered() > NICKNAMES_MAX / 2, "{}", b.remembered());
        assert!(b.check("alice", addr(99)).is_err(), "still held back");
    }
}
