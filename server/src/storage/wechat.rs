//! Scenario 2: the application's link to the WeChat-side enterprise, the employees invited,
//! and the per-person count of failed real-name checks.

use api::wire::{ApplyStep, Scenario};

use sqlx::Connection;

use super::final_steps::{append_event, cancel_pending, Pending};
use super::{Db, Event, Result};

/// An application's 关联微信账户.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WechatLinkRow {
    pub uscc: String,
    pub enterprise: String,
}

/// One invitation SMS to record.
pub struct NewInvitation<'a> {
    pub corp_id: &'a str,
    pub name: &'a str,
    pub id_index: &'a str,
    pub phone_index: &'a str,
    pub phone_masked: &'a str,
    pub invited_by: &'a str,
    /// The short code the SMS carries (`/s/<code>`); only its hash is stored.
    pub code: &'a str,
}

impl Db {
    /// Links the application to the WeChat-side enterprise (scenario 2). Scenario 1's pending
    /// steps stop working, and the license's USCC is let go: a WeChat-side account is held
    /// only once its super admin confirmed.
    pub async fn link_wechat(
        &self,
        app_id: &str,
        link: &WechatLinkRow,
        event: Event<'_>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin_locked().await?;
        sqlx::query(
            "INSERT INTO wechat_links (application_id, uscc, enterprise, linked_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT(application_id) DO UPDATE SET uscc = excluded.uscc,
                 enterprise = excluded.enterprise, linked_at = excluded.linked_at",
        )
        .bind(app_id)
        .bind(&link.uscc)
        .bind(&link.enterprise)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE applications SET scenario = $1, uscc = NULL, updated_at = $2 WHERE id = $3",
        )
        .bind(Scenario::Wechat)
        .bind(now)
        .bind(app_id)
        .execute(&mut *tx)
        .await?;
        cancel_pending(&mut tx, app_id, Pending::ScenarioOne, now).await?;
        append_event(&mut tx, app_id, event, now).await?;
        self.commit_event(tx, app_id).await?;
        Ok(())
    }

    /// Back to scenario 1: the link is dropped, pending activation links stop working, and
    /// the confirmed license's USCC is held again — or, if another corp holds it meanwhile,
    /// the applicant is sent back to 上传证照 to see why.
    pub async fn unlink_wechat(&self, app_id: &str, event: Event<'_>, now: i64) -> Result<()> {
        let mut tx = self.begin_locked().await?;
        sqlx::query("DELETE FROM wechat_links WHERE application_id = $1")
            .bind(app_id)
            .execute(&mut *tx)
            .await?;
        cancel_pending(&mut tx, app_id, Pending::Activation, now).await?;
        sqlx::query("UPDATE applications SET scenario = $1, updated_at = $2 WHERE id = $3")
            .bind(Scenario::New)
            .bind(now)
            .bind(app_id)
            .execute(&mut *tx)
            .await?;
        let (license,): (Option<String>,) =
            sqlx::query_as("SELECT license_json FROM applications WHERE id = $1")
                .bind(app_id)
                .fetch_one(&mut *tx)
                .await?;
        if let Some(uscc) = license.as_deref().and_then(license_uscc) {
            // A savepoint: on PostgreSQL a failed statement would abort the whole transaction.
            let mut attempt = tx.begin().await?;
            let held = sqlx::query("UPDATE applications SET uscc = $1 WHERE id = $2")
                .bind(&uscc)
                .bind(app_id)
                .execute(&mut *attempt)
                .await;
            match held {
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    attempt.rollback().await?;
                    sqlx::query(
                        "UPDATE applications SET uscc = NULL, state = $1 WHERE id = $2 AND state IN ($3, $4)",
                    )
                    .bind(ApplyStep::License)
                    .bind(app_id)
                    .bind(ApplyStep::Contact)
                    .bind(ApplyStep::Authorize)
                    .execute(&mut *tx)
                    .await?;
                }
                other => {
                    other?;
                    attempt.commit().await?;
                }
            }
        }
        append_event(&mut tx, app_id, event, now).await?;
        self.commit_event(tx, app_id).await?;
        Ok(())
    }

    pub async fn wechat_link(&self, app_id: &str) -> Result<Option<WechatLinkRow>> {
        Ok(
            sqlx::query_as("SELECT uscc, enterprise FROM wechat_links WHERE application_id = $1")
                .bind(app_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Another corp's verified application holds this enterprise (a link still waiting for
    /// its super admin holds nothing).
    pub async fn wechat_linked_elsewhere(&self, uscc: &str, corp_id: &str) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM applications WHERE uscc = $1 AND corp_id <> $2 AND outcome = 'verified'",
        )
        .bind(uscc)
        .bind(corp_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    pub async fn record_real_name_failure(&self, member_id: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO real_name_failures (member_id, at) VALUES ($1, $2)")
            .bind(member_id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn real_name_failures(&self, member_id: &str, since: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM real_name_failures WHERE member_id = $1 AND at >= $2",
        )
        .bind(member_id)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// Invitations to this number since `since` (the daily cap).
    pub async fn invitations_to(&self, phone_index: &str, since: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM invitations WHERE phone_index = $1 AND sent_at >= $2",
        )
        .bind(phone_index)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// The keyed ID hashes of the people invited in this corp under this name.
    pub async fn invited_ids(&self, corp_id: &str, name: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT id_index FROM invitations WHERE corp_id = $1 AND name = $2",
        )
        .bind(corp_id)
        .bind(name)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// The keyed ID hash of a verified person.
    pub async fn verified_id_index(&self, identity: &str) -> Result<Option<String>> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT id_index FROM verified_persons WHERE identity = $1")
                .bind(identity)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| r.0))
    }
}

/// The USCC of a stored, confirmed license (`applications.license_json`).
fn license_uscc(json: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    value["uscc"]["value"].as_str().map(str::to_owned)
}
