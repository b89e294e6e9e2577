//! `@nickname` mentions, found the same way by the server and the SPA.
//!
//! Nicknames may hold spaces and punctuation, so a mention is found against the names it
//! may be of (a room's members): an `@` at the start of the text or after a character that
//! is not a letter or digit (so `mail@alice.org` mentions nobody), then one of the names,
//! ignoring case, then the end of the text or a character that is not a letter or digit. Of
//! names that both match (`al` and `al ex`), the longest wins. (Nicknames are stored NFKC
//! already; the text is not normalised, which keeps the Unicode tables out of the SPA: a
//! full-width `＠ａｌｉｃｅ` mentions nobody.)

use std::ops::Range;

use crate::model::Nickname;

/// One mention in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Where it is in the text, in bytes, the `@` included.
    pub range: Range<usize>,
    /// Which of the names given it is of (its index).
    pub name: usize,
}

/// The mentions in `text` of any of `names`, in order.
pub fn find(text: &str, names: &[Nickname]) -> Vec<Mention> {
    if !text.contains('@') {
        return Vec::new(); // Most messages: nothing to fold or compare.
    }
    let folded: Vec<String> = names.iter().map(|n| n.as_str().to_lowercase()).collect();
    let mut found = Vec::new();
    let mut prev: Option<char> = None;
    let mut at = 0;
    while at < text.len() {
        let c = text[at..].chars().next().expect("in bounds");
        if c == '@' && !prev.is_some_and(char::is_alphanumeric) {
            let rest = &text[at + 1..];
            let best = folded
                .iter()
                .enumerate()
                .filter_map(|(i, f)| matched_len(rest, f).map(|len| (i, len)))
                .max_by_key(|&(_, len)| len);
            if let Some((name, len)) = best {
                let end = at + 1 + len;
                found.push(Mention {
                    range: at..end,
                    name,
                });
                prev = text[..end].chars().next_back();
                at = end;
                continue;
            }
        }
        prev = Some(c);
        at += c.len_utf8();
    }
    found
}

/// Whether `text` mentions `who`.
pub fn mentions(text: &str, who: &Nickname) -> bool {
    !find(text, std::slice::from_ref(who)).is_empty()
}

/// The bytes of `text` that spell `folded` from its start, ignoring case, if the next
/// character is not a letter or digit.
fn matched_len(text: &str, folded: &str) -> Option<usize> {
    if folded.is_empty() {
        return None;
    }
    let mut spelled = String::new();
    for (i, c) in text.char_indices() {
        spelled.extend(c.to_lowercase());
        if spelled.len() >= folded.len() {
            let end = i + c.len_utf8();
            let boundary = !text[end..]
                .chars()
                .next()
                .is_some_and(char::is_alphanumeric);
            return (spelled == folded && boundary).then_some(end);
        }
        if !folded.starts_with(spelled.as_str()) {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<Nickname> {
        list.iter().map(|n| Nickname::parse(n).unwrap()).collect()
    }

    fn spans<'a>(text: &'a str, list: &[&str]) -> Vec<&'a str> {
        find(text, &names(list))
            .into_iter()
            .map(|m| &text[m.range])
            .collect()
    }

    #[test]
    fn mentions_are_found_at_word_starts_ignoring_case() {
        let members = ["alice", "bob", "Al Ex", "zoë"];
        assert_eq!(spans("@alice hi", &members), ["@alice"]);
        assert_eq!(spans("hi @ALICE, and @bob!", &members), ["@ALICE", "@bob"]);
        assert_eq!(spans("(@bob)", &members), ["@bob"]);
        assert!(
            spans("@ａｌｉｃｅ", &members).is_empty(),
            "the text is not normalised"
        );
        assert_eq!(
            spans("@al ex and @al", &members),
            ["@al ex"],
            "longest, then none"
        );
        assert_eq!(spans("@Zoë: look", &members), ["@Zoë"]);
    }

    #[test]
    fn no_mention_inside_a_word_or_of_a_longer_name() {
        let members = ["alice", "bob"];
        assert!(spans("mail@alice.org", &members).is_empty());
        assert!(spans("@alicebob", &members).is_empty());
        assert!(spans("@carol", &members).is_empty());
        assert!(spans("@", &members).is_empty());
        assert_eq!(spans("@@alice", &members), ["@alice"]);
        assert!(mentions("thanks @Bob", &names(&["bob"])[0]));
        assert!(!mentions("thanks bob", &names(&["bob"])[0]));
    }
}
