//! Tables keyed by what a client chooses (its address, a nickname) stay bounded in entries
//! and so in bytes: a table that is full drops, in one pass, the eighth of its entries least
//! worth keeping, as its owner ranks them (a rate limit's fullest buckets, those limiting
//! nobody). Dropping many at once keeps the cost per new key constant, and ranking keeps the
//! entries that hold someone back: to push one of those out, an attacker must first make a
//! table's worth of entries that hold back more.

use std::collections::HashMap;
use std::hash::Hash;

/// Makes room for one more key in `map`, which holds at most `cap` (at least 1): when it is
/// full, its `cap / 8` (at least one) entries of lowest `worth` are dropped.
pub fn make_room<K, V, W>(map: &mut HashMap<K, V>, cap: usize, mut worth: impl FnMut(&V) -> W)
where
    K: Eq + Hash + Clone,
    W: Ord,
{
    if map.len() < cap.max(1) {
        return;
    }
    let drop = (cap / 8).clamp(1, map.len());
    let mut ranked: Vec<(W, K)> = map.iter().map(|(k, v)| (worth(v), k.clone())).collect();
    ranked.select_nth_unstable_by(drop - 1, |a, b| a.0.cmp(&b.0));
    for (_, key) in ranked.into_iter().take(drop) {
        map.remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_table_drops_its_least_worth_eighth() {
        let mut map: HashMap<u32, u32> = (0..16).map(|k| (k, k)).collect();
        make_room(&mut map, 16, |v| *v);
        assert_eq!(map.len(), 14, "an eighth dropped");
        assert!(
            !map.contains_key(&0) && !map.contains_key(&1),
            "the least worth"
        );
        make_room(&mut map, 16, |v| *v);
        assert_eq!(map.len(), 14, "room enough: nothing dropped");
        let mut one: HashMap<u32, u32> = HashMap::from([(1, 1)]);
        make_room(&mut one, 1, |v| *v);
        assert!(one.is_empty(), "at least one goes");
    }
}
