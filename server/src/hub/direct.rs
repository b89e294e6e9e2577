//! Direct messages: a private room of two people. Its name is `dm-` and a hash of the pair's
//! nickname keys, so the pair has one room whoever opens it, and names starting with `dm-`
//! are kept for these rooms. Only the two may join it or read it; it is in nobody's
//! directory, and it never expires. Opening one tells both people's connections (on every
//! node) with a `direct` frame.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use shared::{Nickname, RoomName, ServerMsg};

use super::{ConnId, Hub, User};
use crate::storage::direct::DirectRow;
use crate::wire;

/// What every direct-message room's name starts with (and no other room's).
pub const PREFIX: &str = "dm-";

/// Whether `room` is (or would be) a direct-message room.
pub fn is_direct(room: &RoomName) -> bool {
    room.as_str().starts_with(PREFIX)
}

/// The room of the pair of users with these nickname keys.
pub fn room_of(a: &str, b: &str) -> RoomName {
    let (a, b) = if a <= b { (a, b) } else { (b, a) };
    let digest = Sha256::digest(format!("{a}\n{b}").as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    RoomName::parse(&format!("{PREFIX}{hex}")).expect("a valid room name")
}

/// The two people of a direct-message room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    people: [(Arc<str>, Nickname); 2],
}

impl Pair {
    fn from_row(row: &DirectRow) -> Option<Self> {
        let person = |(key, nick): &(String, String)| {
            Some((Arc::from(key.as_str()), Nickname::stored(nick).ok()?))
        };
        Some(Self {
            people: [person(&row.a)?, person(&row.b)?],
        })
    }

    /// Whether the user of that key is one of the two.
    pub fn has(&self, key: &str) -> bool {
        self.people.iter().any(|(k, _)| &**k == key)
    }

    /// The other one's nickname, for the user of that key.
    pub fn other(&self, key: &str) -> &Nickname {
        let [(a, a_nick), (_, b_nick)] = &self.people;
        if &**a == key {
            b_nick
        } else {
            a_nick
        }
    }
}

/// Why a direct-message room was not opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectRefusal {
    /// Nobody holds that nickname now, and it is not registered.
    #[error("nobody is called \"{0}\"")]
    NoSuchUser(String),
    /// A user cannot write to themselves.
    #[error("you cannot send direct messages to yourself")]
    Yourself,
    /// Too many new rooms too fast.
    #[error("{0}")]
    TooMany(String),
    /// Storage failed.
    #[error("the conversation could not be opened; try again")]
    Storage,
}

/// The direct-message rooms known here, and each user's.
#[derive(Default)]
pub(super) struct Directs {
    by_room: HashMap<RoomName, Pair>,
    of_user: HashMap<Arc<str>, BTreeSet<RoomName>>,
}

impl Directs {
    pub(super) fn insert(&mut self, room: RoomName, pair: Pair) {
        for (key, _) in &pair.people {
            self.of_user
                .entry(key.clone())
                .or_default()
                .insert(room.clone());
        }
        self.by_room.insert(room, pair);
    }

    /// The user's direct-message rooms, with the other person, by room name.
    pub(super) fn of(&self, key: &str) -> Vec<(RoomName, Nickname)> {
        self.of_user
            .get(key)
            .into_iter()
            .flatten()
            .filter_map(|r| Some((r.clone(), self.by_room.get(r)?.other(key).clone())))
            .collect()
    }
}

impl Hub {
    /// Reads every direct-message room from storage (at start).
    pub(super) async fn load_directs(&self) -> anyhow::Result<()> {
        let rows = self.store().directs().await?;
        let mut directs = self.directs();
        for row in rows {
            if let Some(pair) = Pair::from_row(&row) {
                directs.insert(row.room, pair);
            }
        }
        Ok(())
    }

    /// The two people of `room` if it is a direct-message room (looked up in storage when
    /// this node has not heard of it: another node opened it).
    pub async fn direct_pair(&self, room: &RoomName) -> Option<Pair> {
        if !is_direct(room) {
            return None;
        }
        if let Some(pair) = self.directs().by_room.get(room) {
            return Some(pair.clone());
        }
        let row = match self.store().direct(room).await {
            Ok(row) => row?,
            Err(err) => {
                tracing::warn!(%room, cause = %err, "cannot look a direct-message room up");
                return None;
            }
        };
        let pair = Pair::from_row(&row)?;
        self.directs().insert(room.clone(), pair.clone());
        Some(pair)
    }

    /// Whether `user` may join or read `room`: any room but a direct-message room of
    /// others (or one that does not exist: those names are kept).
    pub async fn may_enter(&self, room: &RoomName, user_key: &str) -> bool {
        if !is_direct(room) {
            return true;
        }
        self.direct_pair(room)
            .await
            .is_some_and(|p| p.has(user_key))
    }

    /// Whether `user_key` may read `room`, as far as this node knows (a direct conversation
    /// it has not looked up is refused: its people look it up when they join).
    pub fn may_enter_known(&self, room: &RoomName, user_key: &str) -> bool {
        !is_direct(room)
            || self
                .directs()
                .by_room
                .get(room)
                .is_some_and(|p| p.has(user_key))
    }

    /// Opens (creating it the first time) the direct-message room of `me` and the user
    /// called `other`; both are told (`direct`).
    pub async fn open_direct(
        &self,
        (me, conn): (&User, ConnId),
        other: &Nickname,
    ) -> Result<RoomName, DirectRefusal> {
        let key = other.key();
        if key == *me.key {
            return Err(DirectRefusal::Yourself);
        }
        let room = room_of(&me.key, &key);
        if self.direct_pair(&room).await.is_none() {
            let found = self
                .store()
                .user_nickname(&key, crate::now_ms())
                .await
                .map_err(|_| DirectRefusal::Storage)?;
            let Some(other) = found else {
                return Err(DirectRefusal::NoSuchUser(other.to_string()));
            };
            self.directory()
                .may_create_rate(me)
                .map_err(|r| DirectRefusal::TooMany(r.to_string()))?;
            let mut people = [
                (me.key.to_string(), me.nickname.to_string()),
                (key.clone(), other.to_string()),
            ];
            people.sort();
            let [a, b] = people;
            let row = DirectRow {
                room: room.clone(),
                a,
                b,
            };
            self.store()
                .create_direct(&row)
                .await
                .map_err(|_| DirectRefusal::Storage)?;
            let pair = Pair::from_row(&row).ok_or(DirectRefusal::Storage)?;
            self.directs().insert(room.clone(), pair);
            // The room's row, and (in cluster mode) the other nodes' news, come with it.
            self.direct_room(&room, me);
            self.tell_direct(&room, Some(conn));
        }
        Ok(room)
    }

    /// Tells the two people's connections on this node (but `except`) of their
    /// direct-message room.
    pub fn tell_direct(&self, room: &RoomName, except: Option<ConnId>) {
        let Some(pair) = self.directs().by_room.get(room).cloned() else {
            return;
        };
        for (key, _) in &pair.people {
            let frame = wire::encode(&ServerMsg::Direct {
                room: room.clone(),
                with: pair.other(key).clone(),
            });
            self.tell_user(key, &frame, except);
        }
    }

    /// Cluster mode: another node opened a direct-message room; its people here hear of it.
    pub async fn direct_news(&self, room: &RoomName) {
        if self.direct_pair(room).await.is_some() {
            self.tell_direct(room, None);
        }
    }
}
