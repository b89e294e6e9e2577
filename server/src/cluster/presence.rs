//! Who is in a room, on every node.
//!
//! A node tells the others of its own people in each room: `here` when someone's first
//! connection on this node joins, `gone` when their last one leaves. A room that starts on a
//! node asks `who` is there, and every node answers with a `here` for each of its people.
//! Each node also says it is alive every [`ALIVE_EVERY`]; one silent for [`NODE_TIMEOUT`]
//! is taken to be dead, and its people leave every room ("disconnected"). A node names
//! itself by its id and a random number drawn at each start, so that a node restarted under
//! the same id does not inherit the people its previous life announced.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use shared::{PresenceChange, RoomName};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

use super::Cluster;
use crate::hub::Hub;

/// How often a node says it is alive.
pub const ALIVE_EVERY: Duration = Duration::from_secs(5);
/// A node not heard from for this long is dead: its people leave every room.
pub const NODE_TIMEOUT: Duration = Duration::from_secs(15);

const ALIVE: &str = "parley.nodes.alive";

/// What nodes say of a room's people, on `parley.presence.<room>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum PresenceMsg {
    /// `nickname` (filed under `key`) is in the room on `node`.
    Here {
        node: Arc<str>,
        key: Arc<str>,
        nickname: String,
    },
    /// `key` is no longer in the room on `node`, for `change`.
    Gone {
        node: Arc<str>,
        key: Arc<str>,
        change: PresenceChange,
    },
    /// `node` asks who is in the room: every other node answers with its `here`s.
    Who { node: Arc<str> },
    /// `key`, in the room on `node`, read it up to `seq`.
    Read {
        node: Arc<str>,
        key: Arc<str>,
        seq: shared::Seq,
    },
    /// `key`, in the room on `node`, chose what in it notifies them.
    Notify {
        node: Arc<str>,
        key: Arc<str>,
        level: shared::NotifyLevel,
    },
    /// `nickname` (filed under `key`), in the room on `node`, is typing or stopped.
    Typing {
        node: Arc<str>,
        key: Arc<str>,
        nickname: String,
        typing: bool,
    },
}

impl Cluster {
    /// Tells the other nodes something about `room`'s people.
    pub fn tell_presence(&self, room: &RoomName, msg: &PresenceMsg) {
        let json = serde_json::to_vec(msg).expect("serializes");
        self.publish(format!("parley.presence.{room}"), Bytes::from(json));
    }

    /// Hands the other nodes' presence news to this node's rooms, says this node is alive,
    /// and empties the rooms of nodes that fell silent, until `stop`.
    pub fn serve_presence(&self, hub: Hub, stop: CancellationToken) {
        let client = self.client().clone();
        let me = self.node().clone();
        let (hub2, stop2) = (hub, stop.clone());
        tokio::spawn(async move {
            let (mut news, mut alive) = match (
                client.subscribe("parley.presence.*").await,
                client.subscribe(ALIVE).await,
            ) {
                (Ok(n), Ok(a)) => (n, a),
                _ => {
                    warn!("cannot subscribe to presence");
                    return;
                }
            };
            let mut seen: HashMap<Arc<str>, Instant> = HashMap::new();
            let mut check = tokio::time::interval(ALIVE_EVERY);
            loop {
                tokio::select! {
                    () = stop2.cancelled() => return,
                    msg = news.next() => {
                        let Some(msg) = msg else { return };
                        let room = msg.subject.as_str().strip_prefix("parley.presence.")
                            .and_then(|r| RoomName::parse(r).ok());
                        match (room, serde_json::from_slice::<PresenceMsg>(&msg.payload)) {
                            (Some(room), Ok(p)) => {
                                if let PresenceMsg::Here { node, .. } = &p {
                                    seen.entry(node.clone()).or_insert_with(Instant::now);
                                }
                                hub2.remote_presence(&room, p).await;
                            }
                            _ => warn!(subject = %msg.subject, "not a presence message; ignored"),
                        }
                    }
                    msg = alive.next() => {
                        let Some(msg) = msg else { return };
                        if let Ok(node) = std::str::from_utf8(&msg.payload) {
                            if *node != *me {
                                seen.insert(Arc::from(node), Instant::now());
                            }
                        }
                    }
                    _ = check.tick() => {
                        let dead: Vec<Arc<str>> = seen
                            .iter()
                            .filter(|(_, at)| at.elapsed() > NODE_TIMEOUT)
                            .map(|(n, _)| n.clone())
                            .collect();
                        for node in dead {
                            seen.remove(&node);
                            info!(%node, "a node fell silent: its people leave every room");
                            hub2.node_gone(&node).await;
                        }
                    }
                }
            }
        });
        let cluster = self.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(ALIVE_EVERY);
            loop {
                tokio::select! {
                    () = stop.cancelled() => return,
                    _ = every.tick() => {
                        cluster.publish(ALIVE.to_owned(), Bytes::from(cluster.node().to_string()));
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
    fn presence_messages_read_back() {
        for msg in [
            PresenceMsg::Here {
                node: "n1#7".into(),
                key: "alice".into(),
                nickname: "Alice".into(),
            },
            PresenceMsg::Gone {
                node: "n1#7".into(),
                key: "alice".into(),
                change: PresenceChange::Disconnected,
            },
            PresenceMsg::Who {
                node: "n2#9".into(),
            },
            PresenceMsg::Read {
                node: "n1#7".into(),
                key: "alice".into(),
                seq: shared::Seq(42),
            },
            PresenceMsg::Typing {
                node: "n1#7".into(),
                key: "alice".into(),
                nickname: "Alice".into(),
                typing: true,
            },
        ] {
            let json = serde_json::to_vec(&msg).unwrap();
            assert_eq!(serde_json::from_slice::<PresenceMsg>(&json).unwrap(), msg);
        }
    }
}
