//! Cluster mode: a room's people on the other nodes, told by them (see
//! [`crate::cluster::presence`]). One person may be on several nodes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use shared::Nickname;

/// Nickname key → (nickname, the nodes the person is on).
#[derive(Default)]
pub struct Elsewhere {
    people: HashMap<Arc<str>, (Nickname, HashSet<Arc<str>>)>,
}

impl Elsewhere {
    /// Whether `key` is in the room on another node.
    pub fn contains(&self, key: &str) -> bool {
        self.people.contains_key(key)
    }

    /// `key` is on `node`; true if it was on no other node before.
    pub fn here(&mut self, node: Arc<str>, key: Arc<str>, nickname: Nickname) -> bool {
        let entry = self
            .people
            .entry(key)
            .or_insert_with(|| (nickname, HashSet::new()));
        let new = entry.1.is_empty();
        entry.1.insert(node);
        new
    }

    /// `key` left `node`; its nickname if it is now on no other node.
    pub fn gone(&mut self, node: &str, key: &str) -> Option<Nickname> {
        let (_, nodes) = self.people.get_mut(key)?;
        nodes.remove(node);
        if !nodes.is_empty() {
            return None;
        }
        self.people.remove(key).map(|(nick, _)| nick)
    }

    /// `node` is dead: the people who were on it alone, by key.
    pub fn node_gone(&mut self, node: &str) -> Vec<(Arc<str>, Nickname)> {
        let mut gone = Vec::new();
        self.people.retain(|key, (nick, nodes)| {
            nodes.remove(node);
            if nodes.is_empty() {
                gone.push((key.clone(), nick.clone()));
            }
            !nodes.is_empty()
        });
        gone
    }

    /// Everyone elsewhere: (key, nickname).
    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &Nickname)> {
        self.people.iter().map(|(k, (n, _))| (k, n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nick(n: &str) -> Nickname {
        Nickname::parse(n).unwrap()
    }

    #[test]
    fn a_person_on_two_nodes_leaves_when_gone_from_both() {
        let mut e = Elsewhere::default();
        assert!(e.here("a".into(), "bob".into(), nick("bob")));
        assert!(!e.here("b".into(), "bob".into(), nick("bob")));
        assert_eq!(e.gone("a", "bob"), None);
        assert!(e.contains("bob"));
        assert_eq!(e.node_gone("b"), [("bob".into(), nick("bob"))]);
        assert!(!e.contains("bob"));
        assert_eq!(e.gone("b", "bob"), None, "unknown: nothing");
    }
}
