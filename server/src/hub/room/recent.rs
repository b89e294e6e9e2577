//! The latest messages of a room, as ready frames, oldest first: joins and short reconnect
//! gaps are served from here without a database read.

use std::collections::VecDeque;

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

/// At most `len` latest frames.
#[derive(Debug)]
pub struct Recent {
    len: usize,
    frames: VecDeque<(Seq, Bytes)>,
}

impl Recent {
    /// Keeps the latest `len` messages (0: none).
    pub fn new(len: usize) -> Self {
        Self {
            len,
            frames: VecDeque::new(),
        }
    }

    /// Remembers the frame of message `seq`, forgetting the oldest beyond the length.
    pub fn remember(&mut self, seq: Seq, bytes: Bytes) {
        if self.len == 0 {
            return;
        }
        if self.frames.len() == self.len {
            self.frames.pop_front();
        }
        self.frames.push_back((seq, bytes));
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
        let mut r = Recent::new(len);
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
}
