//! The nickname rules: what a new nickname may hold, and the key under which nicknames are
//! unique. Names must not be fakeable: no invisible or formatting characters, no mix of
//! scripts that imitates a name in one script (Unicode TS #39, "moderately restrictive"),
//! and two names that look alike (their TS #39 confusable skeletons match, ignoring case)
//! are the same name.

use unicode_normalization::UnicodeNormalization;
use unicode_security::general_security_profile::IdentifierType;
use unicode_security::RestrictionLevelDetection;
use unicode_security::{skeleton, GeneralSecurityProfile, RestrictionLevel};

use crate::limits::NICKNAME_MAX_CHARS;
use crate::model::{check_len, Nickname, ValidationError};

impl Nickname {
    /// Checks a new nickname and normalises it. Surrounding whitespace is trimmed, the rest
    /// is normalised to NFKC (full-width `ａ` becomes `a`, a no-break space a space), and runs
    /// of spaces become one. Refused: control characters ([`ValidationError::BadChar`]);
    /// invisible and formatting characters, such as bidi controls, zero-width characters
    /// and fillers ([`ValidationError::Invisible`]); any other character that TS #39 does
    /// not allow in identifiers, but ASCII punctuation and a space between words
    /// ([`ValidationError::BadChar`]: emoji, symbols, whitespace but the space); and mixed
    /// scripts beyond TS #39's "moderately restrictive" level
    /// ([`ValidationError::MixedScripts`]).
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let trimmed = raw.trim();
        if let Some(c) = trimmed.chars().find(|c| c.is_control()) {
            return Err(ValidationError::BadChar(c));
        }
        if let Some(c) = trimmed.chars().find(|&c| is_invisible(c)) {
            return Err(ValidationError::Invisible(c));
        }
        let name = normalise(trimmed);
        check_len(&name, NICKNAME_MAX_CHARS)?;
        if let Some(c) = name.chars().find(|&c| !is_allowed(c)) {
            return Err(ValidationError::BadChar(c));
        }
        if !mixes_scripts_moderately(&name) {
            return Err(ValidationError::MixedScripts);
        }
        Ok(Self(name))
    }

    /// Checks a nickname accepted earlier (stored, or received from a server) with the rules
    /// it was accepted under: 1–32 characters after trimming, no control characters. It is
    /// kept as it was, not normalised, so it still names what was stored.
    pub fn stored(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        check_len(s, NICKNAME_MAX_CHARS)?;
        if let Some(c) = s.chars().find(|c| c.is_control()) {
            return Err(ValidationError::BadChar(c));
        }
        Ok(Self(s.to_owned()))
    }

    /// The key under which nicknames are unique: the TS #39 confusable skeleton of the
    /// lower-cased NFKC form. `Alice`, `ALICE` and `аlice` (with a Cyrillic `а`) share a key,
    /// and so do `rn` and `m`.
    pub fn key(&self) -> String {
        skeleton(&self.folded())
            .flat_map(char::to_lowercase)
            .collect()
    }

    /// The name itself, ignoring case and width: its lower-cased NFKC form. Two nicknames
    /// with the same key but different folded forms (`ace` and Cyrillic `асе`) are names
    /// that look alike, not the same name.
    pub fn folded(&self) -> String {
        self.0.nfkc().flat_map(char::to_lowercase).collect()
    }
}

/// Characters that show nothing, or change how the text around them shows: bidi controls,
/// zero-width characters, joiners, fillers (TS #39's `Default_Ignorable` identifier type,
/// the Unicode property `Default_Ignorable_Code_Point`).
fn is_invisible(c: char) -> bool {
    c.identifier_type() == Some(IdentifierType::Default_Ignorable)
}

/// What a normalised nickname may hold: what TS #39 allows in identifiers (letters, digits
/// and marks of the scripts in common use, `-`, `_`, `'`, `.`, `:`, `·`), ASCII punctuation,
/// and the space.
fn is_allowed(c: char) -> bool {
    c == ' ' || c.is_ascii_graphic() || c.identifier_allowed()
}

