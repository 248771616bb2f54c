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

impl FacePurpose {
    pub(super) fn key(self) -> &'static str {
        match self {
            Self::Authorize => "authorize",
            Self::Claim => "claim",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaceCheckRow {
    pub biz_token: String,
    pub application_id: String,
    pub member_id: String,
    /// `None` until the result was fetched and used.
    pub result: Option<String>,
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

impl Db {
    pub async fn insert_face_check(&self, f: &NewFaceCheck<'_>, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO face_checks (biz_token, application_id, member_id, session_hash,
             subject_uscc, purpose, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(f.biz_token)
        .bind(f.application_id)
        .bind(f.member_id)
        .bind(f.session_hash)
        .bind(f.subject_uscc)
        .bind(f.purpose.key())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn face_check(&self, biz_token: &str) -> Result<Option<FaceCheckRow>> {
        type Raw = (
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
        );
        let row: Option<Raw> = sqlx::query_as(
            "SELECT biz_token, application_id, member_id, result, session_hash, subject_uscc,
             purpose FROM face_checks WHERE biz_token = ?",
        )
        .bind(biz_token)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| FaceCheckRow {
            biz_token: r.0,
            application_id: r.1,
            member_id: r.2,
            result: r.3,
            session_hash: r.4,
            subject_uscc: r.5,
            purpose: if r.6 == "claim" {
                FacePurpose::Claim
            } else {
                FacePurpose::Authorize
            },
        }))
    }

    /// Records the outcome once; false when it was recorded already (a replayed token).
    pub async fn finish_face_check(&self, biz_token: &str, passed: bool, now: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE face_checks SET result = ?, finished_at = ? WHERE biz_token = ? AND result IS NULL")
            .bind(if passed { "passed" } else { "failed" })
            .bind(now)
            .bind(biz_token)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Failed face checks of one person since `since` (the daily cap).
    pub async fn failed_face_checks(&self, member_id: &str, since: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM face_checks WHERE member_id = ? AND result = 'failed' AND finished_at >= ?")
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
        sqlx::query("INSERT INTO local_face_sessions (biz_token, name, redirect_url, created_at) VALUES (?, ?, ?, ?)")
            .bind(biz_token)
            .bind(name)
            .bind(redirect_url)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The simulated session: its person's name, where to return, and the answer so far.
    pub async fn local_face(
        &self,
        biz_token: &str,
    ) -> Result<Option<(String, String, LocalFaceStatus, i64)>> {
        let row: Option<(String, String, String, i64)> =
            sqlx::query_as("SELECT name, redirect_url, status, created_at FROM local_face_sessions WHERE biz_token = ?")
                .bind(biz_token)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(name, url, status, at)| {
            let status = match status.as_str() {
                "passed" => LocalFaceStatus::Passed,
                "failed" => LocalFaceStatus::Failed,
                _ => LocalFaceStatus::Pending,
            };
            (name, url, status, at)
        }))
    }

    /// The simulation page's 通过 / 不通过; only a pending session can be answered.
    pub async fn answer_local_face(&self, biz_token: &str, passed: bool) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE local_face_sessions SET status = ? WHERE biz_token = ? AND status = 'pending'",
        )
        .bind(if passed { "passed" } else { "failed" })
        .bind(biz_token)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
