//! The hub: the directory of rooms and of connected users.
//!
//! Rooms are actors ([`room`]); the hub only finds or creates them and reaches every
//! connection for server-wide events (a session ending, shutdown). Nicknames are kept
//! unique by the sessions ([`crate::auth`]). Its maps sit behind
//! short-held mutexes: lookups are rare next to messages, which go straight to the rooms.

pub mod direct;
mod directory;
mod expiry;
pub mod history;
pub mod outbox;
mod query;
pub mod reactions;
pub mod room;
mod user;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use std::sync::{Arc, Mutex, Weak};

use shared::{CloseReason, RoomName, RoomSummary, ServerMsg};

use self::directory::Directory;
pub use self::directory::{CreateRefusal, CreationLimits};
use self::outbox::Outbox;
pub use self::query::{parse_names, PageQuery, QueryError};
use self::room::{Creation, RoomHandle, RoomSettings};
pub use self::user::User;
use crate::bucket::{Bucket, SharedBucket};
use crate::storage::Store;

/// Identifies one WebSocket connection for the life of the server.
pub type ConnId = u64;

/// Cloneable handle to the hub.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    rooms: Mutex<Directory>,
    directs: Mutex<direct::Directs>,
    users: Mutex<Users>,
    next_conn: AtomicU64,
    store: Store,
    room_settings: RoomSettings,
    outbox_bytes: usize,
}

/// A connection as the hub knows it.
struct Conn {
    outbox: Arc<Outbox>,
    session: Arc<str>,
    key: Arc<str>,
}

#[derive(Default)]
struct Users {
    /// Every connection: its outbox, the id of its session and its user's nickname key.
    conns: HashMap<ConnId, Conn>,
    /// The rooms each user (by nickname key) is in, with how many of the user's
    /// connections are in each: the per-user room cap counts these.
    rooms_of: HashMap<Arc<str>, HashMap<RoomName, u32>>,
    /// Each connected user's message-rate bucket, shared by the user's connections (weak:
    /// it goes with the user's last connection; dead entries are pruned as the map grows).
    buckets: HashMap<Arc<str>, Weak<Mutex<Bucket>>>,
    /// Set by [`Hub::close_all`] (shutdown): a connection registered after it (its upgrade
    /// was under way) is closed at once for the same reason, rather than left open.
    closed: Option<CloseReason>,
}

impl Hub {
    /// A hub with every stored room.
    pub async fn open(
        store: Store,
        room_settings: RoomSettings,
        creation: CreationLimits,
        outbox_bytes: usize,
    ) -> anyhow::Result<Self> {
        let stored = store.rooms().await.context("reading the rooms")?;
        let rooms = stored
            .into_iter()
            .map(|(name, by)| {
                let handle =
                    RoomHandle::spawn(name.clone(), room_settings.clone(), store.clone(), None);
                (name, handle, by)
            })
            .collect();
        let hub = Self {
            inner: Arc::new(Inner {
                rooms: Mutex::new(Directory::new(rooms, creation)),
                directs: Mutex::default(),
                users: Mutex::new(Users::default()),
                next_conn: AtomicU64::new(1),
                store,
                room_settings,
                outbox_bytes,
            }),
        };
        hub.load_directs()
            .await
            .context("reading the direct-message rooms")?;
        Ok(hub)
    }

    /// Messages a history page holds unless the client asks for another size.
    pub fn history_page_len(&self) -> u32 {
        self.inner.room_settings.history_page
    }

    /// Each connection's outgoing byte budget.
    pub fn outbox_bytes(&self) -> usize {
        self.inner.outbox_bytes
    }

