//! Reads of applications that 首页 needs. The flow (its own module) owns the writes.

use api::wire::{ApplyStep, Scenario};

use super::{Db, Result};

/// Where a current application stands (the reads here never select cancelled ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Open,
    Verified,
}

api::sqlx_text_enum!(Outcome {
    Open => "open",
    Verified => "verified",
});

/// The corp's current application: the open one, or else the one that verified it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CurrentApplication {
    pub id: String,
    pub applicant_id: String,
    pub applicant_name: String,
    pub outcome: Outcome,
    #[sqlx(rename = "state")]
    pub step: ApplyStep,
    pub created_at: i64,
    pub scenario: Scenario,
    /// Who became super admin (a member of this corp), once verified.
    pub super_admin_id: Option<String>,
    pub finished_at: Option<i64>,
    /// Scenario 2: the keyed hash of the super admin's ID number, until a member claims it.
    pub super_admin_index: Option<String>,
}

impl Db {
    pub async fn current_application(&self, corp_id: &str) -> Result<Option<CurrentApplication>> {
        Ok(sqlx::query_as(
            "SELECT a.id, a.applicant_id, m.name AS applicant_name, a.outcome, a.state,
                    a.created_at, a.scenario, a.super_admin_id, a.finished_at,
                    a.super_admin_index
             FROM applications a JOIN members m ON m.id = a.applicant_id
             WHERE a.corp_id = $1 AND a.outcome IN ('open', 'verified')
             ORDER BY (a.outcome = 'verified') DESC, a.created_at DESC LIMIT 1",
        )
        .bind(corp_id)
        .fetch_optional(self.pool())
        .await?)
    }
}
