//! The latest messages of a room, as ready frames, oldest first: joins and short reconnect
//! gaps are served from here without a database read.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use shared::Seq;

/// Frames of a seq range, as far as the room still holds them in memory.
#[derive(Debug, Default, Clone)]
pub struct RecentFrames {
    /// The frames held, in seq order.
    pub frames: Vec<Bytes>,
    /// The first seq of the range the room no longer holds in memory, if any: the range
    /// `(after, missing_until]` must come from storage.
    pub missing_until: Option<Seq>,
}

/// The bytes all rooms' recent frames may hold together, and what they hold now.
#[derive(Debug)]
pub struct CacheBudget {
    used: AtomicUsize,
    max: usize,
}

impl CacheBudget {
    /// A budget of `max` bytes.
    pub fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            used: AtomicUsize::new(0),
            max,
        })
    }

    /// Bytes held now, by every room.
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    fn over(&self) -> bool {
        self.used() > self.max
    }
}

/// The latest frames, at most `len` of them, at most `max_bytes` of them, and only while
/// all rooms together stay within their [`CacheBudget`] (a room over it forgets its
/// oldest).
#[derive(Debug)]
pub struct Recent {
    len: usize,
    max_bytes: usize,
    bytes: usize,
    budget: Arc<CacheBudget>,
    frames: VecDeque<(Seq, Bytes)>,
}

impl Drop for Recent {
    fn drop(&mut self) {
        self.clear();
    }
}

impl Recent {
    /// Keeps the latest `len` messages (0: none), within `max_bytes` and `budget`.
    pub fn new(len: usize, max_bytes: usize, budget: Arc<CacheBudget>) -> Self {
        Self {
            len,
            max_bytes,
            bytes: 0,
            budget,
            frames: VecDeque::new(),
        }
    }

    /// Remembers the frame of message `seq`, forgetting the oldest beyond the limits.
    pub fn remember(&mut self, seq: Seq, bytes: Bytes) {
        if self.len == 0 {
            return;
        }
        self.bytes += bytes.len();
        self.budget.used.fetch_add(bytes.len(), Ordering::Relaxed);
        self.frames.push_back((seq, bytes));
        while !self.frames.is_empty()
            && (self.frames.len() > self.len || self.bytes > self.max_bytes || self.budget.over())
        {
            self.forget_oldest();
        }
    }

    /// Forgets everything (the room is idle).
    pub fn clear(&mut self) {
        while !self.frames.is_empty() {
            self.forget_oldest();
        }
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    fn forget_oldest(&mut self) {
        if let Some((_, b)) = self.frames.pop_front() {
            self.bytes -= b.len();
            self.budget.used.fetch_sub(b.len(), Ordering::Relaxed);
        }
    }

    /// The frames of messages `after < seq <= until` held here, and what is missing; `last`
    /// is the room's latest seq.
    pub fn range(&self, after: Seq, until: Seq, last: Seq) -> RecentFrames {
        let first_held = self.frames.front().map_or(Seq(last.0 + 1), |(s, _)| *s);
        let missing_until =
            (after.0 + 1 < first_held.0).then(|| Seq((first_held.0 - 1).min(until.0)));
        let frames = self
            .frames
            .iter()
            .filter(|(s, _)| *s > after && *s <= until)
            .map(|(_, b)| b.clone())
            .collect();
        RecentFrames {
            frames,
            missing_until,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recent(len: usize, seqs: std::ops::RangeInclusive<u64>) -> Recent {
        let mut r = Recent::new(len, usize::MAX, CacheBudget::new(usize::MAX));
        for s in seqs {
            r.remember(Seq(s), Bytes::from(s.to_string()));
        }
        r
    }

    #[test]
    fn what_is_held_and_what_must_come_from_storage() {
        let r = recent(3, 1..=5); // holds 3, 4, 5
        let all = r.range(Seq(0), Seq(5), Seq(5));
        assert_eq!(all.frames, ["3", "4", "5"]);
        assert_eq!(all.missing_until, Some(Seq(2)));
        let tail = r.range(Seq(3), Seq(5), Seq(5));
        assert_eq!(tail.frames, ["4", "5"]);
        assert_eq!(tail.missing_until, None);
        let none = recent(0, 1..=5).range(Seq(1), Seq(5), Seq(5));
        assert!(none.frames.is_empty());
        assert_eq!(none.missing_until, Some(Seq(5)));
    }

    #[test]
    fn bounded_in_bytes_per_room_and_in_all() {
        let frame = |n| Bytes::from(vec![b'x'; n]);
        let budget = CacheBudget::new(250);
        let mut a = Recent::new(100, 120, budget.clone());
        for s in 1..=10 {
            a.remember(Seq(s), frame(50));
        }
        assert_eq!(
            a.range(Seq(0), Seq(10), Seq(10)).frames.len(),
            2,
            "120 bytes: 2 of 50"
        );
        assert_eq!(budget.used(), 100);
        let mut b = Recent::new(100, 1000, budget.clone());
        for s in 1..=10 {
            b.remember(Seq(s), frame(50));
        }
        assert!(budget.used() <= 250, "in all: {}", budget.used());
        assert_eq!(b.range(Seq(0), Seq(10), Seq(10)).frames.len(), 3);
        b.clear();
        assert_eq!(budget.used(), 100, "an idle room gives its bytes back");
        drop(a);
        assert_eq!(budget.used(), 0);
    }
}
