//! Time, behind a trait, so that tests can move it (code expiry, rate limits, cooldowns).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

pub trait Clock: Send + Sync {
    /// Unix seconds.
    fn now(&self) -> i64;

    /// Local mode's `/dev/clock`: moves this clock forward; false when it cannot move.
    fn dev_advance(&self, _secs: i64) -> bool {
        false
    }

    /// Local mode's `/dev/reset`: back to real time.
    fn dev_reset(&self) {}
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }
}

/// A clock that only moves when told to.
#[derive(Clone, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn at(now: i64) -> Self {
        Self(Arc::new(AtomicI64::new(now)))
    }

    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }

    fn dev_advance(&self, secs: i64) -> bool {
        self.advance(secs);
        true
    }
}

/// Local mode's clock: real time plus an offset that `/dev/clock` moves forward, so that demos
/// and end-to-end tests can see a link expire without waiting 24 hours.
#[derive(Default)]
pub struct OffsetClock(AtomicI64);

impl Clock for OffsetClock {
    fn now(&self) -> i64 {
        SystemClock.now() + self.0.load(Ordering::SeqCst)
    }

    fn dev_advance(&self, secs: i64) -> bool {
        self.0.fetch_add(secs, Ordering::SeqCst);
        true
    }

    fn dev_reset(&self) {
        self.0.store(0, Ordering::SeqCst);
    }
}

/// China is UTC+8 all year: daily caps and "today" turn at midnight there.
const CHINA_OFFSET_SECS: i64 = 8 * 3600;

/// Start of the current day in China, for daily caps; and seconds until the next.
pub fn china_day(now: i64) -> (i64, u64) {
    let start = (now + CHINA_OFFSET_SECS).div_euclid(86_400) * 86_400 - CHINA_OFFSET_SECS;
    (start, (start + 86_400 - now) as u64)
}

/// Today's date in China, for "not in the future" checks.
pub fn china_today(now: i64) -> (i32, u32, u32) {
    use chrono::Datelike;
    let date = chrono::DateTime::from_timestamp(now + CHINA_OFFSET_SECS, 0)
        .unwrap_or_default()
        .date_naive();
    (date.year(), date.month(), date.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offset_clock_moves_forward_and_back_to_real_time() {
        let c = OffsetClock::default();
        let real = SystemClock.now();
        assert!(c.dev_advance(86_400));
        assert!(c.now() >= real + 86_400);
        c.dev_reset();
        assert!(c.now() < real + 60);
        assert!(!SystemClock.dev_advance(1), "real time does not move");
    }

    #[test]
    fn the_day_turns_at_midnight_in_china() {
        // 2026-11-28 15:59:59 UTC is 23:59:59 in China.
        let t = 1_795_881_599;
        let (start, left) = china_day(t);
        assert_eq!(left, 1);
        assert_eq!(china_day(t + 1).0, start + 86_400);
        assert_eq!(china_today(t), (2026, 11, 28));
        assert_eq!(china_today(t + 1), (2026, 11, 29));
    }
}
