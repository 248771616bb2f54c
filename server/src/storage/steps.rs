//! The writes of the flow's use cases that are not final steps, each with its timeline event in
//! one transaction: a crash or a refused write part-way leaves neither. A write that changes an
//! application does so only while it is open; `Ok(false)` says it was not.

use api::wire::ApplyStep;

use super::final_steps::{append_event, cancel_pending, Pending};
use super::{new_id, ApplicationRow, Db, Event, LetterRow, NewFaceCheck, NewInvitation};
use super::{LetterState, NewVerifiedPerson, Result, Tx};

/// The application moves to `next` (when given) — only while open.
async fn set_step(tx: &mut Tx, app_id: &str, next: Option<ApplyStep>, now: i64) -> Result<bool> {
    let done = match next {
        Some(step) => sqlx::query(
            "UPDATE applications SET state = $1, updated_at = $2 WHERE id = $3 AND outcome = 'open'",
        )
        .bind(step)
        .bind(now)
        .bind(app_id)
        .execute(&mut **tx)
        .await?
        .rows_affected(),
        None => {
            sqlx::query("UPDATE applications SET updated_at = $1 WHERE id = $2 AND outcome = 'open'")
                .bind(now)
                .bind(app_id)
                .execute(&mut **tx)
                .await?
                .rows_affected()
        }
    };
    Ok(done == 1)
}

/// Opens an application for the corp unless one is open, with its `started` event.
async fn open(
    tx: &mut Tx,
    corp_id: &str,
    applicant_id: &str,
    step: ApplyStep,
    now: i64,
) -> Result<bool> {
    let id = new_id();
    let inserted = sqlx::query(
        "INSERT INTO applications (id, corp_id, applicant_id, state, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (corp_id) WHERE outcome = 'open' DO NOTHING",
    )
    .bind(&id)
    .bind(corp_id)
    .bind(applicant_id)
    .bind(step)
    .bind(now)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if inserted {
        let started = Event {
            actor_id: Some(applicant_id),
            kind: "started",
            detail: None,
        };
        append_event(tx, &id, started, now).await?;
    }
    Ok(inserted)
}

/// What [`Db::confirm_contact`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactConfirmed {
    Done,
    /// The code was used or voided meanwhile.
    CodeSpent,
    /// The application is not open any more.
    Closed,
}

