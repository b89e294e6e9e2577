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

/// Which cap is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Full {
    /// The client's address holds as many places as allowed.
    PerKey,
    /// All places are taken.
    Total,
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

    /// Takes a place for `key` (`None`: counted in the total only), if one is free; else
    /// says which cap is reached.
    pub fn enter(self: &Arc<Self>, key: Option<ClientKey>) -> Result<Slot, Full> {
        let mut per_key = self.per_key.lock().expect("slots lock");
        let mine = key.map_or(0, |k| per_key.get(&k).copied().unwrap_or(0));
        if key.is_some() && self.max_per_key > 0 && mine >= self.max_per_key {
            return Err(Full::PerKey);
        }
        if self.max_total > 0 && self.total.load(Ordering::Relaxed) >= self.max_total {
            return Err(Full::Total);
        }
        if let Some(key) = key {
            per_key.insert(key, mine + 1);
        }
        self.total.fetch_add(1, Ordering::Relaxed);
        Ok(Slot {
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
        assert_eq!(slots.enter(a).err(), Some(Full::PerKey));
        let _s3 = slots.enter(b).unwrap();
        assert_eq!(slots.enter(b).err(), Some(Full::Total));
        assert_eq!(slots.enter(None).err(), Some(Full::Total), "unkeyed");
        drop(s1);
        assert_eq!(slots.total.load(Ordering::Relaxed), 2);
        assert!(slots.enter(a).is_ok(), "a place comes back on drop");
    }
}
