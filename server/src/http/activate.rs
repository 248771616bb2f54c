//! What a super admin's activation link opens (`/activate/<token>`, scenario 2): what opening
//! the WeCom-side service means, the agreement, 确认开通, then real-name and face verification
//! of the super admin on record. The token is the key; a session, when there is one, spares a
//! super admin who verified before from typing their ID number again. Dead links answer 410
//! like the legal representative's.

use api::wire::{
    ActivationConfirm, ActivationFaceRequest, ActivationView, ErrorBody, FaceOutcome,
    FaceResultRequest, FaceStart,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::Error;
use super::extract::{ApiJson, ApiPath, ClientIp, CurrentMember, SessionTag};
use super::AppState;
use crate::flow;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(link))
        .routes(routes!(confirm))
        .routes(routes!(start_face))
        .routes(routes!(face_result))
}

/// What the super admin is asked to open, and the agreement in full.
#[utoipa::path(get, path = "/api/activate/{token}", tag = "activate",
    params(("token" = String, Path, description = "The token from the SMS link")),
    responses(
        (status = 200, description = "The enterprise to open and the agreement", body = ActivationView),
        (status = 404, description = "No such link (mistyped or truncated)", body = ErrorBody),
        (status = 410, description = "Expired, already used, withdrawn, or replaced (`code` says which)", body = ErrorBody),
    ))]
pub async fn link(
    State(state): State<AppState>,
    member: Option<CurrentMember>,
    ApiPath(token): ApiPath<String>,
) -> Result<Json<ActivationView>, Error> {
    Ok(Json(
        flow::activate::link(&state.ctx(), member.map(|m| m.0), &token).await?,
    ))
}

/// 确认开通: the agreement was read and is accepted, in this version.
#[utoipa::path(post, path = "/api/activate/{token}/confirm", tag = "activate",
    params(("token" = String, Path, description = "The token from the SMS link")),
    request_body = ActivationConfirm,
    responses(
        (status = 204, description = "Accepted; identity verification follows"),
        (status = 400, description = "The agreement was not accepted (`field` = agreement)", body = ErrorBody),
        (status = 404, description = "No such link", body = ErrorBody),
        (status = 409, description = "Not the current version of the agreement (`field` = agreement)", body = ErrorBody),
        (status = 410, description = "The link no longer works (`code` says why)", body = ErrorBody),
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<ActivationConfirm>,
) -> Result<StatusCode, Error> {
    flow::activate::confirm(&state.ctx(), &token, req).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The super admin's real-name check and face verification. Without `identity` the signed-in
/// person's own verification is used, if it is the super admin's.
#[utoipa::path(post, path = "/api/activate/{token}/face", tag = "activate",
    params(("token" = String, Path, description = "The token from the SMS link")),
    request_body = ActivationFaceRequest,
    responses(
        (status = 200, description = "Go to `url`; it returns to /activate/{token}/face-return", body = FaceStart),
        (status = 400, description = "Invalid name or ID number, or they do not match (`field` says which)", body = ErrorBody),
        (status = 403, description = "Not the super admin on record", body = ErrorBody),
        (status = 404, description = "No such link", body = ErrorBody),
        (status = 409, description = "确认开通 (the agreement) first", body = ErrorBody),
        (status = 410, description = "The link no longer works (`code` says why)", body = ErrorBody),
        (status = 429, description = "Too many checks or face sessions on this link, from this address, or for this person today", body = ErrorBody),
        (status = 503, description = "The real-name or face service is unavailable", body = ErrorBody),
    ))]
pub async fn start_face(
    State(state): State<AppState>,
    ip: ClientIp,
    member: Option<CurrentMember>,
    SessionTag(session): SessionTag,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<ActivationFaceRequest>,
) -> Result<Json<FaceStart>, Error> {
    Ok(Json(
        flow::activate::start_face(
            &state.ctx(),
            &ip.key(),
            member.map(|m| m.0),
            &session,
            &token,
            req,
        )
        .await?,
    ))
}

/// Back from face verification: the super admin on record passed, so the WeCom-side service
/// opens and the enterprise is verified. The signed-in member, if of this corp, is recorded as
/// super admin (they may invite employees from the success page).
#[utoipa::path(post, path = "/api/activate/{token}/face/result", tag = "activate",
    params(("token" = String, Path, description = "The token from the SMS link")),
    request_body = FaceResultRequest,
    responses(
        (status = 200, description = "Passed (the service is open) or failed (retry)", body = FaceOutcome),
        (status = 400, description = "A malformed body or `BizToken`", body = ErrorBody),
        (status = 403, description = "The verified person is not the super admin", body = ErrorBody),
        (status = 404, description = "No such link, or not the face session started from it", body = ErrorBody),
        (status = 409, description = "Face verification not finished yet, or the enterprise was opened for another WeCom corp meanwhile", body = ErrorBody),
        (status = 410, description = "The link no longer works (`code` says why)", body = ErrorBody),
        (status = 503, description = "The face service is unavailable", body = ErrorBody),
    ))]
pub async fn face_result(
    State(state): State<AppState>,
    member: Option<CurrentMember>,
    SessionTag(session): SessionTag,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<FaceResultRequest>,
) -> Result<Json<FaceOutcome>, Error> {
    Ok(Json(
        flow::activate::face_result(&state.ctx(), member.map(|m| m.0), &session, &token, req)
            .await?,
    ))
}
