//! The per-person rate limit of 通知企微管理员.

use super::{Db, Result};

impl Db {
    /// Records a notification unless this member sent one within `window_secs`. Returns the
    /// seconds left when refused. The check and the insert hold the write lock together
    /// ([`Db::begin_locked`](super::Db)), on SQLite and on PostgreSQL alike: of many taps at
    /// once, on any number of servers, one passes (tests/limits.rs, tests/races.rs).
    pub async fn try_record_admin_notification(
        &self,
        member_id: &str,
        now: i64,
        window_secs: i64,
    ) -> Result<Result<(), u64>> {
        let mut tx = self.begin_locked().await?;
        let (last,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(sent_at) FROM admin_notifications WHERE member_id = $1")
                .bind(member_id)
                .fetch_one(&mut *tx)
                .await?;
        if let Some(last) = last.filter(|&last| last > now - window_secs) {
            return Ok(Err((last + window_secs - now).max(1) as u64));
        }
        sqlx::query("INSERT INTO admin_notifications (member_id, sent_at) VALUES ($1, $2)")
            .bind(member_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Undoes a record when sending failed, so the person can try again at once.
    pub async fn forget_admin_notification(&self, member_id: &str, at: i64) -> Result<()> {
        sqlx::query("DELETE FROM admin_notifications WHERE member_id = $1 AND sent_at = $2")
            .bind(member_id)
            .bind(at)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
