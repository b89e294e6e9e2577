//! The message list's lines, in blocks: the list first works out what each line is
//! ([`lines_of`]: plain data, no DOM), then renders them [`BLOCK_SEQS`] seqs to a
//! [`MessageBlock`]. A block renders again only when one of its lines changes, so a new
//! message renders the last block, not the room's whole history (a room of 1,000 messages:
//! one block of up to 64 lines, and 15 blocks compared line by line).

use std::rc::Rc;

use shared::{ChatMessage, Nickname, RoomName, Seq};
use yew::prelude::*;

use super::message_item::MessageItem;
use super::timeline::{self, day_label, Day};
use crate::state::RoomView;

/// How many seqs one block covers.
pub const BLOCK_SEQS: u64 = 64;

/// One line of the list.
#[derive(Clone, Debug)]
pub enum Line {
    /// The first message of a day comes next.
    Day { seq: Seq, label: String },
    /// The first unread message comes next.
    New { seq: Seq },
    /// A message, grouped under the one before or not.
    Message {
        message: Rc<ChatMessage>,
        continued: bool,
    },
    /// A system notice after the message at `seq`.
    Notice { seq: Seq, k: usize, text: String },
    /// Messages missing between two windows held: those after `before`, until `next`.
    Gap {
        before: Seq,
        next: Seq,
        loading: bool,
    },
}

impl PartialEq for Line {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Line::Message {
                    message: a,
                    continued: c,
                },
                Line::Message {
                    message: b,
                    continued: d,
                },
            ) => Rc::ptr_eq(a, b) && c == d,
            (Line::Day { seq: a, label: l }, Line::Day { seq: b, label: m }) => a == b && l == m,
            (Line::New { seq: a }, Line::New { seq: b }) => a == b,
            (
                Line::Notice { seq, k, text },
                Line::Notice {
                    seq: s,
                    k: j,
                    text: t,
                },
            ) => seq == s && k == j && text == t,
            (
                Line::Gap {
                    before,
                    next,
                    loading,
                },
                Line::Gap {
                    before: b,
                    next: n,
                    loading: l,
                },
            ) => before == b && next == n && loading == l,
            _ => false,
        }
    }
}

impl Line {
    /// The seq whose block the line goes in.
    fn anchor(&self) -> Seq {
        match self {
            Line::Day { seq, .. } | Line::New { seq } | Line::Notice { seq, .. } => *seq,
            Line::Message { message, .. } => message.seq,
            Line::Gap { next, .. } => *next,
        }
    }
}

/// The lines of `room`: messages and notices in seq order, a day's first message after its
/// day, the first unread one after "New", one author's messages within five minutes grouped,
/// and a gap where two windows held do not meet (seqs are dense). `day_of` gives a
/// timestamp's day in the reader's time zone; `(today, yesterday)` are named so.
pub fn lines_of(
    room: &RoomView,
    day_of: impl Fn(i64) -> Day,
    (today, yesterday): (Day, Day),
) -> Vec<Line> {
    let seqs: std::collections::BTreeSet<Seq> = room
        .messages
        .keys()
        .chain(room.notices.keys())
        .copied()
        .collect();
    let first_new = room.new_after.and_then(|after| {
        room.messages
            .range(Seq(after.0 + 1)..)
            .map(|(seq, _)| *seq)
            .next()
    });
    let mut prev: Option<(Rc<ChatMessage>, Day)> = None;
    let mut last_message: Option<Seq> = None;
    let mut lines = Vec::with_capacity(room.messages.len() + 8);
    for seq in seqs {
        if let Some(m) = room.messages.get(&seq) {
            if let Some(before) = last_message.filter(|b| seq.0 > b.0 + 1) {
                let loading = room.loading_gap == Some(before);
                lines.push(Line::Gap {
                    before,
                    next: seq,
                    loading,
                });
                prev = None;
            }
            last_message = Some(seq);
            let day = day_of(m.ts);
            if prev.as_ref().is_none_or(|(_, d)| *d != day) {
                let label = day_label(day, today, yesterday);
                lines.push(Line::Day { seq, label });
            }
            if Some(seq) == first_new {
                lines.push(Line::New { seq });
            }
            let continued = prev
                .as_ref()
                .is_some_and(|(p, d)| timeline::continues(p, *d, m, day));
            prev = Some((m.clone(), day));
            lines.push(Line::Message {
                message: m.clone(),
                continued,
            });
        } else {
            prev = None; // a notice: the next message shows its name again
        }
        for (k, n) in room.notices.get(&seq).into_iter().flatten().enumerate() {
            let text = n.text.clone();
            lines.push(Line::Notice { seq, k, text });
        }
    }
    lines
}

