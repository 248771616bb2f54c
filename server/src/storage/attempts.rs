//! The one limiter behind every "N per link / per IP / per person" rule: an attempt is recorded
//! only if every limit it falls under still has room, and the check and the record happen
//! under the database's write lock, so that requests racing each other cannot all see room.

use sqlx::AnyConnection;

use super::Tx;

use super::{new_id, Backend, Db, Result};

/// Attempts older than this are purged; no window may reach further back.
pub const KEEP_SECS: i64 = 2 * 86_400;

/// Which attempts count towards a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// The last `secs` seconds: each attempt stops counting `secs` after it was made.
    Rolling(i64),
    /// From `start` until `end` (a China day, a link's life): the count resets at `end`.
    Fixed { start: i64, end: i64 },
}

/// At most `max` attempts of `scope` by `key` within `window`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    pub scope: &'static str,
    pub key: String,
    pub max: i64,
    pub window: Window,
}

/// The first limit (by its index in the list) that had no room, and how long until it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub index: usize,
    pub retry_after_secs: u64,
}

/// Why a guarded write did not happen: the caller's own check said no, or a limit did.
#[derive(Debug)]
pub enum Blocked<E> {
    By(E),
    Limit(Refused),
}

impl Db {
    /// Records one attempt under every limit, if each still has room; else records nothing
    /// and says which refused and for how long.
    pub async fn take(&self, limits: &[Limit], now: i64) -> Result<Result<(), Refused>> {
        let mut tx = self.begin_locked().await?;
        let verdict = take_in(&mut tx, limits, now).await?;
        tx.commit().await?;
        Ok(verdict)
    }

