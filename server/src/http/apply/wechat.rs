//! 关联微信账户 (scenario 2), the applicant's side: find the enterprise already opened on the
//! WeChat side and link it, then 短信通知超级管理员 — or, when the applicant is that super admin,
//! activate directly. The super admin's side (`/activate/<token>`) is `http::activate`.

use api::validate::{mask_mobile, mask_name, uscc};
use api::wire::{
    ActivationStart, ApplicationView, ErrorBody, OpenedEnterprise, SmsLinkView, WechatEnterprise,
    WechatLinkRequest, WechatLinkView,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use super::legal_rep::{new_token, view_of};
use super::{admin_corp, applicant, applicant_name, view, Applicant};
use crate::flow::{self, link::LinkPurpose};
use crate::http::entry::{member_corp, refresh_admin};
use crate::http::error::Error;
use crate::http::extract::{ApiJson, ClientIp, CurrentMember};
use crate::http::{links, person, AppState};
use crate::providers::esign::EsignEnterprise;
use crate::providers::sms::SmsTemplate;
use crate::storage::{NewLink, Outcome, WechatLinkRow};

/// SMS to the super admin per application and day.
pub const MAX_NOTICES_PER_DAY: i64 = 10;

/// What the applicant may see of the WeChat-side enterprise: its super admin only masked.
pub(in crate::http) fn public(e: &EsignEnterprise) -> WechatEnterprise {
    WechatEnterprise {
        name: e.name.clone(),
        uscc: e.uscc.clone(),
        super_admin_name: mask_name(&e.super_admin.name),
        super_admin_phone: mask_mobile(&e.super_admin.mobile),
    }
}

/// 电子签服务已开通? The enterprise with this code, if opened on the WeChat side: its name
/// only, never its people.
pub(in crate::http) async fn opened(
    state: &AppState,
    code: &str,
) -> Result<Option<OpenedEnterprise>, Error> {
    Ok(state
        .providers
        .wechat_esign
        .by_uscc(code)
        .await?
        .map(|e| OpenedEnterprise {
            name: e.name,
            uscc: e.uscc,
        }))
}

/// The linked enterprise as the WeChat side knows it now, and whether the signed-in applicant
/// is its super admin.
async fn linked(state: &AppState, a: &Applicant) -> Result<(EsignEnterprise, bool), Error> {
    let link = state
        .db
        .wechat_link(&a.app.id)
        .await?
        .ok_or_else(|| Error::Conflict("请先关联微信账户".to_owned()))?;
    let e = state
        .providers
        .wechat_esign
        .by_uscc(&link.uscc)
        .await?
        .ok_or_else(|| {
            Error::Conflict("未查询到该企业的微信端电子签账号，请重新关联微信账户".to_owned())
        })?;
    let is_super = person::identity(state, &a.member.id)
        .await?
        .is_some_and(|(p, id)| e.super_admin.is(&p.name, id.as_str()));
    Ok((e, is_super))
}

/// The link for `GET /api/application`, in scenario 2.
pub(super) async fn link_view(
    state: &AppState,
    a: &Applicant,
) -> Result<Option<WechatLinkView>, Error> {
    if a.app.scenario != api::wire::Scenario::Wechat {
        return Ok(None);
    }
    let (e, applicant_is_super_admin) = linked(state, a).await?;
    let now = state.clock.now();
    let notice = state
        .db
        .latest_link(&a.app.id, LinkPurpose::ActivationSms)
        .await?
        .map(|r| view_of(&r, now));
    Ok(Some(WechatLinkView {
        enterprise: public(&e),
        applicant_is_super_admin,
        notice,
    }))
}

/// 关联微信账户: finds the WeChat-side enterprise by 统一社会信用代码, or else among the verified
/// person's memberships there, and links the application to it (starting one for a super admin
/// who is not a WeCom admin). Personal real-name verification must come first.
#[utoipa::path(post, path = "/api/application/wechat", tag = "apply",
    request_body = WechatLinkRequest,
    responses(
        (status = 200, description = "Linked: 电子签服务已开通", body = ApplicationView),
        (status = 201, description = "Linked, in a new application (a super admin starting)", body = ApplicationView),
        (status = 400, description = "Not a valid 统一社会信用代码 (`field` = uscc)", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Neither a WeCom admin nor the WeChat-side super admin", body = ErrorBody),
        (status = 404, description = "No enterprise opened on the WeChat side was found: follow scenario 1", body = ErrorBody),
        (status = 409, description = "Real-name verification first (`code` = real_name_required); another person's application; already verified; or linked to another corp", body = ErrorBody),
    ))]
