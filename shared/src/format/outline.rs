//! A parse tree as text: the outline (HTML-like tags, the shape the SPA's DOM has, compared by
//! the fixtures' tests on both sides) and the plain text.

use super::{Block, Inline};

/// The tree as the tags the SPA renders it with: `<p>`, `<pre><code>`, `<blockquote>`, `<ul>`,
/// `<ol start="N">` (when N is not 1), `<li>`, `<em>`, `<strong>`, `<del>`, `<code>`,
/// `<a href="…">`, `<br>`, and `<small> (target)</small>` after a link that reveals its target.
/// Text has `&`, `<` and `>` escaped; there are no other attributes.
pub fn outline(blocks: &[Block]) -> String {
    let mut out = String::new();
    outline_blocks(blocks, &mut out);
    out
}

fn outline_blocks(blocks: &[Block], out: &mut String) {
    for b in blocks {
        match b {
            Block::Paragraph(i) => tag(out, "p", |o| outline_inlines(i, o)),
            Block::Code { text, .. } => tag(out, "pre", |o| tag(o, "code", |o| escape(text, o))),
            Block::Quote(inner) => tag(out, "blockquote", |o| outline_blocks(inner, o)),
            Block::List { start, items } => {
                let name = match start {
                    None => "ul".to_owned(),
                    Some(1) => "ol".to_owned(),
                    Some(n) => format!("ol start=\"{n}\""),
                };
                out.push_str(&format!("<{name}>"));
                for item in items {
                    tag(out, "li", |o| outline_inlines(item, o));
                }
                out.push_str(if start.is_some() { "</ol>" } else { "</ul>" });
            }
        }
    }
}

fn outline_inlines(inlines: &[Inline], out: &mut String) {
    for i in inlines {
        match i {
            Inline::Text(t) => escape(t, out),
            Inline::Emphasis(c) => tag(out, "em", |o| outline_inlines(c, o)),
            Inline::Strong(c) => tag(out, "strong", |o| outline_inlines(c, o)),
            Inline::Strike(c) => tag(out, "del", |o| outline_inlines(c, o)),
            Inline::Code(c) => tag(out, "code", |o| escape(c, o)),
            Inline::Break => out.push_str("<br>"),
            Inline::Link(l) => {
                out.push_str("<a href=\"");
                escape(&l.href, out);
                out.push_str("\">");
                outline_inlines(&l.children, out);
                out.push_str("</a>");
                if l.reveal {
                    tag(out, "small", |o| escape(&format!(" ({})", l.href), o));
                }
            }
        }
    }
}

fn tag(out: &mut String, name: &str, inner: impl FnOnce(&mut String)) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    inner(out);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// The plain text of `blocks` (see [`super::plain_text`]).
pub(super) fn plain(blocks: &[Block], out: &mut String) {
    for b in blocks {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        match b {
            Block::Paragraph(i) => plain_inlines(i, out),
            Block::Code { text, .. } => out.push_str(text),
            Block::Quote(inner) => plain(inner, out),
            Block::List { items, .. } => {
                for (k, item) in items.iter().enumerate() {
                    if k > 0 {
                        out.push('\n');
                    }
                    plain_inlines(item, out);
                }
            }
        }
    }
}

/// The plain text of `inlines`.
pub(super) fn plain_inlines(inlines: &[Inline], out: &mut String) {
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Emphasis(c) | Inline::Strong(c) | Inline::Strike(c) => plain_inlines(c, out),
            Inline::Link(l) => plain_inlines(&l.children, out),
            Inline::Break => out.push('\n'),
        }
    }
}
