//! The short code of an invitation SMS (`/s/<code>`): single use, 24 hours, stored hashed.
//! The other short codes are the legal-rep and activation links' own tokens (`links.rs`).

use super::links::token_hash;
use super::{Db, Result};

/// What an invitation's code did when it was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationCode {
    /// It worked, and is now used.
    Opened,
    Used,
    Expired,
}

impl Db {
    /// Uses the invitation code sent at or after `valid_since`, once: of two uses at once,
    /// one opens. `None`: no invitation has this code.
    pub async fn use_invitation_code(
        &self,
        code: &str,
        now: i64,
        valid_since: i64,
    ) -> Result<Option<InvitationCode>> {
        let hash = token_hash(code);
        let opened: Option<(i64,)> = sqlx::query_as(
            "UPDATE invitations SET code_used_at = $1
             WHERE code_hash = $2 AND code_used_at IS NULL AND sent_at >= $3 RETURNING sent_at",
        )
        .bind(now)
        .bind(&hash)
        .bind(valid_since)
        .fetch_optional(&self.pool)
        .await?;
        if opened.is_some() {
            return Ok(Some(InvitationCode::Opened));
        }
        let row: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT code_used_at FROM invitations WHERE code_hash = $1")
                .bind(&hash)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(used,)| match used {
            Some(_) => InvitationCode::Used,
            None => InvitationCode::Expired,
        }))
    }
}
