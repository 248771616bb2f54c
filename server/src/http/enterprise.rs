//! The verified enterprise: its success page (`GET /api/enterprise`) and, after scenario 2,
//! 邀请企业员工在企业微信使用 — an SMS to every employee with an e-sign account on the WeChat
//! side, at most three a day per number.

use api::validate::{mask_mobile, mask_name};
use api::wire::{
    EnterpriseView, ErrorBody, FaceOutcome, FaceResultRequest, FaceStart, InvitationResult,
    InvitedEmployee, Scenario,
};
use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::apply::china_day;
use super::entry::member_corp;
use super::error::{wait_text, Error};
use super::extract::{ApiJson, CurrentMember, SessionTag};
use super::member_face::{self, FaceOwner};
use super::{person, AppState};
use crate::providers::esign::EsignEnterprise;
use crate::providers::sms::SmsTemplate;
use crate::storage::{
    CorpRow, CurrentApplication, FacePurpose, MemberRow, NewFaceCheck, NewInvitation, Outcome,
    Settle,
};

/// Invitations one number may receive per day.
pub const MAX_INVITATIONS_PER_PHONE_PER_DAY: i64 = 3;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enterprise))
        .routes(routes!(invite))
        .routes(routes!(start_claim))
        .routes(routes!(claim_result))
}

/// Where FaceID sends the claiming super admin back (an app route).
pub const CLAIM_FACE_REDIRECT: &str = "/enterprise/face-return";

/// The super admin on record, signed in here, starts the face check that claims the role.
#[utoipa::path(post, path = "/api/enterprise/super-admin/face", tag = "enterprise",
    responses(
        (status = 200, description = "Go to `url`; it returns to /enterprise/face-return", body = FaceStart),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the super admin on record, or the role is taken", body = ErrorBody),
        (status = 404, description = "Not verified yet", body = ErrorBody),
        (status = 409, description = "个人实名认证 first (`code` = real_name_required)", body = ErrorBody),
        (status = 429, description = "Too many face checks today", body = ErrorBody),
        (status = 503, description = "The face service is unavailable", body = ErrorBody),
    ))]
pub async fn start_claim(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    SessionTag(session): SessionTag,
) -> Result<Json<FaceStart>, Error> {
    let (_, app) = verified(&state, &member).await?;
    let (person, id_number) = person::identity(&state, &member.id)
        .await?
        .ok_or(Error::RealNameRequired)?;
    if !claimable(&state, &member, &app).await? {
        return Err(Error::Forbidden(
            "您不是本企业记录的电子签超级管理员，或超级管理员已确认".to_owned(),
        ));
    }
    let (today, until_tomorrow) = china_day(state.clock.now());
    if state.db.failed_face_checks(&member.id, today).await? >= MAX_CLAIM_FACE_FAILURES {
        return Err(Error::RateLimited {
            message: format!(
                "今日人脸识别失败次数过多，请{}后再试",
                wait_text(until_tomorrow)
            ),
            retry_after_secs: until_tomorrow,
        });
    }
    let face = state
        .providers
        .face
        .detect_auth(&person.name, &id_number, CLAIM_FACE_REDIRECT)
        .await?;
    state
        .db
        .insert_face_check(
            &NewFaceCheck {
                biz_token: &face.biz_token,
                application_id: &app.id,
                member_id: &member.id,
                session_hash: session.as_deref().unwrap_or_default(),
                subject_uscc: None,
                purpose: FacePurpose::Claim,
            },
            state.clock.now(),
        )
        .await?;
    Ok(Json(FaceStart { url: face.url }))
}

/// Failed claim face checks a person may have in a day.
const MAX_CLAIM_FACE_FAILURES: i64 = 5;

/// Back from the claim's face check: on a pass the signed-in member is the super admin.
#[utoipa::path(post, path = "/api/enterprise/super-admin/face/result", tag = "enterprise",
    request_body = FaceResultRequest,
    responses(
        (status = 200, description = "Passed (now super admin) or failed (retry)", body = FaceOutcome),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 404, description = "No such face check for this person and session", body = ErrorBody),
        (status = 409, description = "Not finished yet, already used, or the role was taken meanwhile", body = ErrorBody),
        (status = 503, description = "The face service is unavailable", body = ErrorBody),
    ))]
pub async fn claim_result(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    SessionTag(session): SessionTag,
    ApiJson(req): ApiJson<FaceResultRequest>,
) -> Result<Json<FaceOutcome>, Error> {
    let (_, app) = verified(&state, &member).await?;
    let owner = FaceOwner {
        application_id: &app.id,
        member_id: &member.id,
        purpose: FacePurpose::Claim,
        session: &session,
    };
    let (check, info) = member_face::finished(&state, &req.biz_token, &owner).await?;
    let index = app.super_admin_index.clone().unwrap_or_default();
    let person = state.db.verified_person(&member.id).await?;
    let passed = info.err_code == 0
        && person.is_some_and(|p| p.name == info.name)
        && claimable(&state, &member, &app).await?;
    let now = state.clock.now();
    let face = Settle::Face {
        biz_token: &check.biz_token,
        passed,
    };
    if !state
        .db
        .claim_super_admin(&app.id, &member.id, &index, face, now)
        .await?
    {
        return Err(member_face::used());
    }
    let (today, _) = china_day(now);
    let failed = state.db.failed_face_checks(&member.id, today).await?;
    let left = (MAX_CLAIM_FACE_FAILURES - failed).max(0);
    Ok(Json(FaceOutcome {
        passed,
        message: match (passed, left) {
            (true, _) => "身份已确认，您已成为本企业的电子签超级管理员".to_owned(),
            (false, 0) => "人脸识别未通过，今日重试次数已用完，请明天再试".to_owned(),
            (false, n) => {
                format!("人脸识别未通过，请在光线充足处正对屏幕重试。今日还可重试{n}次")
            }
        },
        retries_left: u32::try_from(left).unwrap_or(0),
    }))
}

/// The member's corp and the application that verified it.
async fn verified(
    state: &AppState,
    member: &MemberRow,
) -> Result<(CorpRow, CurrentApplication), Error> {
    let corp = member_corp(state, member)
        .await?
        .ok_or_else(|| Error::Forbidden("工作人员账号不属于任何企业".to_owned()))?;
    let app = state
        .db
        .current_application(&corp.id)
        .await?
        .filter(|a| a.outcome == Outcome::Verified)
        .ok_or_else(|| Error::NotFound("企业尚未完成认证".to_owned()))?;
    Ok((corp, app))
}

/// May this member claim the super admin role? Scenario 2 opened from an SMS outside WeCom
/// knows its super admin only by the keyed hash of their ID number: the member whose own
/// real-name verification matches may claim it, with their own face check (a name and an ID
/// number alone are no proof of being that person).
pub(super) async fn claimable(
    state: &AppState,
    member: &MemberRow,
    app: &CurrentApplication,
) -> Result<bool, Error> {
    let (Outcome::Verified, None, Some(index)) =
        (app.outcome, &app.super_admin_id, &app.super_admin_index)
    else {
        return Ok(false);
    };
    Ok(state.db.verified_id_index(&member.id).await?.as_ref() == Some(index))
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
