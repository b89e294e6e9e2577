//! Who is typing, per room, as the server tells it: each entry is forgotten after
//! [`shared::TYPING_EXPIRE_MS`] without news (so none sticks when a server restarts), when a
//! message from that person arrives, or when they leave.

use shared::{Nickname, RoomName};

use super::{same_name, ChatState};

/// A person typing, and until when (browser clock, ms).
#[derive(Debug, Clone, PartialEq)]
pub struct Typist {
    /// Who.
    pub nickname: Nickname,
    /// Forgotten at this time without news.
    pub until_ms: f64,
}

/// The line under the messages: "alice is typing…", "alice and bob are typing…", or
/// "several people are typing…"; None when nobody is.
pub fn typing_line(typists: &[Typist]) -> Option<String> {
    // Names isolated (FSI … PDI): a bidi control in one cannot reorder the words after it.
    let name = |t: &Typist| format!("\u{2068}{}\u{2069}", t.nickname);
    match typists {
        [] => None,
        [a] => Some(format!("{} is typing…", name(a))),
        [a, b] => Some(format!("{} and {} are typing…", name(a), name(b))),
        _ => Some("several people are typing…".into()),
    }
}

impl ChatState {
    /// The server says `nickname` is typing in `room` (or stopped), at `now_ms`.
    pub(super) fn typing(&mut self, room: RoomName, nickname: Nickname, typing: bool, now_ms: f64) {
        if !self.rooms.contains_key(&room) || self.is_me(&nickname) {
            return;
        }
        let r = self.room_mut(&room);
        r.typing.retain(|t| !same_name(&t.nickname, &nickname));
        if typing {
            let until_ms = now_ms + f64::from(shared::TYPING_EXPIRE_MS);
            r.typing.push(Typist { nickname, until_ms });
        }
    }

    /// Forgets typing with no news by `now_ms`.
    pub(super) fn expire_typing(&mut self, now_ms: f64) {
        let names: Vec<RoomName> = self
            .rooms
            .values()
            .filter(|r| r.typing.iter().any(|t| t.until_ms <= now_ms))
            .map(|r| r.name.clone())
            .collect();
        for name in names {
            self.room_mut(&name).typing.retain(|t| t.until_ms > now_ms);
        }
    }

    /// Whether anyone is typing in any room (the provider then checks for expiry).
    pub fn anyone_typing(&self) -> bool {
        self.rooms.values().any(|r| !r.typing.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::super::Action;
    use super::*;

    fn typing(from: &str, on: bool, now_ms: f64) -> Action {
        Action::Typing {
            room: room("lobby"),
            nickname: nick(from),
            typing: on,
            now_ms,
        }
    }

    fn line(s: &ChatState) -> Option<String> {
        typing_line(&view(s, "lobby").typing)
    }

    #[test]
    fn the_line_names_one_or_two_and_counts_more() {
        let s = run(in_lobby(), [typing("dave", true, 0.0)]);
        assert_eq!(line(&s).unwrap(), "\u{2068}dave\u{2069} is typing…");
        let s = run(s, [typing("bob", true, 0.0)]);
        assert_eq!(
            line(&s).unwrap(),
            "\u{2068}dave\u{2069} and \u{2068}bob\u{2069} are typing…"
        );
        let s = run(s, [typing("carol", true, 0.0)]);
        assert_eq!(line(&s).unwrap(), "several people are typing…");
        let s = run(s, [typing("bob", false, 1.0), typing("carol", false, 1.0)]);
        assert_eq!(line(&s).unwrap(), "\u{2068}dave\u{2069} is typing…");
    }

    #[test]
    fn typing_is_forgotten_without_news_on_a_message_and_on_leaving() {
        let expire = f64::from(shared::TYPING_EXPIRE_MS);
        let s = run(
            in_lobby(),
            [typing("dave", true, 0.0), typing("bob", true, 2_000.0)],
        );
        assert!(s.anyone_typing());
        let s = run(s, [Action::TypingExpired(expire - 1.0)]);
        assert_eq!(view(&s, "lobby").typing.len(), 2, "not yet");
        let s = run(s, [Action::TypingExpired(expire)]);
        assert_eq!(line(&s).unwrap(), "\u{2068}bob\u{2069} is typing…");
        let s = run(s, [typing("bob", true, expire)]);
        let s = run(s, [Action::TypingExpired(expire + 2_000.0)]);
        assert!(line(&s).is_some(), "news keeps it");
        let s = run(s, [message("lobby", 1, "Bob", "hi")]);
        assert_eq!(line(&s), None, "bob's message ends bob's typing");
        let s = run(
            s,
            [
                typing("carol", true, 0.0),
                Action::Server(shared::ServerMsg::Presence {
                    room: room("lobby"),
                    nickname: nick("carol"),
                    change: shared::PresenceChange::Disconnected,
                }),
            ],
        );
        assert!(!s.anyone_typing(), "carol left");
    }

    #[test]
    fn my_own_typing_and_rooms_not_held_are_ignored() {
        let s = run(in_lobby(), [typing(ME, true, 0.0)]);
        assert!(!s.anyone_typing());
        let s = run(
            s,
            [Action::Typing {
                room: room("elsewhere"),
                nickname: nick("dave"),
                typing: true,
                now_ms: 0.0,
            }],
        );
        assert!(!s.rooms.contains_key(&room("elsewhere")));
    }
}
