//! One room as the UI knows it: its messages, notices, members, own messages and reactions
//! waiting for their answer, unread count, and where to resume it after a reconnect.

use std::collections::BTreeMap;
use std::rc::Rc;

use shared::{ChatMessage, Nickname, RoomName, Seq};

use super::Typist;

/// A system notice in a room's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// The text.
    pub text: String,
}

/// Where an own message stands before its ack.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingStatus {
    /// Queued or on its way; not acknowledged yet. Sent again after a reconnect.
    Sending,
    /// Refused; says why. Can be retried.
    Failed(String),
}

/// An own message not acknowledged yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// Its client id.
    pub client_id: String,
    /// Its text.
    pub text: String,
    /// The message it answers, if any.
    pub reply_to: Option<Seq>,
    /// Where it stands.
    pub status: PendingStatus,
}

/// An own reaction (or its taking back) not answered yet: sent again after a reconnect, under
/// the same client id (the server applies it once).
#[derive(Debug, Clone, PartialEq)]
pub struct PendingReact {
    /// Its client id.
    pub client_id: String,
    /// The message.
    pub seq: Seq,
    /// The emoji.
    pub emoji: String,
    /// Taken back rather than added.
    pub remove: bool,
}

/// One room as the UI knows it.
#[derive(Debug, Clone)]
pub struct RoomView {
    /// The room.
    pub name: RoomName,
    /// This user is in it.
    pub joined: bool,
    /// The user wants to be in it (joining or joined, until they leave): rejoined after
    /// every reconnect.
    pub wanted: bool,
    /// Where a rejoin resumes: the highest of the `after` of its `joined` and the seqs of
    /// the messages received since it was wanted. None: never joined since.
    pub resume: Option<Seq>,
    /// The `rev` of the last `reactions` frame: a rejoin's `changes_after`.
    pub changes_after: Option<u64>,
    /// Members, when joined.
    pub members: Vec<Nickname>,
    /// The message the next one sent here answers ("Reply"), until it is sent or cancelled.
    pub replying: Option<shared::Reply>,
    /// Member count from the room list, for rooms not joined.
    pub member_count: u32,
    /// Messages by seq.
    pub messages: BTreeMap<Seq, Rc<ChatMessage>>,
    /// System notices, each after the message with that seq (0: before all).
    pub notices: BTreeMap<Seq, Vec<Notice>>,
    /// Own messages waiting for their ack, in send order.
    pub pending: Vec<Pending>,
    /// Own reactions waiting for their `reacted`, in send order.
    pub reacting: Vec<PendingReact>,
    /// Messages from others that arrived while the room was not in view.
    pub unread: u32,
    /// Of those, the ones that mention this user.
    pub mentions: u32,
    /// Messages up to this seq were history when joining: they do not count as unread.
    pub baseline: Seq,
    /// Messages up to this seq are counted in `unread` already (by the last `joined`).
    pub counted_to: Seq,
    /// The last seq this user has read here, on any device, as far as this tab knows.
    pub read_seq: Seq,
    /// The read position this tab last told the server.
    pub read_told: Seq,
    /// Where the "New" divider goes: before the first message after this seq (set when the
    /// room comes into view with unread messages).
    pub new_after: Option<Seq>,
    /// Older messages exist before the first one held.
    pub has_more: bool,
    /// A history page was asked for and has not come yet.
    pub loading_older: bool,
    /// The page after this seq (a gap between two windows held) was asked for.
    pub loading_gap: Option<Seq>,
    /// A message to bring into view once it is shown (a permalink's).
    pub jump_to: Option<Seq>,
    /// Others typing here, in the order they started.
    pub typing: Vec<Typist>,
    /// For a direct-message room: the other person (every message counts as a mention).
    pub direct: Option<Nickname>,
    /// What here notifies this user (kept on the server).
    pub notify: shared::NotifyLevel,
}

impl RoomView {
    /// A room known by name only.
    pub(super) fn new(name: RoomName) -> Self {
        Self {
            name,
            joined: false,
            wanted: false,
            resume: None,
            changes_after: None,
            members: Vec::new(),
            replying: None,
            loading_gap: None,
            jump_to: None,
            member_count: 0,
            messages: BTreeMap::new(),
            notices: BTreeMap::new(),
            pending: Vec::new(),
            reacting: Vec::new(),
            unread: 0,
            mentions: 0,
            baseline: Seq(0),
            counted_to: Seq(0),
            read_seq: Seq(0),
            read_told: Seq(0),
            new_after: None,
            has_more: false,
            loading_older: false,
            typing: Vec::new(),
            direct: None,
            notify: shared::NotifyLevel::default(),
        }
    }

    /// The highest seq held.
    pub fn last_seq(&self) -> Seq {
        self.messages
            .keys()
            .next_back()
            .copied()
            .unwrap_or(self.baseline)
    }

    /// The lowest seq held.
    pub fn first_seq(&self) -> Option<Seq> {
        self.messages.keys().next().copied()
    }

    /// The own message with this client id, if it is still waiting.
    pub(super) fn pending_mut(&mut self, client_id: &str) -> Option<&mut Pending> {
        self.pending.iter_mut().find(|p| p.client_id == client_id)
    }

    /// Holds `m` at its seq. A message held already keeps its reactions when they are newer
    /// (a live `reaction` can overtake a history page read before it).
    pub(super) fn put(&mut self, mut m: ChatMessage) {
        if let Some(held) = self.messages.get(&m.seq).filter(|h| h.rev > m.rev) {
            m.reactions = held.reactions.clone();
            m.rev = held.rev;
        }
        self.messages.insert(m.seq, Rc::new(m));
    }

    /// Adds a system notice after the last message held.
    pub(super) fn notice(&mut self, text: String) {
        let at = self.last_seq();
        self.notices.entry(at).or_default().push(Notice { text });
    }

    /// Moves the resume point up to `seq` (a `joined`'s `after`, or a message's seq), while
    /// the room is wanted.
    pub(super) fn seen(&mut self, seq: Seq) {
        if self.wanted {
            self.resume = Some(self.resume.map_or(seq, |r| r.max(seq)));
        }
    }
}
