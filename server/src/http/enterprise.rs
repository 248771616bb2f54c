//! The verified enterprise: its success page (`GET /api/enterprise`) and, after scenario 2,
//! 邀请企业员工在企业微信使用 — an SMS to every employee with an e-sign account on the WeChat
//! side, at most three a day per number.

use api::validate::{mask_mobile, mask_name};
use api::wire::{EnterpriseView, ErrorBody, InvitationResult, InvitedEmployee, Scenario};
use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::apply::china_day;
use super::entry::member_corp;
use super::error::{wait_text, Error};
use super::extract::CurrentMember;
use super::AppState;
use crate::providers::esign::EsignEnterprise;
use crate::providers::sms::SmsTemplate;
use crate::storage::{CorpRow, CurrentApplication, MemberRow, NewInvitation, Outcome};

/// Invitations one number may receive per day.
pub const MAX_INVITATIONS_PER_PHONE_PER_DAY: i64 = 3;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enterprise))
        .routes(routes!(invite))
}

/// The member's corp and the application that verified it.
async fn verified(
    state: &AppState,
    member: &MemberRow,
) -> Result<(CorpRow, CurrentApplication), Error> {
    let corp = member_corp(state, member)
        .await?
        .ok_or_else(|| Error::Forbidden("工作人员账号不属于任何企业".to_owned()))?;
    let mut app = state
        .db
        .current_application(&corp.id)
        .await?
        .filter(|a| a.outcome == Outcome::Verified)
        .ok_or_else(|| Error::NotFound("企业尚未完成认证".to_owned()))?;
    claim(state, member, &mut app).await?;
    Ok((corp, app))
}

/// A scenario 2 enterprise opened from an SMS outside WeCom knows its super admin only by
/// their ID number: the member whose own real-name verification matches is recorded as super
/// admin, once.
pub(super) async fn claim(
    state: &AppState,
    member: &MemberRow,
    app: &mut CurrentApplication,
) -> Result<(), Error> {
    let (None, Some(index)) = (&app.super_admin_id, &app.super_admin_index) else {
        return Ok(());
    };
    let mine = state.db.verified_id_index(&member.id).await?;
    if mine.as_ref() == Some(index)
        && state
            .db
            .claim_super_admin(&app.id, &member.id, index)
            .await?
    {
        app.super_admin_id = Some(member.id.clone());
    }
    Ok(())
}

/// The WeChat-side enterprise a scenario 2 application opened.
async fn wechat_enterprise(
    state: &AppState,
    app: &CurrentApplication,
) -> Result<Option<EsignEnterprise>, Error> {
    if app.scenario != Scenario::Wechat {
        return Ok(None);
    }
    let Some(link) = state.db.wechat_link(&app.id).await? else {
        return Ok(None);
    };
    Ok(state.providers.wechat_esign.by_uscc(&link.uscc).await?)
}

/// The verified enterprise, as its success page shows it.
#[utoipa::path(get, path = "/api/enterprise", tag = "enterprise",
    responses(
        (status = 200, description = "The verified enterprise", body = EnterpriseView),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Staff belong to no corp", body = ErrorBody),
        (status = 404, description = "Not verified yet", body = ErrorBody),
    ))]
pub async fn enterprise(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Json<EnterpriseView>, Error> {
    let (corp, app) = verified(&state, &member).await?;
    let wechat = wechat_enterprise(&state, &app).await?;
    let you_are_super_admin = app.super_admin_id.as_deref() == Some(member.id.as_str());
    let super_admin_name = match (&app.super_admin_id, &wechat) {
        (Some(_), _) if you_are_super_admin => Some(member.name.clone()),
        (Some(id), _) => state.db.member(id).await?.map(|m| mask_name(&m.name)),
        (None, Some(e)) => Some(mask_name(&e.super_admin.name)),
        (None, None) => None,
    };
    Ok(Json(EnterpriseView {
        name: wechat.as_ref().map_or(corp.name, |e| e.name.clone()),
        scenario: app.scenario,
        verified_at: app.finished_at.unwrap_or(app.created_at),
        super_admin_name,
        you_are_super_admin,
        invitable: wechat.map_or(0, |e| e.employees.len() as u32),
    }))
}

/// 邀请企业员工在企业微信使用 → 确定: by the super admin, after scenario 2. Numbers already
/// invited three times today are skipped; when all are, the answer is 429.
#[utoipa::path(post, path = "/api/enterprise/invitations", tag = "enterprise",
    responses(
        (status = 200, description = "Who was invited, and who was skipped (daily cap)", body = InvitationResult),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the enterprise's super admin", body = ErrorBody),
        (status = 404, description = "Not verified yet", body = ErrorBody),
        (status = 409, description = "Not opened from the WeChat side, or nobody to invite", body = ErrorBody),
        (status = 429, description = "Every number reached 3 invitations today", body = ErrorBody),
        (status = 503, description = "The SMS service is unavailable", body = ErrorBody),
    ))]
pub async fn invite(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Json<InvitationResult>, Error> {
    let (corp, app) = verified(&state, &member).await?;
    if app.super_admin_id.as_deref() != Some(member.id.as_str()) {
        return Err(Error::Forbidden("仅企业超级管理员可以邀请员工".to_owned()));
    }
    let e = wechat_enterprise(&state, &app).await?.ok_or_else(|| {
        Error::Conflict("仅已开通微信端腾讯电子签的企业可以邀请已有账号的员工".to_owned())
    })?;
    if e.employees.is_empty() {
        return Err(Error::Conflict(
            "企业内暂无已开通腾讯电子签账号的员工".to_owned(),
        ));
    }
    let now = state.clock.now();
    let (today, until_tomorrow) = china_day(now);
    let mut result = InvitationResult {
        invited: Vec::new(),
        skipped: Vec::new(),
    };
    for p in &e.employees {
        let shown = InvitedEmployee {
            name: mask_name(&p.name),
            phone: mask_mobile(&p.mobile),
        };
        let phone_index = state.vault.blind_index(&p.mobile);
        if state.db.invitations_to(&phone_index, today).await? >= MAX_INVITATIONS_PER_PHONE_PER_DAY
        {
            result.skipped.push(shown);
            continue;
        }
        let template = SmsTemplate::EmployeeInvitation {
            enterprise: e.name.clone(),
            link: "/".to_owned(),
        };
        state.providers.sms.send(&p.mobile, &template).await?;
        state
            .db
            .record_invitation(
                &NewInvitation {
                    corp_id: &corp.id,
                    name: &p.name,
                    id_index: &state.vault.blind_index(&p.id_number),
                    phone_index: &phone_index,
                    phone_masked: &shown.phone,
                    invited_by: &member.id,
                },
                now,
            )
            .await?;
        result.invited.push(shown);
    }
    if result.invited.is_empty() {
        return Err(Error::RateLimited {
            message: format!(
                "每个手机号每天最多接收{MAX_INVITATIONS_PER_PHONE_PER_DAY}次邀请，今日已达上限，请{}后再试",
                wait_text(until_tomorrow)
            ),
            retry_after_secs: until_tomorrow,
        });
    }
    let detail = format!("{}人", result.invited.len());
    state
        .db
        .append_event(
            &app.id,
            Some(&member.id),
            "employees_invited",
            Some(&detail),
            now,
        )
        .await?;
    Ok(Json(result))
}
