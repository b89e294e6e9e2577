//! How the message list is laid out in time: a day separator ("Today", "Yesterday", or the
//! date) before the first message of each day, in the reader's time zone, and messages from
//! one author within five minutes grouped under one name and time. Pure: the caller gives
//! each message's local day.

use shared::ChatMessage;

/// A local calendar day: (year, month 1–12, day 1–31).
pub type Day = (i32, u32, u32);

/// Messages of one author this close together (ms) share one name and time.
pub const GROUP_WITHIN_MS: i64 = 5 * 60 * 1000;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The separator's text for `day`, seen on `today` (whose day before is `yesterday`).
pub fn day_label(day: Day, today: Day, yesterday: Day) -> String {
    if day == today {
        return "Today".into();
    }
    if day == yesterday {
        return "Yesterday".into();
    }
    let (y, m, d) = day;
    let month = MONTHS[(m.clamp(1, 12) - 1) as usize];
    if y == today.0 {
        format!("{month} {d}")
    } else {
        format!("{month} {d}, {y}")
    }
}

/// Whether `m` goes on under `prev`'s name and time: the same author (a person, or the same
/// bot), the same day, within [`GROUP_WITHIN_MS`].
pub fn continues(prev: &ChatMessage, prev_day: Day, m: &ChatMessage, day: Day) -> bool {
    prev.nickname == m.nickname
        && prev.bot == m.bot
        && prev_day == day
        && (0..GROUP_WITHIN_MS).contains(&(m.ts - prev.ts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::fixtures::chat;

    #[test]
    fn days_read_today_yesterday_or_the_date() {
        let today = (2026, 12, 3);
        let yesterday = (2026, 12, 2);
        assert_eq!(day_label(today, today, yesterday), "Today");
        assert_eq!(day_label(yesterday, today, yesterday), "Yesterday");
        assert_eq!(day_label((2026, 11, 28), today, yesterday), "November 28");
        assert_eq!(day_label((2025, 1, 9), today, yesterday), "January 9, 2025");
    }

    #[test]
    fn one_author_within_five_minutes_is_grouped() {
        let day = (2026, 12, 3);
        let mut a = chat("lobby", 1, "bob", "one");
        a.ts = 1_000_000;
        let mut b = chat("lobby", 2, "bob", "two");
        b.ts = a.ts + GROUP_WITHIN_MS - 1;
        assert!(continues(&a, day, &b, day));
        b.ts = a.ts + GROUP_WITHIN_MS;
        assert!(!continues(&a, day, &b, day), "five minutes later");
        b.ts = a.ts + 1;
        assert!(!continues(&a, day, &b, (2026, 12, 4)), "another day");
        let mut c = chat("lobby", 3, "carol", "three");
        c.ts = a.ts + 1;
        assert!(!continues(&a, day, &c, day), "another author");
        let mut bot = chat("lobby", 4, "bob", "a bot called bob");
        bot.ts = a.ts + 1;
        bot.bot = true;
        assert!(!continues(&a, day, &bot, day), "a bot is not the person");
    }
}
