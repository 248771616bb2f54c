//! The per-person rate limit of 通知企微管理员.

use super::{Db, Result};

impl Db {
    /// Records a notification unless this member sent one within `window_secs`. Atomic, so two
    /// taps at once still count once (tests/limits.rs: 12 at once, one passes). Returns the
    /// seconds left when refused.
    ///
    /// Atomic because it is one statement: SQLite takes the write lock when a writing statement
    /// starts, before its `NOT EXISTS` is read. On PostgreSQL under READ COMMITTED two such
    /// statements can both see nothing; it would need the lock of
    /// [`Db::begin_locked`](super::Db) (or `Db::take` with a `Window::Rolling` limit of 1).
    pub async fn try_record_admin_notification(
        &self,
        member_id: &str,
        now: i64,
        window_secs: i64,
    ) -> Result<Result<(), u64>> {
        let inserted = sqlx::query(
            "INSERT INTO admin_notifications (member_id, sent_at)
             SELECT ?1, ?2 WHERE NOT EXISTS (
                 SELECT 1 FROM admin_notifications WHERE member_id = ?1 AND sent_at > ?3)",
        )
        .bind(member_id)
        .bind(now)
        .bind(now - window_secs)
        .execute(self.pool())
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(Ok(()));
        }
        let (last,): (i64,) =
            sqlx::query_as("SELECT MAX(sent_at) FROM admin_notifications WHERE member_id = ?")
                .bind(member_id)
                .fetch_one(self.pool())
                .await?;
        Ok(Err((last + window_secs - now).max(1) as u64))
    }

    /// Undoes a record when sending failed, so the person can try again at once.
    pub async fn forget_admin_notification(&self, member_id: &str, at: i64) -> Result<()> {
        sqlx::query("DELETE FROM admin_notifications WHERE member_id = ? AND sent_at = ?")
            .bind(member_id)
            .bind(at)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
