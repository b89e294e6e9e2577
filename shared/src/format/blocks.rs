//! Blocks: fenced code, quotes, lists and paragraphs, line by line.

use super::{inlines, Block, MAX_QUOTE_DEPTH};

/// The blocks of `lines`, inside `depth` quotes.
pub(super) fn parse(lines: &[&str], depth: usize) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim().is_empty() {
            i += 1;
        } else if let Some(lang) = fence_open(line) {
            let end = (i + 1..lines.len())
                .find(|&j| is_fence_close(lines[j]))
                .unwrap_or(lines.len());
            out.push(Block::Code {
                lang,
                text: lines[i + 1..end].join("\n"),
            });
            i = end + 1;
        } else if depth < MAX_QUOTE_DEPTH && quoted(line).is_some() {
            let mut inner = Vec::new();
            while let Some(rest) = lines.get(i).and_then(|l| quoted(l)) {
                inner.push(rest);
                i += 1;
            }
            out.push(Block::Quote(parse(&inner, depth + 1)));
        } else if let Some(first) = item(line) {
            let mut items = vec![first.text.to_owned()];
            i += 1;
            while let Some(&l) = lines.get(i) {
                if l.trim().is_empty() {
                    break;
                } else if indented(l) {
                    let last = items.last_mut().expect("one item at least");
                    last.push('\n');
                    last.push_str(l.trim_start());
                } else if let Some(next) =
                    item(l).filter(|n| n.number.is_some() == first.number.is_some())
                {
                    items.push(next.text.to_owned());
                } else {
                    break;
                }
                i += 1;
            }
            out.push(Block::List {
                start: first.number,
                items: items.iter().map(|t| inlines::parse(t)).collect(),
            });
        } else {
            let start = i;
            i += 1;
            while lines
                .get(i)
                .is_some_and(|l| !l.trim().is_empty() && !interrupts(l, depth))
            {
                i += 1;
            }
            out.push(Block::Paragraph(inlines::parse(
                &lines[start..i].join("\n"),
            )));
        }
    }
    out
}

/// Whether `line` ends a paragraph and starts another block.
fn interrupts(line: &str, depth: usize) -> bool {
    fence_open(line).is_some()
        || (depth < MAX_QUOTE_DEPTH && quoted(line).is_some())
        || item(line).is_some_and(|it| it.number.is_none_or(|n| n == 1))
}

/// `line` with up to three leading spaces removed, if it has no more.
fn unindented(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches(' ');
    (line.len() - rest.len() <= 3 && !rest.starts_with('\t')).then_some(rest)
}

/// Whether `line` continues a list item: it starts with two spaces or a tab.
fn indented(line: &str) -> bool {
    line.starts_with("  ") || line.starts_with('\t')
}

/// An opening fence: three or more backticks, then an optional language. Its language, if any.
fn fence_open(line: &str) -> Option<Option<String>> {
    let rest = unindented(line)?;
    let info = rest.strip_prefix("```")?.trim_start_matches('`').trim();
    if info.contains('`') {
        return None; // ```code``` on one line is a code span
    }
    let lang = info.split_whitespace().next().filter(|w| {
        w.len() <= 32
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-_.#".contains(c))
    });
    Some(lang.map(str::to_owned))
}

/// Whether `line` closes a fence.
fn is_fence_close(line: &str) -> bool {
    unindented(line)
        .is_some_and(|r| r.starts_with("```") && r.trim_start_matches('`').trim().is_empty())
}

/// The rest of a quoted line (`> text` or `>text`).
fn quoted(line: &str) -> Option<&str> {
    let rest = unindented(line)?.strip_prefix('>')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

/// A list item's line: its number (numbered lists) and its text.
struct Item<'a> {
    number: Option<u32>,
    text: &'a str,
}

/// `- text`, `* text`, `+ text`, `12. text` or `12) text`, with some text.
fn item(line: &str) -> Option<Item<'_>> {
    let rest = unindented(line)?;
    let (number, after) = match rest.as_bytes().first()? {
        b'-' | b'*' | b'+' => (None, &rest[1..]),
        b'0'..=b'9' => {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let after = &rest[digits..];
            if digits > 9 || !(after.starts_with('.') || after.starts_with(')')) {
                return None;
            }
            (Some(rest[..digits].parse().ok()?), &after[1..])
        }
        _ => return None,
    };
    let text = after.strip_prefix([' ', '\t'])?.trim_start();
    (!text.is_empty()).then_some(Item { number, text })
}
