//! Inlines: code spans, emphasis, strong, strike, links and line breaks. The text is first cut
//! into tokens (code spans are whole tokens, so nothing inside them is formatting), then
//! delimiters are paired, and text outside links is searched for bare addresses.

use super::{links, Inline, Link, MAX_INLINE_DEPTH};

/// Longest backtick run that opens a code span; longer runs are text.
const MAX_TICKS: usize = 16;

/// A piece of inline text.
#[derive(Debug, Clone, Copy)]
enum Tok<'a> {
    /// Text as it is (an escaped character is a token of its own).
    Text(&'a str),
    /// A code span's content.
    Code(&'a str),
    /// A run of `*`, `_` or `~`, and whether it may open or close.
    Delim {
        src: &'a str,
        open: bool,
        close: bool,
    },
    /// `[`, not after `!`.
    LinkOpen,
    /// `](dest)`.
    LinkClose { src: &'a str, dest: &'a str },
    /// A newline.
    Break,
}

/// The inlines of `text`.
pub(super) fn parse(text: &str) -> Vec<Inline> {
    build(&tokens(text), 0, false)
}

/// Cuts `s` into tokens.
fn tokens(s: &str) -> Vec<Tok<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut text_from = 0;
    // A backtick run of length n found no closer after here: no later one will.
    let mut no_code_closer = [false; MAX_TICKS + 1];
    let mut i = 0;
    while i < b.len() {
        let (tok, end) = match b[i] {
            b'\\' if b.get(i + 1).is_some_and(u8::is_ascii_punctuation) => {
                (Tok::Text(&s[i + 1..i + 2]), i + 2)
            }
            b'`' => {
                let n = run(b, i);
                match code_span(s, i, n, &mut no_code_closer) {
                    Some((content, end)) => (Tok::Code(content), end),
                    None => (Tok::Text(&s[i..i + n]), i + n),
                }
            }
            c @ (b'*' | b'_' | b'~') => {
                let n = run(b, i);
                let src = &s[i..i + n];
                let prev = s[..i].chars().next_back();
                let next = s[i + n..].chars().next();
                let (mut open, mut close) = (
                    next.is_some_and(|c| !c.is_whitespace()),
                    prev.is_some_and(|c| !c.is_whitespace()),
                );
                if c == b'_' {
                    open &= !prev.is_some_and(char::is_alphanumeric);
                    close &= !next.is_some_and(char::is_alphanumeric);
                }
                if (c == b'~' && n != 2) || n > 3 {
                    (open, close) = (false, false);
                }
                (Tok::Delim { src, open, close }, i + n)
            }
            b'[' if i == 0 || b[i - 1] != b'!' => (Tok::LinkOpen, i + 1),
            b']' if b.get(i + 1) == Some(&b'(') => match destination(s, i + 2) {
                Some((dest, end)) => (
                    Tok::LinkClose {
                        src: &s[i..end],
                        dest,
                    },
                    end,
                ),
                None => {
                    i += 1;
                    continue;
                }
            },
            b'\n' => (Tok::Break, i + 1),
            _ => {
                i += 1;
                continue;
            }
        };
        if text_from < i {
            out.push(Tok::Text(&s[text_from..i]));
        }
        out.push(tok);
        i = end;
        text_from = end;
    }
    if text_from < s.len() {
        out.push(Tok::Text(&s[text_from..]));
    }
    out
}

/// The length of the run of `b[i]` starting at `i`.
fn run(b: &[u8], i: usize) -> usize {
    b[i..].iter().take_while(|&&c| c == b[i]).count()
}

/// A code span opened by `n` backticks at `i`: its content (one space trimmed at each end
/// when both are there) and where it ends.
fn code_span<'a>(
    s: &'a str,
    i: usize,
    n: usize,
    no_closer: &mut [bool; MAX_TICKS + 1],
) -> Option<(&'a str, usize)> {
    if n > MAX_TICKS || no_closer[n] {
        return None;
    }
    let b = s.as_bytes();
    let mut j = i + n;
    while j < b.len() {
        if b[j] == b'`' {
            let m = run(b, j);
            if m == n {
                let content = &s[i + n..j];
                let trimmed = content
                    .strip_prefix(' ')
                    .and_then(|c| c.strip_suffix(' '))
                    .filter(|c| !c.trim().is_empty());
                return Some((trimmed.unwrap_or(content), j + m));
            }
            j += m;
        } else {
            j += 1;
        }
    }
    no_closer[n] = true;
    None
}

