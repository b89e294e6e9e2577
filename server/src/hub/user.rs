//! A signed-in person as the chat core knows them.

use std::sync::Arc;

use shared::Nickname;

/// A nickname with the key under which nicknames are unique ([`Nickname::key`]), computed
/// once, when the session is made or loaded. The key is a TS #39 skeleton of the NFKC form,
/// thousands of instructions to compute, and a connection needs it in several maps: the
/// user's rooms, message-rate bucket and room-creation counts, and each room's members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The nickname as shown.
    pub nickname: Nickname,
    /// `nickname.key()`.
    pub key: Arc<str>,
}

impl User {
    /// The user holding `nickname`.
    pub fn new(nickname: Nickname) -> Self {
        let key = nickname.key().into();
        Self { nickname, key }
    }
}

impl std::fmt::Display for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.nickname.fmt(f)
    }
}