/// NFKC, with every run of spaces made one (NFKC has already made Unicode's other spaces,
/// such as the no-break space, into ASCII spaces).
fn normalise(trimmed: &str) -> String {
    let nfkc: String = trimmed.nfkc().collect();
    let mut out = String::with_capacity(nfkc.len());
    for word in nfkc.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether the name's letters are at most "moderately restrictive" (TS #39 §5.2): one
/// script, or Latin with Han and Hiragana/Katakana, Han and Bopomofo, Han and Hangul, or
/// Latin with one other script in common use but Cyrillic and Greek. Spaces and ASCII
/// punctuation count as no script.
fn mixes_scripts_moderately(name: &str) -> bool {
    let letters: String = name.chars().filter(|c| c.identifier_allowed()).collect();
    letters.as_str().detect_restriction_level() <= RestrictionLevel::ModeratelyRestrictive
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<String, ValidationError> {
        Nickname::parse(s).map(String::from)
    }

    fn key(s: &str) -> String {
        Nickname::stored(s).unwrap().key()
    }

    #[test]
    fn normalises_to_nfkc_with_single_spaces() {
        assert_eq!(parse("ａｌｉｃｅ").unwrap(), "alice");
        assert_eq!(parse("  ali\u{A0}\u{3000} ce ").unwrap(), "ali ce");
        // é as e + combining acute is composed.
        assert_eq!(parse("re\u{301}mi").unwrap(), "r\u{e9}mi");
        assert_eq!(parse("ﬁ").unwrap(), "fi");
    }

    #[test]
    fn refuses_invisible_and_formatting_characters() {
        for c in [
            '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', // zero-width
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', // bidi embeddings
            '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', // bidi isolates
            '\u{200E}', '\u{200F}', '\u{061C}', // bidi marks
            '\u{115F}', '\u{1160}', '\u{3164}', '\u{FFA0}', // Hangul fillers
            '\u{00AD}', '\u{034F}', '\u{FE0F}', '\u{180E}', // soft hyphen, joiners, selectors
        ] {
            assert_eq!(
                parse(&format!("al{c}ice")),
                Err(ValidationError::Invisible(c)),
                "U+{:04X}",
                c as u32
            );
        }
        assert_eq!(
            parse("\u{3164}"),
            Err(ValidationError::Invisible('\u{3164}'))
        );
        let message = ValidationError::Invisible('\u{202E}').to_string();
        assert!(
            message.contains("U+202E") && message.contains("bidi"),
            "{message}"
        );
    }

    #[test]
    fn refuses_other_characters_outside_the_identifier_profile() {
        // The braille blank shows nothing either; TS #39 does not allow it.
        assert_eq!(parse("\u{2800}"), Err(ValidationError::BadChar('\u{2800}')));
        assert_eq!(
            parse("a\u{2028}b"),
            Err(ValidationError::BadChar('\u{2028}'))
        );
        assert_eq!(parse("bob 🎉"), Err(ValidationError::BadChar('🎉')));
        assert_eq!(parse("a\tb"), Err(ValidationError::BadChar('\t')));
        for ok in [
            "bob!",
            "[bot] x",
            "o'neil",
            "a.b-c_d",
            "Ünïcødé 名前",
            "ko:ko·la",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn allows_one_script_or_latin_with_one_other_but_cyrillic_and_greek() {
        for ok in [
            "Pavel",
            "Павел",
            "Παύλος",
            "東京tokyo",
            "東京とうきょう",
            "トーキョーtokyo",
            "서울seoul",
            "दिल्लीdelhi",
            "alice2",
            "Павел-2",
        ] {
            assert!(parse(ok).is_ok(), "{ok}");
        }
        for mixed in ["P\u{430}vel", "\u{430}lice", "Παvel", "Павел pavel", "ΑБ"] {
            assert_eq!(parse(mixed), Err(ValidationError::MixedScripts), "{mixed}");
        }
    }

    #[test]
    fn length_counts_the_normalised_form() {
        assert!(parse(&"x".repeat(32)).is_ok());
        // U+FDFA is one character whose NFKC form is 18.
        assert!(matches!(
            parse(&"\u{FDFA}".repeat(2)),
            Err(ValidationError::TooLong { .. }) | Err(ValidationError::BadChar(_))
        ));
        assert_eq!(
            parse(&"ａ".repeat(33)),
            Err(ValidationError::TooLong { len: 33, max: 32 })
        );
    }

    #[test]
    fn look_alike_names_share_a_key() {
        let alice = key("alice");
        for same in [
            "ALICE",
            "Alice",
            "\u{430}lice",
            "ａｌｉｃｅ",
            "alice\u{200B}",
            "\u{410}LICE",
        ] {
            assert_eq!(key(same), alice, "{same}");
        }
        // All Cyrillic (a, palochka, i, es, ie): one script, and yet it reads "alice".
        assert_eq!(key("\u{430}\u{4CF}\u{456}\u{441}\u{435}"), alice);
        assert!(Nickname::parse("\u{430}\u{4CF}\u{456}\u{441}\u{435}").is_ok());
        assert_eq!(key("rn"), key("m"));
        assert_eq!(key("paypal"), key("paypa1"));
        // Cyrillic and Latin names that look the same are the same name, even though each
        // is in one script.
        assert_eq!(key("\u{441}\u{43E}\u{440}\u{435}"), key("cope"));
        assert_ne!(key("alice"), key("alicia"));
        assert_ne!(key("bob"), key("bobby"));
    }

    #[test]
    fn a_key_fits_the_512_characters_storage_gives_it() {
        // A valid nickname is at most 32 characters once normalised, so its widest key is
        // 32 of the normalised character whose key is longest.
        let widest = (0..=0x10FFFF_u32)
            .filter_map(char::from_u32)
            .filter_map(|c| {
                Nickname::parse(&c.to_string())
                    .ok()
                    .filter(|n| n.0 == c.to_string())
            })
            .map(|n| (n.key().chars().count(), n.0))
            .max()
            .unwrap();
        // Hangul syllables are the widest: 7 jamo prototypes each.
        assert!(widest.0 * NICKNAME_MAX_CHARS <= 512, "{widest:?}");
    }

    #[test]
    fn stored_names_keep_the_old_rules() {
        for legacy in ["alice\u{200B}", "a\u{202E}ecila", "\u{430}lice", "\u{3164}"] {
            assert!(Nickname::parse(legacy).is_err(), "{legacy:?}");
            assert_eq!(Nickname::stored(legacy).unwrap().as_str(), legacy);
        }
        assert_eq!(
            Nickname::stored("a\u{7}"),
            Err(ValidationError::BadChar('\u{7}'))
        );
        assert_eq!(Nickname::stored(" "), Err(ValidationError::Empty));
        // Decoding is the lenient path: a server may send a name registered long ago.
        let decoded: Nickname = serde_json::from_str("\"\\u0430lice\"").unwrap();
        assert_eq!(decoded.as_str(), "\u{430}lice");
    }
}
