//! 关联微信账户 (scenario 2), the applicant's side: find the enterprise already opened on the
//! WeChat side and link it, then 短信通知超级管理员 — or, when the applicant is that super admin,
//! activate directly. The super admin's side (`/activate/<token>`) is `http::activate`.

use api::wire::{ActivationStart, ApplicationView, ErrorBody, SmsLinkView, WechatLinkRequest};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;

use crate::flow;
use crate::http::error::Error;
use crate::http::extract::{ApiJson, ClientIp, CurrentMember};
use crate::http::AppState;

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
    let (view, created) = flow::wechat::link(&state.ctx(), member, req).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)))
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
    Ok(Json(flow::wechat::unlink(&state.ctx(), member).await?))
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
    Ok(Json(
        flow::wechat::notify_super_admin(&state.ctx(), &ip.key(), member).await?,
    ))
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
    Ok(Json(
        flow::wechat::activate_directly(&state.ctx(), member).await?,
    ))
}
