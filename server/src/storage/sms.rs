//! SMS verification codes: only a keyed hash of each code, its expiry and its attempts.

use super::{Db, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsCodeRow {
    pub id: i64,
    pub phone_index: String,
    pub code_hash: String,
    pub sent_at: i64,
    pub expires_at: i64,
    pub attempts: i64,
    pub live: bool,
}

impl Db {
    /// The member's most recent code, whatever its status.
    pub async fn latest_sms_code(&self, member_id: &str) -> Result<Option<SmsCodeRow>> {
        let row: Option<(i64, String, String, i64, i64, i64, String)> = sqlx::query_as(
            "SELECT id, phone_index, code_hash, sent_at, expires_at, attempts, status
             FROM sms_codes WHERE member_id = ? ORDER BY id DESC LIMIT 1",
        )
        .bind(member_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(
            |(id, phone_index, code_hash, sent_at, expires_at, attempts, status)| SmsCodeRow {
                id,
                phone_index,
                code_hash,
                sent_at,
                expires_at,
                attempts,
                live: status == "live",
            },
        ))
    }

    /// Codes sent since `since`, to this member and to this phone.
    pub async fn sms_counts_since(
        &self,
        member_id: &str,
        phone_index: &str,
        since: i64,
    ) -> Result<(i64, i64)> {
        let (by_member,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sms_codes WHERE member_id = ? AND sent_at >= ?")
                .bind(member_id)
                .bind(since)
                .fetch_one(self.pool())
                .await?;
        let (by_phone,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sms_codes WHERE phone_index = ? AND sent_at >= ?")
                .bind(phone_index)
                .bind(since)
                .fetch_one(self.pool())
                .await?;
        Ok((by_member, by_phone))
    }

    /// Stores a new code and retires the member's older live ones: only the newest works.
    pub async fn insert_sms_code(
        &self,
        member_id: &str,
        phone_index: &str,
        code_hash: &str,
        now: i64,
        ttl_secs: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE sms_codes SET status = 'replaced' WHERE member_id = ? AND status = 'live'",
        )
        .bind(member_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO sms_codes (member_id, phone_index, code_hash, sent_at, expires_at)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(member_id)
        .bind(phone_index)
        .bind(code_hash)
        .bind(now)
        .bind(now + ttl_secs)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Counts one wrong try; voids the code when it reaches `max_attempts`. Returns the tries.
    pub async fn fail_sms_code(&self, id: i64, max_attempts: i64) -> Result<i64> {
        let (attempts,): (i64,) = sqlx::query_as(
            "UPDATE sms_codes SET attempts = attempts + 1,
               status = CASE WHEN attempts + 1 >= ? THEN 'void' ELSE status END
             WHERE id = ? RETURNING attempts",
        )
        .bind(max_attempts)
        .bind(id)
        .fetch_one(self.pool())
        .await?;
        Ok(attempts)
    }

    /// Marks a code used (or void, when expired). Only a live code changes: a code can be
    /// used once even when two requests race.
    pub async fn retire_sms_code(&self, id: i64, used: bool) -> Result<bool> {
        let changed =
            sqlx::query("UPDATE sms_codes SET status = ? WHERE id = ? AND status = 'live'")
                .bind(if used { "used" } else { "void" })
                .bind(id)
                .execute(self.pool())
                .await?
                .rows_affected();
        Ok(changed == 1)
    }
}
