//! How fast a client may send: token buckets per connection and per user (shared by all the
//! user's connections). Every frame counts against its connection's bucket, control frames
//! and binary frames included; client messages count against the user's bucket too. A frame
//! over the rate is refused (a message with `slow_down`, a ping goes unanswered); a client
//! that goes on regardless is closed with 4009 (flood).
//!
//! Rejoining after a reconnect is not flooding: each connection may send as many `join`s as
//! the user may be in rooms before joins count against the rate (the SPA rejoins every room
//! at once).

use crate::bucket::{Bucket, SharedBucket};

/// Refused frames in a row after which the connection is closed.
pub const FLOOD_STRIKES: u32 = 20;

/// What to do with a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Handle it.
    Accept,
    /// Refuse it (`slow_down`).
    SlowDown,
    /// Close the connection (flood).
    Flood,
}

/// What kind of frame is being counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// A ping, pong or binary frame: the connection's bucket only.
    Transport,
    /// A `join`: free within the connection's rejoin allowance.
    Join,
    /// A `typing`: the connection's bucket only (it takes nothing from the user's message
    /// rate), and over the rate it is dropped without an answer.
    Typing,
    /// Any other client message.
    Message,
}

/// See the module docs.
#[derive(Debug)]
pub struct RateLimit {
    bucket: Bucket,
    user: SharedBucket,
    /// Joins left that do not count against the rate.
    rejoins: u32,
    strikes: u32,
}

impl RateLimit {
    /// A connection's limit: a full bucket of `burst` tokens refilled at `rate` per second
    /// (0: no limit), the user's shared bucket, and `rejoins` free joins.
    pub fn new(rate: f64, burst: f64, user: SharedBucket, rejoins: usize) -> Self {
        Self {
            bucket: Bucket::new(rate, burst),
            user,
            rejoins: u32::try_from(rejoins).unwrap_or(u32::MAX),
            strikes: 0,
        }
    }

    /// Counts one frame of `kind`.
    pub fn check(&mut self, kind: FrameKind) -> Verdict {
        let ok = match kind {
            FrameKind::Join if self.rejoins > 0 => {
                self.rejoins -= 1;
                true
            }
            FrameKind::Transport | FrameKind::Typing => self.bucket.take(),
            FrameKind::Join | FrameKind::Message => {
                self.bucket.take() && self.user.lock().expect("rate lock").take()
            }
        };
        if ok {
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
    use std::sync::{Arc, Mutex};

    fn user(rate: f64, burst: f64) -> SharedBucket {
        Arc::new(Mutex::new(Bucket::new(rate, burst)))
    }

    #[tokio::test(start_paused = true)]
    async fn burst_then_slow_down_then_flood_and_refill() {
        let mut r = RateLimit::new(10.0, 5.0, user(0.0, 0.0), 0);
        for _ in 0..5 {
            assert_eq!(r.check(FrameKind::Message), Verdict::Accept);
        }
        for _ in 0..FLOOD_STRIKES - 1 {
            assert_eq!(r.check(FrameKind::Transport), Verdict::SlowDown);
        }
        assert_eq!(r.check(FrameKind::Transport), Verdict::Flood, "pings count");
        tokio::time::advance(std::time::Duration::from_millis(300)).await;
        assert_eq!(
            r.check(FrameKind::Message),
            Verdict::Accept,
            "refilled: 3 tokens after 300 ms"
        );
        let mut off = RateLimit::new(0.0, 0.0, user(0.0, 0.0), 0);
        assert_eq!(off.check(FrameKind::Message), Verdict::Accept, "0 disables");
    }

    #[tokio::test(start_paused = true)]
    async fn the_user_bucket_is_shared_and_rejoins_are_free() {
        let shared = user(10.0, 4.0);
        let mut a = RateLimit::new(10.0, 100.0, shared.clone(), 3);
        let mut b = RateLimit::new(10.0, 100.0, shared, 3);
        for _ in 0..3 {
            assert_eq!(a.check(FrameKind::Join), Verdict::Accept);
            assert_eq!(b.check(FrameKind::Join), Verdict::Accept);
        }
        for _ in 0..2 {
            assert_eq!(a.check(FrameKind::Message), Verdict::Accept);
            assert_eq!(b.check(FrameKind::Message), Verdict::Accept);
        }
        assert_eq!(a.check(FrameKind::Message), Verdict::SlowDown, "4 in all");
        assert_eq!(
            b.check(FrameKind::Join),
            Verdict::SlowDown,
            "allowance spent"
        );
        assert_eq!(b.check(FrameKind::Transport), Verdict::Accept, "own bucket");
    }
}
