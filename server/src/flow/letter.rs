//! 授权书 review (step 4, path 3): staff answer within 1–3 business days; weekends do not count.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The review's last business day: `days` business days after the day of submission.
pub fn review_due(submitted: NaiveDate, days: u32) -> NaiveDate {
    let mut date = submitted;
    let mut left = days;
    while left > 0 {
        date = date + Days::new(1);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}

/// Business days a review may take.
pub const REVIEW_BUSINESS_DAYS: u32 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weekends_do_not_count() {
        // 2026-11-25 is a Wednesday.
        assert_eq!(review_due(d(2026, 11, 25), 3), d(2026, 11, 30), "Wed → Mon");
        assert_eq!(review_due(d(2026, 11, 27), 3), d(2026, 12, 2), "Fri → Wed");
        assert_eq!(review_due(d(2026, 11, 28), 3), d(2026, 12, 2), "Sat → Wed");
        assert_eq!(review_due(d(2026, 11, 29), 1), d(2026, 11, 30), "Sun → Mon");
        assert_eq!(review_due(d(2026, 11, 23), 3), d(2026, 11, 26), "Mon → Thu");
    }
}