/// `lines` cut into blocks of [`BLOCK_SEQS`] seqs: (the block's number, its lines).
pub fn blocks(lines: Vec<Line>) -> Vec<(u64, Vec<Line>)> {
    let mut out: Vec<(u64, Vec<Line>)> = Vec::new();
    for line in lines {
        let block = line.anchor().0 / BLOCK_SEQS;
        match out.last_mut() {
            Some((b, block_lines)) if *b == block => block_lines.push(line),
            _ => out.push((block, vec![line])),
        }
    }
    out
}

/// Props of [`MessageBlock`].
#[derive(Properties, PartialEq)]
pub struct MessageBlockProps {
    /// Its lines.
    pub lines: Vec<Line>,
    /// The room.
    pub room: RoomName,
    /// The room's members (mentions are of them), the same `Rc` while they are the same.
    pub members: Rc<Vec<Nickname>>,
    /// This user.
    pub me: Option<Nickname>,
    /// "Reply" on a message.
    pub on_reply: Callback<Rc<ChatMessage>>,
    /// Shows a quote's original.
    pub on_jump: Callback<Seq>,
    /// Adds or takes back a reaction: (room, seq, emoji, remove).
    pub on_react: Callback<(RoomName, Seq, String, bool)>,
    /// Loads the messages of a gap: (room, the seq they come after).
    pub on_load_gap: Callback<(RoomName, Seq)>,
}

/// One block of lines.
#[function_component(MessageBlock)]
pub fn message_block(props: &MessageBlockProps) -> Html {
    props
        .lines
        .iter()
        .map(|line| line_html(props, line))
        .collect()
}

fn line_html(props: &MessageBlockProps, line: &Line) -> Html {
    match line {
        Line::Day { seq, label } => {
            let key = format!("day-{}", seq.0);
            html! { <li {key} class="day-separator"><span>{ label.clone() }</span></li> }
        }
        Line::New { .. } => html! {
            <li key="new" class="new-divider"><span class="sr-only">{ "New messages" }</span><span aria-hidden="true">{ "New" }</span></li>
        },
        Line::Message { message, continued } => html! {
            <MessageItem key={format!("m-{}", message.seq.0)} message={message.clone()} members={props.members.clone()}
                me={props.me.clone()} continued={*continued} on_reply={props.on_reply.clone()} on_jump={props.on_jump.clone()}
                on_react={props.on_react.clone()} />
        },
        Line::Notice { seq, k, text } => {
            let key = format!("n-{}-{k}", seq.0);
            html! { <li {key} class="notice"><bdi>{ text.clone() }</bdi></li> }
        }
        Line::Gap {
            before,
            next,
            loading,
        } => gap_line(props, *before, *next, *loading),
    }
}

/// The line between two windows held: how many messages are missing, and a button that
/// loads them (a page at a time).
fn gap_line(props: &MessageBlockProps, before: Seq, next: Seq, loading: bool) -> Html {
    let missing = next.0 - before.0 - 1;
    let key = format!("gap-{}", before.0);
    if loading {
        return html! { <li {key} class="history-edge">{ "Loading messages…" }</li> };
    }
    let load = props.on_load_gap.reform({
        let name = props.room.clone();
        move |_: MouseEvent| (name.clone(), before)
    });
    let label = if missing == 1 {
        "Load 1 more message".to_owned()
    } else {
        format!("Load {missing} more messages")
    };
    html! { <li {key} class="history-edge"><button class="link" onclick={load}>{ label }</button></li> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::fixtures::*;

    #[test]
    fn a_new_message_changes_only_the_last_block() {
        let many: Vec<_> = (1..=200).map(|s| message("lobby", s, BOB, "m")).collect();
        let before = run(in_lobby(), many);
        let after = run(before.clone(), [message("lobby", 201, BOB, "new")]);
        let day = |ts: i64| (2026, 12, (ts / 86_400_000 % 28) as u32 + 1);
        let today = ((2026, 12, 1), (2026, 11, 30));
        let (a, b) = (
            blocks(lines_of(view(&before, "lobby"), day, today)),
            blocks(lines_of(view(&after, "lobby"), day, today)),
        );
        assert_eq!(a.len(), b.len(), "201 is in the block of 192–255");
        let changed: Vec<u64> = a
            .iter()
            .zip(&b)
            .filter(|(x, y)| x != y)
            .map(|(x, _)| x.0)
            .collect();
        assert_eq!(changed, [3], "only the last block");
    }
}