pub async fn link(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    ApiJson(req): ApiJson<WechatLinkRequest>,
) -> Result<(StatusCode, Json<ApplicationView>), Error> {
    let member = refresh_admin(&state, member, 0).await?;
    let corp = match member_corp(&state, &member).await? {
        Some(c) if c.auth_mode == api::wire::AuthMode::Admin => c,
        // Staff, and corps installed with 成员授权, get the same refusal as 去认证.
        _ => admin_corp(&state, &member).await?,
    };
    if let Some(current) = state.db.current_application(&corp.id).await? {
        if current.outcome == Outcome::Verified {
            return Err(Error::Conflict("企业已完成认证，无需再次认证".to_owned()));
        }
    }
    let existing = state.db.open_application(&corp.id).await?;
    if let Some(app) = existing.as_ref().filter(|a| a.applicant_id != member.id) {
        let who = mask_name(&applicant_name(&state, app).await?);
        return Err(Error::Conflict(format!(
            "{who}已在进行企业认证，请等待其完成"
        )));
    }
    let (person, id_number) = person::identity(&state, &member.id)
        .await?
        .ok_or(Error::RealNameRequired)?;
    let code = req.uscc.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let found = match code {
        Some(c) => {
            let c = uscc(c).map_err(|e| Error::bad_field("uscc", e.message()))?;
            state.providers.wechat_esign.by_uscc(&c).await?
        }
        None => state
            .providers
            .wechat_esign
            .memberships(&person.name, &id_number)
            .await?
            .into_iter()
            .next(),
    };
    let e = found.ok_or_else(|| {
        Error::NotFound(
            "未查询到已开通腾讯电子签微信端服务的企业，说明企业尚未在微信端开通，请按全新未认证企业的方式上传证照完成认证"
                .to_owned(),
        )
    })?;
    let is_super = e.super_admin.is(&person.name, &id_number);
    if !member.is_wecom_admin && !is_super {
        return Err(Error::Forbidden(
            "仅企业微信管理员或微信端电子签超级管理员可以关联微信账户，您可以通知企微管理员"
                .to_owned(),
        ));
    }
    if state.db.wechat_linked_elsewhere(&e.uscc, &corp.id).await? {
        return Err(Error::Conflict(format!(
            "{}的电子签账号已关联其他企业微信，无法重复关联",
            e.name
        )));
    }
    let now = state.clock.now();
    let (app, created) = match existing {
        Some(app) => (app, false),
        None => {
            let (app, created) = state
                .db
                .start_application(&corp.id, &member.id, flow::start(true), now)
                .await?;
            if app.applicant_id != member.id {
                return Err(Error::Conflict(
                    "其他管理员刚刚发起了企业认证，请稍后再试".to_owned(),
                ));
            }
            (app, created)
        }
    };
    flow::may_link_wechat(app.step)?;
    state
        .db
        .link_wechat(
            &app.id,
            &WechatLinkRow {
                uscc: e.uscc.clone(),
                enterprise: e.name.clone(),
            },
            now,
        )
        .await?;
    let detail = format!("{} {}", e.name, e.uscc);
    state
        .db
        .append_event(
            &app.id,
            Some(&member.id),
            "wechat_linked",
            Some(&detail),
            now,
        )
        .await?;
    let a = applicant(&state, member).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view(&state, &a).await?)))
}

/// Back to 上传证照 (scenario 1): the link is dropped and any activation link stops working.
#[utoipa::path(delete, path = "/api/application/wechat", tag = "apply",
    responses(
        (status = 200, description = "Back in scenario 1", body = ApplicationView),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant, or not a WeCom admin (scenario 1 needs one)", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
    ))]
