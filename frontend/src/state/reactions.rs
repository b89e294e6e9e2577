//! Reactions: each held message keeps the reactions of the newest change it has seen (its
//! `rev`), from history pages, a join's `reactions` frame and live `reaction` frames. A live
//! frame does not say `mine` (it goes to the whole room): the user's own emoji stay as they
//! were, but for the one the user just changed. Own reactions wait in the room's `reacting`
//! until `reacted` (or a refusal) answers them; a reaction never counts as unread and never
//! notifies.

use std::rc::Rc;

use shared::{Emoji, MessageReactions, Nickname, Reaction, RoomName, Seq};

use super::{ChatState, PendingReact, RoomView};

impl ChatState {
    /// The user reacted (or took a reaction back): waiting for its answer.
    pub(super) fn react(&mut self, room: RoomName, react: PendingReact) {
        if self.rooms.contains_key(&room) {
            self.room_mut(&room).reacting.push(react);
        }
    }

    /// A live `reaction`: `nickname` added (or took back) `emoji` on the message at `seq`,
    /// whose reactions are now `list` (without `mine`).
    pub(super) fn reaction(
        &mut self,
        room: &RoomName,
        (seq, rev): (Seq, u64),
        (nickname, emoji, added): (&Nickname, &Emoji, bool),
        mut list: Vec<Reaction>,
    ) {
        let me = self.is_me(nickname);
        let Some(held) = self.rooms.get(room).and_then(|r| r.messages.get(&seq)) else {
            return;
        };
        if rev <= held.rev {
            return; // what is held is as new or newer
        }
        for r in &mut list {
            r.mine = if me && r.emoji == *emoji {
                added
            } else {
                held.reactions.iter().any(|h| h.mine && h.emoji == r.emoji)
            };
        }
        let reactions = list;
        set(
            self.room_mut(room),
            MessageReactions {
                seq,
                rev,
                reactions,
            },
        );
    }

    /// A join's `reactions` frame: each listed message held takes them (unless it holds a
    /// newer change), and `rev` is where the next join of the room resumes. `partial`: older
    /// windows held may be stale, and are dropped (the newest one, contiguous seqs, stays;
    /// the others load again, with their reactions, as history).
    pub(super) fn reactions(
        &mut self,
        room: &RoomName,
        rev: u64,
        messages: Vec<MessageReactions>,
        partial: bool,
    ) {
        if !self.rooms.contains_key(room) {
            return;
        }
        let r = self.room_mut(room);
        r.changes_after = r.changes_after.max(Some(rev));
        for m in messages {
            if r.messages.get(&m.seq).is_some_and(|h| m.rev >= h.rev) {
                set(r, m);
            }
        }
        if partial {
            let mut first = r.last_seq();
            while r.messages.contains_key(&Seq(first.0.wrapping_sub(1))) {
                first.0 -= 1;
            }
            let kept = r.messages.split_off(&first);
            r.has_more |= !r.messages.is_empty();
            r.messages = kept;
            r.notices = r.notices.split_off(&first);
        }
    }

    /// The answer to an own reaction (`reacted`, or a refusal naming it): it waits no more.
    /// False if no reaction of `room` waits under that id.
    pub(super) fn answered(&mut self, room: &RoomName, client_id: &str) -> bool {
        let Some(r) = self.rooms.get(room) else {
            return false;
        };
        let waits = r.reacting.iter().any(|p| p.client_id == client_id);
        if waits {
            self.room_mut(room)
                .reacting
                .retain(|p| p.client_id != client_id);
        }
        waits
    }
}

