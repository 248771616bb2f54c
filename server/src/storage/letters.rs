//! 授权书 submissions and their review.

use super::{Db, Result};

/// Where a submission stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterState {
    InReview,
    Approved,
    Rejected,
    /// The applicant switched path or withdrew: no longer anyone's to review or to show.
    Withdrawn,
}

api::sqlx_text_enum!(LetterState {
    InReview => "in_review",
    Approved => "approved",
    Rejected => "rejected",
    Withdrawn => "withdrawn",
});

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterRow {
    pub id: String,
    pub application_id: String,
    pub upload_ids: Vec<String>,
    pub status: LetterState,
    pub submitted_at: i64,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    pub reason: Option<String>,
    /// The USCC of the license it was submitted for.
    pub subject_uscc: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Raw {
    id: String,
    application_id: String,
    /// A JSON array of upload ids.
    upload_ids: String,
    status: LetterState,
    submitted_at: i64,
    due_date: String,
    reason: Option<String>,
    subject_uscc: Option<String>,
}

fn from_raw(r: Raw) -> LetterRow {
    LetterRow {
        id: r.id,
        application_id: r.application_id,
        upload_ids: serde_json::from_str(&r.upload_ids).unwrap_or_default(),
        status: r.status,
        submitted_at: r.submitted_at,
        due_date: r.due_date,
        reason: r.reason,
        subject_uscc: r.subject_uscc,
    }
}

const COLUMNS: &str =
    "id, application_id, upload_ids, status, submitted_at, due_date, reason, subject_uscc";

impl Db {
    /// Every submission of an application, newest first; withdrawn ones (the applicant
    /// switched path) are no attempts.
    pub async fn letters(&self, application_id: &str) -> Result<Vec<LetterRow>> {
        let rows: Vec<Raw> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM letter_submissions WHERE application_id = $1 AND status <> 'withdrawn' ORDER BY submitted_at DESC, seq DESC"
        ))
        .bind(application_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(from_raw).collect())
    }

    pub async fn letter(&self, id: &str) -> Result<Option<LetterRow>> {
        let row: Option<Raw> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM letter_submissions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(from_raw))
    }

    /// The review queue: submissions in review, oldest first.
    pub async fn letters_in_review(&self) -> Result<Vec<LetterRow>> {
        let rows: Vec<Raw> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM letter_submissions WHERE status = 'in_review' ORDER BY submitted_at, seq"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(from_raw).collect())
    }
}
