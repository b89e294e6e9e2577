//! Counted places, in all and per client address: a [`Slot`] is taken for a connection and
//! given back when dropped. The TCP connection caps (`serve`) and the WebSocket caps
//! ([`crate::ws::gate`]) are built on it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::client::ClientKey;

/// See the module docs.
#[derive(Debug)]
pub struct Slots {
    max_total: usize,
    max_per_key: usize,
    total: AtomicUsize,
    per_key: Mutex<HashMap<ClientKey, usize>>,
}

/// A taken place, given back on drop.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<Slots>,
    key: Option<ClientKey>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.total.fetch_sub(1, Ordering::Relaxed);
        let Some(key) = self.key else {
            return;
        };
        let mut per_key = self.slots.per_key.lock().expect("slots lock");
        if let Some(n) = per_key.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                per_key.remove(&key);
            }
        }
    }
}

impl Slots {
    /// At most `max_total` places in all and `max_per_key` per address (0: no limit).
    pub fn new(max_total: usize, max_per_key: usize) -> Arc<Self> {
        Arc::new(Self {
            max_total,
            max_per_key,
            total: AtomicUsize::new(0),
            per_key: Mutex::new(HashMap::new()),
        })
    }

    /// Takes a place for `key` (`None`: counted in the total only), if one is free.
    pub fn enter(self: &Arc<Self>, key: Option<ClientKey>) -> Option<Slot> {
        let mut per_key = self.per_key.lock().expect("slots lock");
        if self.max_total > 0 && self.total.load(Ordering::Relaxed) >= self.max_total {
            return None;
        }
        if let Some(key) = key {
            let mine = per_key.get(&key).copied().unwrap_or(0);
            if self.max_per_key > 0 && mine >= self.max_per_key {
                return None;
            }
            per_key.insert(key, mine + 1);
        }
        self.total.fetch_add(1, Ordering::Relaxed);
        Some(Slot {
            slots: self.clone(),
            key,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_key_and_in_all() {
        let slots = Slots::new(3, 2);
        let a = Some(ClientKey::of("127.0.0.1".parse().unwrap()));
        let b = Some(ClientKey::of("127.0.0.2".parse().unwrap()));
        let s1 = slots.enter(a).unwrap();
        let _s2 = slots.enter(a).unwrap();
        assert!(slots.enter(a).is_none(), "per-address cap");
        let _s3 = slots.enter(b).unwrap();
        assert!(slots.enter(b).is_none(), "total cap");
        assert!(slots.enter(None).is_none(), "total cap, unkeyed");
        drop(s1);
        assert_eq!(slots.total.load(Ordering::Relaxed), 2);
        assert!(slots.enter(a).is_some(), "a place comes back on drop");
    }
}
