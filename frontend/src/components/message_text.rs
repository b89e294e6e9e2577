//! A message's text as DOM nodes: its formatting (parsed by `shared::format`, as the server
//! parses it) and its `@mentions` highlighted (found by `shared::mentions`, in the text
//! outside code), and whether it mentions the reader. Nothing here is HTML text: Yew builds
//! every node, so a message can never add markup, and links only go where
//! `shared::format` allows (`http:`, `https:`, `mailto:`).

use shared::format::{self, Block, Inline, Link};
use shared::mentions;
use shared::Nickname;
use yew::prelude::*;

/// Who a text's mentions may be of: the room's members, and the reader.
pub struct Names<'a> {
    /// The room's members.
    pub members: &'a [Nickname],
    /// The reader.
    pub me: Option<&'a Nickname>,
}

/// The text rendered, and whether one of its mentions is of the reader.
pub fn formatted(text: &str, names: &Names<'_>) -> (Html, bool) {
    let mut r = Renderer {
        names,
        all: None,
        mentions_me: false,
    };
    let html = r.blocks(&format::parse(text));
    (html, r.mentions_me)
}

struct Renderer<'a, 'n> {
    names: &'a Names<'n>,
    /// The members and the reader, gathered at the first text with an `@`.
    all: Option<Vec<Nickname>>,
    mentions_me: bool,
}

impl Renderer<'_, '_> {
    fn blocks(&mut self, blocks: &[Block]) -> Html {
        blocks.iter().map(|b| self.block(b)).collect()
    }

    fn block(&mut self, block: &Block) -> Html {
        match block {
            Block::Paragraph(i) => html! { <p>{ self.inlines(i) }</p> },
            Block::Code { lang, text } => {
                let class = lang.as_ref().map(|l| format!("language-{l}"));
                html! { <pre tabindex="0"><code {class}>{ text.clone() }</code></pre> }
            }
            Block::Quote(inner) => html! { <blockquote>{ self.blocks(inner) }</blockquote> },
            Block::List { start, items } => {
                let items: Html = items
                    .iter()
                    .map(|i| html! { <li>{ self.inlines(i) }</li> })
                    .collect();
                match start {
                    None => html! { <ul>{ items }</ul> },
                    Some(1) => html! { <ol>{ items }</ol> },
                    Some(n) => html! { <ol start={n.to_string()}>{ items }</ol> },
                }
            }
        }
    }

    fn inlines(&mut self, inlines: &[Inline]) -> Html {
        inlines.iter().map(|i| self.inline(i)).collect()
    }

    fn inline(&mut self, inline: &Inline) -> Html {
        match inline {
            Inline::Text(t) => self.text(t),
            Inline::Emphasis(c) => html! { <em>{ self.inlines(c) }</em> },
            Inline::Strong(c) => html! { <strong>{ self.inlines(c) }</strong> },
            Inline::Strike(c) => html! { <del>{ self.inlines(c) }</del> },
            Inline::Code(c) => html! { <code>{ c.clone() }</code> },
            Inline::Break => html! { <br /> },
            Inline::Link(l) => self.link(l),
        }
    }

    fn link(&mut self, l: &Link) -> Html {
        let reveal = l.reveal.then(|| {
            html! { <small class="link-target">{ format!(" ({})", l.href) }</small> }
        });
        html! { <>
            <a href={l.href.clone()} target="_blank" rel="noopener noreferrer nofollow">{ self.inlines(&l.children) }</a>
            { for reveal }
        </> }
    }

    /// Text, with each mention in a `<span class="mention">`.
    fn text(&mut self, text: &str) -> Html {
        if !text.contains('@') {
            return html! { { text.to_owned() } }; // Most text: no names gathered.
        }
        let names = self.names;
        let all = self.all.get_or_insert_with(|| {
            let mut all = names.members.to_vec();
            all.extend(names.me.cloned());
            all
        });
        let found = mentions::find(text, all);
        if found.is_empty() {
            return html! { { text.to_owned() } };
        }
        let mine = names.me.map(|n| n.as_str().to_lowercase());
        let mut parts = Vec::with_capacity(2 * found.len() + 1);
        let mut at = 0;
        for m in found {
            let of_me = mine.as_deref() == Some(all[m.name].as_str().to_lowercase().as_str());
            self.mentions_me |= of_me;
            parts.push(html! { { text[at..m.range.start].to_owned() } });
            let class = classes!("mention", of_me.then_some("of-me"));
            parts.push(html! { <span {class}>{ text[m.range.clone()].to_owned() }</span> });
            at = m.range.end;
        }
        parts.push(html! { { text[at..].to_owned() } });
        parts.into_iter().collect()
    }
}
