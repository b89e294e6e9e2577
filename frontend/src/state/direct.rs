//! Direct conversations: private rooms of two, named for the pair by the server. The SPA
//! knows them from `welcome`, from `direct` (someone opened one), and from the `joined` of
//! one this user opened; each is kept joined, shows under "Direct messages" by the other
//! person's name, and every message in it counts as a mention.

use shared::{Nickname, RoomName};

use super::ChatState;

impl ChatState {
    /// A direct conversation with `with`: kept in the sidebar and joined (by the resume, or
    /// by the provider when one opens live).
    pub(super) fn direct(&mut self, room: RoomName, with: Nickname) {
        let r = self.room_mut(&room);
        r.direct = Some(with);
        r.wanted = true;
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::Action;
    use shared::{Seq, ServerMsg};

    #[test]
    fn a_direct_conversation_is_joined_counts_as_mentions_and_opens_for_its_opener() {
        let s = run(
            in_lobby(),
            [Action::Server(ServerMsg::Direct {
                room: room("dm-1"),
                with: nick(BOB),
            })],
        );
        let dm = view(&s, "dm-1");
        assert!(dm.wanted, "joined in the background");
        assert_eq!(dm.direct, Some(nick(BOB)));
        assert_eq!(s.current, Some(room("lobby")), "not brought into view");
        let s = run(s, [joined("dm-1", 0, 0), message("dm-1", 1, BOB, "psst")]);
        let dm = view(&s, "dm-1");
        assert_eq!(
            (dm.unread, dm.mentions),
            (1, 1),
            "a direct message is a mention"
        );

        // Opening one: its `joined` names the other person and brings it into view.
        let s = run(
            s,
            [Action::Server(ServerMsg::Joined {
                room: room("dm-2"),
                nickname: nick(ME),
                members: vec![nick(ME)],
                member_count: 1,
                after: Seq(0),
                last_seq: Seq(0),
                read_seq: Seq(0),
                unread: 0,
                mentions: 0,
                direct: Some(nick("carol")),
                notify: shared::NotifyLevel::default(),
            })],
        );
        assert_eq!(s.current, Some(room("dm-2")));
        assert_eq!(view(&s, "dm-2").direct, Some(nick("carol")));
        assert!(view(&s, "dm-2").joined);
    }
}
