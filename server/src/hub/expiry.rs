//! Rooms that go away: a room with no messages that nobody has been in for a while (the
//! `--empty-room-ttl`, 24 h by default) is deleted, and no longer counts against its
//! creator's room limit. The lobby stays, and so does every room with a message.

use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::Hub;

/// Longest time between two sweeps (a shorter TTL sweeps more often, four times per TTL).
const SWEEP_MAX: Duration = Duration::from_secs(60);
/// Shortest time between two sweeps.
const SWEEP_MIN: Duration = Duration::from_millis(50);

impl Hub {
    /// Deletes empty rooms unused for `ttl` until `stop`; `ttl` zero: never.
    pub async fn expire_rooms_every(self, ttl: Duration, stop: CancellationToken) {
        if ttl.is_zero() {
            return;
        }
        let every = (ttl / 4).clamp(SWEEP_MIN, SWEEP_MAX);
        loop {
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = stop.cancelled() => return,
            }
            let gone = self.expire_rooms(ttl).await;
            if gone > 0 {
                tracing::info!(rooms = gone, "empty rooms expired");
            }
        }
    }

    /// One sweep: deletes the rooms with no message that have been unused for `ttl`
    /// (since the sweep that first saw them so); returns how many.
    pub async fn expire_rooms(&self, ttl: Duration) -> usize {
        let due = self.directory().due(Instant::now(), ttl);
        let store = self.store();
        let mut gone = 0;
        for name in due {
            match store.has_messages(&name).await {
                Ok(false) => {}
                Ok(true) => {
                    self.directory().keep(&name);
                    continue;
                }
                Err(err) => {
                    tracing::warn!(room = %name, cause = %err, "cannot tell if a room is empty");
                    continue;
                }
            }
            // Deleted from storage while still in the directory, so that nobody can make a
            // new room of that name (whose row the delete would take) meanwhile.
            let creator = match store.delete_room_if_empty(&name).await {
                Ok(Some(creator)) => creator,
                Ok(None) => continue, // A message came, or the room is not stored yet.
                Err(err) => {
                    tracing::warn!(room = %name, cause = %err, "cannot delete an expired room");
                    continue;
                }
            };
            // Checked again under the lock: someone may have joined meanwhile. Once out of
            // the directory nobody can reach the room; its task ends with this handle.
            let removed = self.directory().remove_if_unused(&name);
            if let Some(room) = removed {
                drop(room);
                tracing::debug!(room = %name, "empty room expired");
                gone += 1;
            } else if let Err(err) = store.create_room(&name, &creator, crate::now_ms()).await {
                // Someone came in as it went: it stays, and so must its row.
                tracing::warn!(room = %name, cause = %err, "cannot restore a room in use");
            }
        }
        gone
    }
}
