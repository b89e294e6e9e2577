//! Message formatting: a small Markdown subset, parsed the same way by the server and the SPA.
//!
//! A message is stored as the text the user typed; this module says what it means when it is
//! shown: its blocks and inlines, its links, its mentions and its plain text (for search).
//! The SPA renders [`parse`]'s tree into DOM nodes (never HTML text), and the server finds a
//! message's mentions with [`mentions`], so both agree on every message.
//!
//! The subset, as chats write it (docs/PROTOCOL.md, "Formatting", has the table):
//! - `*emphasis*` or `_emphasis_`, `**strong**` or `__strong__`, `~~strike~~`, `` `code` ``;
//!   `_` does not work inside a word (`snake_case` stays as typed), `*` does;
//! - fenced code blocks (a line of three backticks, with an optional language, to the next such
//!   line or the end), whitespace kept;
//! - quotes (`> `, nested up to [`MAX_QUOTE_DEPTH`]), bullet lists (`- `, `* `, `+ `) and
//!   numbered lists (`1. ` or `1) `), one level;
//! - links `[text](url)` and bare `http(s)://` URLs, `www.` hosts and e-mail addresses;
//! - a newline is a line break and an empty line starts a paragraph.
//!
//! Everything else stays literal text: headings, images, tables, HTML, entities (`&lt;` shows
//! as typed). Links only go to `http:`, `https:` and `mailto:`; a link to anything else stays
//! text. A link whose text looks like another address carries [`Link::reveal`], and the
//! SPA then shows its real target beside it.
//!
//! The parse is linear in the text: each delimiter looks for its closer once per nesting
//! level, a closer that is not there is remembered, and nesting stops at
//! [`MAX_INLINE_DEPTH`] (a backstop: a delimiter pairs with the next closer of its own kind,
//! so only different kinds nest, seven and a link at most).

mod blocks;
pub mod fixtures;
mod inlines;
mod links;
mod outline;

pub use outline::outline;

use crate::model::Nickname;

/// Quotes nest this deep; a deeper `>` is text.
pub const MAX_QUOTE_DEPTH: usize = 4;
/// Emphasis, strong, strike and links nest this deep; deeper delimiters are text.
pub const MAX_INLINE_DEPTH: usize = 8;

/// A block of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Lines of text (their line breaks are [`Inline::Break`]).
    Paragraph(Vec<Inline>),
    /// A fenced code block: its text as typed, and the language named after the fence.
    Code {
        /// The word after the opening fence, if any (`rust`).
        lang: Option<String>,
        /// The lines between the fences.
        text: String,
    },
    /// A quote (`> `), holding blocks.
    Quote(Vec<Block>),
    /// A list: `start` is the first number of a numbered list, `None` for bullets. Each item
    /// is one line of inlines (with its continuation lines).
    List {
        /// The first item's number, for a numbered list.
        start: Option<u32>,
        /// The items.
        items: Vec<Vec<Inline>>,
    },
}

/// Inline content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Text, shown as it is.
    Text(String),
    /// `*emphasis*`.
    Emphasis(Vec<Inline>),
    /// `**strong**`.
    Strong(Vec<Inline>),
    /// `~~strike~~`.
    Strike(Vec<Inline>),
    /// `` `code` ``: shown as it is, in a code font.
    Code(String),
    /// A link.
    Link(Link),
    /// A line break (a newline in the text).
    Break,
}

/// A link, explicit (`[text](url)`) or found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Where it goes: always `http:`, `https:` or `mailto:`.
    pub href: String,
    /// What it shows.
    pub children: Vec<Inline>,
    /// Its text looks like an address other than `href`: show the real target too.
    pub reveal: bool,
}

/// The blocks of `text`.
pub fn parse(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    blocks::parse(&lines, 0)
}

/// Whether `text` mentions `who` (see [`crate::mentions`]) outside code: in the text the SPA
/// highlights mentions in.
pub fn mentions(text: &str, who: &Nickname) -> bool {
    if !text.contains('@') {
        return false; // Most messages: nothing to parse.
    }
    let mut found = false;
    for_each_text(&parse(text), &mut |t| {
        found = found || crate::mentions::mentions(t, who);
    });
    found
}

/// The text a reader sees, without the formatting marks: blocks and lines on their own
/// lines, code as it is, a link as its text.
pub fn plain_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    outline::plain(blocks, &mut out);
    out
}

/// The start of `text` as a reply quotes it: its plain text with each run of whitespace as
/// one space, at most [`crate::REPLY_SNIPPET_MAX_CHARS`] characters, `…` ending it when cut.
pub fn snippet(text: &str) -> String {
    let plain = plain_text(&parse(text));
    let mut out = String::new();
    let mut chars = 0;
    for word in plain.split_whitespace() {
        if chars > 0 {
            out.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars == crate::REPLY_SNIPPET_MAX_CHARS {
                out.pop();
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

/// The targets of the links in `blocks`, in order.
pub fn links(blocks: &[Block]) -> Vec<&str> {
    let mut out = Vec::new();
    fn inl<'a>(list: &'a [Inline], out: &mut Vec<&'a str>) {
        for i in list {
            match i {
                Inline::Link(l) => {
                    out.push(l.href.as_str());
                    inl(&l.children, out);
                }
                Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strike(c) => inl(c, out),
                Inline::Text(_) | Inline::Code(_) | Inline::Break => {}
            }
        }
    }
    for_each_inlines(blocks, &mut |list| inl(list, &mut out));
    out
}

/// Calls `f` with each text segment outside code (the segments mentions are found in).
pub fn for_each_text<'a>(blocks: &'a [Block], f: &mut impl FnMut(&'a str)) {
    fn inl<'a>(list: &'a [Inline], f: &mut impl FnMut(&'a str)) {
        for i in list {
            match i {
                Inline::Text(t) => f(t),
                Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strike(c) => inl(c, f),
                Inline::Link(l) => inl(&l.children, f),
                Inline::Code(_) | Inline::Break => {}
            }
        }
    }
    for_each_inlines(blocks, &mut |list| inl(list, f));
}

/// Calls `f` with each top-level inline list of `blocks` (paragraphs and list items).
fn for_each_inlines<'a>(blocks: &'a [Block], f: &mut impl FnMut(&'a [Inline])) {
    for b in blocks {
        match b {
            Block::Paragraph(i) => f(i),
            Block::List { items, .. } => items.iter().for_each(|i| f(i)),
            Block::Quote(inner) => for_each_inlines(inner, f),
            Block::Code { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests;
