//! 短信通知法人 (step 4, path 2), the applicant's side: send the SMS with its one-time link,
//! send it again (after a minute, to the same or another number), or withdraw it. The
//! legal representative's side is [`super::legal_rep_link`].

use api::validate::{mask_mobile, mask_name, mobile};
use api::wire::{ApplyStep, AuthorizePath, LegalRepNotifyRequest, SmsLinkView};

use super::access::scenario_one;
use super::link::{LinkPurpose, LinkStatus};
use super::{authorize, links, view, Ctx, Error, Result};
use crate::crypto::new_short_code;
use crate::providers::sms::SmsTemplate;
use crate::storage::{Event, MemberRow, NewLink};

/// SMS to legal representatives per application and day.
pub const MAX_PER_DAY: i64 = 10;

/// 短信通知法人 → 确认: sends the legal representative an SMS with a one-time link (24 h).
/// A newer SMS makes every earlier link stop working.
pub async fn notify(
    cx: &Ctx<'_>,
    ip: &str,
    member: MemberRow,
    req: LegalRepNotifyRequest,
) -> Result<SmsLinkView> {
    let a = scenario_one(cx, member, ApplyStep::Authorize).await?;
    authorize::require(cx, &a, AuthorizePath::NotifyLegalRep).await?;
    let phone = mobile(&req.phone).map_err(|e| Error::bad_field("phone", e.message()))?;
    let subject = a
        .app
        .uscc
        .clone()
        .ok_or_else(|| Error::Conflict("请先完成前面的认证步骤".to_owned()))?;
    let now = cx.clock.now();
    let token = new_short_code();
    let masked = mask_mobile(&phone);
    let new = NewLink {
        application_id: &a.app.id,
        purpose: LinkPurpose::LegalRep,
        token: &token,
        phone_sealed: &cx.vault.seal(&phone),
        phone_masked: &masked,
        subject_uscc: &subject,
    };
    let event = Event {
        actor_id: Some(&a.member.id),
        kind: "legal_rep_notified",
        detail: Some(&masked),
    };
    let row = links::record_send(cx, ip, &new, event, now, MAX_PER_DAY, "法人").await?;
    let enterprise = a
        .app
        .license()
        .map_or_else(|| a.corp.name.clone(), |l| l.name.value);
    let template = SmsTemplate::LegalRepAuthorization {
        enterprise,
        applicant: mask_name(&a.member.name),
        link: cx.sms_link(format!("/legal-rep/{token}"), &token),
    };
    cx.providers.sms.send(&phone, &template).await?;
    Ok(view::sms_link(&row.phone_masked, &row.link, now))
}

/// 取消: withdraws the live link; the legal representative's page then says so.
pub async fn cancel(cx: &Ctx<'_>, member: MemberRow) -> Result<SmsLinkView> {
    let a = scenario_one(cx, member, ApplyStep::Authorize).await?;
    let now = cx.clock.now();
    let nothing = || Error::Conflict("没有可取消的授权请求".to_owned());
    let mut row = cx
        .db
        .latest_link(&a.app.id, LinkPurpose::LegalRep)
        .await?
        .ok_or_else(nothing)?;
    let next = row.link.cancel(now).map_err(|_| nothing())?;
    debug_assert_eq!(next, LinkStatus::Cancelled);
    let event = Event {
        actor_id: Some(&a.member.id),
        kind: "legal_rep_cancelled",
        detail: Some(&row.phone_masked),
    };
    if !cx.db.cancel_link(&a.app.id, &row.id, event, now).await? {
        return Err(nothing());
    }
    row.link.status = next;
    Ok(view::sms_link(&row.phone_masked, &row.link, now))
}
