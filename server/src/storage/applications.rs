//! Reads of applications that 首页 needs. The flow (its own module) owns the writes.

use api::wire::{ApplyStep, Scenario};

use super::{CorpRow, Db, Result};

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentApplication {
    pub id: String,
    pub applicant_id: String,
    pub applicant_name: String,
    pub outcome: Outcome,
    pub step: ApplyStep,
    pub created_at: i64,
    pub scenario: Scenario,
    /// Who became super admin (a member of this corp), once verified.
    pub super_admin_id: Option<String>,
    pub finished_at: Option<i64>,
    /// Scenario 2: the keyed hash of the super admin's ID number, until a member claims it.
    pub super_admin_index: Option<String>,
    pub updated_at: i64,
    /// When its newest event happened (0: none yet).
    pub newest_event_at: i64,
}

impl CurrentApplication {
    pub fn last_active_at(&self) -> i64 {
        last_active(Some(self.newest_event_at), self.updated_at, self.created_at)
    }
}

/// The last time anything happened to an application: its newest event, or its last change or
/// its start.
pub(super) fn last_active(newest_event: Option<i64>, updated_at: i64, created_at: i64) -> i64 {
    newest_event.unwrap_or(0).max(updated_at).max(created_at)
}

/// The corp's current application: open first, else verified; the newest of each.
const CURRENT_OF_CORP: &str = "a.corp_id = $1 AND a.outcome IN ('open', 'verified')
     ORDER BY (a.outcome = 'verified') DESC, a.created_at DESC LIMIT 1";

/// A corp and its current application, read together (`GET /api/session`): the
/// application's columns are all `NULL` when it has none.
#[derive(sqlx::FromRow)]
struct CorpAndCurrent {
    #[sqlx(flatten)]
    corp: CorpRow,
    app_id: Option<String>,
    applicant_id: Option<String>,
    applicant_name: Option<String>,
    outcome: Option<Outcome>,
    state: Option<ApplyStep>,
    created_at: Option<i64>,
    scenario: Option<Scenario>,
    super_admin_id: Option<String>,
    finished_at: Option<i64>,
    super_admin_index: Option<String>,
    updated_at: Option<i64>,
    newest_event_at: Option<i64>,
}

impl CorpAndCurrent {
    fn current(self) -> (CorpRow, Option<CurrentApplication>) {
        let current = match (
            self.app_id,
            self.applicant_id,
            self.outcome,
            self.state,
            self.created_at,
            self.updated_at,
        ) {
            (
                Some(id),
                Some(applicant_id),
                Some(outcome),
                Some(step),
                Some(created_at),
                Some(updated_at),
            ) => Some(CurrentApplication {
                id,
                applicant_id,
                applicant_name: self.applicant_name.unwrap_or_default(),
                outcome,
                step,
                created_at,
                scenario: self.scenario.unwrap_or_default(),
                super_admin_id: self.super_admin_id,
                finished_at: self.finished_at,
                super_admin_index: self.super_admin_index,
                updated_at,
                newest_event_at: self.newest_event_at.unwrap_or(0),
            }),
            _ => None,
        };
        (self.corp, current)
    }
}

impl Db {
    pub async fn current_application(&self, corp_id: &str) -> Result<Option<CurrentApplication>> {
        Ok(self
            .corp_and_current(corp_id)
            .await?
            .and_then(|(_, app)| app))
    }

    /// The corp and its current application in one round trip: the page every person opens
    /// first asks for both.
    pub async fn corp_and_current(
        &self,
        corp_id: &str,
    ) -> Result<Option<(CorpRow, Option<CurrentApplication>)>> {
        let row: Option<CorpAndCurrent> = sqlx::query_as(&format!(
            "SELECT c.id, c.name, c.auth_mode, a.id AS app_id, a.applicant_id,
                    m.name AS applicant_name, a.outcome, a.state, a.created_at, a.scenario,
                    a.super_admin_id, a.finished_at, a.super_admin_index, a.updated_at,
                    (SELECT MAX(e.at) FROM events e WHERE e.application_id = a.id)
                        AS newest_event_at
             FROM corps c
             LEFT JOIN applications a ON a.id = (
                 SELECT a.id FROM applications a WHERE {CURRENT_OF_CORP})
             LEFT JOIN members m ON m.id = a.applicant_id
             WHERE c.id = $1"
        ))
        .bind(corp_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(CorpAndCurrent::current))
    }
}
