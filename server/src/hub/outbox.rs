//! One connection's outgoing queue: bounded by bytes, filled by rooms and the hub without
//! ever blocking them, drained by the connection's session in batches.
//!
//! A frame is serialized once and its bytes are shared (reference-counted) by every outbox
//! it is pushed to. A push that would take the queue over its byte budget closes the outbox
//! with [`CloseReason::SlowConsumer`] and drops what was queued: a client that cannot keep up
//! is cut off instead of stalling its rooms or growing the server's memory.

use std::collections::VecDeque;
use std::sync::Mutex;

use bytes::Bytes;
use shared::{CloseReason, RoomName, Seq};
use tokio::sync::Notify;

/// An item for the session to write.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// A ready JSON text frame.
    Frame(Bytes),
    /// Write the room's messages with `after < seq <= until` here, fetched when the session
    /// gets to this point, so they arrive after `joined` and before any live message.
    CatchUp {
        /// The room.
        room: RoomName,
        /// Exclusive lower bound.
        after: Seq,
        /// Inclusive upper bound.
        until: Seq,
    },
    /// Write a history page (scroll-back) here, fetched when the session gets to it, so a
    /// large page never counts against the queue's byte budget.
    History {
        /// The room.
        room: RoomName,
        /// Messages before this seq.
        before: Seq,
        /// At most this many.
        limit: u32,
    },
}

impl Outgoing {
    fn cost(&self) -> usize {
        match self {
            Outgoing::Frame(bytes) => bytes.len(),
            Outgoing::CatchUp { .. } | Outgoing::History { .. } => 64,
        }
    }
}

/// The outbox was closed; nothing more is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed(pub CloseReason);

#[derive(Default)]
struct State {
    items: VecDeque<Outgoing>,
    bytes: usize,
    closed: Option<CloseReason>,
}

/// See the module docs.
pub struct Outbox {
    state: Mutex<State>,
    notify: Notify,
    max_bytes: usize,
}

impl Outbox {
    /// An empty outbox holding at most `max_bytes` of queued frames.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            state: Mutex::new(State::default()),
            notify: Notify::new(),
            max_bytes,
        }
    }

    /// Queues an item. Fails if the outbox is closed, or closes it (slow consumer) if the
    /// item does not fit.
    pub fn push(&self, item: Outgoing) -> Result<(), Closed> {
        let mut st = self.state.lock().expect("outbox lock");
        if let Some(reason) = st.closed {
            return Err(Closed(reason));
        }
        let cost = item.cost();
        if st.bytes + cost > self.max_bytes {
            st.closed = Some(CloseReason::SlowConsumer);
            st.items = VecDeque::new();
            st.bytes = 0;
            drop(st);
            self.notify.notify_one();
            return Err(Closed(CloseReason::SlowConsumer));
        }
        st.bytes += cost;
        st.items.push_back(item);
        drop(st);
        self.notify.notify_one();
        Ok(())
    }

    /// Queues a ready frame.
    pub fn push_frame(&self, frame: Bytes) -> Result<(), Closed> {
        self.push(Outgoing::Frame(frame))
    }

    /// Closes the outbox with `reason` unless it is closed already; the session then ends.
    pub fn close(&self, reason: CloseReason) {
        let mut st = self.state.lock().expect("outbox lock");
        if st.closed.is_none() {
            st.closed = Some(reason);
        }
        drop(st);
        self.notify.notify_one();
    }

    /// Takes what is still queued (once closed: to write it before the close frame).
    pub fn take_remaining(&self) -> VecDeque<Outgoing> {
        let mut st = self.state.lock().expect("outbox lock");
        st.bytes = 0;
        std::mem::take(&mut st.items)
    }

    /// Whether the outbox is closed, and why.
    pub fn closed(&self) -> Option<CloseReason> {
        self.state.lock().expect("outbox lock").closed
    }

    /// Waits until there is something to write, then moves every queued item into `batch`
    /// (which must be empty). Returns the close reason once the outbox is closed.
    pub async fn recv_batch(&self, batch: &mut VecDeque<Outgoing>) -> Result<(), CloseReason> {
        debug_assert!(batch.is_empty());
        loop {
            {
                let mut st = self.state.lock().expect("outbox lock");
                if let Some(reason) = st.closed {
                    return Err(reason);
                }
                if !st.items.is_empty() {
                    std::mem::swap(&mut st.items, batch);
                    st.bytes = 0;
                    return Ok(());
                }
            }
            self.notify.notified().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(s: &str) -> Outgoing {
        Outgoing::Frame(Bytes::from(s.to_owned()))
    }

    #[tokio::test]
    async fn delivers_in_order_in_one_batch() {
        let ob = Outbox::new(1024);
        ob.push(frame("a")).unwrap();
        ob.push(frame("b")).unwrap();
        let mut batch = VecDeque::new();
        ob.recv_batch(&mut batch).await.unwrap();
        let texts: Vec<_> = batch
            .iter()
            .map(|o| match o {
                Outgoing::Frame(b) => String::from_utf8(b.to_vec()).unwrap(),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(texts, ["a", "b"]);
    }

    #[tokio::test]
    async fn overflow_closes_as_slow_consumer_and_frees_the_queue() {
        let ob = Outbox::new(10);
        ob.push(frame("12345")).unwrap();
        ob.push(frame("12345")).unwrap();
        assert_eq!(ob.push(frame("x")), Err(Closed(CloseReason::SlowConsumer)));
        assert_eq!(ob.push(frame("x")), Err(Closed(CloseReason::SlowConsumer)));
        let mut batch = VecDeque::new();
        assert_eq!(
            ob.recv_batch(&mut batch).await,
            Err(CloseReason::SlowConsumer)
        );
        assert!(batch.is_empty());
    }

    #[tokio::test]
    async fn draining_frees_budget() {
        let ob = Outbox::new(10);
        let mut batch = VecDeque::new();
        for _ in 0..5 {
            ob.push(frame("1234567")).unwrap();
            ob.recv_batch(&mut batch).await.unwrap();
            batch.clear();
        }
    }

    #[tokio::test]
    async fn wakes_a_waiting_reader() {
        let ob = std::sync::Arc::new(Outbox::new(100));
        let reader = {
            let ob = ob.clone();
            tokio::spawn(async move {
                let mut batch = VecDeque::new();
                ob.recv_batch(&mut batch).await.map(|_| batch.len())
            })
        };
        tokio::task::yield_now().await;
        ob.push(frame("x")).unwrap();
        assert_eq!(reader.await.unwrap(), Ok(1));
    }
}
