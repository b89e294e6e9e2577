//! The directory of rooms: every room by name (ordered, so it is listed in pages), who
//! created which, and the limits on creating rooms (a total and a rate per user), so that
//! no user can grow the directory without bound.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;
use std::time::{Duration, Instant};

use shared::{Nickname, RoomName, RoomSummary};

use super::direct::is_direct;
use super::room::RoomHandle;
use super::User;
use crate::bucket::Bucket;

/// Limits on creating rooms; 0 means no limit.
#[derive(Debug, Clone, Copy)]
pub struct CreationLimits {
    /// Rooms one user may create in all.
    pub per_user: usize,
    /// Rooms one user may create per hour, on average.
    pub per_hour: f64,
    /// Rooms one user may create at once before the rate applies.
    pub burst: f64,
}

/// Why a room was not created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CreateRefusal {
    /// The user has created as many rooms as allowed.
    #[error("you have created {0} rooms, the most one user may; join an existing room")]
    Total(usize),
    /// The user creates rooms too fast: retry after this many seconds.
    #[error("you are creating rooms too fast; try again in {0} s")]
    Rate(u64),
}

/// Users remembered in the creation rate before those whose buckets refilled are forgotten.
const PRUNE_ABOVE: usize = 10_000;

/// See the module docs.
pub(super) struct Directory {
    pub rooms: BTreeMap<RoomName, RoomHandle>,
    /// Nickname key → the rooms that user created, oldest first.
    created: HashMap<Arc<str>, Vec<RoomName>>,
    rates: HashMap<Arc<str>, Bucket>,
    limits: CreationLimits,
    /// Rooms seen unused by the expiry sweep (at most one entry per room).
    idle: HashMap<RoomName, Idle>,
}

/// What the expiry sweep knows of an unused room.
#[derive(Debug, Clone, Copy)]
enum Idle {
    /// Unused since then (as far as the sweeps saw), with no message known.
    Since(Instant),
    /// It has messages: it stays (messages are never deleted).
    Kept,
}

impl Directory {
    /// A directory of existing rooms, each with its creator's nickname as stored.
    pub fn new(rooms: Vec<(RoomName, RoomHandle, String)>, limits: CreationLimits) -> Self {
        let mut dir = Self {
            rooms: BTreeMap::new(),
            created: HashMap::new(),
            rates: HashMap::new(),
            limits,
            idle: HashMap::new(),
        };
        for (name, handle, by) in rooms {
            dir.add_stored(name, handle, &by);
        }
        dir
    }

    /// Whether `user` may create a room now; counts the creation if so.
    pub fn may_create(&mut self, user: &User) -> Result<(), CreateRefusal> {
        let made = self.created.get(&user.key).map_or(0, Vec::len);
        if self.limits.per_user > 0 && made >= self.limits.per_user {
            return Err(CreateRefusal::Total(self.limits.per_user));
        }
        self.may_create_rate(user)
    }

    /// Whether `user` may create a room now as far as the rate goes (direct-message rooms
    /// count against the rate only); counts the creation if so.
    pub fn may_create_rate(&mut self, user: &User) -> Result<(), CreateRefusal> {
        let key = &user.key;
        if self.rates.len() >= PRUNE_ABOVE && !self.rates.contains_key(key) {
            self.rates.retain(|_, b| !b.is_full());
        }
        let limits = self.limits;
        let bucket = self
            .rates
            .entry(key.clone())
            .or_insert_with(|| Bucket::new(limits.per_hour / 3600.0, limits.burst));
        if bucket.take() {
            Ok(())
        } else {
            Err(CreateRefusal::Rate(
                bucket.wait_secs().ceil().max(1.0) as u64
            ))
        }
    }

    /// Adds a room `user` created.
    pub fn add(&mut self, name: RoomName, handle: RoomHandle, user: &User) {
        self.file(name, handle, user.key.clone());
    }

    /// Adds a stored room, created by the nickname `by` (as stored).
    pub fn add_stored(&mut self, name: RoomName, handle: RoomHandle, by: &str) {
        self.file(name, handle, creator_key(by));
    }

    /// Adds a room, counted as made by the user filed under `creator`.
    fn file(&mut self, name: RoomName, handle: RoomHandle, creator: Arc<str>) {
        if !is_direct(&name) {
            self.created.entry(creator).or_default().push(name.clone());
        }
        self.rooms.insert(name, handle);
    }

    /// The rooms `user` created (at most `max`, the oldest).
    pub fn created_by(&self, user: &User, max: usize) -> impl Iterator<Item = &RoomName> {
        self.created.get(&user.key).into_iter().flatten().take(max)
    }

    /// The rooms unused for `ttl` or more (as the sweeps saw them) and not known to have
    /// messages, the lobby never; notes when the others became unused.
    pub fn due(&mut self, now: Instant, ttl: Duration) -> Vec<RoomName> {
        let lobby = RoomName::lobby();
        let mut due = Vec::new();
        for (name, room) in &self.rooms {
            if !room.is_unused() || *name == lobby || is_direct(name) {
                self.idle.remove(name);
                continue;
            }
            match *self.idle.entry(name.clone()).or_insert(Idle::Since(now)) {
                Idle::Since(since) if now.duration_since(since) >= ttl => due.push(name.clone()),
                _ => {}
            }
        }
        due
    }

    /// Marks a room as one with messages: it never expires.
    pub fn keep(&mut self, name: &RoomName) {
        if self.rooms.contains_key(name) {
            self.idle.insert(name.clone(), Idle::Kept);
        }
    }

    /// Takes a room out if it is still unused, and out of its creator's count.
    pub fn remove_if_unused(&mut self, name: &RoomName) -> Option<RoomHandle> {
        if !self.rooms.get(name)?.is_unused() {
            return None;
        }
        self.idle.remove(name);
        self.created.retain(|_, made| {
            made.retain(|n| n != name);
            !made.is_empty()
        });
        self.rooms.remove(name)
    }

    /// Up to `limit` rooms whose names start with `prefix`, after `after` (exclusive), by
    /// name, and the name to continue after if there are more.
    pub fn page(
        &self,
        prefix: &str,
        after: Option<&RoomName>,
        limit: usize,
    ) -> (Vec<RoomSummary>, Option<RoomName>) {
        // Names are ordered: those with the prefix are one run, from the prefix itself.
        let start = match after {
            Some(after) if after.as_str() >= prefix => Bound::Excluded(after.as_str()),
            _ => Bound::Included(prefix),
        };
        let mut iter = self
            .rooms
            .range::<str, _>((start, Bound::Unbounded))
            .take_while(|(name, _)| name.as_str().starts_with(prefix))
            .filter(|(name, _)| !is_direct(name));
        let page: Vec<RoomSummary> = iter.by_ref().take(limit).map(|(_, r)| summary(r)).collect();
        let next = match iter.next() {
            Some(_) => page.last().map(|r| r.name.clone()),
            None => None,
        };
        (page, next)
    }
}

/// The key of a room's creator, from the nickname as stored (lower-cased if it no longer
/// reads as a nickname).
fn creator_key(stored: &str) -> Arc<str> {
    Nickname::stored(stored)
        .map_or_else(|_| stored.to_lowercase(), |n| n.key())
        .into()
}

/// A room's entry in a list.
pub(super) fn summary(room: &RoomHandle) -> RoomSummary {
    RoomSummary {
        name: room.name().clone(),
        members: room.member_count(),
    }
}
