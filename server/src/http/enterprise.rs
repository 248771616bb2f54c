//! The verified enterprise: its success page (`GET /api/enterprise`) and, after scenario 2,
//! 邀请企业员工在企业微信使用 — an SMS to every employee with an e-sign account on the WeChat
//! side, at most three a day per number.

use api::wire::{
    EnterpriseView, ErrorBody, FaceOutcome, FaceResultRequest, FaceStart, InvitationResult,
};
use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::Error;
use super::extract::{ApiJson, CurrentMember, SessionTag};
use super::AppState;
use crate::flow;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(enterprise))
        .routes(routes!(invite))
        .routes(routes!(start_claim))
        .routes(routes!(claim_result))
}

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
    Ok(Json(
        flow::enterprise::start_claim(&state.ctx(), member, &session).await?,
    ))
}

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
    Ok(Json(
        flow::enterprise::claim_result(&state.ctx(), member, &session, req).await?,
    ))
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
    Ok(Json(
        flow::enterprise::enterprise(&state.ctx(), member).await?,
    ))
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
    Ok(Json(flow::enterprise::invite(&state.ctx(), member).await?))
}
