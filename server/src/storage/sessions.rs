//! Server-side sessions. The cookie carries a random token; only its SHA-256 is stored, so a
//! copy of the database does not let anyone sign in.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

use super::{Db, MemberRow, Result};

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

use super::token_hash as hash;

/// What a session is known by in other rows (face checks bound to it): its stored hash.
pub fn session_hash(token: &str) -> String {
    hash(token)
}

impl Db {
    pub async fn create_session(&self, member_id: &str, now: i64, ttl_secs: i64) -> Result<String> {
        let token = new_token();
        sqlx::query(
            "INSERT INTO sessions (token_hash, member_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(hash(&token))
        .bind(member_id)
        .bind(now)
        .bind(now + ttl_secs)
        .execute(self.pool())
        .await?;
        // Housekeeping on sign-in keeps the table small without a background task.
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(token)
    }

    /// The member a live session belongs to.
    pub async fn session_member(&self, token: &str, now: i64) -> Result<Option<MemberRow>> {
        // One round trip: this runs on every request that carries a session.
        Ok(sqlx::query_as(
            "SELECT m.id, m.corp_id, m.name, m.is_wecom_admin, m.is_staff, m.admin_checked_at
             FROM sessions s JOIN members m ON m.id = s.member_id
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(hash(token))
        .bind(now)
        .fetch_optional(self.pool())
        .await?)
    }
}
