//! The "Browse rooms" dialog's state: pages of the room directory, searched by name prefix,
//! with member counts kept current by `room_counts`.

use shared::{RoomName, RoomSummary};

use super::ChatState;

/// What the dialog shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DirectoryView {
    /// The dialog is open.
    pub open: bool,
    /// The name prefix searched for (lower case; empty: every room).
    pub prefix: String,
    /// The rooms found so far, by name, with their member counts.
    pub rooms: Vec<RoomSummary>,
    /// Where the next page starts, if there is one.
    pub next: Option<RoomName>,
    /// A page was asked for and has not come.
    pub loading: bool,
}

impl DirectoryView {
    /// A search for `prefix` starts: the list empties until its first page comes.
    pub(super) fn search(&mut self, prefix: String) {
        *self = Self {
            open: true,
            prefix,
            loading: true,
            ..Self::default()
        };
    }

    /// A page arrived. Only the current search's pages count, each room once, in name
    /// order: an answer to an older search, or a page asked for twice, changes nothing.
    pub(super) fn page(&mut self, prefix: &str, rooms: Vec<RoomSummary>, next: Option<RoomName>) {
        if !self.open || prefix != self.prefix {
            return;
        }
        for room in rooms {
            if self.rooms.last().is_none_or(|last| room.name > last.name) {
                self.rooms.push(room);
            }
        }
        self.next = next;
        self.loading = false;
    }

    /// Fresh member counts.
    pub(super) fn counts(&mut self, counts: &[RoomSummary]) {
        for room in &mut self.rooms {
            if let Some(c) = counts.iter().find(|c| c.name == room.name) {
                room.members = c.members;
            }
        }
    }
}

impl ChatState {
    /// The rooms whose member counts nothing else keeps current: those in the sidebar this
    /// user is not in, and those in the open dialog. At most `shared::ROOM_COUNTS_MAX`.
    pub fn rooms_to_count(&self) -> Vec<RoomName> {
        let sidebar = self.rooms.values().filter(|r| !r.joined).map(|r| &r.name);
        let dialog = self
            .directory
            .rooms
            .iter()
            .filter(|_| self.directory.open)
            .map(|r| &r.name)
            .filter(|n| self.rooms.get(*n).is_none_or(|r| r.joined));
        sidebar
            .chain(dialog)
            .take(shared::ROOM_COUNTS_MAX)
            .cloned()
            .collect()
    }
}
