//! The composer's mention autocomplete, as pure functions: the `@prefix` being typed at the
//! caret, the members it may be, and the text once one is picked.

use shared::Nickname;

/// Most names the list offers.
pub const OPTIONS_MAX: usize = 8;

/// The `@prefix` ending at byte `caret` of `text`: the byte where its `@` is and the
/// prefix. The `@` starts the text or follows a character that is not a letter or digit,
/// and no whitespace lies between it and the caret.
pub fn at_caret(text: &str, caret: usize) -> Option<(usize, &str)> {
    let before = text.get(..caret)?;
    let at = before.rfind('@')?;
    let prefix = &before[at + 1..];
    if prefix.chars().any(char::is_whitespace) {
        return None;
    }
    let after_word = before[..at]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric);
    (!after_word).then_some((at, prefix))
}

/// The names (of `members`, not `me`) starting with `prefix`, ignoring case, by name; at
/// most [`OPTIONS_MAX`].
pub fn options(members: &[Nickname], me: Option<&Nickname>, prefix: &str) -> Vec<Nickname> {
    let prefix = prefix.to_lowercase();
    let me = me.map(|m| m.as_str().to_lowercase());
    let mut found: Vec<Nickname> = members
        .iter()
        .filter(|m| {
            let name = m.as_str().to_lowercase();
            name.starts_with(&prefix) && Some(&name) != me.as_ref()
        })
        .cloned()
        .collect();
    found.sort_by_key(|m| m.as_str().to_lowercase());
    found.truncate(OPTIONS_MAX);
    found
}

/// `text` with the `@prefix` from byte `at` to byte `caret` replaced by `@name ` and the
/// byte where the caret goes.
pub fn pick(text: &str, at: usize, caret: usize, name: &Nickname) -> (String, usize) {
    let inserted = format!("@{name} ");
    let out = format!("{}{inserted}{}", &text[..at], &text[caret..]);
    (out, at + inserted.len())
}

/// The byte index of UTF-16 offset `units` in `text` (the DOM counts the caret in UTF-16).
pub fn byte_of_utf16(text: &str, units: u32) -> usize {
    let mut seen = 0u32;
    for (i, c) in text.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16() as u32;
    }
    text.len()
}

/// The UTF-16 offset of byte `byte` of `text`.
pub fn utf16_of_byte(text: &str, byte: usize) -> u32 {
    text[..byte].encode_utf16().count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nicks(list: &[&str]) -> Vec<Nickname> {
        list.iter().map(|n| Nickname::parse(n).unwrap()).collect()
    }

    #[test]
    fn the_prefix_at_the_caret_is_found_only_after_an_at_at_a_word_start() {
        assert_eq!(at_caret("hi @bo", 6), Some((3, "bo")));
        assert_eq!(at_caret("@", 1), Some((0, "")));
        assert_eq!(at_caret("mail@bo", 7), None);
        assert_eq!(at_caret("@bob and", 8), None, "whitespace after it");
        assert_eq!(at_caret("hi @bo", 2), None, "the caret before it");
    }

    #[test]
    fn options_match_the_prefix_without_me_and_picking_inserts_the_name() {
        let members = nicks(&["bob", "Bea", "alice", "carol"]);
        let me = nicks(&["alice"]).remove(0);
        let names = |p| {
            options(&members, Some(&me), p)
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("b"), ["Bea", "bob"]);
        assert_eq!(names("B"), ["Bea", "bob"]);
        assert_eq!(names("a"), Vec::<String>::new(), "not me");
        assert_eq!(names("").len(), 3);
        let (text, caret) = pick("hi @bo, ok", 3, 6, &members[0]);
        assert_eq!((text.as_str(), caret), ("hi @bob , ok", 8));
        assert_eq!(byte_of_utf16("é@b", 2), 3);
        assert_eq!(utf16_of_byte("é@b", 3), 2);
        assert_eq!(byte_of_utf16("😀@", 2), 4);
    }
}
