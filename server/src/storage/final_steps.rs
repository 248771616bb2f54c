//! The final steps of the flow, each in one write transaction: re-read the application, re-check
//! it with [`flow::guard::recheck`], settle the pending step, verify the enterprise, append the
//! timeline event — all or nothing. Also what ends an application early (撤销认证, takeover)
//! and what cancels the other path's pending steps.

use api::wire::Scenario;
use sqlx::{Sqlite, Transaction};

use super::apply::parse_scenario;
use super::{Db, Result};
use crate::flow::guard::{recheck, Refusal, Snapshot, StartedFor};
use crate::flow::link::LinkStatus;

/// The pending step a final step settles.
#[derive(Debug, Clone, Copy)]
pub enum Settle<'a> {
    Link {
        id: &'a str,
        status: LinkStatus,
    },
    Letter {
        id: &'a str,
        reviewer_id: &'a str,
        approved: bool,
        reason: Option<&'a str>,
    },
    Face {
        biz_token: &'a str,
        passed: bool,
    },
}

/// The enterprise ends verified, with this super admin: a member, or (scenario 2, opened from
/// outside WeCom) only the keyed hash of their ID number until they claim it.
#[derive(Debug, Clone, Copy)]
pub struct Verified<'a> {
    pub super_admin_id: Option<&'a str>,
    pub super_admin_index: Option<&'a str>,
}

#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub actor_id: Option<&'a str>,
    pub kind: &'a str,
    /// Masked data only.
    pub detail: Option<&'a str>,
}

#[derive(Debug, Clone, Copy)]
pub struct FinalStep<'a> {
    pub app_id: &'a str,
    pub started_for: StartedFor<'a>,
    pub settle: Settle<'a>,
    /// `None`: the step settles without verifying (拒绝, 驳回, a failed face check).
    pub verified: Option<Verified<'a>>,
    pub event: Event<'a>,
    pub now: i64,
}

/// Which pending steps a switch or an ending cancels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// 短信通知法人 links and letters in review.
    ScenarioOne,
    /// Activation links.
    Activation,
    All,
}

async fn snapshot(tx: &mut Transaction<'static, Sqlite>, app_id: &str) -> Result<Option<Snapshot>> {
    let row: Option<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT a.outcome, a.scenario, a.uscc, w.uscc FROM applications a
         LEFT JOIN wechat_links w ON w.application_id = a.id WHERE a.id = ?",
    )
    .bind(app_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(outcome, scenario, own, linked)| {
        let scenario = parse_scenario(&scenario);
        Snapshot {
            open: outcome == "open",
            scenario,
            uscc: match scenario {
                Scenario::New => own,
                Scenario::Wechat => linked,
            },
        }
    }))
}

async fn settle(tx: &mut Transaction<'static, Sqlite>, s: Settle<'_>, now: i64) -> Result<bool> {
    let done = match s {
        Settle::Link { id, status } => {
            sqlx::query(
                "UPDATE sms_links SET status = ?, acted_at = ? WHERE id = ? AND status = 'pending'",
            )
            .bind(status.key())
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?
        }
        Settle::Letter {
            id,
            reviewer_id,
            approved,
            reason,
        } => {
            sqlx::query(
                "UPDATE letter_submissions SET status = ?, reviewer_id = ?, reason = ?, reviewed_at = ?
                 WHERE id = ? AND status = 'in_review'",
            )
            .bind(if approved { "approved" } else { "rejected" })
            .bind(reviewer_id)
            .bind(reason)
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?
        }
        Settle::Face { biz_token, passed } => {
            sqlx::query(
                "UPDATE face_checks SET result = ?, finished_at = ? WHERE biz_token = ? AND result IS NULL",
            )
            .bind(if passed { "passed" } else { "failed" })
            .bind(now)
            .bind(biz_token)
            .execute(&mut **tx)
            .await?
        }
    };
    Ok(done.rows_affected() == 1)
}