    /// The storage behind the hub.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Registers a new connection of `user`'s session and returns its id and outbox. With
    /// `greet`, the outbox starts with the `welcome` frame and the user's rooms, queued under
    /// the same lock as the registration: nothing sent to every connection (a session's end)
    /// can come before it.
    pub fn connect(&self, session_id: &str, user: &User, greet: bool) -> (ConnId, Arc<Outbox>) {
        let id = self.inner.next_conn.fetch_add(1, Ordering::Relaxed);
        let outbox = Arc::new(Outbox::new(self.inner.outbox_bytes));
        let mut users = self.users();
        if greet {
            let welcome = ServerMsg::Welcome {
                protocol: shared::PROTOCOL_VERSION,
                rooms: self.own_rooms(user, users.rooms_of.get(&user.key)),
                directs: self.own_directs(user),
            };
            let _ = outbox.push_frame(crate::wire::encode(&welcome));
        }
        if let Some(reason) = users.closed {
            outbox.close(reason);
        }
        let conn = Conn {
            outbox: outbox.clone(),
            session: Arc::from(session_id),
            key: user.key.clone(),
        };
        users.conns.insert(id, conn);
        (id, outbox)
    }

    /// A user's own rooms, for `welcome`: the lobby, the rooms the user created and those the
    /// user is in (from other connections), at most [`shared::WELCOME_ROOMS_MAX`], by name.
    /// The full directory is paged over REST ([`Hub::rooms_page`]).
    fn own_rooms(&self, user: &User, joined: Option<&HashMap<RoomName, u32>>) -> Vec<RoomSummary> {
        let dir = self.directory();
        let lobby = RoomName::lobby();
        let names: std::collections::BTreeSet<&RoomName> = std::iter::once(&lobby)
            .chain(joined.into_iter().flat_map(HashMap::keys))
            .chain(dir.created_by(user, shared::WELCOME_ROOMS_MAX))
            .collect();
        names
            .into_iter()
            .filter(|name| !direct::is_direct(name))
            .filter_map(|name| dir.rooms.get(name).map(directory::summary))
            .take(shared::WELCOME_ROOMS_MAX)
            .collect()
    }

    /// A user's direct-message rooms, for `welcome` (at most [`shared::WELCOME_ROOMS_MAX`]).
    fn own_directs(&self, user: &User) -> Vec<shared::DirectRoom> {
        let mut directs = self.directs().of(&user.key);
        directs.truncate(shared::WELCOME_ROOMS_MAX);
        directs
            .into_iter()
            .map(|(room, with)| shared::DirectRoom { room, with })
            .collect()
    }

    /// The message-rate bucket `user` shares across connections, made with `new` if the
    /// user has none yet.
    pub fn user_bucket(&self, user: &User, new: impl FnOnce() -> Bucket) -> SharedBucket {
        let mut users = self.users();
        if let Some(bucket) = users.buckets.get(&user.key).and_then(Weak::upgrade) {
            return bucket;
        }
        if users.buckets.len() >= 2 * users.conns.len() + 16 {
            users.buckets.retain(|_, b| b.strong_count() > 0);
        }
        let bucket = Arc::new(Mutex::new(new()));
        users
            .buckets
            .insert(user.key.clone(), Arc::downgrade(&bucket));
        bucket
    }

    /// Forgets a connection. Its participant leaves its rooms itself.
    pub fn disconnect(&self, conn: ConnId) {
        self.users().conns.remove(&conn);
    }

    /// Counts one more of `user`'s connections in `room`. Refused (false) when `room` would
    /// be a new room for the user and the user is already in `max` rooms (0: no cap).
    pub fn claim_room(&self, user: &User, room: &RoomName, max: usize) -> bool {
        let mut users = self.users();
        let rooms = users.rooms_of.entry(user.key.clone()).or_default();
        if let Some(count) = rooms.get_mut(room) {
            *count += 1;
            return true;
        }
        if max != 0 && rooms.len() >= max {
            if rooms.is_empty() {
                users.rooms_of.remove(&user.key);
            }
            return false;
        }
        rooms.insert(room.clone(), 1);
        true
    }

