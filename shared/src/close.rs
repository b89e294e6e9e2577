//! Typed reasons for which the server closes a WebSocket, with their close codes.

/// Why the server closed the connection. The close frame carries [`CloseReason::code`] and
/// [`CloseReason::as_str`] as its reason text, so clients can tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseReason {
    /// 1001: the server is shutting down. Reconnect later.
    GoingAway,
    /// 1002: the client broke the WebSocket protocol (unmasked frame, bad opcode, …).
    ProtocolError,
    /// 1007: a text message was not valid UTF-8.
    InvalidUtf8,
    /// 1009: a frame or message was larger than the server's hard cap.
    TooBig,
    /// 4000: the client's protocol version is not the server's. Reload the app.
    ProtocolVersion,
    /// 4001: the session is missing, invalid or expired. Sign in again.
    Unauthorized,
    /// 4008: the client did not read its messages fast enough; its queue overflowed.
    SlowConsumer,
    /// 4009: the client kept flooding after being told to slow down.
    Flood,
    /// 4010: the client stopped answering pings.
    IdleTimeout,
    /// 1013: the server is over capacity (too many connections, or a reconnect storm after a
    /// restart). Reconnect after a backoff with jitter ([`crate::Backoff`]). Sent right after
    /// the upgrade, instead of an HTTP 503 that a browser's WebSocket cannot read.
    TryAgainLater,
    /// 4002: the session was replaced by a new one (a password was set or verified): the
    /// browser already holds the new session's cookie. Reconnect at once.
    SessionReplaced,
}

impl CloseReason {
    /// Every reason, for documentation and tests.
    pub const ALL: [CloseReason; 11] = [
        Self::GoingAway,
        Self::ProtocolError,
        Self::InvalidUtf8,
        Self::TooBig,
        Self::ProtocolVersion,
        Self::Unauthorized,
        Self::SlowConsumer,
        Self::Flood,
        Self::IdleTimeout,
        Self::TryAgainLater,
        Self::SessionReplaced,
    ];

    /// The WebSocket close code.
    pub fn code(self) -> u16 {
        match self {
            Self::GoingAway => 1001,
            Self::ProtocolError => 1002,
            Self::InvalidUtf8 => 1007,
            Self::TooBig => 1009,
            Self::ProtocolVersion => 4000,
            Self::Unauthorized => 4001,
            Self::SlowConsumer => 4008,
            Self::Flood => 4009,
            Self::IdleTimeout => 4010,
            Self::TryAgainLater => 1013,
            Self::SessionReplaced => 4002,
        }
    }

    /// The reason text sent in the close frame.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GoingAway => "going_away",
            Self::ProtocolError => "protocol_error",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::TooBig => "too_big",
            Self::ProtocolVersion => "protocol_version",
            Self::Unauthorized => "unauthorized",
            Self::SlowConsumer => "slow_consumer",
            Self::Flood => "flood",
            Self::IdleTimeout => "idle_timeout",
            Self::TryAgainLater => "try_again_later",
            Self::SessionReplaced => "session_replaced",
        }
    }

    /// The reason a close code stands for, if it is one of Parley's.
    pub fn from_code(code: u16) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Whether a client should reconnect on its own after this close.
    pub fn should_reconnect(self) -> bool {
        matches!(
            self,
            Self::GoingAway
                | Self::SlowConsumer
                | Self::IdleTimeout
                | Self::TryAgainLater
                | Self::SessionReplaced
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_distinct() {
        for r in CloseReason::ALL {
            assert_eq!(CloseReason::from_code(r.code()), Some(r));
            assert!(
                r.as_str().len() <= 123,
                "close reason must fit a close frame"
            );
        }
        assert_eq!(CloseReason::from_code(1000), None);
        assert_eq!(
            CloseReason::from_code(1013),
            Some(CloseReason::TryAgainLater)
        );
        assert!(CloseReason::TryAgainLater.should_reconnect());
    }
}