pub(super) async fn append_event(
    tx: &mut Transaction<'static, Sqlite>,
    app_id: &str,
    e: Event<'_>,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (application_id, actor_id, kind, detail, at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(app_id)
    .bind(e.actor_id)
    .bind(e.kind)
    .bind(e.detail)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Cancels the pending links (and withdraws the letters in review) of `which` path.
pub(super) async fn cancel_pending(
    tx: &mut Transaction<'static, Sqlite>,
    app_id: &str,
    which: Pending,
    now: i64,
) -> Result<()> {
    let purposes = match which {
        Pending::ScenarioOne => "('legal_rep')",
        Pending::Activation => "('activation_sms', 'activation_direct')",
        Pending::All => "('legal_rep', 'activation_sms', 'activation_direct')",
    };
    sqlx::query(&format!(
        "UPDATE sms_links SET status = 'cancelled', acted_at = ?
         WHERE application_id = ? AND status = 'pending' AND purpose IN {purposes}"
    ))
    .bind(now)
    .bind(app_id)
    .execute(&mut **tx)
    .await?;
    if which != Pending::Activation {
        sqlx::query(
            "UPDATE letter_submissions SET status = 'withdrawn', reviewed_at = ?
             WHERE application_id = ? AND status = 'in_review'",
        )
        .bind(now)
        .bind(app_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Db {
    /// Runs a final step: all of its writes, or none and the reason.
    pub async fn final_step(&self, step: &FinalStep<'_>) -> Result<Result<(), Refusal>> {
        let mut tx = self.begin_locked().await?;
        let Some(now) = snapshot(&mut tx, step.app_id).await? else {
            return Ok(Err(Refusal::Closed));
        };
        if let Err(refusal) = recheck(&now, step.started_for) {
            return Ok(Err(refusal));
        }
        if !settle(&mut tx, step.settle, step.now).await? {
            return Ok(Err(Refusal::Settled));
        }
        if let Some(v) = step.verified {
            let done = sqlx::query(
                "UPDATE applications SET outcome = 'verified', super_admin_id = ?,
                 super_admin_index = ?, uscc = ?, finished_at = ?, updated_at = ?
                 WHERE id = ? AND outcome = 'open'",
            )
            .bind(v.super_admin_id)
            .bind(v.super_admin_index)
            .bind(step.started_for.uscc)
            .bind(step.now)
            .bind(step.now)
            .bind(step.app_id)
            .execute(&mut *tx)
            .await;
            match done {
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Ok(Err(Refusal::UsccTaken))
                }
                Ok(r) if r.rows_affected() != 1 => return Ok(Err(Refusal::Closed)),
                other => {
                    other?;
                }
            }
            // Nothing else of this application may finish after it.
            cancel_pending(&mut tx, step.app_id, Pending::All, step.now).await?;
        }
        append_event(&mut tx, step.app_id, step.event, step.now).await?;
        self.commit_event(tx, step.app_id).await?;
        Ok(Ok(()))
    }

    /// A super admin who opened from outside WeCom claims the role, in WeCom, with their own
    /// face check: the check is settled and, when it passed, the member recorded as super admin
    /// (if nobody is yet and their ID's keyed hash is the one on record), with its event.
    /// `Ok(false)`: the check was used already, or the role is taken.
    pub async fn claim_super_admin(
        &self,
        app_id: &str,
        member_id: &str,
        index: &str,
        face: Settle<'_>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_locked().await?;
        if !settle(&mut tx, face, now).await? {
            return Ok(false);
        }
        let passed = matches!(face, Settle::Face { passed: true, .. });
        if passed {
            let done = sqlx::query(
                "UPDATE applications SET super_admin_id = ?
                 WHERE id = ? AND outcome = 'verified' AND super_admin_id IS NULL
                   AND super_admin_index = ?",
            )
            .bind(member_id)
            .bind(app_id)
            .bind(index)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Ok(false);
            }
        }
        let event = Event {
            actor_id: Some(member_id),
            kind: if passed {
                "super_admin_claimed"
            } else {
                "claim_face_failed"
            },
            detail: None,
        };
        append_event(&mut tx, app_id, event, now).await?;
        self.commit_event(tx, app_id).await?;
        Ok(true)
    }

    /// Ends an open application as cancelled (撤销认证, or taken over), with its pending steps.
    /// False when it was not open any more.
    pub async fn end_application(&self, app_id: &str, event: Event<'_>, now: i64) -> Result<bool> {
        let mut tx = self.begin_locked().await?;
        let done = sqlx::query(
            "UPDATE applications SET outcome = 'cancelled', updated_at = ? WHERE id = ? AND outcome = 'open'",
        )
        .bind(now)
        .bind(app_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        cancel_pending(&mut tx, app_id, Pending::All, now).await?;
        append_event(&mut tx, app_id, event, now).await?;
        self.commit_event(tx, app_id).await?;
        Ok(true)
    }

    /// The last time anything happened to the application (its newest event, or its start).
    pub async fn last_activity(&self, app_id: &str) -> Result<i64> {
        let (at,): (i64,) = sqlx::query_as(
            "SELECT MAX(COALESCE((SELECT MAX(at) FROM events WHERE application_id = a.id), 0),
                        a.updated_at, a.created_at)
             FROM applications a WHERE a.id = ?",
        )
        .bind(app_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(at)
    }
}
