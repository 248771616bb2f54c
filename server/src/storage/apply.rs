//! Applications: starting one (exactly one open per corp), their steps, and the timeline.

use api::wire::{ApplyStep, Scenario};
use rand::RngCore;

use super::final_steps::Pending;
use super::{Db, Event, Result};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: String,
    pub corp_id: String,
    pub applicant_id: String,
    #[sqlx(rename = "state")]
    pub step: ApplyStep,
    pub license_json: Option<String>,
    pub contact_masked: Option<String>,
    pub contact_verified_at: Option<i64>,
    pub created_at: i64,
    pub scenario: Scenario,
    /// The USCC the application holds (scenario 1 from the confirmed license on).
    pub uscc: Option<String>,
    /// The enterprise registry's legal representative for that USCC.
    pub registry_legal_rep: Option<String>,
}

const COLUMNS: &str = "id, corp_id, applicant_id, state, license_json, contact_masked, \
     contact_verified_at, created_at, scenario, uscc, registry_legal_rep";

impl ApplicationRow {
    /// The fields confirmed at 上传证照, once saved.
    pub fn license(&self) -> Option<api::wire::LicenseForm> {
        self.license_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
    }
}

/// Whether `s` has the shape `new_id` gives (24 lowercase hex digits). Ids from a URL are
/// checked first: PostgreSQL refuses a NUL in text with an error, not "no such row".
pub fn is_id(s: &str) -> bool {
    s.len() == 24 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

pub fn new_id() -> String {
    let mut b = [0u8; 12];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Db {
    pub async fn open_application(&self, corp_id: &str) -> Result<Option<ApplicationRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM applications WHERE corp_id = $1 AND outcome = 'open'"
        ))
        .bind(corp_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// An application still open, by id (links carry the id, not the corp).
    pub async fn open_application_by_id(&self, app_id: &str) -> Result<Option<ApplicationRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM applications WHERE id = $1 AND outcome = 'open'"
        ))
        .bind(app_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Saves the confirmed license and holds its USCC for this application. When the USCC
    /// changed, whatever step 4 had started for the old one (links, letters) stops working.
    /// `Ok(false)`: another corp's open or verified application holds this USCC. The
    /// application moves to `next` (when it moves) with `event`, in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_license(
        &self,
        app_id: &str,
        json: &str,
        uscc: &str,
        registry_legal_rep: &str,
        next: Option<ApplyStep>,
        event: Event<'_>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_locked().await?;
        let (old,): (Option<String>,) =
            sqlx::query_as("SELECT uscc FROM applications WHERE id = $1")
                .bind(app_id)
                .fetch_one(&mut *tx)
                .await?;
        let saved = sqlx::query(
            "UPDATE applications SET license_json = $1, uscc = $2, registry_legal_rep = $3,
             updated_at = $4 WHERE id = $5",
        )
        .bind(json)
        .bind(uscc)
        .bind(registry_legal_rep)
        .bind(now)
        .bind(app_id)
        .execute(&mut *tx)
        .await;
        match saved {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(false),
            other => other?,
        };
        if old.as_deref().is_some_and(|o| o != uscc) {
            super::final_steps::cancel_pending(&mut tx, app_id, Pending::ScenarioOne, now).await?;
        }
        if let Some(step) = next {
            sqlx::query("UPDATE applications SET state = $1 WHERE id = $2")
                .bind(step)
                .bind(app_id)
                .execute(&mut *tx)
                .await?;
        }
        super::final_steps::append_event(&mut tx, app_id, event, now).await?;
        self.commit_event(tx, app_id).await?;
        Ok(true)
    }

    /// Appends to the timeline. `detail` must hold masked data only.
    pub async fn append_event(
        &self,
        app_id: &str,
        actor_id: Option<&str>,
        kind: &str,
        detail: Option<&str>,
        now: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO events (application_id, actor_id, kind, detail, at) VALUES ($1, $2, $3, $4, $5)")
            .bind(app_id)
            .bind(actor_id)
            .bind(kind)
            .bind(detail)
            .bind(now)
            .execute(self.pool())
            .await?;
        self.announce_event(app_id).await;
        Ok(())
    }

    /// How many events of `kind` this actor caused since `since` (daily caps).
    pub async fn count_events(&self, actor_id: &str, kind: &str, since: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM events WHERE actor_id = $1 AND kind = $2 AND at >= $3",
        )
        .bind(actor_id)
        .bind(kind)
        .bind(since)
        .fetch_one(self.pool())
        .await?;
        Ok(n)
    }

    /// The timeline of an application, oldest first: (kind, detail, at).
    pub async fn events(&self, app_id: &str) -> Result<Vec<(String, Option<String>, i64)>> {
        Ok(sqlx::query_as(
            "SELECT kind, detail, at FROM events WHERE application_id = $1 ORDER BY id",
        )
        .bind(app_id)
        .fetch_all(self.pool())
        .await?)
    }
}
