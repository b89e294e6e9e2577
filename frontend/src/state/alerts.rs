//! Messages that call for a desktop notification: from someone else, live (not history),
//! and at the room's level (every message, mentions and direct messages, or nothing). The
//! provider shows them (see `services::notify`) when the page is hidden or the room is not
//! in view, from one tab only.

use shared::{ChatMessage, NotifyLevel, RoomName};

use super::ChatState;

/// How many alerts the state keeps (the provider shows each once, as it comes).
pub const ALERTS_KEPT: usize = 20;
/// Longest notification body, in characters.
const BODY_MAX_CHARS: usize = 200;

/// A message to notify of.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Identifies it, in order.
    pub id: u64,
    /// Its room.
    pub room: RoomName,
    /// The room was in view when it came.
    pub in_view: bool,
    /// "bob in #lobby", or "bob" for a direct message.
    pub title: String,
    /// The text, shortened.
    pub body: String,
    /// The same for every tab (so that the browser shows one).
    pub tag: String,
}

impl ChatState {
    /// Notes an alert for `m`.
    pub(super) fn alert(&mut self, m: &ChatMessage, direct: bool, in_view: bool) {
        let title = if direct {
            m.nickname.to_string()
        } else {
            format!("{} in #{}", m.nickname, m.room)
        };
        let mut body: String = m.text.as_str().chars().take(BODY_MAX_CHARS).collect();
        if m.text.as_str().chars().count() > BODY_MAX_CHARS {
            body.push('…');
        }
        let id = self.next_alert;
        self.next_alert += 1;
        self.alerts.push(Alert {
            id,
            room: m.room.clone(),
            in_view,
            title,
            body,
            tag: format!("parley-{}-{}", m.room, m.seq.0),
        });
        if self.alerts.len() > ALERTS_KEPT {
            self.alerts.remove(0);
        }
    }

    /// The user (here or on another device) chose what in `room` notifies them.
    pub(super) fn set_notify(&mut self, room: RoomName, level: NotifyLevel) {
        if self.rooms.contains_key(&room) {
            self.room_mut(&room).notify = level;
        }
    }

    /// The id of the latest alert (0: none yet).
    pub fn last_alert(&self) -> u64 {
        self.next_alert - 1
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::Action;
    use shared::NotifyLevel;

    fn titles(s: &super::ChatState) -> Vec<(String, String, bool)> {
        s.alerts
            .iter()
            .map(|a| (a.title.clone(), a.body.clone(), a.in_view))
            .collect()
    }

    #[test]
    fn mentions_notify_by_default_every_message_at_all_and_nothing_when_muted() {
        let s = run(
            in_lobby_and_garden(),
            [
                message("garden", 1, BOB, "plain"),
                message("garden", 2, BOB, "@alice look"),
                message("garden", 3, ME, "@alice me myself"),
                message("lobby", 4, BOB, "@alice here"),
            ],
        );
        assert_eq!(
            titles(&s),
            [
                ("bob in #garden".into(), "@alice look".into(), false),
                ("bob in #lobby".into(), "@alice here".into(), true),
            ]
        );
        assert_eq!(s.alerts[0].tag, "parley-garden-2");
        let s = run(
            s,
            [
                Action::SetNotify(room("garden"), NotifyLevel::All),
                message("garden", 5, BOB, "anything"),
                Action::SetNotify(room("garden"), NotifyLevel::Nothing),
                message("garden", 6, BOB, "@alice muted"),
            ],
        );
        assert_eq!(s.alerts.len(), 3);
        assert_eq!(s.alerts[2].body, "anything");
        assert_eq!(s.last_alert(), 3);
    }

    #[test]
    fn a_direct_message_notifies_and_history_does_not() {
        let s = run(
            in_lobby(),
            [
                Action::Server(shared::ServerMsg::Direct {
                    room: room("dm-1"),
                    with: nick(BOB),
                }),
                joined_unread("dm-1", 0, 2, 0, 2),
                message("dm-1", 1, BOB, "old"),
                message("dm-1", 2, BOB, "old too"),
                message("dm-1", 3, BOB, "new"),
            ],
        );
        assert_eq!(titles(&s), [("bob".into(), "new".into(), false)]);
    }
}
