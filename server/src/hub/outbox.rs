//! One connection's outgoing queue of ready frames ([`crate::wire`]): bounded by bytes,
//! filled by rooms and the hub without ever blocking them, drained by the connection's
//! transport in batches. It holds bytes only.
//!
//! A frame is serialized once and its bytes are shared (reference-counted) by every outbox
//! it is pushed to. A push that would take the queue over its byte budget closes the outbox
//! with [`CloseReason::SlowConsumer`] and drops what was queued: a client that cannot keep up
//! is cut off instead of stalling its rooms or growing the server's memory.
//!
//! Reads from storage (a catch-up, a history page) can be far larger than the budget; they
//! use [`Outbox::push_paced`], which waits for the transport to drain the queue instead of
//! overflowing it, and they take turns ([`Outbox::read_turn`]).

use std::sync::Mutex;

use bytes::Bytes;
use shared::CloseReason;
use tokio::sync::{Notify, Semaphore, SemaphorePermit};
use tokio_util::sync::CancellationToken;

/// The outbox was closed; nothing more is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed(pub CloseReason);

/// Why a paced push stopped before queueing everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacedError {
    /// The outbox was closed.
    Closed(CloseReason),
    /// Its reader no longer wants these frames.
    Cancelled,
}

#[derive(Default)]
struct State {
    items: Vec<Bytes>,
    bytes: usize,
    closed: Option<CloseReason>,
    /// Paced pushes waiting for a drain (so a drain with none skips waking them).
    paced_waiting: usize,
}

/// A paced push waiting for a drain; counts itself out when dropped.
struct PacedWaiting<'a>(&'a Outbox);

impl Drop for PacedWaiting<'_> {
    fn drop(&mut self) {
        self.0.state.lock().expect("outbox lock").paced_waiting -= 1;
    }
}

/// See the module docs.
pub struct Outbox {
    state: Mutex<State>,
    /// Wakes the transport: something was queued, or the outbox closed.
    notify: Notify,
    /// Wakes paced pushes: the queue was drained, or the outbox closed.
    drained: Notify,
    /// One storage read at a time for this connection (see [`Outbox::read_turn`]).
    reads: Semaphore,
    max_bytes: usize,
}

