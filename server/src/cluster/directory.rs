//! The room directory on every node: a node that creates a room tells the others on
//! `parley.rooms.created` once its row is stored, and each of them adds the room to its own
//! directory (so that Browse lists it, its member counts cover every node, and its creator's
//! room count is the same everywhere). What the broker lost meanwhile is read back from the
//! database each time the link returns.

use bytes::Bytes;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use shared::RoomName;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use super::Cluster;
use crate::hub::Hub;

const CREATED: &str = "parley.rooms.created";

/// What goes on the wire: a room and its creator's nickname as stored.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Created {
    name: RoomName,
    by: String,
}

impl Cluster {
    /// Tells the other nodes that this node created `name` (its row is stored).
    pub fn tell_room_created(&self, name: &RoomName, by: &str) {
        let created = Created {
            name: name.clone(),
            by: by.to_owned(),
        };
        let json = serde_json::to_vec(&created).expect("serializes");
        self.publish(CREATED.to_owned(), Bytes::from(json));
    }

    /// Adds the rooms the other nodes create to `hub`, and reads back those the broker lost
    /// each time the link returns, until `stop`.
    pub fn serve_directory(&self, hub: Hub, stop: CancellationToken) {
        let cluster = self.clone();
        let mut links = self.links();
        tokio::spawn(async move {
            let Some(mut sub) = cluster.subscribe(CREATED, "new rooms").await else {
                return;
            };
            loop {
                tokio::select! {
                    () = stop.cancelled() => return,
                    msg = sub.next() => {
                        let Some(msg) = msg else { return };
                        match serde_json::from_slice::<Created>(&msg.payload) {
                            Ok(c) => {
                                hub.known_room(&c.name, &c.by);
                                if crate::hub::direct::is_direct(&c.name) {
                                    // Its two people here hear of it.
                                    hub.direct_news(&c.name).await;
                                }
                            }
                            Err(err) => warn!(cause = %err, "not a new-room message; ignored"),
                        }
                    }
                    changed = links.changed() => {
                        if changed.is_err() { return }
                        if let Err(err) = hub.reload_rooms().await {
                            warn!(cause = %err, "cannot read the rooms back");
                        }
                    }
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_room_message_reads_back_and_a_bad_name_is_refused() {
        let created = Created {
            name: RoomName::parse("garden").unwrap(),
            by: "Alice".into(),
        };
        let json = serde_json::to_vec(&created).unwrap();
        assert_eq!(serde_json::from_slice::<Created>(&json).unwrap(), created);
        let bad = br#"{"name":"Bad Name!","by":"x"}"#;
        assert!(serde_json::from_slice::<Created>(bad).is_err());
    }
}