/// A link destination starting at `from` (after `](`): up to a `)` that balances, with no
/// whitespace. It and the index after the `)`.
fn destination(s: &str, from: usize) -> Option<(&str, usize)> {
    let mut depth = 0usize;
    for (k, c) in s[from..].char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                return (k > 0).then(|| (&s[from..from + k], from + k + 1));
            }
            ')' => depth -= 1,
            c if c.is_whitespace() || c.is_control() => return None,
            _ => {}
        }
    }
    None
}

/// The inlines of `toks`, `depth` deep, inside a link or not.
fn build(toks: &[Tok<'_>], depth: usize, in_link: bool) -> Vec<Inline> {
    let mut out = Vec::new();
    // A delimiter (by its text) or `[` that found no closer here: no later one will.
    let mut no_closer: Vec<&str> = Vec::new();
    // `[`s before here pair with no usable `](…)`: the next one is past it, or there is none.
    let mut links_dead_until = 0;
    let mut i = 0;
    while i < toks.len() {
        match toks[i] {
            Tok::Delim { src, open, .. } => {
                if open && depth < MAX_INLINE_DEPTH && !no_closer.contains(&src) {
                    let closer = toks[i + 1..].iter().position(
                        |t| matches!(t, Tok::Delim { src: s, close: true, .. } if *s == src),
                    );
                    match closer {
                        Some(k) if k > 0 => {
                            let j = i + 1 + k;
                            out.push(wrap(src, build(&toks[i + 1..j], depth + 1, in_link)));
                            i = j + 1;
                            continue;
                        }
                        Some(_) => {}
                        None => no_closer.push(src),
                    }
                }
                push_text(&mut out, src);
            }
            Tok::LinkOpen => {
                if !in_link && i >= links_dead_until && depth < MAX_INLINE_DEPTH {
                    let close = toks[i + 1..]
                        .iter()
                        .position(|t| matches!(t, Tok::LinkClose { .. }));
                    let j = close.map_or(toks.len(), |k| i + 1 + k);
                    let href = match toks.get(j) {
                        Some(Tok::LinkClose { dest, .. }) if j > i + 1 => links::safe_href(dest),
                        _ => None,
                    };
                    if let Some(href) = href {
                        let children = build(&toks[i + 1..j], depth + 1, true);
                        let reveal = links::reveals(&children, &href);
                        out.push(Inline::Link(Link {
                            href,
                            children,
                            reveal,
                        }));
                        i = j + 1;
                        continue;
                    }
                    links_dead_until = j;
                }
                push_text(&mut out, "[");
            }
            Tok::LinkClose { src, .. } => push_text(&mut out, src),
            Tok::Text(t) => push_text(&mut out, t),
            Tok::Code(c) => out.push(Inline::Code(c.to_owned())),
            Tok::Break => out.push(Inline::Break),
        }
        i += 1;
    }
    if in_link {
        out
    } else {
        links::autolink(out)
    }
}

/// Emphasis, strong or strike around `inner`, by its delimiter.
fn wrap(delim: &str, inner: Vec<Inline>) -> Inline {
    match delim.len() {
        _ if delim.starts_with('~') => Inline::Strike(inner),
        1 => Inline::Emphasis(inner),
        2 => Inline::Strong(inner),
        _ => Inline::Strong(vec![Inline::Emphasis(inner)]),
    }
}

/// Appends text, to the text before if there is some.
fn push_text(out: &mut Vec<Inline>, t: &str) {
    match out.last_mut() {
        Some(Inline::Text(prev)) => prev.push_str(t),
        _ => out.push(Inline::Text(t.to_owned())),
    }
}
