//! From a connection hyper has upgraded to a [`Socket`]: the known stream types are
//! unwrapped, so reads and writes go straight to the TCP (or TLS) stream instead of through
//! hyper's boxed `Upgraded`.

use bytes::Bytes;
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::{Limits, Socket};

/// The socket over the upgraded connection if its stream is a `T` (as given to hyper inside
/// `TokioIo`), with the input hyper read past the request; otherwise the connection back.
pub fn downcast<T>(upgraded: Upgraded, limits: Limits) -> Result<Socket<T>, Upgraded>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    upgraded
        .downcast::<TokioIo<T>>()
        .map(|parts| Socket::new(parts.io.into_inner(), parts.read_buf, limits))
}

/// The socket over any upgraded connection, through hyper's `Upgraded` (when [`downcast`]
/// does not know its stream).
pub fn boxed(upgraded: Upgraded, limits: Limits) -> Socket<TokioIo<Upgraded>> {
    Socket::new(TokioIo::new(upgraded), Bytes::new(), limits)
}
