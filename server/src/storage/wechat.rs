//! Scenario 2: the application's link to the WeChat-side enterprise, the employees invited,
//! and the per-person count of failed real-name checks.

use api::wire::{ApplyStep, Scenario};

use super::apply::scenario_key;
use super::final_steps::{append_event, cancel_pending, Pending};
use super::{Db, Event, Result};
use crate::flow::step_key;

/// An application's 关联微信账户.
#[derive(Debug, Clone, PartialEq, Eq)]
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
            "INSERT INTO wechat_links (application_id, uscc, enterprise, linked_at) VALUES (?, ?, ?, ?)
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
            "UPDATE applications SET scenario = ?, uscc = NULL, updated_at = ? WHERE id = ?",
        )
        .bind(scenario_key(Scenario::Wechat))
        .bind(now)
        .bind(app_id)
        .execute(&mut *tx)
        .await?;
        cancel_pending(&mut tx, app_id, Pending::ScenarioOne, now).await?;
        append_event(&mut tx, app_id, event, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Back to scenario 1: the link is dropped, pending activation links stop working, and
    /// the confirmed license's USCC is held again — or, if another corp holds it meanwhile,
    /// the applicant is sent back to 上传证照 to see why.
    pub async fn unlink_wechat(&self, app_id: &str, event: Event<'_>, now: i64) -> Result<()> {
        let mut tx = self.begin_locked().await?;
        sqlx::query("DELETE FROM wechat_links WHERE application_id = ?")
            .bind(app_id)
            .execute(&mut *tx)
            .await?;
        cancel_pending(&mut tx, app_id, Pending::Activation, now).await?;
        sqlx::query("UPDATE applications SET scenario = ?, updated_at = ? WHERE id = ?")
            .bind(scenario_key(Scenario::New))
            .bind(now)
            .bind(app_id)
            .execute(&mut *tx)
            .await?;
        let held = sqlx::query(
            "UPDATE applications SET uscc = json_extract(license_json, '$.uscc.value')
             WHERE id = ? AND license_json IS NOT NULL",
        )
        .bind(app_id)
        .execute(&mut *tx)
        .await;
        match held {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                sqlx::query(
                    "UPDATE applications SET uscc = NULL, state = ? WHERE id = ? AND state IN (?, ?)",
                )
                .bind(step_key(ApplyStep::License))
                .bind(app_id)
                .bind(step_key(ApplyStep::Contact))
                .bind(step_key(ApplyStep::Authorize))
                .execute(&mut *tx)
                .await?;
            }
            other => {
                other?;
            }
        }
        append_event(&mut tx, app_id, event, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn wechat_link(&self, app_id: &str) -> Result<Option<WechatLinkRow>> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT uscc, enterprise FROM wechat_links WHERE application_id = ?")
                .bind(app_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(uscc, enterprise)| WechatLinkRow { uscc, enterprise }))
    }

    /// Another corp's verified application holds this enterprise (a link still waiting for
    /// its super admin holds nothing).
    pub async fn wechat_linked_elsewhere(&self, uscc: &str, corp_id: &str) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM applications WHERE uscc = ? AND corp_id <> ? AND outcome = 'verified'",
        )
        .bind(uscc)
        .bind(corp_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n > 0)
    }

    pub async fn record_real_name_failure(&self, member_id: &str, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO real_name_failures (member_id, at) VALUES (?, ?)")
            .bind(member_id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn real_name_failures(&self, member_id: &str, since: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM real_name_failures WHERE member_id = ? AND at >= ?",
        )
        .bind(member_id)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    pub async fn record_invitation(&self, i: &NewInvitation<'_>, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO invitations (corp_id, name, id_index, phone_index, phone_masked, invited_by, sent_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(i.corp_id)
        .bind(i.name)
        .bind(i.id_index)
        .bind(i.phone_index)
        .bind(i.phone_masked)
        .bind(i.invited_by)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Invitations to this number since `since` (the daily cap).
    pub async fn invitations_to(&self, phone_index: &str, since: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM invitations WHERE phone_index = ? AND sent_at >= ?",
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
            "SELECT DISTINCT id_index FROM invitations WHERE corp_id = ? AND name = ?",
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
            sqlx::query_as("SELECT id_index FROM verified_persons WHERE identity = ?")
                .bind(identity)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| r.0))
    }
}
