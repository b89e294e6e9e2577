//! Cluster mode: a room's messages reach its actor from this node's commits and from the
//! other nodes (over the broker), in any order. The ones after a gap wait here until the gap
//! is filled, so that members get every message in seq order, once.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use shared::Seq;

use crate::hub::outbox::Outbox;

/// Most messages from other nodes kept waiting for a gap; past it they are dropped and read
/// back from the database with the gap. (This node's own always wait: each has an ack.)
const MAX_REMOTE: usize = 4096;

/// A committed message on its way to the members.
pub struct Arrival {
    /// The `message` frame.
    pub frame: Bytes,
    /// For this node's own: the sender's outbox and its `ack`, sent just before the frame.
    pub ack: Option<(Arc<Outbox>, Bytes)>,
}

/// Messages after the last one delivered, by seq.
#[derive(Default)]
pub struct Ahead {
    waiting: BTreeMap<Seq, Arrival>,
    remote: usize,
}

impl Ahead {
    /// Keeps `arrival` (seq `seq`, after `last`, the last delivered) until its turn. A seq
    /// already held keeps the arrival with an ack; a remote one over the bound is dropped.
    pub fn insert(&mut self, seq: Seq, arrival: Arrival) {
        let remote = arrival.ack.is_none();
        if remote && self.remote >= MAX_REMOTE {
            return;
        }
        match self.waiting.get_mut(&seq) {
            Some(held) => {
                if held.ack.is_none() && !remote {
                    *held = arrival;
                    self.remote -= 1;
                }
            }
            None => {
                self.remote += usize::from(remote);
                self.waiting.insert(seq, arrival);
            }
        }
    }

    /// The message right after `last`, if it is here.
    pub fn take_next(&mut self, last: Seq) -> Option<Arrival> {
        let next = self.waiting.remove(&Seq(last.0 + 1))?;
        self.remote -= usize::from(next.ack.is_none());
        Some(next)
    }

    /// Drops what was delivered another way (through a read of the gap): seqs up to `last`.
    /// Their acks are given back, to be sent.
    pub fn delivered_up_to(&mut self, last: Seq) -> Vec<(Arc<Outbox>, Bytes)> {
        let later = self.waiting.split_off(&Seq(last.0 + 1));
        let done = std::mem::replace(&mut self.waiting, later);
        self.remote = self.waiting.values().filter(|a| a.ack.is_none()).count();
        done.into_values().filter_map(|a| a.ack).collect()
    }

    /// The first seq held, if any: the gap runs up to just before it.
    pub fn first(&self) -> Option<Seq> {
        self.waiting.keys().next().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(text: &'static str) -> Arrival {
        Arrival {
            frame: Bytes::from_static(text.as_bytes()),
            ack: None,
        }
    }

    #[test]
    fn arrivals_come_out_in_seq_order_once() {
        let mut ahead = Ahead::default();
        ahead.insert(Seq(3), remote("3"));
        ahead.insert(Seq(2), remote("2"));
        ahead.insert(Seq(2), remote("2 again"));
        assert!(ahead.take_next(Seq(0)).is_none(), "1 is missing");
        assert_eq!(ahead.first(), Some(Seq(2)));
        let two = ahead.take_next(Seq(1)).unwrap();
        assert_eq!(&two.frame[..], b"2");
        assert_eq!(&ahead.take_next(Seq(2)).unwrap().frame[..], b"3");
        assert_eq!(ahead.first(), None);
        assert_eq!(ahead.remote, 0);
    }

    #[test]
    fn remote_arrivals_are_bounded_and_a_filled_gap_drops_what_it_covered() {
        let mut ahead = Ahead::default();
        for i in 0..(MAX_REMOTE as u64 + 10) {
            ahead.insert(Seq(10 + i), remote("x"));
        }
        assert_eq!(ahead.remote, MAX_REMOTE);
        assert!(ahead.delivered_up_to(Seq(20)).is_empty());
        assert_eq!(ahead.first(), Some(Seq(21)));
        assert_eq!(ahead.remote, MAX_REMOTE - 11);
    }
}