    /// Gives back the attempt [`Db::take`] just recorded under each limit at `now`: for
    /// limits on failures, where a try is counted before its outcome is known (so that tries
    /// racing each other cannot all pass) and a success is then not a failure.
    pub async fn refund(&self, limits: &[Limit], now: i64) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        for limit in limits {
            sqlx::query(
                "DELETE FROM attempts WHERE id = (SELECT id FROM attempts
                 WHERE scope = $1 AND key = $2 AND at = $3 LIMIT 1)",
            )
            .bind(limit.scope)
            .bind(&limit.key)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A transaction that holds the write lock from its first statement, so that a check and
    /// the write it guards cannot interleave with another's.
    ///
    /// SQLite's default (deferred) transaction reads under a snapshot and only then asks to
    /// write, so two of them can both count "0 so far" and both insert; `BEGIN IMMEDIATE` makes
    /// the second wait (up to the busy timeout) until the first committed. PostgreSQL's READ
    /// COMMITTED has the same hole; one transaction-scoped advisory lock, taken first, gives
    /// the same one-at-a-time guarantee across every server on the database. Only guarded
    /// writes take it (codes, links, limits, final steps), so its cost is theirs alone.
    pub(crate) async fn begin_locked(&self) -> Result<Tx> {
        match self.backend() {
            Backend::Sqlite => Ok(self.pool().begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool().begin().await?;
                // Wrapped in COUNT: the Any driver cannot decode the function's `void`.
                sqlx::query("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock($1)) AS held")
                    .bind(WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }
}

/// The advisory lock's key: any constant no other program on the database uses ("esign").
const WRITE_LOCK: i64 = 0x0065_7369_676e;

/// [`Db::take`] inside a transaction from [`Db::begin_locked`], so that a guarded write (a code,
/// a link) and its attempts commit together.
pub(super) async fn take_in(
    conn: &mut AnyConnection,
    limits: &[Limit],
    now: i64,
) -> Result<Result<(), Refused>> {
    for (index, limit) in limits.iter().enumerate() {
        if let Some(retry_after_secs) = wait_for(conn, limit, now).await? {
            return Ok(Err(Refused {
                index,
                retry_after_secs,
            }));
        }
    }
    sqlx::query("DELETE FROM attempts WHERE at < $1")
        .bind(now - KEEP_SECS)
        .execute(&mut *conn)
        .await?;
    for limit in limits {
        sqlx::query("INSERT INTO attempts (id, scope, key, at) VALUES ($1, $2, $3, $4)")
            .bind(new_id())
            .bind(limit.scope)
            .bind(&limit.key)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Ok(()))
}

/// `None` while the limit has room; else the seconds until it has.
async fn wait_for(conn: &mut AnyConnection, limit: &Limit, now: i64) -> Result<Option<u64>> {
    if limit.max <= 0 {
        return Ok(Some(1));
    }
    let since = match limit.window {
        Window::Rolling(secs) => now - secs + 1,
        Window::Fixed { start, .. } => start,
    };
    debug_assert!(
        since >= now - KEEP_SECS,
        "a window longer than what is kept"
    );
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM attempts WHERE scope = $1 AND key = $2 AND at >= $3")
            .bind(limit.scope)
            .bind(&limit.key)
            .bind(since)
            .fetch_one(&mut *conn)
            .await?;
    if count < limit.max {
        return Ok(None);
    }
    let wait = match limit.window {
        Window::Fixed { end, .. } => end - now,
        // Room comes back when the max-th newest attempt leaves the window.
        Window::Rolling(secs) => {
            let (at,): (i64,) = sqlx::query_as(
                "SELECT at FROM attempts WHERE scope = $1 AND key = $2 AND at >= $3
                 ORDER BY at DESC LIMIT 1 OFFSET $4",
            )
            .bind(limit.scope)
            .bind(&limit.key)
            .bind(since)
            .bind(limit.max - 1)
            .fetch_one(&mut *conn)
            .await?;
            at + secs - now
        }
    };
    Ok(Some(wait.max(1) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db() -> (Db, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("esign-attempts-{}", new_id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = Db::connect(&format!("sqlite://{}", dir.join("t.db").display()))
            .await
            .unwrap();
        (db, dir)
    }

    fn limit(key: &str, max: i64, window: Window) -> Limit {
        Limit {
            scope: "test",
            key: key.to_owned(),
            max,
            window,
        }
    }

    const T0: i64 = 1_795_860_000;

    #[tokio::test]
    async fn a_rolling_window_refuses_until_the_oldest_counted_attempt_leaves_it() {
        let (db, dir) = db().await;
        let two_a_minute = [limit("k", 2, Window::Rolling(60))];
        assert_eq!(db.take(&two_a_minute, T0).await.unwrap(), Ok(()));
        assert_eq!(db.take(&two_a_minute, T0 + 10).await.unwrap(), Ok(()));
        assert_eq!(
            db.take(&two_a_minute, T0 + 20).await.unwrap(),
            Err(Refused {
                index: 0,
                retry_after_secs: 40
            })
        );
        assert_eq!(db.take(&two_a_minute, T0 + 60).await.unwrap(), Ok(()));
        // Another key has its own count.
        let other = [limit("other", 2, Window::Rolling(60))];
        assert_eq!(db.take(&other, T0 + 60).await.unwrap(), Ok(()));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_refused_attempt_is_recorded_under_no_limit() {
        let (db, dir) = db().await;
        let day = Window::Fixed {
            start: T0,
            end: T0 + 86_400,
        };
        let both = [limit("a", 5, day), limit("b", 1, day)];
        assert_eq!(db.take(&both, T0).await.unwrap(), Ok(()));
        assert_eq!(
            db.take(&both, T0 + 100).await.unwrap(),
            Err(Refused {
                index: 1,
                retry_after_secs: 86_300
            })
        );
        let (a,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM attempts WHERE key = 'a'")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(a, 1, "the refused attempt did not use up a's room");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn of_many_at_once_only_max_get_through() {
        let (db, dir) = db().await;
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    db.take(&[limit("k", 3, Window::Rolling(60))], T0)
                        .await
                        .unwrap()
                        .is_ok()
                })
            })
            .collect();
        let mut passed = 0;
        for t in tasks {
            passed += usize::from(t.await.unwrap());
        }
        assert_eq!(passed, 3);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn old_attempts_are_purged() {
        let (db, dir) = db().await;
        let l = [limit("k", 10, Window::Rolling(60))];
        db.take(&l, T0).await.unwrap().unwrap();
        db.take(&l, T0 + KEEP_SECS + 1).await.unwrap().unwrap();
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM attempts")
            .fetch_one(db.pool())
            .await
            .unwrap();
        assert_eq!(n, 1);
        let _ = std::fs::remove_dir_all(dir);
    }
}