    /// Undoes one [`Hub::claim_room`].
    pub fn release_room(&self, user: &User, room: &RoomName) {
        let mut users = self.users();
        let key = &user.key;
        let Some(rooms) = users.rooms_of.get_mut(key) else {
            return;
        };
        if let Some(count) = rooms.get_mut(room) {
            *count -= 1;
            if *count == 0 {
                rooms.remove(room);
            }
        }
        if rooms.is_empty() {
            users.rooms_of.remove(key);
        }
    }

    /// Queues `frame` for every connection (but `except`) of the user with that nickname key.
    pub fn tell_user(&self, key: &str, frame: &bytes::Bytes, except: Option<ConnId>) {
        for (id, c) in &self.users().conns {
            if *c.key == *key && Some(*id) != except {
                let _ = c.outbox.push_frame(frame.clone());
            }
        }
    }

    /// Closes every connection of a session (signed out, or replaced).
    pub fn close_session(&self, session_id: &str, reason: CloseReason) {
        for c in self.users().conns.values() {
            if *c.session == *session_id {
                c.outbox.close(reason);
            }
        }
    }

    /// Closes every connection of these sessions (ended together).
    pub fn close_sessions(&self, session_ids: &HashSet<String>, reason: CloseReason) {
        for c in self.users().conns.values() {
            if session_ids.contains(&*c.session) {
                c.outbox.close(reason);
            }
        }
    }

    /// The room of that name, created by `creator` if it does not exist and the creator may
    /// create one. In cluster mode a room this node has not heard of may have been created on
    /// another node a moment ago: the database says, so that joining it creates nothing.
    pub async fn room(&self, name: &RoomName, creator: &User) -> Result<RoomHandle, CreateRefusal> {
        if let Some(room) = self.find_room(name).await {
            return Ok(room);
        }
        let mut dir = self.directory();
        if let Some(room) = dir.rooms.get(name) {
            return Ok(room.clone());
        }
        dir.may_create(creator)?;
        let creation = Creation {
            by: creator.nickname.clone(),
        };
        let room = self.spawn_room(name, Some(creation));
        dir.add(name.clone(), room.clone(), creator);
        drop(dir);
        tracing::info!(room = %name, "room created");
        Ok(room)
    }

    /// The room of that name, if it exists; in cluster mode one another node created a
    /// moment ago too (the database says).
    pub async fn find_room(&self, name: &RoomName) -> Option<RoomHandle> {
        if let Some(room) = self.existing_room(name) {
            return Some(room);
        }
        if self.inner.room_settings.cluster.is_some() {
            match self.inner.store.room_creator(name).await {
                Ok(Some(by)) => return Some(self.known_room(name, &by)),
                Ok(None) => {}
                Err(err) => tracing::warn!(room = %name, cause = %err, "cannot look a room up"),
            }
        }
        None
    }

    /// Cluster mode: the room of that name, which exists (another node created it, by
    /// `by`); added to the directory if it is not there yet.
    pub fn known_room(&self, name: &RoomName, by: &str) -> RoomHandle {
        let mut dir = self.directory();
        if let Some(room) = dir.rooms.get(name) {
            return room.clone();
        }
        let room = self.spawn_room(name, None);
        dir.add_stored(name.clone(), room.clone(), by);
        room
    }

    /// Cluster mode: adds the stored rooms this node does not know (created on other nodes
    /// while the broker was away); how many.
    pub async fn reload_rooms(&self) -> anyhow::Result<usize> {
        let stored = self
            .inner
            .store
            .rooms()
            .await
            .context("reading the rooms")?;
        let mut added = 0;
        for (name, by) in stored {
            if self.existing_room(&name).is_none() {
                self.known_room(&name, &by);
                added += 1;
            }
        }
        if added > 0 {
            tracing::info!(rooms = added, "rooms created elsewhere read back");
        }
        Ok(added)
    }

    /// Makes the direct-message room `name` (recorded with its pair already), opened by
    /// `by`; it counts against nobody's rooms.
    fn direct_room(&self, name: &RoomName, by: &User) -> RoomHandle {
        let mut dir = self.directory();
        if let Some(room) = dir.rooms.get(name) {
            return room.clone();
        }
        let creation = Creation {
            by: by.nickname.clone(),
        };
        let room = self.spawn_room(name, Some(creation));
        dir.add_stored(name.clone(), room.clone(), by.nickname.as_str());
        room
    }

