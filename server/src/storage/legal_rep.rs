//! 短信通知法人 links: one row per SMS sent; the newest pending one is the live one.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::{new_id, Db, Result};
use crate::flow::legal_rep::{Link, LinkStatus};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalRepRow {
    pub id: String,
    pub application_id: String,
    pub phone_masked: String,
    pub link: Link,
}

/// Links are looked up by a hash: the database never holds a working token.
pub fn token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

type Raw = (String, String, String, String, i64);

fn from_raw((id, application_id, phone_masked, status, sent_at): Raw) -> LegalRepRow {
    LegalRepRow {
        id,
        application_id,
        phone_masked,
        // An unknown status can only come from a newer server: treat the link as dead.
        link: Link {
            status: LinkStatus::parse(&status).unwrap_or(LinkStatus::Cancelled),
            sent_at,
        },
    }
}

const COLUMNS: &str = "id, application_id, phone_masked, status, sent_at";

impl Db {
    /// Records a new link and supersedes every earlier pending one, atomically.
    pub async fn insert_legal_rep_request(
        &self,
        application_id: &str,
        token: &str,
        phone_sealed: &str,
        phone_masked: &str,
        now: i64,
    ) -> Result<LegalRepRow> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE legal_rep_requests SET status = 'superseded', acted_at = ? WHERE application_id = ? AND status = 'pending'")
            .bind(now)
            .bind(application_id)
            .execute(&mut *tx)
            .await?;
        let id = new_id();
        sqlx::query("INSERT INTO legal_rep_requests (id, application_id, token_hash, phone_sealed, phone_masked, sent_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(&id)
            .bind(application_id)
            .bind(token_hash(token))
            .bind(phone_sealed)
            .bind(phone_masked)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(LegalRepRow {
            id,
            application_id: application_id.to_owned(),
            phone_masked: phone_masked.to_owned(),
            link: Link {
                status: LinkStatus::Pending,
                sent_at: now,
            },
        })
    }

    /// The application's newest link, whatever its status.
    pub async fn latest_legal_rep_request(
        &self,
        application_id: &str,
    ) -> Result<Option<LegalRepRow>> {
        let row: Option<Raw> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM legal_rep_requests WHERE application_id = ? ORDER BY sent_at DESC, rowid DESC LIMIT 1"
        ))
        .bind(application_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(from_raw))
    }

    pub async fn legal_rep_request_by_token(&self, token: &str) -> Result<Option<LegalRepRow>> {
        let row: Option<Raw> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM legal_rep_requests WHERE token_hash = ?"
        ))
        .bind(token_hash(token))
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(from_raw))
    }

    /// Moves a still-pending link to `status`; false when someone else moved it first.
    pub async fn settle_legal_rep_request(
        &self,
        id: &str,
        status: LinkStatus,
        now: i64,
    ) -> Result<bool> {
        let done = sqlx::query("UPDATE legal_rep_requests SET status = ?, acted_at = ? WHERE id = ? AND status = 'pending'")
            .bind(status.key())
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A face session was started from this link: only its result counts, and any earlier
    /// verification is forgotten.
    pub async fn set_legal_rep_face(&self, id: &str, biz_token: &str) -> Result<()> {
        sqlx::query(
            "UPDATE legal_rep_requests SET face_biz_token = ?, verified_name = NULL WHERE id = ?",
        )
        .bind(biz_token)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The face session started from this link, and the name it verified (once it passed).
    pub async fn legal_rep_face(&self, id: &str) -> Result<(Option<String>, Option<String>)> {
        let row: (Option<String>, Option<String>) = sqlx::query_as(
            "SELECT face_biz_token, verified_name FROM legal_rep_requests WHERE id = ?",
        )
        .bind(id)
        .fetch_one(&self.pool)
        .await?;
        Ok(row)
    }

    pub async fn set_legal_rep_verified(&self, id: &str, name: &str) -> Result<()> {
        sqlx::query("UPDATE legal_rep_requests SET verified_name = ? WHERE id = ?")
            .bind(name)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// SMS sent to legal representatives for this application since `since` (a daily cap).
    pub async fn legal_rep_requests_since(&self, application_id: &str, since: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM legal_rep_requests WHERE application_id = ? AND sent_at >= ?",
        )
        .bind(application_id)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }
}
