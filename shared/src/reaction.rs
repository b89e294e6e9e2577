//! Reactions: the emoji a reaction may be ([`Emoji`]) and a message's reactions as they are
//! sent ([`Reaction`], [`MessageReactions`]).

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::limits::EMOJI_MAX_CHARS;
use crate::model::{Nickname, Seq, ValidationError};

/// One emoji, the whole of a reaction: a single emoji sequence as Unicode shapes them (UTS
/// #51), which a browser draws as one picture. That is a pictograph (with an optional
/// variation selector, skin tone and tag sequence), a keycap (`1️⃣`) or a flag (a pair of
/// regional indicators), or several of those joined by zero-width joiners (`👩‍💻`); at most
/// [`EMOJI_MAX_CHARS`] characters. Text, two emoji side by side, or a lone modifier is
/// refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Emoji(String);

/// A pictograph: roughly Unicode's `Extended_Pictographic`, less the code points handled
/// on their own (regional indicators and skin tones).
fn pictograph(c: char) -> bool {
    matches!(c as u32,
        0x00A9 | 0x00AE | 0x203C | 0x2049 | 0x2122 | 0x2139 | 0x2194..=0x2199
        | 0x21A9..=0x21AA | 0x231A..=0x231B | 0x2328 | 0x23CF | 0x23E9..=0x23F3
        | 0x23F8..=0x23FA | 0x24C2 | 0x25AA..=0x25AB | 0x25B6 | 0x25C0 | 0x25FB..=0x25FE
        | 0x2600..=0x27BF | 0x2934..=0x2935 | 0x2B05..=0x2B07 | 0x2B1B..=0x2B1C | 0x2B50
        | 0x2B55 | 0x3030 | 0x303D | 0x3297 | 0x3299 | 0x1F000..=0x1F1E5 | 0x1F200..=0x1F3FA
        | 0x1F400..=0x1FAFF)
}

fn regional(c: char) -> bool {
    matches!(c as u32, 0x1F1E6..=0x1F1FF)
}

fn skin_tone(c: char) -> bool {
    matches!(c as u32, 0x1F3FB..=0x1F3FF)
}

const VS16: char = '\u{FE0F}';
const ZWJ: char = '\u{200D}';
const KEYCAP: char = '\u{20E3}';
const TAG_END: char = '\u{E007F}';

/// Reads one emoji element from the front of `rest`; false if there is none.
fn element(rest: &mut std::iter::Peekable<std::str::Chars<'_>>) -> bool {
    let Some(first) = rest.next() else {
        return false;
    };
    if regional(first) {
        return rest.next().is_some_and(regional);
    }
    if first.is_ascii_digit() || first == '#' || first == '*' {
        rest.next_if_eq(&VS16);
        return rest.next() == Some(KEYCAP);
    }
    if !pictograph(first) {
        return false;
    }
    rest.next_if_eq(&VS16);
    rest.next_if(|c| skin_tone(*c));
    if rest
        .next_if(|c| matches!(*c as u32, 0xE0020..=0xE007E))
        .is_some()
    {
        while rest
            .next_if(|c| matches!(*c as u32, 0xE0020..=0xE007E))
            .is_some()
        {}
        return rest.next() == Some(TAG_END);
    }
    true
}

impl Emoji {
    /// Checks that `raw` is one emoji (see the type's docs).
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        crate::model::check_len(raw, EMOJI_MAX_CHARS)?;
        let mut rest = raw.chars().peekable();
        loop {
            if !element(&mut rest) {
                return Err(ValidationError::NotEmoji);
            }
            match rest.next() {
                None => return Ok(Self(raw.to_owned())),
                Some(ZWJ) => {}
                Some(_) => return Err(ValidationError::NotEmoji),
            }
        }
    }

    /// The emoji.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Emoji {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Emoji> for String {
    fn from(v: Emoji) -> String {
        v.0
    }
}

impl fmt::Display for Emoji {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One emoji's reactions to a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    /// The emoji.
    pub emoji: Emoji,
    /// How many people reacted with it (at least 1).
    pub count: u32,
    /// The first of them to react, at most
    /// [`REACTION_NAMES_MAX`](crate::REACTION_NAMES_MAX), in the order they reacted.
    pub names: Vec<Nickname>,
    /// The user this was sent to is one of them. Said in history pages and `reactions`
    /// frames, which are sent to one user; a live `reaction` frame, sent to the whole room,
    /// leaves it out (its `nickname` says who changed what).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mine: bool,
}

