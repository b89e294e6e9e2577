//! Read state: the server keeps where this user has read each room up to; `joined` brings
//! the unread and mention counts from it, `read` brings what another tab or device read.
//! This tab tells the server when the room in view was read ([`ChatState::to_mark_read`]).

use shared::{RoomName, Seq};

use super::{same_name, ChatState};

impl ChatState {
    /// The room in view has messages after the read position told: (room, its last seq), to
    /// tell the server (when the window has focus).
    pub fn to_mark_read(&self) -> Option<(RoomName, Seq)> {
        let r = self.current_room()?;
        let last = r.last_seq();
        (r.joined && last > r.read_seq.max(r.read_told)).then(|| (r.name.clone(), last))
    }

    /// This tab told the server it read `room` up to `seq`.
    pub(super) fn read_told(&mut self, room: RoomName, seq: Seq) {
        if let Some(r) = self.rooms.get(&room) {
            if r.read_told < seq {
                let r = self.room_mut(&room);
                r.read_told = seq;
                r.read_seq = r.read_seq.max(seq);
            }
        }
    }

    /// Another tab or device read `room` up to `seq`: what is left unread is what this tab
    /// holds after it (none if it holds nothing after it).
    pub(super) fn read_elsewhere(&mut self, room: RoomName, seq: Seq) {
        if !self.rooms.contains_key(&room) {
            return;
        }
        let me = self.me.clone();
        let r = self.room_mut(&room);
        if seq <= r.read_seq {
            return;
        }
        r.read_seq = seq;
        let others = r
            .messages
            .range(Seq(seq.0 + 1)..)
            .map(|(_, m)| m)
            .filter(|m| m.bot || !me.as_ref().is_some_and(|me| same_name(me, &m.nickname)));
        let (mut unread, mut mentions) = (0, 0);
        for m in others {
            unread += 1;
            mentions += u32::from(
                me.as_ref()
                    .is_some_and(|me| shared::format::mentions(m.text.as_str(), me)),
            );
        }
        r.unread = r.unread.min(unread);
        r.mentions = r.mentions.min(mentions);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::Action;
    use shared::{Seq, ServerMsg};

    fn read(room_name: &str, seq: u64) -> Action {
        Action::Server(ServerMsg::Read {
            room: room(room_name),
            seq: Seq(seq),
        })
    }

    #[test]
    fn joined_brings_the_counts_and_the_divider_goes_at_the_first_unread() {
        let s = run(
            in_lobby(),
            [
                Action::Joining(room("garden")),
                Action::Joining(room("lobby")),
                joined_unread("garden", 0, 30, 25, 2),
            ],
        );
        let g = view(&s, "garden");
        assert_eq!((g.unread, g.mentions, g.read_seq), (5, 2, Seq(25)));
        // The catch-up that follows is counted already.
        let s = run(s, [message("garden", 30, BOB, "@alice")]);
        assert_eq!(view(&s, "garden").unread, 5);
        let s = run(s, [message("garden", 31, BOB, "new")]);
        assert_eq!(view(&s, "garden").unread, 6, "a live one counts");
        let s = run(s, [Action::Joining(room("garden"))]);
        let g = view(&s, "garden");
        assert_eq!((g.unread, g.new_after), (0, Some(Seq(25))));
        assert_eq!(s.to_mark_read(), Some((room("garden"), Seq(31))));
        let s = run(s, [Action::ReadTold(room("garden"), Seq(31))]);
        assert_eq!(s.to_mark_read(), None, "told once");
    }

    #[test]
    fn reading_elsewhere_clears_what_it_covers() {
        let s = run(
            in_lobby_and_garden(),
            [
                message("garden", 1, BOB, "one"),
                message("garden", 2, BOB, "@alice two"),
                message("garden", 3, BOB, "three"),
            ],
        );
        assert_eq!(view(&s, "garden").unread, 3);
        let s = run(s, [read("garden", 2)]);
        let g = view(&s, "garden");
        assert_eq!((g.unread, g.mentions), (1, 0), "one left, not the mention");
        let s = run(s, [read("garden", 1)]);
        assert_eq!(view(&s, "garden").unread, 1, "never back");
        let s = run(s, [read("garden", 3)]);
        assert_eq!(view(&s, "garden").unread, 0);
        assert_eq!(s.to_mark_read(), None, "the lobby in view has nothing new");
    }
}
