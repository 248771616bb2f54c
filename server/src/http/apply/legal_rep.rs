//! 短信通知法人 (step 4, path 2), the applicant's side: send the SMS with its one-time link,
//! send it again (after a minute, to the same or another number), or withdraw it. The
//! legal representative's side is `http::legal_rep`.

use api::validate::{mask_mobile, mask_name, mobile};
use api::wire::ApplyStep;
use api::wire::{AuthorizePath, ErrorBody, LegalRepNotifyRequest, SmsLinkStatus, SmsLinkView};
use axum::extract::State;
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

use super::authorize;
use super::{scenario_one, Applicant};
use crate::flow::link::{LinkPurpose, LinkStatus, LINK_TTL_SECS};
use crate::http::error::Error;
use crate::http::extract::{ApiJson, ClientIp, CurrentMember};
use crate::http::{links, AppState};
use crate::providers::sms::SmsTemplate;
use crate::storage::{LinkRow, NewLink};

/// SMS to legal representatives per application and day.
pub const MAX_PER_DAY: i64 = 10;

fn status(s: LinkStatus) -> SmsLinkStatus {
    match s {
        LinkStatus::Pending => SmsLinkStatus::Pending,
        LinkStatus::Approved => SmsLinkStatus::Approved,
        LinkStatus::Declined => SmsLinkStatus::Declined,
        LinkStatus::Cancelled => SmsLinkStatus::Cancelled,
        LinkStatus::Superseded => SmsLinkStatus::Superseded,
    }
}

pub(super) fn view_of(row: &LinkRow, now: i64) -> SmsLinkView {
    SmsLinkView {
        phone_masked: row.phone_masked.clone(),
        sent_at: row.link.sent_at,
        status: status(row.link.status),
        expires_at: row.link.sent_at + LINK_TTL_SECS,
        resend_in_secs: row.link.resend_wait(now),
    }
}

/// The newest link, for `GET /api/application`.
pub(super) async fn request_view(
    state: &AppState,
    a: &Applicant,
) -> Result<Option<SmsLinkView>, Error> {
    let now = state.clock.now();
    Ok(state
        .db
        .latest_link(&a.app.id, LinkPurpose::LegalRep)
        .await?
        .map(|r| view_of(&r, now)))
}

/// A token nobody can guess: 32 random bytes, URL-safe.
pub(in crate::http) fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// 短信通知法人 → 确认: sends the legal representative an SMS with a one-time link (24 h).
/// A newer SMS makes every earlier link stop working.
#[utoipa::path(post, path = "/api/application/legal-rep", tag = "apply",
    request_body = LegalRepNotifyRequest,
    responses(
        (status = 200, description = "Sent; the applicant's page now waits", body = SmsLinkView),
        (status = 400, description = "Not a mainland mobile number (`field` = phone)", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant, or another path applies", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "The earlier steps are not done", body = ErrorBody),
        (status = 429, description = "Within a minute of the last SMS, or the daily cap", body = ErrorBody),
        (status = 503, description = "The SMS service is unavailable", body = ErrorBody),
    ))]
pub async fn notify(
    State(state): State<AppState>,
    ip: ClientIp,
    CurrentMember(member): CurrentMember,
    ApiJson(req): ApiJson<LegalRepNotifyRequest>,
) -> Result<Json<SmsLinkView>, Error> {
    let a = scenario_one(&state, member, ApplyStep::Authorize).await?;
    authorize::require(&state, &a, AuthorizePath::NotifyLegalRep).await?;
    let phone = mobile(&req.phone).map_err(|e| Error::bad_field("phone", e.message()))?;
    let subject = a
        .app
        .uscc
        .clone()
        .ok_or_else(|| Error::Conflict("请先完成前面的认证步骤".to_owned()))?;
    let now = state.clock.now();
    let token = new_token();
    let masked = mask_mobile(&phone);
    let new = NewLink {
        application_id: &a.app.id,
        purpose: LinkPurpose::LegalRep,
        token: &token,
        phone_sealed: &state.vault.seal(&phone),
        phone_masked: &masked,
        subject_uscc: &subject,
    };
    let row = links::record_send(&state, ip, &new, now, MAX_PER_DAY, "法人").await?;
    let enterprise = a
        .app
        .license()
        .map_or_else(|| a.corp.name.clone(), |l| l.name.value);
    let template = SmsTemplate::LegalRepAuthorization {
        enterprise,
        applicant: mask_name(&a.member.name),
        link: format!("/legal-rep/{token}"),
    };
    state.providers.sms.send(&phone, &template).await?;
    state
        .db
        .append_event(
            &a.app.id,
            Some(&a.member.id),
            "legal_rep_notified",
            Some(&masked),
            now,
        )
        .await?;
    Ok(Json(view_of(&row, now)))
}

/// 取消: withdraws the live link; the legal representative's page then says so.
#[utoipa::path(delete, path = "/api/application/legal-rep", tag = "apply",
    responses(
        (status = 200, description = "Withdrawn", body = SmsLinkView),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "No live link to withdraw (never sent, decided, expired or withdrawn)", body = ErrorBody),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Json<SmsLinkView>, Error> {
    let a = scenario_one(&state, member, ApplyStep::Authorize).await?;
    let now = state.clock.now();
    let nothing = || Error::Conflict("没有可取消的授权请求".to_owned());
    let mut row = state
        .db
        .latest_link(&a.app.id, LinkPurpose::LegalRep)
        .await?
        .ok_or_else(nothing)?;
    let next = row.link.cancel(now).map_err(|_| nothing())?;
    if !state.db.settle_link(&row.id, next, now).await? {
        return Err(nothing());
    }
    row.link.status = next;
    state
        .db
        .append_event(
            &a.app.id,
            Some(&a.member.id),
            "legal_rep_cancelled",
            Some(&row.phone_masked),
            now,
        )
        .await?;
    Ok(Json(view_of(&row, now)))
}
