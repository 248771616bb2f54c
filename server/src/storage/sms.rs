//! SMS verification codes: only a keyed hash of each code, its expiry and its attempts.

use sqlx::AnyConnection;

use super::attempts::{take_in, Blocked, Limit};
use super::{Db, Flag, Result};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SmsCodeRow {
    pub id: i64,
    pub phone_index: String,
    pub code_hash: String,
    pub sent_at: i64,
    pub expires_at: i64,
    pub attempts: i64,
    /// Neither used, voided nor replaced.
    #[sqlx(try_from = "Flag")]
    pub live: bool,
}

/// A code about to be stored: only its keyed hash, and the keyed hash of its phone.
pub struct NewSmsCode<'a> {
    pub member_id: &'a str,
    pub phone_index: &'a str,
    pub code_hash: &'a str,
    pub ttl_secs: i64,
}

/// What decides whether another code may go out: the member's newest code and the codes sent
/// since the start of the day, to this member and to this phone.
pub struct SmsCodeHistory<'a> {
    pub latest: Option<&'a SmsCodeRow>,
    pub by_member: i64,
    pub by_phone: i64,
}

impl Db {
    /// The member's most recent code, whatever its status.
    pub async fn latest_sms_code(&self, member_id: &str) -> Result<Option<SmsCodeRow>> {
        let mut conn = self.pool().acquire().await?;
        latest(&mut conn, member_id).await
    }

    /// Stores a new code and retires the member's older live ones (only the newest works), if
    /// `allow` agrees given the [`SmsCodeHistory`] since `since` and `limits` have room. The
    /// check and the write hold the write lock together: of many sends at once, one passes
    /// the cooldown.
    pub async fn insert_sms_code_if<E>(
        &self,
        new: &NewSmsCode<'_>,
        now: i64,
        since: i64,
        limits: &[Limit],
        allow: impl FnOnce(SmsCodeHistory<'_>) -> Result<(), E>,
    ) -> Result<Result<(), Blocked<E>>> {
        let mut tx = self.begin_locked().await?;
        let last = latest(&mut tx, new.member_id).await?;
        let (by_member,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sms_codes WHERE member_id = $1 AND sent_at >= $2")
                .bind(new.member_id)
                .bind(since)
                .fetch_one(&mut *tx)
                .await?;
        let (by_phone,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM sms_codes WHERE phone_index = $1 AND sent_at >= $2",
        )
        .bind(new.phone_index)
        .bind(since)
        .fetch_one(&mut *tx)
        .await?;
        let history = SmsCodeHistory {
            latest: last.as_ref(),
            by_member,
            by_phone,
        };
        if let Err(e) = allow(history) {
            return Ok(Err(Blocked::By(e)));
        }
        if let Err(refused) = take_in(&mut tx, limits, now).await? {
            return Ok(Err(Blocked::Limit(refused)));
        }
        sqlx::query(
            "UPDATE sms_codes SET status = 'replaced' WHERE member_id = $1 AND status = 'live'",
        )
        .bind(new.member_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO sms_codes (member_id, phone_index, code_hash, sent_at, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new.member_id)
        .bind(new.phone_index)
        .bind(new.code_hash)
        .bind(now)
        .bind(now + new.ttl_secs)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Deletes the member's code sent at `sent_at` that the SMS provider refused to send.
    pub async fn forget_sms_code(&self, member_id: &str, sent_at: i64) -> Result<()> {
        sqlx::query(
            "DELETE FROM sms_codes WHERE member_id = $1 AND sent_at = $2 AND status = 'live'",
        )
        .bind(member_id)
        .bind(sent_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Counts one wrong try; voids the code when it reaches `max_attempts`. Returns the tries.
    pub async fn fail_sms_code(&self, id: i64, max_attempts: i64) -> Result<i64> {
        let (attempts,): (i64,) = sqlx::query_as(
            "UPDATE sms_codes SET attempts = attempts + 1,
               status = CASE WHEN attempts + 1 >= $1 THEN 'void' ELSE status END
             WHERE id = $2 RETURNING attempts",
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
            sqlx::query("UPDATE sms_codes SET status = $1 WHERE id = $2 AND status = 'live'")
                .bind(if used { "used" } else { "void" })
                .bind(id)
                .execute(self.pool())
                .await?
                .rows_affected();
        Ok(changed == 1)
    }
}

async fn latest(conn: &mut AnyConnection, member_id: &str) -> Result<Option<SmsCodeRow>> {
    Ok(sqlx::query_as(
        "SELECT id, phone_index, code_hash, sent_at, expires_at, attempts, status = 'live' AS live
         FROM sms_codes WHERE member_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(member_id)
    .fetch_optional(&mut *conn)
    .await?)
}
