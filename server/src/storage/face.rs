//! Face checks: the BizTokens this server started (`face_checks`), and the local simulation's
//! sessions (`local_face_sessions`).

use super::{Db, Result};

/// Why this server started a face check of a signed-in member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacePurpose {
    /// 超管授权: the legal representative's own face.
    Authorize,
    /// A super admin who opened from outside WeCom proves, in WeCom, that they are that person.
    Claim,
}

api::sqlx_text_enum!(FacePurpose {
    Authorize => "authorize",
    Claim => "claim",
});

/// How a face check ended, once its result was fetched and used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceResult {
    Passed,
    Failed,
}

api::sqlx_text_enum!(FaceResult {
    Passed => "passed",
    Failed => "failed",
});

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FaceCheckRow {
    pub biz_token: String,
    pub application_id: String,
    pub member_id: String,
    /// `None` until the result was fetched and used.
    pub result: Option<FaceResult>,
    /// The hash of the session that started it: its result counts for that session only.
    pub session_hash: Option<String>,
    pub subject_uscc: Option<String>,
    pub purpose: FacePurpose,
}

/// A face check to record as started.
pub struct NewFaceCheck<'a> {
    pub biz_token: &'a str,
    pub application_id: &'a str,
    pub member_id: &'a str,
    pub session_hash: &'a str,
    pub subject_uscc: Option<&'a str>,
    pub purpose: FacePurpose,
}

/// What the local simulation was told to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalFaceStatus {
    Pending,
    Passed,
    Failed,
}

api::sqlx_text_enum!(LocalFaceStatus {
    Pending => "pending",
    Passed => "passed",
    Failed => "failed",
});

/// The local simulation's session: its person's name, where to return, the answer so far.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LocalFaceRow {
    pub name: String,
    pub redirect_url: String,
    pub status: LocalFaceStatus,
    pub created_at: i64,
}

impl Db {
    pub async fn face_check(&self, biz_token: &str) -> Result<Option<FaceCheckRow>> {
        Ok(sqlx::query_as(
            "SELECT biz_token, application_id, member_id, result, session_hash, subject_uscc,
             purpose FROM face_checks WHERE biz_token = $1",
        )
        .bind(biz_token)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records the outcome once; false when it was recorded already (a replayed token).
    pub async fn finish_face_check(&self, biz_token: &str, passed: bool, now: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE face_checks SET result = $1, finished_at = $2 WHERE biz_token = $3 AND result IS NULL")
            .bind(if passed { FaceResult::Passed } else { FaceResult::Failed })
            .bind(now)
            .bind(biz_token)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Failed face checks of one person since `since` (the daily cap).
    pub async fn failed_face_checks(&self, member_id: &str, since: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM face_checks WHERE member_id = $1 AND result = 'failed' AND finished_at >= $2")
            .bind(member_id)
            .bind(since)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }

    pub async fn insert_local_face(
        &self,
        biz_token: &str,
        name: &str,
        redirect_url: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO local_face_sessions (biz_token, name, redirect_url, created_at) VALUES ($1, $2, $3, $4)")
            .bind(biz_token)
            .bind(name)
            .bind(redirect_url)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn local_face(&self, biz_token: &str) -> Result<Option<LocalFaceRow>> {
        Ok(sqlx::query_as(
            "SELECT name, redirect_url, status, created_at FROM local_face_sessions WHERE biz_token = $1",
        )
        .bind(biz_token)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The simulation page's 通过 / 不通过; only a pending session can be answered.
    pub async fn answer_local_face(&self, biz_token: &str, passed: bool) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE local_face_sessions SET status = $1 WHERE biz_token = $2 AND status = 'pending'",
        )
        .bind(if passed {
            LocalFaceStatus::Passed
        } else {
            LocalFaceStatus::Failed
        })
        .bind(biz_token)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