/// The held message `m.seq` with these reactions: a new `Rc`, so that it renders again.
fn set(r: &mut RoomView, m: MessageReactions) {
    if let Some(held) = r.messages.get_mut(&m.seq) {
        let mut new = (**held).clone();
        new.reactions = m.reactions;
        new.rev = m.rev;
        *held = Rc::new(new);
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::{Action, PendingReact};
    use shared::{ClientMsgId, Emoji, ErrorCode, MessageReactions, Reaction, Seq, ServerMsg};

    fn emoji(e: &str) -> Emoji {
        Emoji::parse(e).expect("one emoji")
    }

    fn chip(e: &str, names: &[&str], mine: bool) -> Reaction {
        Reaction {
            emoji: emoji(e),
            count: names.len() as u32,
            names: names.iter().map(|n| nick(n)).collect(),
            mine,
        }
    }

    /// A live `reaction` on lobby's `seq`: `who` added (or took back) `e`.
    fn live(seq: u64, rev: u64, who: &str, e: &str, added: bool, now: Vec<Reaction>) -> Action {
        Action::Server(ServerMsg::Reaction {
            room: room("lobby"),
            seq: Seq(seq),
            rev,
            nickname: nick(who),
            emoji: emoji(e),
            added,
            reactions: now,
        })
    }

    fn frame(rev: u64, messages: Vec<(u64, u64, Vec<Reaction>)>, partial: bool) -> Action {
        Action::Server(ServerMsg::Reactions {
            room: room("lobby"),
            rev,
            messages: messages
                .into_iter()
                .map(|(seq, rev, reactions)| MessageReactions {
                    seq: Seq(seq),
                    rev,
                    reactions,
                })
                .collect(),
            partial,
        })
    }

    fn react(client_id: &str, seq: u64, e: &str, remove: bool) -> Action {
        Action::React(
            room("lobby"),
            PendingReact {
                client_id: client_id.into(),
                seq: Seq(seq),
                emoji: e.into(),
                remove,
            },
        )
    }

    fn held(s: &super::ChatState, seq: u64) -> (u64, Vec<Reaction>) {
        let m = &view(s, "lobby").messages[&Seq(seq)];
        (m.rev, m.reactions.clone())
    }

    #[test]
    fn live_reactions_apply_newest_first_and_mine_follows_my_own_changes() {
        let s = run(in_lobby(), [message("lobby", 1, BOB, "hi")]);
        let s = run(
            s,
            [live(1, 1, ME, "👍", true, vec![chip("👍", &[ME], false)])],
        );
        assert_eq!(held(&s, 1), (1, vec![chip("👍", &[ME], true)]), "mine");
        let both = vec![chip("👍", &[ME, BOB], false), chip("🎉", &[BOB], false)];
        let s = run(s, [live(1, 3, BOB, "🎉", true, both)]);
        let (rev, now) = held(&s, 1);
        assert_eq!(rev, 3);
        assert_eq!(
            now,
            [chip("👍", &[ME, BOB], true), chip("🎉", &[BOB], false)],
            "bob's change keeps my own mark"
        );
        // An older change arriving late is not applied.
        let s = run(
            s,
            [live(
                1,
                2,
                BOB,
                "👍",
                true,
                vec![chip("👍", &[ME, BOB], false)],
            )],
        );
        assert_eq!(held(&s, 1).0, 3);
        let s = run(
            s,
            [live(1, 4, ME, "👍", false, vec![chip("👍", &[BOB], false)])],
        );
        assert_eq!(
            held(&s, 1),
            (4, vec![chip("👍", &[BOB], false)]),
            "taken back"
        );
        // A reaction never counts as unread, and one on a message not held is ignored.
        let s = run(
            s,
            [live(9, 5, BOB, "👍", true, vec![chip("👍", &[BOB], false)])],
        );
        assert_eq!(view(&s, "lobby").unread, 0);
        assert!(!view(&s, "lobby").messages.contains_key(&Seq(9)));
    }

    #[test]
    fn a_history_page_read_before_a_live_change_does_not_undo_it() {
        let s = run(in_lobby(), [message("lobby", 1, BOB, "hi")]);
        let s = run(
            s,
            [live(1, 2, BOB, "👍", true, vec![chip("👍", &[BOB], false)])],
        );
        let mut old = chat("lobby", 1, BOB, "hi");
        old.rev = 1;
        let page = Action::Server(ServerMsg::History {
            room: room("lobby"),
            messages: vec![old],
            has_more: false,
            has_newer: false,
        });
        let s = run(s, [page]);
        assert_eq!(held(&s, 1), (2, vec![chip("👍", &[BOB], false)]));
    }

    #[test]
    fn a_joins_reactions_frame_applies_and_sets_where_the_next_join_resumes() {
        let s = run(
            in_lobby(),
            [
                message("lobby", 1, BOB, "one"),
                message("lobby", 2, BOB, "two"),
            ],
        );
        let s = run(
            s,
            [frame(
                7,
                vec![(2, 7, vec![chip("❤️", &[BOB], false)])],
                false,
            )],
        );
        assert_eq!(view(&s, "lobby").changes_after, Some(7));
        assert_eq!(held(&s, 2), (7, vec![chip("❤️", &[BOB], false)]));
        let frames = s.resume_frames();
        assert!(
            frames.iter().any(|f| matches!(f,
                shared::ClientMsg::Join { room, changes_after: Some(7), .. } if room == "lobby")),
            "{frames:?}"
        );
        // Partial: the frame could not hold every change, so a window not contiguous with
        // the newest messages is dropped (it loads again, reactions and all).
        let s = run(
            s,
            [
                message("lobby", 5, BOB, "five"),
                message("lobby", 6, BOB, "six"),
            ],
        );
        let s = run(s, [frame(9, vec![], true)]);
        let r = view(&s, "lobby");
        assert_eq!(
            r.messages.keys().copied().collect::<Vec<_>>(),
            [Seq(5), Seq(6)]
        );
        assert!(r.has_more);
        assert_eq!(r.changes_after, Some(9));
    }

    #[test]
    fn a_room_joined_without_reactions_resumes_from_the_first_change() {
        // The lobby had no reaction when it was joined (no `reactions` frame): reactions
        // added while this client is away must come with its rejoin.
        let s = run(in_lobby(), [message("lobby", 1, BOB, "hi")]);
        let frames = s.resume_frames();
        assert!(
            frames.iter().any(|f| matches!(f,
                shared::ClientMsg::Join { room, changes_after: Some(0), .. } if room == "lobby")),
            "{frames:?}"
        );
    }

    #[test]
    fn own_reactions_wait_for_their_answer_and_are_resent_after_a_reconnect() {
        let s = run(in_lobby(), [message("lobby", 1, BOB, "hi")]);
        let s = run(
            s,
            [react("r1", 1, "👍", false), react("r2", 1, "🎉", false)],
        );
        let resent: Vec<_> = s
            .resume_frames()
            .into_iter()
            .filter(|f| matches!(f, shared::ClientMsg::React { .. }))
            .collect();
        assert_eq!(
            resent,
            [
                super::super::react_frame(&room("lobby"), &view(&s, "lobby").reacting[0]),
                super::super::react_frame(&room("lobby"), &view(&s, "lobby").reacting[1])
            ]
        );
        let reacted = Action::Server(ServerMsg::Reacted {
            room: room("lobby"),
            client_id: ClientMsgId::parse("r1").unwrap(),
            seq: Seq(1),
            emoji: emoji("👍"),
            changed: true,
        });
        let refused = Action::Server(ServerMsg::Error {
            code: ErrorCode::TooManyReactions,
            message: "the most one person may".into(),
            room: Some(room("lobby")),
            client_id: Some(ClientMsgId::parse("r2").unwrap()),
        });
        let s = run(s, [reacted, refused]);
        assert!(view(&s, "lobby").reacting.is_empty());
        assert_eq!(
            s.toasts.last().map(|t| t.text.as_str()),
            Some("the most one person may")
        );
    }
}
