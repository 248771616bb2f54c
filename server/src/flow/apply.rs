//! The application itself (scenario 1 and 2 alike): start it, resume it, withdraw it, take
//! it over; and `advance`, what every form step does once its own checks passed.

use api::validate::mask_name;
use api::wire::{ApplicationView, ApplyStep, RealNameRequest};

use super::access::{
    applicant, applicant_name, current_admin, refresh_admin, Applicant, ADMIN_STATUS_MAX_AGE_SECS,
};
use super::guard::Refusal;
use super::{person, view, Ctx, Error, Result};
use crate::providers::wecom::{user_id_of, AppMessage};
use crate::storage::{Event, MemberRow, Outcome};

/// Where the application goes once `done` is submitted: `None` when it stays (an earlier
/// step submitted again).
pub(super) fn next_after(a: &Applicant, done: ApplyStep) -> Result<Option<ApplyStep>> {
    super::check_scenario(a.app.scenario, done)?;
    let next = super::complete(a.app.step, done)?;
    Ok((next != a.app.step).then_some(next))
}

/// Moves the application past `done` and records it on the timeline, in one transaction.
pub(super) async fn advance(
    cx: &Ctx<'_>,
    a: &mut Applicant,
    done: ApplyStep,
    kind: &str,
    detail: Option<&str>,
) -> Result<()> {
    let next = next_after(a, done)?;
    let event = Event {
        actor_id: Some(&a.member.id),
        kind,
        detail,
    };
    if !cx.db.advance(&a.app.id, next, event, cx.now()).await? {
        return Err(Refusal::Closed.into());
    }
    if let Some(step) = next {
        a.app.step = step;
    }
    Ok(())
}

/// The corp's application, for the admin who started it: where to resume, and what each step
/// already holds (masked).
pub async fn current(cx: &Ctx<'_>, member: MemberRow) -> Result<ApplicationView> {
    // The waiting pages poll this: no WeCom call each time, one query.
    let member = refresh_admin(cx, member, ADMIN_STATUS_MAX_AGE_SECS).await?;
    view::for_member(cx, member).await
}

/// 去认证: starts the corp's application, or resumes the caller's own. Exactly one application
/// is open per corp, even when two admins start at the same moment.
/// Returns the view and whether it was created now (false: resumed).
pub async fn start(cx: &Ctx<'_>, member: MemberRow) -> Result<(ApplicationView, bool)> {
    let (member, corp) = current_admin(cx, member).await?;
    if let Some(current) = cx.db.current_application(&corp.id).await? {
        if current.outcome == Outcome::Verified {
            return Err(Error::Conflict("企业已完成认证，无需再次认证".to_owned()));
        }
    }
    let verified = cx.db.verified_person(&member.id).await?.is_some();
    let (app, created) = cx
        .db
        .open_application_for(&corp.id, &member.id, super::start(verified), cx.now())
        .await?;
    if app.applicant_id != member.id {
        let who = mask_name(&applicant_name(cx, &app).await?);
        return Err(Error::Conflict(format!(
            "{who}已在进行企业认证，请等待其完成"
        )));
    }
    let a = Applicant { member, corp, app };
    Ok((view::of(cx, &a).await?, created))
}

/// 撤销认证: the applicant withdraws the application. Its pending links and letters stop
/// working, and any admin may start again.
pub async fn withdraw(cx: &Ctx<'_>, member: MemberRow) -> Result<()> {
    let a = applicant(cx, member).await?;
    let event = Event {
        actor_id: Some(&a.member.id),
        kind: "withdrawn",
        detail: None,
    };
    if !cx
        .db
        .end_application(&a.app.id, event, cx.clock.now())
        .await?
    {
        return Err(Error::NotFound("尚未发起企业认证".to_owned()));
    }
    Ok(())
}

/// 接管认证: another admin of the corp takes over an application that sat untouched for 30
/// days. The old one ends (recorded on its timeline), a new one starts for the caller.
pub async fn take_over(cx: &Ctx<'_>, member: MemberRow) -> Result<ApplicationView> {
    let (member, corp) = current_admin(cx, member).await?;
    let old = cx
        .db
        .open_application(&corp.id)
        .await?
        .ok_or_else(|| Error::NotFound("尚未发起企业认证".to_owned()))?;
    if old.applicant_id == member.id {
        return Err(Error::Conflict(
            "这是您发起的企业认证，请直接继续".to_owned(),
        ));
    }
    let now = cx.clock.now();
    let last = cx.db.last_activity(&old.id).await?;
    if !super::may_take_over(last, now) {
        let days = (last + super::TAKEOVER_AFTER_SECS - now + 86_399) / 86_400;
        let who = mask_name(&applicant_name(cx, &old).await?);
        return Err(Error::Conflict(format!(
            "{who}正在进行企业认证，{days}天内无进展后方可接管"
        )));
    }
    let who = mask_name(&applicant_name(cx, &old).await?);
    let event = Event {
        actor_id: Some(&member.id),
        kind: "taken_over",
        detail: Some(&who),
    };
    let verified = cx.db.verified_person(&member.id).await?.is_some();
    // The old one ends and the new one starts in one transaction: no moment without either.
    let (app, _) = cx
        .db
        .take_over(
            &old.id,
            event,
            &corp.id,
            &member.id,
            super::start(verified),
            now,
        )
        .await?
        .ok_or_else(|| Error::Conflict("该企业认证刚刚有了新进展，请刷新后重试".to_owned()))?;
    if app.applicant_id != member.id {
        return Err(Error::Conflict(
            "其他管理员刚刚发起了企业认证，请稍后再试".to_owned(),
        ));
    }
    let message = AppMessage {
        text: format!(
            "您发起的企业认证已超过30天无进展，已由管理员{}接管。",
            cx.providers
                .wecom
                .name_in_message(&member.id, &mask_name(&member.name))
        ),
        link: Some(cx.absolute("/")),
    };
    if let Err(e) = cx
        .providers
        .wecom
        .send(&corp.id, user_id_of(&old.applicant_id), &message)
        .await
    {
        // The takeover stands; the old applicant's 首页 shows who verifies now.
        tracing::warn!(error = %e, "takeover: the WeCom message to the old applicant failed");
    }
    let a = Applicant { member, corp, app };
    view::of(cx, &a).await
}

/// Checks the applicant's name and ID number. A person verified before (in any corp) is not
/// asked again: the step is simply completed.
pub async fn submit_real_name(
    cx: &Ctx<'_>,
    member: MemberRow,
    req: &RealNameRequest,
) -> Result<ApplicationView> {
    let a = applicant(cx, member).await?;
    if cx.db.verified_person(&a.member.id).await?.is_none() {
        let passed = person::verify(cx, &a.member, req, |_, _| Ok(())).await?;
        let p = passed.person();
        let detail = format!("{} {}", p.name, p.id_masked);
        let event = Event {
            actor_id: Some(&a.member.id),
            kind: "real_name_verified",
            detail: Some(&detail),
        };
        let next = next_after(&a, ApplyStep::RealName)?;
        let step = Some((a.app.id.as_str(), next, event));
        if !cx.db.save_real_name(&passed.row(), step, passed.at).await? {
            return Err(Refusal::Closed.into());
        }
    } else if a.app.step == ApplyStep::RealName {
        let mut a = a;
        advance(cx, &mut a, ApplyStep::RealName, "real_name_reused", None).await?;
        return view::of(cx, &a).await;
    }
    view::of(cx, &a).await
}
