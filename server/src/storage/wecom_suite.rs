//! Real WeCom's own rows: the suite ticket, the shared token cache, installs and OAuth
//! states. Values that grant access (tickets, tokens, permanent codes) arrive sealed.

use super::{CorpRow, Db, Result};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InstallRow {
    pub corp_id: String,
    pub agentid: i64,
    pub permanent_code_sealed: String,
    pub cancelled_at: Option<i64>,
}

/// A consumed OAuth state.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OAuthState {
    pub browser_hash: String,
    pub next_path: String,
    pub expires_at: i64,
}

impl Db {
    /// Keeps the newest ticket only (by the push's own time).
    pub async fn save_suite_ticket(
        &self,
        suite_id: &str,
        sealed: &str,
        pushed_at: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO wecom_suite_tickets (suite_id, ticket_sealed, pushed_at) VALUES ($1, $2, $3)
             ON CONFLICT(suite_id) DO UPDATE SET ticket_sealed = excluded.ticket_sealed,
               pushed_at = excluded.pushed_at
             WHERE excluded.pushed_at >= wecom_suite_tickets.pushed_at",
        )
        .bind(suite_id)
        .bind(sealed)
        .bind(pushed_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn suite_ticket(&self, suite_id: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT ticket_sealed FROM wecom_suite_tickets WHERE suite_id = $1")
                .bind(suite_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// A cached token still ahead of its `expires_at`.
    pub async fn cached_token(&self, name: &str, now: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT sealed FROM wecom_tokens WHERE name = $1 AND expires_at > $2",
        )
        .bind(name)
        .bind(now)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn store_token(&self, name: &str, sealed: &str, expires_at: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO wecom_tokens (name, sealed, expires_at) VALUES ($1, $2, $3)
             ON CONFLICT(name) DO UPDATE SET sealed = excluded.sealed, expires_at = excluded.expires_at",
        )
        .bind(name)
        .bind(sealed)
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Forgets the token WeCom refused, unless another instance already replaced it.
    pub async fn drop_token(&self, name: &str, sealed: &str) -> Result<()> {
        sqlx::query("DELETE FROM wecom_tokens WHERE name = $1 AND sealed = $2")
            .bind(name)
            .bind(sealed)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// create_auth: the corp and its install, together; a reinstall clears a cancellation.
    pub async fn save_install(
        &self,
        corp: &CorpRow,
        agentid: i64,
        permanent_code_sealed: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        upsert_corp(&mut tx, corp).await?;
        sqlx::query(
            "INSERT INTO wecom_installs
               (corp_id, agentid, permanent_code_sealed, installed_at, updated_at, cancelled_at)
             VALUES ($1, $2, $3, $4, $4, NULL)
             ON CONFLICT(corp_id) DO UPDATE SET agentid = excluded.agentid,
               permanent_code_sealed = excluded.permanent_code_sealed,
               installed_at = excluded.installed_at, updated_at = excluded.updated_at,
               cancelled_at = NULL",
        )
        .bind(&corp.id)
        .bind(agentid)
        .bind(permanent_code_sealed)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // A new permanent code makes the old corp token worthless.
        sqlx::query("DELETE FROM wecom_tokens WHERE name = $1")
            .bind(format!("corp:{}", corp.id))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// change_auth: the corp's name, auth_mode and the app's agentid as WeCom reports them
    /// now. `false` when the corp has no install here.
    pub async fn update_install(&self, corp: &CorpRow, agentid: i64, now: i64) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE wecom_installs SET agentid = $1, updated_at = $2 WHERE corp_id = $3",
        )
        .bind(agentid)
        .bind(now)
        .bind(&corp.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        upsert_corp(&mut tx, corp).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// cancel_auth: the install ends, and with it every session of the corp's members. A
    /// push older than the current install (a replay after a reinstall) changes nothing.
    pub async fn cancel_install(&self, corp_id: &str, pushed_at: i64, now: i64) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let done = sqlx::query(
            "UPDATE wecom_installs SET cancelled_at = $1, updated_at = $1
             WHERE corp_id = $2 AND cancelled_at IS NULL AND installed_at <= $3",
        )
        .bind(now)
        .bind(corp_id)
        .bind(pushed_at)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "DELETE FROM sessions WHERE member_id IN (SELECT id FROM members WHERE corp_id = $1)",
        )
        .bind(corp_id)
        .execute(&mut *tx)
        .await?;
        for name in ["corp", "jsapi", "agent_config"] {
            sqlx::query("DELETE FROM wecom_tokens WHERE name = $1")
                .bind(format!("{name}:{corp_id}"))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn install(&self, corp_id: &str) -> Result<Option<InstallRow>> {
        Ok(sqlx::query_as(
            "SELECT corp_id, agentid, permanent_code_sealed, cancelled_at
             FROM wecom_installs WHERE corp_id = $1",
        )
        .bind(corp_id)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn create_oauth_state(
        &self,
        state_hash: &str,
        browser_hash: &str,
        next_path: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        // Housekeeping on each login keeps the table small without a background task.
        sqlx::query("DELETE FROM wecom_oauth_states WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO wecom_oauth_states (state_hash, browser_hash, next_path, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(state_hash)
        .bind(browser_hash)
        .bind(next_path)
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Takes a state: whoever presents it, it is gone afterwards.
    pub async fn take_oauth_state(&self, state_hash: &str) -> Result<Option<OAuthState>> {
        Ok(sqlx::query_as(
            "DELETE FROM wecom_oauth_states WHERE state_hash = $1
             RETURNING browser_hash, next_path, expires_at",
        )
        .bind(state_hash)
        .fetch_optional(self.pool())
        .await?)
    }
}

async fn upsert_corp(tx: &mut super::Tx, corp: &CorpRow) -> Result<()> {
    sqlx::query(
        "INSERT INTO corps (id, name, auth_mode) VALUES ($1, $2, $3)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, auth_mode = excluded.auth_mode",
    )
    .bind(&corp.id)
    .bind(&corp.name)
    .bind(corp.auth_mode)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
