//! Sessions that end on one node end on every node: the node that ends them (sign-out, a
//! password change, sign-out everywhere, expiry) publishes their ids on
//! `parley.sessions.ended`, and each node forgets them and closes their sockets. What the
//! broker lost meanwhile is caught up from the database when the link returns and every
//! [`super::fanout::RESYNC_EVERY`].

use std::collections::HashSet;

use bytes::Bytes;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use shared::CloseReason;
use tokio_util::sync::CancellationToken;
use tracing::warn;

use super::fanout::RESYNC_EVERY;
use super::Cluster;
use crate::auth::Auth;

const ENDED: &str = "parley.sessions.ended";

/// What goes on the wire.
#[derive(Serialize, Deserialize)]
struct Ended {
    /// The close code of the sockets' reason.
    code: u16,
    ids: Vec<String>,
}

impl Cluster {
    /// Tells the other nodes of the sessions `auth` ends, and ends those they end, until
    /// `stop`.
    pub fn serve_sessions(&self, auth: Auth, stop: CancellationToken) {
        let me = self.clone();
        auth.tell_others(move |ids: &HashSet<String>, reason: CloseReason| {
            let ended = Ended {
                code: reason.code(),
                ids: ids.iter().cloned().collect(),
            };
            let json = serde_json::to_vec(&ended).expect("serializes");
            me.publish(ENDED.to_owned(), Bytes::from(json));
        });
        let cluster = self.clone();
        let mut links = self.links();
        tokio::spawn(async move {
            let Some(mut sub) = cluster.subscribe(ENDED, "ended sessions").await else {
                return;
            };
            let mut every = tokio::time::interval(RESYNC_EVERY);
            every.tick().await;
            loop {
                tokio::select! {
                    () = stop.cancelled() => return,
                    msg = sub.next() => {
                        let Some(msg) = msg else { return };
                        match serde_json::from_slice::<Ended>(&msg.payload) {
                            Ok(e) => {
                                let reason = CloseReason::from_code(e.code)
                                    .unwrap_or(CloseReason::Unauthorized);
                                auth.ended_elsewhere(&e.ids.into_iter().collect(), reason);
                            }
                            Err(err) => warn!(cause = %err, "not an ended-sessions message; ignored"),
                        }
                    }
                    changed = links.changed() => {
                        if changed.is_err() { return }
                        auth.revalidate().await;
                    }
                    _ = every.tick() => auth.revalidate().await,
                }
            }
        });
    }
}
