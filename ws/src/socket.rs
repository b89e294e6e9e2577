//! A WebSocket connection's byte stream: reads into a small input buffer, and writes ready
//! frames with vectored writes.
//!
//! An idle connection holds little: reads land in a per-thread scratch buffer and are then
//! appended to the connection's input buffer, which is freed once it is empty and larger
//! than 4 KiB; writes go straight from the shared frame bytes to the socket.

use std::cell::RefCell;
use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};

use crate::decode::{DecodeError, Decoder, Incoming};
use crate::Limits;

/// Bytes read per call; the scratch buffer is per thread, not per connection.
const SCRATCH_BYTES: usize = 16 * 1024;
/// Most frames handed to one vectored write.
const MAX_SLICES: usize = 64;
/// An input buffer larger than this is freed once empty.
const KEEP_INBUF: usize = 4 * 1024;

thread_local! {
    static SCRATCH: RefCell<Box<[u8]>> = RefCell::new(vec![0; SCRATCH_BYTES].into_boxed_slice());
}

/// A write failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// No progress within the write timeout (the client is not reading).
    #[error("write stalled")]
    Stalled,
    /// The socket failed.
    #[error("socket: {0}")]
    Io(#[from] io::Error),
}

/// See the module docs.
pub struct Socket<S> {
    io: S,
    /// The rest of a frame a stalled write left half-written: it goes out before anything
    /// else, or the peer would read garbage.
    unfinished: Option<Bytes>,
    inbuf: BytesMut,
    decoder: Decoder,
    write_timeout: Duration,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Socket<S> {
    /// Wraps a stream; `leftover` is input read past the HTTP upgrade.
    pub fn new(io: S, leftover: Bytes, limits: Limits) -> Self {
        Self {
            io,
            unfinished: None,
            inbuf: BytesMut::from(&leftover[..]),
            decoder: Decoder::new(limits.max_message),
            write_timeout: limits.write_timeout,
        }
    }

    /// Waits for input and appends it to the buffer. `Ok(false)` at end of stream.
    pub async fn fill(&mut self) -> io::Result<bool> {
        let Self { io, inbuf, .. } = self;
        poll_fn(|cx| {
            SCRATCH.with_borrow_mut(|scratch| {
                let mut rb = ReadBuf::new(scratch);
                match Pin::new(&mut *io).poll_read(cx, &mut rb) {
                    Poll::Ready(Ok(())) => {
                        inbuf.extend_from_slice(rb.filled());
                        Poll::Ready(Ok(!rb.filled().is_empty()))
                    }
                    Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
                    Poll::Pending => Poll::Pending,
                }
            })
        })
        .await
    }

    /// The next complete message in the buffer, if any.
    pub fn next_message(&mut self) -> Result<Option<Incoming>, DecodeError> {
        let msg = self.decoder.decode(&mut self.inbuf);
        if self.inbuf.is_empty() && self.inbuf.capacity() > KEEP_INBUF {
            self.inbuf = BytesMut::new();
        }
        msg
    }

    /// Drops every byte read and not yet decoded (while draining a connection being closed).
    pub fn discard_input(&mut self) {
        self.inbuf = BytesMut::new();
    }

    /// Writes every frame, then flushes. Each step must make progress within the write
    /// timeout. `frames` is emptied.
    pub async fn write_frames(&mut self, frames: &mut Vec<Bytes>) -> Result<(), WriteError> {
        self.write_frames_within(frames, self.write_timeout).await
    }

    /// [`Socket::write_frames`] with another timeout per step.
    pub async fn write_frames_within(
        &mut self,
        frames: &mut Vec<Bytes>,
        limit: Duration,
    ) -> Result<(), WriteError> {
        if let Some(rest) = self.unfinished.take() {
            frames.insert(0, rest);
        }
        let mut first = 0;
        let mut mid_frame = false;
        while first < frames.len() {
            let slices: Vec<IoSlice<'_>> = frames[first..]
                .iter()
                .take(MAX_SLICES)
                .map(|f| IoSlice::new(f))
                .collect();
            let written = match tokio::time::timeout(limit, self.io.write_vectored(&slices)).await {
                Ok(Ok(0)) => return Err(io::Error::from(io::ErrorKind::WriteZero).into()),
                Ok(Ok(n)) => n,
                Ok(Err(e)) => return Err(e.into()),
                Err(_) => {
                    if mid_frame {
                        self.unfinished = Some(frames[first].clone());
                    }
                    return Err(WriteError::Stalled);
                }
            };
            let mut left = written;
            while left > 0 {
                let f = &mut frames[first];
                if left >= f.len() {
                    left -= f.len();
                    first += 1;
                    mid_frame = false;
                } else {
                    f.advance(left);
                    left = 0;
                    mid_frame = true;
                }
            }
        }
        frames.clear();
        tokio::time::timeout(limit, self.io.flush())
            .await
            .map_err(|_| WriteError::Stalled)??;
        Ok(())
    }

    /// Writes one frame.
    pub async fn write_frame(&mut self, frame: Bytes) -> Result<(), WriteError> {
        self.write_frames(&mut vec![frame]).await
    }

    /// Ends the stream (TCP FIN, or TLS close_notify).
    pub async fn shutdown(&mut self) {
        let _ = tokio::time::timeout(self.write_timeout, self.io.shutdown()).await;
    }
}
