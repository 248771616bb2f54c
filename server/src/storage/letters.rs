//! 授权书 submissions and their review.

use super::{new_id, Db, Result};

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
    pub async fn insert_letter(
        &self,
        application_id: &str,
        upload_ids: &[String],
        due_date: &str,
        subject_uscc: &str,
        now: i64,
    ) -> Result<LetterRow> {
        let id = new_id();
        let ids = serde_json::to_string(upload_ids).unwrap_or_else(|_| "[]".to_owned());
        // Under the write lock: `seq` is the next one, even with several servers.
        let mut tx = self.begin_locked().await?;
        sqlx::query(
            "INSERT INTO letter_submissions (id, application_id, upload_ids, submitted_at, due_date, subject_uscc, seq)
             VALUES ($1, $2, $3, $4, $5, $6, (SELECT COALESCE(MAX(seq), 0) + 1 FROM letter_submissions))",
        )
            .bind(&id)
            .bind(application_id)
            .bind(&ids)
            .bind(now)
            .bind(due_date)
            .bind(subject_uscc)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(LetterRow {
            id,
            application_id: application_id.to_owned(),
            upload_ids: upload_ids.to_vec(),
            status: LetterState::InReview,
            submitted_at: now,
            due_date: due_date.to_owned(),
            reason: None,
            subject_uscc: Some(subject_uscc.to_owned()),
        })
    }

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