impl Outbox {
    /// An empty outbox holding at most `max_bytes` of queued frames.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            state: Mutex::new(State::default()),
            notify: Notify::new(),
            drained: Notify::new(),
            reads: Semaphore::new(1),
            max_bytes,
        }
    }

    /// Queues a ready frame. Fails if the outbox is closed, or closes it (slow consumer) if
    /// the frame does not fit.
    pub fn push_frame(&self, frame: Bytes) -> Result<(), Closed> {
        let mut st = self.state.lock().expect("outbox lock");
        if let Some(reason) = st.closed {
            return Err(Closed(reason));
        }
        if st.bytes + frame.len() > self.max_bytes {
            st.closed = Some(CloseReason::SlowConsumer);
            st.items = Vec::new();
            st.bytes = 0;
            drop(st);
            self.wake_all();
            return Err(Closed(CloseReason::SlowConsumer));
        }
        st.bytes += frame.len();
        st.items.push(frame);
        drop(st);
        self.notify.notify_one();
        Ok(())
    }

    /// Queues a frame nobody counts on (a typing indicator) if the queue is under a quarter
    /// of its budget; drops it otherwise. Never closes the outbox: under backpressure this is
    /// the first thing to go, and it never takes room from a chat message.
    pub fn offer(&self, frame: Bytes) -> bool {
        let mut st = self.state.lock().expect("outbox lock");
        if st.closed.is_some() || st.bytes + frame.len() > self.max_bytes / 4 {
            return false;
        }
        st.bytes += frame.len();
        st.items.push(frame);
        drop(st);
        self.notify.notify_one();
        true
    }

    /// Queues frames read from storage, waiting whenever the queue is over a quarter of its
    /// budget for the transport to drain it: a read of any size never overflows the outbox,
    /// and live traffic keeps most of the budget. Fails once the outbox is closed, or once
    /// `cancel` is (checked under the queue's lock: a frame is never queued after whatever
    /// was queued after the cancel).
    pub async fn push_paced(
        &self,
        frames: impl IntoIterator<Item = Bytes>,
        cancel: Option<&CancellationToken>,
    ) -> Result<(), PacedError> {
        for frame in frames {
            loop {
                let drained = self.drained.notified();
                tokio::pin!(drained);
                drained.as_mut().enable();
                {
                    let mut st = self.state.lock().expect("outbox lock");
                    if let Some(reason) = st.closed {
                        return Err(PacedError::Closed(reason));
                    }
                    if cancel.is_some_and(CancellationToken::is_cancelled) {
                        return Err(PacedError::Cancelled);
                    }
                    if st.bytes == 0 || st.bytes + frame.len() <= self.max_bytes / 4 {
                        st.bytes += frame.len();
                        st.items.push(frame);
                        drop(st);
                        self.notify.notify_one();
                        break;
                    }
                    st.paced_waiting += 1;
                }
                let _waiting = PacedWaiting(self); // Counted down even if this is cancelled.
                drained.await;
            }
        }
        Ok(())
    }

    fn wake_all(&self) {
        self.notify.notify_one();
        self.drained.notify_waiters();
    }

    /// Waits for this connection's turn to read from storage and queue what it read: a
    /// connection's catch-ups and history pages are fetched and queued one at a time, so
    /// however many it asks for, it holds at most one page in memory.
    pub async fn read_turn(&self) -> SemaphorePermit<'_> {
        self.reads.acquire().await.expect("never closed")
    }

    /// The byte budget.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Closes the outbox with `reason` unless it is closed already; its transport then ends
    /// the connection.
    pub fn close(&self, reason: CloseReason) {
        let mut st = self.state.lock().expect("outbox lock");
        if st.closed.is_none() {
            st.closed = Some(reason);
        }
        drop(st);
        self.wake_all();
    }

    /// Takes what is still queued (once closed: to write it before the close frame).
    pub fn take_remaining(&self) -> Vec<Bytes> {
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
    pub async fn recv_batch(&self, batch: &mut Vec<Bytes>) -> Result<(), CloseReason> {
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
                    let paced = st.paced_waiting > 0;
                    drop(st);
                    if paced {
                        self.drained.notify_waiters();
                    }
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

    fn frame(s: &str) -> Bytes {
        Bytes::from(s.to_owned())
    }

    #[tokio::test]
    async fn delivers_in_order_in_one_batch() {
        let ob = Outbox::new(1024);
        ob.push_frame(frame("a")).unwrap();
        ob.push_frame(frame("b")).unwrap();
        let mut batch = Vec::new();
        ob.recv_batch(&mut batch).await.unwrap();
        assert_eq!(batch, [frame("a"), frame("b")]);
    }

    #[tokio::test]
    async fn overflow_closes_as_slow_consumer_and_frees_the_queue() {
        let ob = Outbox::new(10);
        ob.push_frame(frame("12345")).unwrap();
        ob.push_frame(frame("12345")).unwrap();
        assert_eq!(
            ob.push_frame(frame("x")),
            Err(Closed(CloseReason::SlowConsumer))
        );
        assert_eq!(
            ob.push_frame(frame("x")),
            Err(Closed(CloseReason::SlowConsumer))
        );
        let mut batch = Vec::new();
        assert_eq!(
            ob.recv_batch(&mut batch).await,
            Err(CloseReason::SlowConsumer)
        );
        assert!(batch.is_empty());
    }

    #[tokio::test]
    async fn offered_frames_use_a_quarter_of_the_budget_and_never_close() {
        let ob = Outbox::new(40);
        assert!(ob.offer(frame("0123456789")), "fits in a quarter");
        assert!(!ob.offer(frame("x")), "a quarter is full: dropped");
        ob.push_frame(frame("0123456789012345678")).unwrap();
        assert!(!ob.offer(frame("x")), "over a quarter: dropped");
        assert_eq!(ob.closed(), None, "dropping never closes");
        let mut batch = Vec::new();
        ob.recv_batch(&mut batch).await.unwrap();
        assert_eq!(batch.len(), 2, "the offered frame and the chat frame");
        assert!(ob.offer(frame("x")), "drained: room again");
        ob.close(CloseReason::GoingAway);
        assert!(!ob.offer(frame("x")), "closed");
    }

    #[tokio::test]
    async fn draining_frees_budget() {
        let ob = Outbox::new(10);
        let mut batch = Vec::new();
        for _ in 0..5 {
            ob.push_frame(frame("1234567")).unwrap();
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
                let mut batch = Vec::new();
                ob.recv_batch(&mut batch).await.map(|_| batch.len())
            })
        };
        tokio::task::yield_now().await;
        ob.push_frame(frame("x")).unwrap();
        assert_eq!(reader.await.unwrap(), Ok(1));
    }

    #[tokio::test]
    async fn paced_pushes_wait_for_the_reader_and_never_overflow() {
        let ob = std::sync::Arc::new(Outbox::new(40));
        let frames: Vec<Bytes> = (0..50).map(|i| frame(&format!("{i:08}"))).collect();
        let writer = {
            let (ob, frames) = (ob.clone(), frames.clone());
            tokio::spawn(async move { ob.push_paced(frames, None).await })
        };
        let mut got = Vec::new();
        let mut batch = Vec::new();
        while got.len() < frames.len() {
            ob.recv_batch(&mut batch).await.unwrap();
            let bytes: usize = batch.iter().map(Bytes::len).sum();
            assert!(
                bytes <= 40,
                "a paced batch stays within the budget: {bytes}"
            );
            got.append(&mut batch);
        }
        writer.await.unwrap().unwrap();
        assert_eq!(got, frames, "all of them, in order");
        assert_eq!(ob.closed(), None, "never closed as a slow consumer");
        let cancel = CancellationToken::new();
        cancel.cancel();
        assert_eq!(
            ob.push_paced([frame("stale")], Some(&cancel)).await,
            Err(PacedError::Cancelled)
        );
        ob.close(CloseReason::GoingAway);
        assert_eq!(
            ob.push_paced([frame("late")], None).await,
            Err(PacedError::Closed(CloseReason::GoingAway))
        );
    }
}
