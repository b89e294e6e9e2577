//! Registered nicknames under today's nickname rules ([`Nickname::parse`], [`Nickname::key`]).
//!
//! At start, every account is filed under its name's key (the confusable skeleton; names
//! registered before it were filed under their lower-case form), unless an older account
//! already holds that key: the younger one keeps its old key, so both still sign in. Each
//! registered name that breaks the rules, or looks like another registered name, is logged
//! (one warning per name, with the reason); docs/CONFIGURATION.md says what an operator can
//! do about it. The names keep working for their owners.

use std::collections::{HashMap, HashSet};

use shared::Nickname;

use crate::storage::{Store, StoreError};

/// A registered nickname that today's rules would refuse, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The name as registered.
    pub nickname: String,
    /// Why it would be refused today, for people.
    pub reason: String,
}

/// What is wrong with each of these registered names (oldest first): a rule it breaks, or
/// the older registered name it looks like.
pub fn findings(names: &[String]) -> Vec<Finding> {
    let mut first_by_key: HashMap<String, (&str, String)> = HashMap::new();
    let mut out = Vec::new();
    for name in names {
        let Ok(stored) = Nickname::stored(name) else {
            out.push(finding(name, "is not a valid stored nickname".into()));
            continue;
        };
        if let Err(err) = Nickname::parse(name) {
            out.push(finding(name, err.to_string()));
        }
        let (older, folded) = first_by_key
            .entry(stored.key())
            .or_insert((name, stored.folded()));
        if *folded != stored.folded() {
            out.push(finding(
                name,
                format!("looks like the registered {older:?}"),
            ));
        }
    }
    out
}

fn finding(nickname: &str, reason: String) -> Finding {
    Finding {
        nickname: nickname.to_owned(),
        reason,
    }
}

/// Files every account under its name's key (if free) and logs the [`findings`].
pub async fn review(store: &Store) -> Result<Vec<Finding>, StoreError> {
    let accounts = store.accounts().await?;
    let mut taken: HashSet<String> = accounts.iter().map(|a| a.key.clone()).collect();
    for account in &accounts {
        let Ok(name) = Nickname::stored(&account.nickname) else {
            continue;
        };
        let key = name.key();
        if key != account.key && !taken.contains(&key) {
            store.rekey_account(&account.key, &key).await?;
            taken.remove(&account.key);
            taken.insert(key);
        }
    }
    let names: Vec<String> = accounts.into_iter().map(|a| a.nickname).collect();
    let found = findings(&names);
    for f in &found {
        // `?`: the name is logged escaped, so an invisible or bidi character shows as such.
        tracing::warn!(
            nickname = ?f.nickname,
            reason = %f.reason,
            "a registered nickname breaks the nickname rules; it still works for its owner \
             (see docs/CONFIGURATION.md, \"Nicknames registered before the rules\")"
        );
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn names_that_break_a_rule_or_look_like_an_older_one_are_found() {
        let found = findings(&names(&[
            "alice",
            "bob",
            "\u{430}lice",
            "a\u{202E}ecila",
            "\u{3164}",
            "\u{441}\u{43E}\u{440}\u{435}",
            "cope",
            "ALICE",
        ]));
        let by_name = |n: &str| -> Vec<&str> {
            found
                .iter()
                .filter(|f| f.nickname == n)
                .map(|f| f.reason.as_str())
                .collect()
        };
        assert!(by_name("alice").is_empty() && by_name("bob").is_empty());
        // The same name in another case is the same account's name, not a look-alike.
        assert!(by_name("ALICE").is_empty(), "{found:?}");
        let cyrillic_a = by_name("\u{430}lice");
        assert_eq!(cyrillic_a.len(), 2, "{found:?}");
        assert!(cyrillic_a[0].contains("mixes"), "{cyrillic_a:?}");
        assert_eq!(cyrillic_a[1], "looks like the registered \"alice\"");
        assert!(by_name("a\u{202E}ecila")[0].contains("U+202E"));
        assert!(by_name("\u{3164}")[0].contains("U+3164"));
        // Each in one script, but they look the same: the younger is found.
        assert!(by_name("\u{441}\u{43E}\u{440}\u{435}").is_empty());
        assert_eq!(by_name("cope"), ["looks like the registered \"соре\""]);
        assert_eq!(found.len(), 5, "{found:?}");
    }
}
