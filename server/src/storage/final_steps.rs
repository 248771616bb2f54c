//! The final steps of the flow, each in one write transaction: re-read the application, re-check
//! it with [`flow::guard::recheck`], settle the pending step, verify the enterprise, append the
//! timeline event — all or nothing. Also what ends an application early (撤销认证, takeover)
//! and what cancels the other path's pending steps.

use super::Tx;
use api::wire::Scenario;

use super::face::FaceResult;
use super::letters::LetterState;
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

async fn snapshot(tx: &mut Tx, app_id: &str) -> Result<Option<Snapshot>> {
    let row: Option<(String, Scenario, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT a.outcome, a.scenario, a.uscc, w.uscc FROM applications a
         LEFT JOIN wechat_links w ON w.application_id = a.id WHERE a.id = $1",
    )
    .bind(app_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(outcome, scenario, own, linked)| Snapshot {
        open: outcome == "open",
        scenario,
        uscc: match scenario {
            Scenario::New => own,
            Scenario::Wechat => linked,
        },
    }))
}

async fn settle(tx: &mut Tx, s: Settle<'_>, now: i64) -> Result<bool> {
    let done = match s {
        Settle::Link { id, status } => {
            sqlx::query(
                "UPDATE sms_links SET status = $1, acted_at = $2 WHERE id = $3 AND status = 'pending'",
            )
            .bind(status)
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
                "UPDATE letter_submissions SET status = $1, reviewer_id = $2, reason = $3, reviewed_at = $4
                 WHERE id = $5 AND status = 'in_review'",
            )
            .bind(if approved {
                LetterState::Approved
            } else {
                LetterState::Rejected
            })
            .bind(reviewer_id)
            .bind(reason)
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?
        }
        Settle::Face { biz_token, passed } => {
            sqlx::query(
                "UPDATE face_checks SET result = $1, finished_at = $2 WHERE biz_token = $3 AND result IS NULL",
            )
            .bind(if passed {
                FaceResult::Passed
            } else {
                FaceResult::Failed
            })
            .bind(now)
            .bind(biz_token)
            .execute(&mut **tx)
            .await?
        }
    };
    Ok(done.rows_affected() == 1)
}

pub(super) async fn append_event(tx: &mut Tx, app_id: &str, e: Event<'_>, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO events (application_id, actor_id, kind, detail, at) VALUES ($1, $2, $3, $4, $5)",
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
    tx: &mut Tx,
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
        "UPDATE sms_links SET status = 'cancelled', acted_at = $1
         WHERE application_id = $2 AND status = 'pending' AND purpose IN {purposes}"
    ))
    .bind(now)
    .bind(app_id)
    .execute(&mut **tx)
    .await?;
    if which != Pending::Activation {
        sqlx::query(
            "UPDATE letter_submissions SET status = 'withdrawn', reviewed_at = $1
             WHERE application_id = $2 AND status = 'in_review'",
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
                "UPDATE applications SET outcome = 'verified', super_admin_id = $1,
                 super_admin_index = $2, uscc = $3, finished_at = $4, updated_at = $5
                 WHERE id = $6 AND outcome = 'open'",
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
                "UPDATE applications SET super_admin_id = $1
                 WHERE id = $2 AND outcome = 'verified' AND super_admin_id IS NULL
                   AND super_admin_index = $3",
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
            "UPDATE applications SET outcome = 'cancelled', updated_at = $1 WHERE id = $2 AND outcome = 'open'",
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
        let (newest_event, updated_at, created_at): (Option<i64>, i64, i64) = sqlx::query_as(
            "SELECT (SELECT MAX(at) FROM events WHERE application_id = a.id), a.updated_at,
                    a.created_at
             FROM applications a WHERE a.id = $1",
        )
        .bind(app_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(super::applications::last_active(
            newest_event,
            updated_at,
            created_at,
        ))
    }
}
