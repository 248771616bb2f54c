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
}