impl Db {
    /// Opens an application for the corp unless one is open already; either way returns the
    /// open one and whether this call created it. Two admins at once get one.
    pub async fn open_application_for(
        &self,
        corp_id: &str,
        applicant_id: &str,
        step: ApplyStep,
        now: i64,
    ) -> Result<(ApplicationRow, bool)> {
        let mut tx = self.begin_locked().await?;
        let created = open(&mut tx, corp_id, applicant_id, step, now).await?;
        tx.commit().await?;
        let app = self
            .open_application(corp_id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        Ok((app, created))
    }

    /// 接管认证: the old application ends (its pending steps with it) and one opens for the new
    /// applicant, together. `None`: the old one was not open any more.
    pub async fn take_over(
        &self,
        old_id: &str,
        ended: Event<'_>,
        corp_id: &str,
        applicant_id: &str,
        step: ApplyStep,
        now: i64,
    ) -> Result<Option<(ApplicationRow, bool)>> {
        let mut tx = self.begin_locked().await?;
        let done = sqlx::query(
            "UPDATE applications SET outcome = 'cancelled', updated_at = $1
             WHERE id = $2 AND outcome = 'open'",
        )
        .bind(now)
        .bind(old_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        cancel_pending(&mut tx, old_id, Pending::All, now).await?;
        append_event(&mut tx, old_id, ended, now).await?;
        let created = open(&mut tx, corp_id, applicant_id, step, now).await?;
        self.commit_event(tx, old_id).await?;
        let app = self
            .open_application(corp_id)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        Ok(Some((app, created)))
    }

    /// A form step done: the application moves to `next` (when it moves) with the event.
    pub async fn advance(
        &self,
        app_id: &str,
        next: Option<ApplyStep>,
        event: Event<'_>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_locked().await?;
        if !set_step(&mut tx, app_id, next, now).await? {
            return Ok(false);
        }
        append_event(&mut tx, app_id, event, now).await?;
        self.commit_event(tx, app_id).await?;
        Ok(true)
    }

    /// 个人实名认证 passed: the person is stored and, for an application's step 1, the
    /// application moves on with the event — together.
    pub async fn save_real_name(
        &self,
        p: &NewVerifiedPerson<'_>,
        step: Option<(&str, Option<ApplyStep>, Event<'_>)>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_locked().await?;
        sqlx::query(
            "INSERT INTO verified_persons (identity, name, id_index, id_sealed, id_masked, verified_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (identity) DO NOTHING",
        )
        .bind(p.identity)
        .bind(p.name)
        .bind(p.id_index)
        .bind(p.id_sealed)
        .bind(p.id_masked)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // A real WeCom member was known only by a masked user id (WeCom gives no names):
        // from now on they are shown by the name they verified. Demo people keep theirs.
        sqlx::query("UPDATE members SET name = $1 WHERE id = $2 AND id LIKE '%/%'")
            .bind(p.name)
            .bind(p.identity)
            .execute(&mut *tx)
            .await?;
        match step {
            Some((app_id, next, event)) => {
                if !set_step(&mut tx, app_id, next, now).await? {
                    return Ok(false);
                }
                append_event(&mut tx, app_id, event, now).await?;
                self.commit_event(tx, app_id).await?;
            }
            None => tx.commit().await?,
        }
        Ok(true)
    }

    /// 确认联系方式: the code is used (once, even when two requests race), the number becomes
    /// the contact and the application moves on, together.
    #[allow(clippy::too_many_arguments)]
    pub async fn confirm_contact(
        &self,
        code_id: i64,
        app_id: &str,
        sealed: &str,
        masked: &str,
        next: Option<ApplyStep>,
        event: Event<'_>,
        now: i64,
    ) -> Result<ContactConfirmed> {
        let mut tx = self.begin_locked().await?;
        let used =
            sqlx::query("UPDATE sms_codes SET status = 'used' WHERE id = $1 AND status = 'live'")
                .bind(code_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if used != 1 {
            return Ok(ContactConfirmed::CodeSpent);
        }
        let saved = sqlx::query(
            "UPDATE applications SET contact_sealed = $1, contact_masked = $2,
             contact_verified_at = $3, updated_at = $4 WHERE id = $5 AND outcome = 'open'",
        )
        .bind(sealed)
        .bind(masked)
        .bind(now)
        .bind(now)
        .bind(app_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if saved != 1 || !set_step(&mut tx, app_id, next, now).await? {
            return Ok(ContactConfirmed::Closed);
        }
        append_event(&mut tx, app_id, event, now).await?;
        self.commit_event(tx, app_id).await?;
        Ok(ContactConfirmed::Done)
    }

    /// A face check started for the application, with its event.
    pub async fn start_face_check(
        &self,
        f: &NewFaceCheck<'_>,
        event: Option<Event<'_>>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin_locked().await?;
        sqlx::query(
            "INSERT INTO face_checks (biz_token, application_id, member_id, session_hash,
             subject_uscc, purpose, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(f.biz_token)
        .bind(f.application_id)
        .bind(f.member_id)
        .bind(f.session_hash)
        .bind(f.subject_uscc)
        .bind(f.purpose.key())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if let Some(event) = event {
            append_event(&mut tx, f.application_id, event, now).await?;
        }
        self.commit_event(tx, f.application_id).await?;
        Ok(())
    }

    /// 取消: a still-pending link is cancelled, with the event. False: it was not pending.
    pub async fn cancel_link(
        &self,
        app_id: &str,
        link_id: &str,
        event: Event<'_>,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.begin_locked().await?;
        let done = sqlx::query(
            "UPDATE sms_links SET status = 'cancelled', acted_at = $1
             WHERE id = $2 AND application_id = $3 AND status = 'pending'",
        )
        .bind(now)
        .bind(link_id)
        .bind(app_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        append_event(&mut tx, app_id, event, now).await?;
        self.commit_event(tx, app_id).await?;
        Ok(true)
    }

    /// 下一步 on 授权书: the submission goes in review with its event — unless one is in review
    /// already (`None`), checked in the same transaction.
    pub async fn submit_letter(
        &self,
        application_id: &str,
        upload_ids: &[String],
        due_date: &str,
        subject_uscc: &str,
        event: Event<'_>,
        now: i64,
    ) -> Result<Option<LetterRow>> {
        let mut tx = self.begin_locked().await?;
        let (in_review,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM letter_submissions WHERE application_id = $1 AND status = 'in_review'",
        )
        .bind(application_id)
        .fetch_one(&mut *tx)
        .await?;
        if in_review > 0 {
            return Ok(None);
        }
        let id = new_id();
        let ids = serde_json::to_string(upload_ids).unwrap_or_else(|_| "[]".to_owned());
        sqlx::query(
            "INSERT INTO letter_submissions (id, application_id, upload_ids, submitted_at,
             due_date, subject_uscc) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(application_id)
        .bind(&ids)
        .bind(now)
        .bind(due_date)
        .bind(subject_uscc)
        .execute(&mut *tx)
        .await?;
        append_event(&mut tx, application_id, event, now).await?;
        self.commit_event(tx, application_id).await?;
        Ok(Some(LetterRow {
            id,
            application_id: application_id.to_owned(),
            upload_ids: upload_ids.to_vec(),
            status: LetterState::InReview,
            submitted_at: now,
            due_date: due_date.to_owned(),
            reason: None,
            subject_uscc: Some(subject_uscc.to_owned()),
        }))
    }

    /// 确认开通: the agreement version accepted on this link, with the event.
    pub async fn accept_agreement_on(
        &self,
        app_id: &str,
        link_id: &str,
        version: &str,
        event: Event<'_>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin_locked().await?;
        sqlx::query("UPDATE sms_links SET agreement_version = $1, accepted_at = $2 WHERE id = $3")
            .bind(version)
            .bind(now)
            .bind(link_id)
            .execute(&mut *tx)
            .await?;
        append_event(&mut tx, app_id, event, now).await?;
        self.commit_event(tx, app_id).await?;
        Ok(())
    }

    /// 邀请企业员工: the invitations that went out, with one event for them.
    pub async fn record_invitations(
        &self,
        app_id: &str,
        sent: &[NewInvitation<'_>],
        event: Event<'_>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.begin_locked().await?;
        for i in sent {
            sqlx::query(
                "INSERT INTO invitations (corp_id, name, id_index, phone_index, phone_masked,
                 invited_by, sent_at, code_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(i.corp_id)
            .bind(i.name)
            .bind(i.id_index)
            .bind(i.phone_index)
            .bind(i.phone_masked)
            .bind(i.invited_by)
            .bind(now)
            .bind(super::token_hash(i.code))
            .execute(&mut *tx)
            .await?;
        }
        append_event(&mut tx, app_id, event, now).await?;
        self.commit_event(tx, app_id).await?;
        Ok(())
    }
}
