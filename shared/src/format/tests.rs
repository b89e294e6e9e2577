use super::*;
use proptest::prelude::*;

#[test]
fn every_fixture_parses_to_its_outline() {
    let mut wrong = Vec::new();
    for (input, expected) in fixtures::FIXTURES {
        let got = outline(&parse(input));
        if got != *expected {
            wrong.push(format!(
                "{input:?}\n  expected {expected}\n  got      {got}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn mentions_in_code_are_not_mentions() {
    let bob = Nickname::parse("bob").unwrap();
    assert!(mentions("hi *@bob*", &bob));
    assert!(mentions("[@bob](https://x.example)", &bob));
    assert!(!mentions("`@bob`", &bob));
    assert!(!mentions("```\n@bob\n```", &bob));
    assert!(!mentions("bob", &bob));
}

#[test]
fn plain_text_and_links() {
    let blocks = parse("**see** [the docs](https://docs.rs)\n> `code` and www.example.com");
    assert_eq!(
        plain_text(&blocks),
        "see the docs\ncode and www.example.com"
    );
    assert_eq!(
        links(&blocks),
        ["https://docs.rs", "https://www.example.com"]
    );
}

#[test]
fn a_snippet_is_plain_short_and_on_one_line() {
    assert_eq!(snippet("**hi**\n\n> there   `you`"), "hi there you");
    let long = "word ".repeat(40);
    let cut = snippet(&long);
    assert_eq!(cut.chars().count(), crate::REPLY_SNIPPET_MAX_CHARS);
    assert!(cut.ends_with('…'), "{cut}");
    assert_eq!(
        snippet(&"é".repeat(100)),
        "é".repeat(100),
        "exactly the limit: not cut"
    );
}

#[test]
fn nesting_stops_at_its_limits() {
    let deep_quote = ">".repeat(10) + " x";
    let mut blocks = parse(&deep_quote);
    let mut depth = 0;
    while let [Block::Quote(inner)] = blocks.as_slice() {
        depth += 1;
        blocks = inner.clone();
    }
    assert_eq!(depth, MAX_QUOTE_DEPTH);
    // A delimiter pairs with the next closer of its own kind, so only different kinds nest:
    // all seven of them, and a link, are still under the limit.
    let kinds = ["~~", "***", "___", "**", "__", "*", "_"];
    let open: String = kinds.iter().map(|k| format!("{k}a ")).collect();
    let close: String = kinds.iter().rev().map(|k| format!(" b{k}")).collect();
    let text = format!("{open}[x](https://x.example){close}");
    let shown = outline(&parse(&text));
    assert_eq!(shown.matches("<strong>").count(), 4, "{shown}");
    assert_eq!(shown.matches("<em>").count(), 4, "{shown}");
    assert!(
        shown.contains("<del>") && shown.contains("<a href"),
        "{shown}"
    );
}

#[test]
fn hostile_text_parses_quickly() {
    // Each of these once made a naive parser quadratic: openers with no closer, links with
    // no target, code spans with no end. 4,000 characters each (the longest message).
    let cases = [
        "*a ".repeat(1334),
        "[".repeat(4000),
        "[a](javascript:x)".repeat(235),
        "`".repeat(4000),
        "` `` ``` ".repeat(444),
        "_a ".repeat(1334),
        "> ".repeat(2000),
        "- a\n".repeat(1000),
        "www.a".repeat(800),
    ];
    let started = std::time::Instant::now();
    for case in &cases {
        let _ = parse(case);
    }
    // A generous bound for a debug build on a loaded machine; the parse takes about 1 ms.
    assert!(started.elapsed().as_secs() < 2, "{:?}", started.elapsed());
}

proptest! {
    #[test]
    fn any_text_parses_and_keeps_its_words(text in "[a-z *_~`>\\[\\]()\\-\n.:/@]{0,200}") {
        let blocks = parse(&text);
        let plain = plain_text(&blocks);
        // Formatting only removes marks: every letter typed is still there, in order.
        let letters = |s: &str| s.chars().filter(char::is_ascii_lowercase).collect::<String>();
        let typed = letters(&text);
        let mut rest = typed.chars();
        prop_assert!(letters(&plain).chars().all(|c| rest.any(|t| t == c)), "{plain:?}");
        for href in links(&blocks) {
            let lower = href.to_ascii_lowercase();
            prop_assert!(lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:"));
        }
    }
}