/// A message's reactions, as a `reactions` frame lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageReactions {
    /// The message's seq.
    pub seq: Seq,
    /// The room's change that last changed them (a client keeps the newest it has seen).
    pub rev: u64,
    /// Its reactions now (empty: the last was removed).
    pub reactions: Vec<Reaction>,
}

/// Everyone who reacted to a message with one emoji, a page at a time: the answer of
/// `GET /api/rooms/{room}/messages/{seq}/reactions?emoji=E&from=N` (frames name only the
/// first few of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reactors {
    /// The emoji.
    pub emoji: Emoji,
    /// How many people reacted with it.
    pub count: u32,
    /// Those of this page, in the order they reacted: at most
    /// [`REACTORS_PAGE_MAX`](crate::REACTORS_PAGE_MAX).
    pub names: Vec<Nickname>,
    /// The `from` of the next page; absent on the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<u32>,
}

/// A message's reactions after `nickname` added (or removed) `emoji`: the same steps on the
/// server and in clients that keep a room's reactions current from live `reaction` frames.
pub fn apply(list: &mut Vec<Reaction>, emoji: &Emoji, nickname: &Nickname, added: bool) {
    let at = list.iter().position(|r| &r.emoji == emoji);
    match (at, added) {
        (Some(i), true) => {
            let r = &mut list[i];
            r.count += 1;
            if r.names.len() < crate::REACTION_NAMES_MAX && !r.names.contains(nickname) {
                r.names.push(nickname.clone());
            }
        }
        (None, true) => list.push(Reaction {
            emoji: emoji.clone(),
            count: 1,
            names: vec![nickname.clone()],
            mine: false,
        }),
        (Some(i), false) => {
            let r = &mut list[i];
            r.count = r.count.saturating_sub(1);
            r.names.retain(|n| n != nickname);
            if r.count == 0 {
                list.remove(i);
            }
        }
        (None, false) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_emoji_is_accepted_and_anything_else_refused() {
        for ok in [
            "👍",
            "❤️",
            "🎉",
            "😂",
            "👀",
            "🙏",
            "✅",
            "👍🏽",
            "👩‍💻",
            "👨‍👩‍👧‍👦",
            "🏳️‍🌈",
            "🇫🇷",
            "1️⃣",
            "#️⃣",
            "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
            "☕",
            "©️",
        ] {
            assert!(Emoji::parse(ok).is_ok(), "{ok:?} refused");
        }
        for bad in [
            "",
            "a",
            "ok",
            "👍👍",
            "👍 ",
            " 👍",
            "🇫",
            "🏽",
            "\u{200D}👍",
            "👍\u{200D}",
            "1",
            "<b>",
            "👍a",
            "\u{FE0F}",
        ] {
            assert!(Emoji::parse(bad).is_err(), "{bad:?} accepted");
        }
        let long = "👍\u{200D}".repeat(EMOJI_MAX_CHARS) + "👍";
        assert!(matches!(
            Emoji::parse(&long),
            Err(ValidationError::TooLong { .. })
        ));
    }

    #[test]
    fn applying_counts_and_names_in_order() {
        let (a, b) = (
            Nickname::stored("alice").unwrap(),
            Nickname::stored("bob").unwrap(),
        );
        let up = Emoji::parse("👍").unwrap();
        let mut list = Vec::new();
        apply(&mut list, &up, &a, true);
        apply(&mut list, &up, &b, true);
        assert_eq!(list[0].count, 2);
        assert_eq!(list[0].names, [a.clone(), b.clone()]);
        apply(&mut list, &up, &a, false);
        assert_eq!((list[0].count, &list[0].names[..]), (1, &[b.clone()][..]));
        apply(&mut list, &up, &b, false);
        assert!(list.is_empty(), "the last one removed takes the chip");
        apply(&mut list, &up, &b, false);
        assert!(
            list.is_empty(),
            "removing what is not there changes nothing"
        );
    }
}