    fn spawn_room(&self, name: &RoomName, creation: Option<Creation>) -> RoomHandle {
        let settings = self.inner.room_settings.clone();
        RoomHandle::spawn(name.clone(), settings, self.inner.store.clone(), creation)
    }

    /// The room of that name, if it exists.
    pub fn existing_room(&self, name: &RoomName) -> Option<RoomHandle> {
        self.directory().rooms.get(name).cloned()
    }

    /// Cluster mode: a message another node committed, for this node's room of that name (a
    /// room unknown here has nobody to tell; its first join reads from storage).
    pub fn remote_message(&self, room: &RoomName, seq: shared::Seq, frame: bytes::Bytes) {
        if let Some(handle) = self.existing_room(room) {
            handle.remote(seq, frame);
        }
    }

    /// Cluster mode: a reaction another node committed in `room`, as change `rev`.
    pub fn remote_change(&self, room: &RoomName, rev: u64, frame: bytes::Bytes) {
        if let Some(handle) = self.existing_room(room) {
            handle.remote_change(rev, frame);
        }
    }

    /// Cluster mode: another node's news of its people in `room`.
    pub async fn remote_presence(
        &self,
        room: &RoomName,
        msg: crate::cluster::presence::PresenceMsg,
    ) {
        if let Some(handle) = self.existing_room(room) {
            handle.presence(msg).await;
        }
    }

    /// Cluster mode: a node fell silent; its people leave every room.
    pub async fn node_gone(&self, node: &Arc<str>) {
        let handles: Vec<RoomHandle> = self.directory().rooms.values().cloned().collect();
        for handle in handles {
            handle.node_gone(node.clone()).await;
        }
    }

    /// Cluster mode: has every room read back what the broker may have lost.
    pub fn resync_rooms(&self) {
        let handles: Vec<RoomHandle> = self.directory().rooms.values().cloned().collect();
        for handle in handles {
            handle.resync();
        }
    }

    /// Up to `limit` rooms after `after`, by name, with their member counts, and the name to
    /// ask for the next page after (if there is one).
    pub fn rooms_page(&self, q: &PageQuery) -> (Vec<RoomSummary>, Option<RoomName>) {
        self.directory().page(&q.prefix, q.after.as_ref(), q.limit)
    }

    /// The member counts of those of `names` that are rooms (direct-message rooms are
    /// nobody else's business: never counted).
    pub fn room_counts(&self, names: &[RoomName]) -> Vec<RoomSummary> {
        let dir = self.directory();
        names
            .iter()
            .filter(|n| !direct::is_direct(n))
            .filter_map(|n| dir.rooms.get(n).map(directory::summary))
            .collect()
    }

    /// Bytes of recent messages the rooms hold in memory.
    pub fn recent_cache_bytes(&self) -> usize {
        self.inner.room_settings.recent_budget.used()
    }

    /// How many rooms there are.
    pub fn room_count(&self) -> usize {
        self.directory().rooms.len()
    }

    /// How many connections are open.
    pub fn connection_count(&self) -> usize {
        self.users().conns.len()
    }

    /// Closes every connection with `reason` (shutdown), and every one that connects later.
    pub fn close_all(&self, reason: CloseReason) {
        let mut users = self.users();
        users.closed = Some(reason);
        for c in users.conns.values() {
            c.outbox.close(reason);
        }
    }

    fn directs(&self) -> std::sync::MutexGuard<'_, direct::Directs> {
        self.inner.directs.lock().expect("directs lock")
    }

    fn directory(&self) -> std::sync::MutexGuard<'_, Directory> {
        self.inner.rooms.lock().expect("rooms lock")
    }

    fn users(&self) -> std::sync::MutexGuard<'_, Users> {
        self.inner.users.lock().expect("users lock")
    }
}
