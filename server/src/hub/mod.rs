//! The hub: the directory of rooms and of connected users.
//!
//! Rooms are actors ([`room`]); the hub only finds or creates them and reaches every
//! connection for server-wide events (a new room, a session ending). Nicknames are kept
//! unique by the sessions ([`crate::auth`]). Its maps sit behind
//! short-held mutexes: lookups are rare next to messages, which go straight to the rooms.

pub mod history;
pub mod outbox;
pub mod room;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;
use std::sync::{Arc, Mutex};

use shared::{CloseReason, Nickname, RoomName, RoomSummary, ServerMsg};

use self::outbox::Outbox;
use self::room::{Creation, RoomHandle, RoomSettings};
use crate::storage::Store;

/// Identifies one WebSocket connection for the life of the server.
pub type ConnId = u64;

/// Cloneable handle to the hub.
#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    rooms: Mutex<HashMap<RoomName, RoomHandle>>,
    users: Mutex<Users>,
    next_conn: AtomicU64,
    store: Store,
    room_settings: RoomSettings,
    outbox_bytes: usize,
}

#[derive(Default)]
struct Users {
    /// Every connection's outbox, with the id of its session.
    conns: HashMap<ConnId, (Arc<Outbox>, Arc<str>)>,
    /// The rooms each user (by nickname key) is in, with how many of the user's
    /// connections are in each: the per-user room cap counts these.
    rooms_of: HashMap<String, HashMap<RoomName, u32>>,
}

impl Hub {
    /// A hub with every stored room.
    pub async fn open(
        store: Store,
        room_settings: RoomSettings,
        outbox_bytes: usize,
    ) -> anyhow::Result<Self> {
        let names = store.rooms().await.context("reading the rooms")?;
        let rooms = names
            .into_iter()
            .map(|name| {
                let handle =
                    RoomHandle::spawn(name.clone(), room_settings.clone(), store.clone(), None);
                (name, handle)
            })
            .collect();
        Ok(Self {
            inner: Arc::new(Inner {
                rooms: Mutex::new(rooms),
                users: Mutex::new(Users::default()),
                next_conn: AtomicU64::new(1),
                store,
                room_settings,
                outbox_bytes,
            }),
        })
    }

    /// Messages a history page holds unless the client asks for another size.
    pub fn history_page_len(&self) -> u32 {
        self.inner.room_settings.history_page
    }

    /// The storage behind the hub.
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Registers a new connection of a session and returns its id and outbox. With `greet`,
    /// the outbox starts with the `welcome` frame and its room list, queued under the same
    /// lock as the registration: no room announcement can come before it, and a room created
    /// meanwhile is in the list, announced after it, or both (clients ignore a room they
    /// already know).
    pub fn connect(&self, session_id: &str, greet: bool) -> (ConnId, Arc<Outbox>) {
        let id = self.inner.next_conn.fetch_add(1, Ordering::Relaxed);
        let outbox = Arc::new(Outbox::new(self.inner.outbox_bytes));
        let mut users = self.users();
        if greet {
            let welcome = ServerMsg::Welcome {
                protocol: shared::PROTOCOL_VERSION,
                rooms: self.rooms(),
            };
            let _ = outbox.push_frame(crate::wire::encode(&welcome));
        }
        users
            .conns
            .insert(id, (outbox.clone(), Arc::from(session_id)));
        (id, outbox)
    }

    /// Forgets a connection. Its participant leaves its rooms itself.
    pub fn disconnect(&self, conn: ConnId) {
        self.users().conns.remove(&conn);
    }

    /// Counts one more of `user`'s connections in `room`. Refused (false) when `room` would
    /// be a new room for the user and the user is already in `max` rooms (0: no cap).
    pub fn claim_room(&self, user: &Nickname, room: &RoomName, max: usize) -> bool {
        let mut users = self.users();
        let rooms = users.rooms_of.entry(user.key()).or_default();
        if let Some(count) = rooms.get_mut(room) {
            *count += 1;
            return true;
        }
        if max != 0 && rooms.len() >= max {
            if rooms.is_empty() {
                users.rooms_of.remove(&user.key());
            }
            return false;
        }
        rooms.insert(room.clone(), 1);
        true
    }

    /// Undoes one [`Hub::claim_room`].
    pub fn release_room(&self, user: &Nickname, room: &RoomName) {
        let mut users = self.users();
        let key = user.key();
        let Some(rooms) = users.rooms_of.get_mut(&key) else {
            return;
        };
        if let Some(count) = rooms.get_mut(room) {
            *count -= 1;
            if *count == 0 {
                rooms.remove(room);
            }
        }
        if rooms.is_empty() {
            users.rooms_of.remove(&key);
        }
    }

    /// Closes every connection of a session (signed out, or replaced).
    pub fn close_session(&self, session_id: &str, reason: CloseReason) {
        for (outbox, sid) in self.users().conns.values() {
            if &**sid == session_id {
                outbox.close(reason);
            }
        }
    }

    /// Closes every connection of these sessions (ended together).
    pub fn close_sessions(&self, session_ids: &HashSet<String>, reason: CloseReason) {
        for (outbox, sid) in self.users().conns.values() {
            if session_ids.contains(&**sid) {
                outbox.close(reason);
            }
        }
    }

    /// The room of that name, created by `creator` (and announced to everyone) if it does
    /// not exist.
    pub fn room(&self, name: &RoomName, creator: &Nickname) -> RoomHandle {
        let mut rooms = self.inner.rooms.lock().expect("rooms lock");
        if let Some(room) = rooms.get(name) {
            return room.clone();
        }
        let room = RoomHandle::spawn(
            name.clone(),
            self.inner.room_settings.clone(),
            self.inner.store.clone(),
            Some(Creation {
                by: creator.clone(),
            }),
        );
        rooms.insert(name.clone(), room.clone());
        drop(rooms);
        tracing::info!(room = %name, "room created");
        self.broadcast_all(&ServerMsg::RoomCreated {
            room: RoomSummary {
                name: name.clone(),
                members: 0,
            },
        });
        room
    }

    /// The room of that name, if it exists.
    pub fn existing_room(&self, name: &RoomName) -> Option<RoomHandle> {
        self.inner
            .rooms
            .lock()
            .expect("rooms lock")
            .get(name)
            .cloned()
    }

    /// Every room with its member count, by name.
    pub fn rooms(&self) -> Vec<RoomSummary> {
        let rooms = self.inner.rooms.lock().expect("rooms lock");
        let mut list: Vec<RoomSummary> = rooms
            .values()
            .map(|r| RoomSummary {
                name: r.name().clone(),
                members: r.member_count(),
            })
            .collect();
        list.sort_by(|a, b| a.name.cmp(&b.name));
        list
    }

    /// How many connections are open.
    pub fn connection_count(&self) -> usize {
        self.users().conns.len()
    }

    /// Sends a message to every connection.
    pub fn broadcast_all(&self, msg: &ServerMsg) {
        let bytes = crate::wire::encode(msg);
        let users = self.users();
        for (outbox, _) in users.conns.values() {
            let _ = outbox.push_frame(bytes.clone());
        }
    }

    /// Closes every connection with `reason` (shutdown).
    pub fn close_all(&self, reason: CloseReason) {
        for (outbox, _) in self.users().conns.values() {
            outbox.close(reason);
        }
    }

    fn users(&self) -> std::sync::MutexGuard<'_, Users> {
        self.inner.users.lock().expect("users lock")
    }
}
