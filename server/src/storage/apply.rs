//! Applications: starting one (exactly one open per corp), their steps, and the timeline.

use api::wire::{ApplyStep, Scenario};
use rand::RngCore;

use super::final_steps::Pending;
use super::{Db, Result};
use crate::flow::{parse_step, step_key};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRow {
    pub id: String,
    pub corp_id: String,
    pub applicant_id: String,
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

#[derive(sqlx::FromRow)]
struct Raw {
    id: String,
    corp_id: String,
    applicant_id: String,
    state: String,
    license_json: Option<String>,
    contact_masked: Option<String>,
    contact_verified_at: Option<i64>,
    created_at: i64,
    scenario: String,
    uscc: Option<String>,
    registry_legal_rep: Option<String>,
}

pub(super) fn scenario_key(s: Scenario) -> &'static str {
    match s {
        Scenario::New => "new",
        Scenario::Wechat => "wechat",
    }
}

pub(super) fn parse_scenario(key: &str) -> Scenario {
    if key == "wechat" {
        Scenario::Wechat
    } else {
        Scenario::New
    }
}

fn from_raw(r: Raw) -> ApplicationRow {
    ApplicationRow {
        id: r.id,
        corp_id: r.corp_id,
        applicant_id: r.applicant_id,
        // An unknown stored step can only come from a newer server; resume at the start.
        step: parse_step(&r.state).unwrap_or(ApplyStep::RealName),
        license_json: r.license_json,
        contact_masked: r.contact_masked,
        contact_verified_at: r.contact_verified_at,
        created_at: r.created_at,
        scenario: parse_scenario(&r.scenario),
        uscc: r.uscc,
        registry_legal_rep: r.registry_legal_rep,
    }
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

pub fn new_id() -> String {
    let mut b = [0u8; 12];
    rand::rng().fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Db {
    /// Opens an application for the corp unless one is open already; either way returns the
    /// open one and whether this call created it. Atomic: two admins at once get one.
    pub async fn start_application(
        &self,
        corp_id: &str,
        applicant_id: &str,
        step: ApplyStep,
        now: i64,
    ) -> Result<(ApplicationRow, bool)> {
        let id = new_id();
        let inserted = sqlx::query(
            "INSERT INTO applications (id, corp_id, applicant_id, state, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (corp_id) WHERE outcome = 'open' DO NOTHING",
        )
        .bind(&id)
        .bind(corp_id)
        .bind(applicant_id)
        .bind(step_key(step))
        .bind(now)
        .bind(now)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1;
        if inserted {
            self.append_event(&id, Some(applicant_id), "started", None, now)
                .await?;
        }
        let row = self
            .open_application(corp_id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        Ok((row, inserted))
    }

    pub async fn open_application(&self, corp_id: &str) -> Result<Option<ApplicationRow>> {
        let row: Option<Raw> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM applications WHERE corp_id = ? AND outcome = 'open'"
        ))
        .bind(corp_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(from_raw))
    }

    /// An application still open, by id (links carry the id, not the corp).
    pub async fn open_application_by_id(&self, app_id: &str) -> Result<Option<ApplicationRow>> {
        let row: Option<Raw> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM applications WHERE id = ? AND outcome = 'open'"
        ))
        .bind(app_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(from_raw))
    }

    pub async fn set_step(&self, app_id: &str, step: ApplyStep, now: i64) -> Result<()> {
        sqlx::query("UPDATE applications SET state = ?, updated_at = ? WHERE id = ?")
            .bind(step_key(step))
            .bind(now)
            .bind(app_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Saves the confirmed license and holds its USCC for this application. When the USCC
    /// changed, whatever step 4 had started for the old one (links, letters) stops working.
    /// `Ok(false)`: another corp's open or verified application holds this USCC.
    pub async fn save_license(
        &self,
        app_id: &str,
        json: &str,
        uscc: &str,
        registry_legal_rep: &str,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_locked().await?;
        let (old,): (Option<String>,) =
            sqlx::query_as("SELECT uscc FROM applications WHERE id = ?")
                .bind(app_id)
                .fetch_one(&mut *tx)
                .await?;
        let saved = sqlx::query(
            "UPDATE applications SET license_json = ?, uscc = ?, registry_legal_rep = ?,
             updated_at = ? WHERE id = ?",
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
        tx.commit().await?;
        Ok(true)
    }

    pub async fn save_contact(
        &self,
        app_id: &str,
        sealed: &str,
        masked: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE applications SET contact_sealed = ?, contact_masked = ?, contact_verified_at = ?,
             updated_at = ? WHERE id = ?",
        )
        .bind(sealed)
        .bind(masked)
        .bind(now)
        .bind(now)
        .bind(app_id)
        .execute(self.pool())
        .await?;
        Ok(())
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
        sqlx::query("INSERT INTO events (application_id, actor_id, kind, detail, at) VALUES (?, ?, ?, ?, ?)")
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
            "SELECT COUNT(*) FROM events WHERE actor_id = ? AND kind = ? AND at >= ?",
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
            "SELECT kind, detail, at FROM events WHERE application_id = ? ORDER BY id",
        )
        .bind(app_id)
        .fetch_all(self.pool())
        .await?)
    }
}
