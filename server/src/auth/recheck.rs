//! Cluster mode: catching up with the sessions other nodes ended while the broker could not
//! say so (docs/CLUSTER.md, "Sessions").
//!
//! A revoked session's row records when (`revoked_at`), and in cluster mode the row is kept
//! for [`REVOKED_KEPT`] before it is pruned. So a node asks only for the sessions revoked
//! since its last check (less [`CLOCK_SKEW`], since another node's clock wrote the time):
//! one indexed read of what changed, not of every live session. A node whose last check is
//! too old for that (its first, or one after a long database outage) compares every session
//! it holds with the live ones instead.

use std::collections::HashSet;
use std::time::Duration;

use shared::CloseReason;

use super::Auth;
use crate::now_ms;

/// How long a revoked session's row stays in cluster mode before it is pruned, so that every
/// node's next check finds it.
pub const REVOKED_KEPT: Duration = Duration::from_secs(10 * 60);
/// How far apart the nodes' clocks may be.
pub const CLOCK_SKEW: Duration = Duration::from_secs(60);

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Auth {
    /// Forgets the sessions in memory that another node ended (their sockets close): those
    /// revoked since the last check, or, if that is too long ago, every one the database no
    /// longer holds live.
    pub async fn revalidate(&self) {
        let started = now_ms();
        let last = *self.inner.checked.lock().expect("check lock");
        let since = last.map(|t| t - ms(CLOCK_SKEW));
        let recent_enough = since.is_some_and(|s| started - s < ms(REVOKED_KEPT - CLOCK_SKEW));
        let gone = if recent_enough {
            self.revoked_since(since.unwrap_or(0)).await
        } else {
            self.not_live().await
        };
        let Some(gone) = gone else { return };
        *self.inner.checked.lock().expect("check lock") = Some(started);
        if !gone.is_empty() {
            self.ended_elsewhere(&gone, CloseReason::Unauthorized);
        }
    }

    /// The sessions held here that were revoked at `since` or later; `None` if storage fails.
    async fn revoked_since(&self, since: i64) -> Option<HashSet<String>> {
        let revoked = match self.inner.store.sessions_revoked_since(since).await {
            Ok(ids) => ids,
            Err(err) => {
                tracing::warn!(cause = %err, "cannot check the sessions");
                return None;
            }
        };
        let cached = self.inner.live.lock().expect("sessions lock");
        Some(
            revoked
                .into_iter()
                .filter(|id| cached.by_id.contains_key(id))
                .collect(),
        )
    }

    /// The sessions held here that the database no longer holds live; `None` if storage
    /// fails.
    async fn not_live(&self) -> Option<HashSet<String>> {
        let live: HashSet<String> = match self.inner.store.live_sessions(now_ms()).await {
            Ok(sessions) => sessions.into_iter().map(|s| s.id).collect(),
            Err(err) => {
                tracing::warn!(cause = %err, "cannot check the sessions");
                return None;
            }
        };
        // One made here a moment ago may be on its way into the database.
        let recent = now_ms() + self.inner.ttl.as_millis() as i64 - 10_000;
        let cached = self.inner.live.lock().expect("sessions lock");
        Some(
            cached
                .by_id
                .values()
                .filter(|s| s.expires_at < recent && !live.contains(&s.id))
                .map(|s| s.id.clone())
                .collect(),
        )
    }
}