pub async fn unlink(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Json<ApplicationView>, Error> {
    let mut a = applicant(&state, member).await?;
    if !a.member.is_wecom_admin {
        return Err(Error::Forbidden(
            "全新企业认证需由企业微信管理员发起，您可以通知企微管理员".to_owned(),
        ));
    }
    let now = state.clock.now();
    state.db.unlink_wechat(&a.app.id, now).await?;
    state
        .db
        .append_event(&a.app.id, Some(&a.member.id), "wechat_unlinked", None, now)
        .await?;
    a.app.scenario = api::wire::Scenario::New;
    Ok(Json(view(&state, &a).await?))
}

/// 短信通知超级管理员 → 确定: sends the super admin on record an SMS with a one-time activation
/// link (24 h). Again after a minute; a newer SMS replaces the older link.
#[utoipa::path(post, path = "/api/application/super-admin", tag = "apply",
    responses(
        (status = 200, description = "Sent; the applicant's page now waits", body = SmsLinkView),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant, or the applicant is the super admin (activate directly)", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "Not linked to a WeChat-side enterprise", body = ErrorBody),
        (status = 429, description = "Within a minute of the last SMS, or the daily cap", body = ErrorBody),
        (status = 503, description = "The SMS service is unavailable", body = ErrorBody),
    ))]
pub async fn notify_super_admin(
    State(state): State<AppState>,
    ip: ClientIp,
    CurrentMember(member): CurrentMember,
) -> Result<Json<SmsLinkView>, Error> {
    let a = applicant(&state, member).await?;
    let (e, is_super) = linked(&state, &a).await?;
    if is_super {
        return Err(Error::Forbidden(
            "您是该企业的电子签超级管理员，请直接确认开通".to_owned(),
        ));
    }
    let now = state.clock.now();
    let token = new_token();
    let phone = &e.super_admin.mobile;
    let masked = mask_mobile(phone);
    let new = NewLink {
        application_id: &a.app.id,
        purpose: LinkPurpose::ActivationSms,
        token: &token,
        phone_sealed: &state.vault.seal(phone),
        phone_masked: &masked,
        subject_uscc: &e.uscc,
    };
    let row = links::record_send(&state, ip, &new, now, MAX_NOTICES_PER_DAY, "超级管理员").await?;
    let template = SmsTemplate::SuperAdminActivation {
        enterprise: e.name.clone(),
        applicant: mask_name(&a.member.name),
        link: format!("/activate/{token}"),
    };
    state.providers.sms.send(phone, &template).await?;
    state
        .db
        .append_event(
            &a.app.id,
            Some(&a.member.id),
            "super_admin_notified",
            Some(&masked),
            now,
        )
        .await?;
    Ok(Json(view_of(&row, now)))
}

/// The applicant is the super admin: opens the activation page for them, with no SMS.
#[utoipa::path(post, path = "/api/application/activation", tag = "apply",
    responses(
        (status = 200, description = "Open `path` to read the agreement and 确认开通", body = ActivationStart),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant, or not the super admin (短信通知超级管理员 instead)", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "Not linked to a WeChat-side enterprise", body = ErrorBody),
    ))]
pub async fn activate_directly(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Json<ActivationStart>, Error> {
    let a = applicant(&state, member).await?;
    let (e, is_super) = linked(&state, &a).await?;
    if !is_super {
        return Err(Error::Forbidden(
            "您不是该企业的电子签超级管理员，请短信通知超级管理员开通".to_owned(),
        ));
    }
    let now = state.clock.now();
    let token = new_token();
    let phone = &e.super_admin.mobile;
    let new = NewLink {
        application_id: &a.app.id,
        purpose: LinkPurpose::ActivationDirect,
        token: &token,
        phone_sealed: &state.vault.seal(phone),
        phone_masked: &mask_mobile(phone),
        subject_uscc: &e.uscc,
    };
    state.db.insert_link(&new, now).await?;
    Ok(Json(ActivationStart {
        path: format!("/activate/{token}"),
    }))
}
