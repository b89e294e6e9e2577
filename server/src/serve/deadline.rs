//! A write timeout for any stream: a write (or flush) that makes no progress for the
//! timeout fails with `TimedOut`, so a client that stops reading its response gives its
//! connection, and the response it held, back. Reads pass through untouched.
//!
//! It also carries the connection's TCP slot, so the slot lives exactly as long as the
//! stream does, through an upgrade too ([`Deadline::into_parts`]).

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use crate::slots::Slot;

/// See the module docs.
pub struct Deadline<I> {
    io: I,
    timeout: Duration,
    /// Started when a write first returns `Pending`; cleared on progress.
    stalled: Option<Pin<Box<Sleep>>>,
    slot: Option<Slot>,
}

impl<I> Deadline<I> {
    /// Wraps `io`, holding its `slot`.
    pub fn new(io: I, timeout: Duration, slot: Option<Slot>) -> Self {
        Self {
            io,
            timeout,
            stalled: None,
            slot,
        }
    }

    /// The stream and its slot.
    pub fn into_parts(self) -> (I, Option<Slot>) {
        (self.io, self.slot)
    }

    /// Maps a write's poll: progress clears the timer; no progress for the timeout fails.
    fn timed<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match poll {
            Poll::Ready(result) => {
                self.stalled = None;
                Poll::Ready(result)
            }
            Poll::Pending => {
                let timeout = self.timeout;
                let timer = self
                    .stalled
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client stopped reading",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl<I: AsyncRead + Unpin> AsyncRead for Deadline<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Deadline<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_write(cx, buf);
        this.timed(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_write_vectored(cx, bufs);
        this.timed(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.io).poll_flush(cx);
        this.timed(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test(start_paused = true)]
    async fn a_write_the_peer_does_not_read_times_out() {
        let (a, mut b) = tokio::io::duplex(16);
        let mut d = Deadline::new(a, Duration::from_secs(10), None);
        d.write_all(&[0; 16]).await.unwrap();
        let err = d.write_all(&[0; 16]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        // Progress resets the timer.
        let mut d = Deadline::new(d.into_parts().0, Duration::from_secs(10), None);
        let reader = tokio::spawn(async move {
            let mut buf = [0; 8];
            for _ in 0..6 {
                tokio::time::sleep(Duration::from_secs(6)).await;
                b.read_exact(&mut buf).await.unwrap();
            }
        });
        d.write_all(&[0; 32]).await.unwrap();
        reader.await.unwrap();
    }
}
