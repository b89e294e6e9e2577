//! Who is typing in a room. Never stored, and the first thing dropped: a typing frame is only
//! offered to an outbox ([`Outbox::offer`]), and a member catching up gets none.
//!
//! One person's typing is relayed at most every [`RELAY_EVERY`], and is over after
//! [`shared::TYPING_EXPIRE_MS`] without news (the room then says so), when the person sends
//! a message (the message says so: clients clear it themselves), or when the person leaves.
//! In cluster mode the news goes to the other nodes with the room's presence, and each node
//! keeps and expires its own copy.
//!
//! [`Outbox::offer`]: crate::hub::outbox::Outbox::offer

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use shared::{Nickname, ServerMsg};
use tokio::time::Instant;

use super::members::Members;
use crate::cluster::presence::PresenceMsg;
use crate::hub::ConnId;
use crate::wire;

/// One person's typing is relayed at most this often.
pub const RELAY_EVERY: Duration = Duration::from_secs(1);

fn expire_after() -> Duration {
    Duration::from_millis(u64::from(shared::TYPING_EXPIRE_MS))
}

struct Typist {
    nickname: Nickname,
    /// Over at this time without news.
    until: Instant,
    /// When it was last relayed.
    told: Instant,
}

/// The people typing in a room, by nickname key: at most one entry per person in the room.
#[derive(Default)]
pub(super) struct Typists {
    by_key: HashMap<Arc<str>, Typist>,
}

impl Typists {
    /// `key` is typing: whether to relay it (new, or not relayed for [`RELAY_EVERY`]).
    fn typing(&mut self, key: &Arc<str>, nickname: &Nickname, now: Instant) -> bool {
        let until = now + expire_after();
        match self.by_key.get_mut(key) {
            Some(t) => {
                t.until = until;
                let relay = now.duration_since(t.told) >= RELAY_EVERY;
                if relay {
                    t.told = now;
                }
                relay
            }
            None => {
                let nickname = nickname.clone();
                let t = Typist {
                    nickname,
                    until,
                    told: now,
                };
                self.by_key.insert(key.clone(), t);
                true
            }
        }
    }

    /// `key` stopped: its nickname if it was typing.
    pub(super) fn stopped(&mut self, key: &str) -> Option<Nickname> {
        self.by_key.remove(key).map(|t| t.nickname)
    }

    /// When the next one is over without news.
    pub(super) fn deadline(&self) -> Option<Instant> {
        self.by_key.values().map(|t| t.until).min()
    }

    /// Those over by `now`, forgotten.
    fn expire(&mut self, now: Instant) -> Vec<(Arc<str>, Nickname)> {
        let mut over = Vec::new();
        self.by_key.retain(|key, t| {
            let keep = t.until > now;
            if !keep {
                over.push((key.clone(), t.nickname.clone()));
            }
            keep
        });
        over
    }
}

impl Members {
    fn typing_frame(&self, nickname: Nickname, typing: bool) -> Bytes {
        wire::encode(&ServerMsg::Typing {
            room: self.room.clone(),
            nickname,
            typing,
        })
    }

    /// A member says it is typing (or stopped).
    pub(super) fn typing(&mut self, conn: ConnId, typing: bool) {
        let Some(member) = self.member(conn) else {
            return;
        };
        let user = member.user.clone();
        if !self.news(&user.key, &user.nickname, typing) {
            return;
        }
        self.tell(|node| PresenceMsg::Typing {
            node,
            key: user.key.clone(),
            nickname: user.nickname.to_string(),
            typing,
        });
    }

    /// Cluster mode: another node's news that one of its people here is typing.
    pub(super) fn remote_typing(&mut self, key: &Arc<str>, nickname: &str, typing: bool) {
        // Only someone the room knows: the table holds no more than the room's people.
        if !self.elsewhere.contains(key) {
            return;
        }
        if let Ok(nickname) = Nickname::stored(nickname) {
            self.news(key, &nickname, typing);
        }
    }

    /// Applies typing news; relays it to the members here (but the typist's own
    /// connections) when it is worth it, and says whether it was.
    fn news(&mut self, key: &Arc<str>, nickname: &Nickname, typing: bool) -> bool {
        let relay = if typing {
            self.typists.typing(key, nickname, Instant::now())
        } else {
            self.typists.stopped(key).is_some()
        };
        if relay {
            let frame = self.typing_frame(nickname.clone(), typing);
            self.offer(&frame, key);
        }
        relay
    }

    /// Someone is no longer in the room (or sent a message: `tell` false, the message says
    /// it): their typing is over.
    pub(super) fn typing_over(&mut self, key: &str, tell: bool) {
        if let Some(nickname) = self.typists.stopped(key) {
            if tell {
                let frame = self.typing_frame(nickname, false);
                self.offer(&frame, key);
            }
        }
    }

    /// Typing with no news for [`shared::TYPING_EXPIRE_MS`] is over.
    pub(super) fn expire_typing(&mut self) {
        for (key, nickname) in self.typists.expire(Instant::now()) {
            let frame = self.typing_frame(nickname, false);
            self.offer(&frame, &key);
        }
    }

    /// When typing is next over without news.
    pub(super) fn typing_deadline(&self) -> Option<Instant> {
        self.typists.deadline()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nick(n: &str) -> Nickname {
        Nickname::parse(n).unwrap()
    }

    #[test]
    fn typing_is_relayed_at_most_every_second_and_expires() {
        let mut t = Typists::default();
        let (key, alice) = (Arc::<str>::from("alice"), nick("alice"));
        let start = Instant::now();
        assert!(t.typing(&key, &alice, start), "new: relayed");
        assert!(!t.typing(&key, &alice, start + Duration::from_millis(500)));
        assert!(
            t.typing(&key, &alice, start + RELAY_EVERY),
            "a second later: again"
        );
        let last = start + RELAY_EVERY;
        assert_eq!(t.deadline(), Some(last + expire_after()));
        assert!(t
            .expire(last + expire_after() - Duration::from_millis(1))
            .is_empty());
        assert_eq!(
            t.expire(last + expire_after()),
            [(key.clone(), alice.clone())]
        );
        assert_eq!(t.deadline(), None);
        assert!(t.typing(&key, &alice, last), "after expiry: new again");
        assert_eq!(t.stopped("alice"), Some(alice));
        assert_eq!(t.stopped("alice"), None, "stopped once");
    }
}
