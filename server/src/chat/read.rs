//! Read state: where each user has read each room up to, kept in storage per user (so it
//! follows them to every device) and told live to the user's other connections.

use shared::{Nickname, NotifyLevel, RoomName, Seq};
use tracing::warn;

use super::commands::Refusal;
use super::Participant;
use crate::hub::room::{Personal, RoomHandle};
use crate::now_ms;

impl Participant {
    /// What the `joined` of `room` says of this user: the read position and the unread
    /// messages that mention the user (in a direct conversation, all from the other person),
    /// and the other person of a direct conversation. Storage failing, the join goes on as a
    /// first one.
    pub(super) async fn personal(
        &self,
        room: &RoomName,
        handle: &RoomHandle,
        direct: Option<Nickname>,
    ) -> Personal {
        let store = self.hub.store();
        let user = &self.identity.user;
        let (read_seq, notify) = match store.read_state(&user.key, room).await {
            Ok(Some((seq, level))) => (Some(seq), level),
            Ok(None) => (None, NotifyLevel::default()),
            Err(err) => {
                warn!(cause = %err, "cannot read the read state; the join counts nothing unread");
                return Personal {
                    direct,
                    ..Personal::default()
                };
            }
        };
        let mentions = match read_seq {
            Some(seq) if seq < handle.last_seq() => {
                let counted = if direct.is_some() {
                    store.sent_by_others(room, seq, &user.key).await
                } else {
                    let me = (&*user.key, &user.nickname);
                    let limit = shared::MENTIONS_COUNTED_MAX;
                    store.mentions_after(room, seq, me, limit).await
                };
                counted.unwrap_or_else(|err| {
                    warn!(cause = %err, "cannot count the unread mentions");
                    0
                })
            }
            _ => 0,
        };
        Personal {
            read_seq,
            first: read_seq.is_none(),
            mentions,
            direct,
            notify,
        }
    }

    /// The user read `room` up to `seq` (at most its latest): kept, and told to the user's
    /// other connections. A position behind the one already told changes nothing.
    pub(super) async fn read(&mut self, room: &str, seq: Seq) -> Result<(), Refusal> {
        let room = super::commands::room_name(room)?;
        let Some((handle, told)) = self.rooms.get_mut(&room) else {
            return Err(self.not_in_room(&room));
        };
        let seq = seq.min(handle.last_seq());
        if seq <= *told {
            return Ok(());
        }
        *told = seq;
        let handle = handle.clone();
        handle.read(self.conn, seq).await;
        self.keep_read(room, seq);
        Ok(())
    }

    /// The user chose what in `room` notifies them: kept, and told to their other
    /// connections.
    pub(super) async fn set_notify(
        &mut self,
        room: &str,
        level: NotifyLevel,
    ) -> Result<(), Refusal> {
        let room = super::commands::room_name(room)?;
        let Some((handle, _)) = self.rooms.get(&room) else {
            return Err(self.not_in_room(&room));
        };
        let handle = handle.clone();
        handle.notify(self.conn, level).await;
        let (store, key) = (self.hub.store().clone(), self.identity.user.key.clone());
        let read_seq = handle.last_seq();
        tokio::spawn(async move {
            let kept = store
                .set_notify(&key, &room, (level, read_seq), now_ms())
                .await;
            if let Err(err) = kept {
                warn!(cause = %err, %room, "cannot keep the notification level");
            }
        });
        Ok(())
    }

    /// Stores a read position. Not awaited: the connection goes on reading (each costs a
    /// message of the rate, or a join).
    fn keep_read(&self, room: RoomName, seq: Seq) {
        let (store, key) = (self.hub.store().clone(), self.identity.user.key.clone());
        tokio::spawn(async move {
            if let Err(err) = store.mark_read(&key, &room, seq, now_ms()).await {
                warn!(cause = %err, %room, "cannot keep the read position");
            }
        });
    }
}
