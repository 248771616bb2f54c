//! What a legal representative's SMS link opens (`/legal-rep/<token>` in the app). No session
//! is needed: the token is the key, and who acts is proven by face verification before any
//! decision. Expired, used, withdrawn and replaced links each answer 410 with their reason.

use api::wire::{
    ErrorBody, FaceOutcome, FaceResultRequest, FaceStart, LegalRepDecision, LegalRepLinkView,
    RealNameRequest,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::Error;
use super::extract::{ApiJson, ApiPath, ClientIp, SessionTag};
use super::AppState;
use crate::flow;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(link))
        .routes(routes!(start_face))
        .routes(routes!(face_result))
        .routes(routes!(decide))
}

/// Who asks to become super admin of which enterprise, for the legal representative to read.
#[utoipa::path(get, path = "/api/legal-rep/{token}", tag = "legal-rep",
    params(("token" = String, Path, description = "The token from the SMS link")),
    responses(
        (status = 200, description = "The request, to authorize or decline", body = LegalRepLinkView),
        (status = 404, description = "No such link (mistyped or truncated)", body = ErrorBody),
        (status = 410, description = "Expired, already used, withdrawn, or replaced by a newer SMS (`code` says which)", body = ErrorBody),
    ))]
pub async fn link(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> Result<Json<LegalRepLinkView>, Error> {
    Ok(Json(
        flow::legal_rep_link::link(&state.ctx(), &token).await?,
    ))
}

/// The legal representative's real-name check and face verification, started from the link.
#[utoipa::path(post, path = "/api/legal-rep/{token}/face", tag = "legal-rep",
    params(("token" = String, Path, description = "The token from the SMS link")),
    request_body = RealNameRequest,
    responses(
        (status = 200, description = "Go to `url`; it returns to /legal-rep/{token}/face-return", body = FaceStart),
        (status = 400, description = "Invalid name or ID number, or they do not match (`field` says which)", body = ErrorBody),
        (status = 404, description = "No such link", body = ErrorBody),
        (status = 410, description = "The link no longer works (`code` says why)", body = ErrorBody),
        (status = 429, description = "Too many checks or face sessions on this link, from this address, or for this person today", body = ErrorBody),
        (status = 503, description = "The real-name or face service is unavailable", body = ErrorBody),
    ))]
pub async fn start_face(
    State(state): State<AppState>,
    ip: ClientIp,
    SessionTag(session): SessionTag,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<RealNameRequest>,
) -> Result<Json<FaceStart>, Error> {
    Ok(Json(
        flow::legal_rep_link::start_face(&state.ctx(), &ip.key(), &session, &token, req).await?,
    ))
}

/// Back from face verification: the person who verified must be the license's 法定代表人.
#[utoipa::path(post, path = "/api/legal-rep/{token}/face/result", tag = "legal-rep",
    params(("token" = String, Path, description = "The token from the SMS link")),
    request_body = FaceResultRequest,
    responses(
        (status = 200, description = "Passed (授权 / 拒绝 may follow) or failed (retry)", body = FaceOutcome),
        (status = 400, description = "A malformed body or `BizToken`", body = ErrorBody),
        (status = 403, description = "The verified person is not the legal representative", body = ErrorBody),
        (status = 404, description = "No such link, or not the face session started from it", body = ErrorBody),
        (status = 409, description = "Face verification not finished yet", body = ErrorBody),
        (status = 410, description = "The link no longer works (`code` says why)", body = ErrorBody),
        (status = 503, description = "The face service is unavailable", body = ErrorBody),
    ))]
pub async fn face_result(
    State(state): State<AppState>,
    SessionTag(session): SessionTag,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<FaceResultRequest>,
) -> Result<Json<FaceOutcome>, Error> {
    Ok(Json(
        flow::legal_rep_link::face_result(&state.ctx(), &session, &token, req).await?,
    ))
}

/// 授权 or 拒绝, by the verified legal representative. 授权 verifies the enterprise with the
/// applicant as super admin; 拒绝 returns the applicant to 超管授权 to choose again. Either way
/// the applicant gets a WeCom message.
#[utoipa::path(post, path = "/api/legal-rep/{token}/decision", tag = "legal-rep",
    params(("token" = String, Path, description = "The token from the SMS link")),
    request_body = LegalRepDecision,
    responses(
        (status = 204, description = "Decided"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 403, description = "Face verification of the legal representative has not passed on this link", body = ErrorBody),
        (status = 404, description = "No such link", body = ErrorBody),
        (status = 410, description = "The link no longer works: decided, withdrawn, replaced or expired", body = ErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    SessionTag(session): SessionTag,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<LegalRepDecision>,
) -> Result<StatusCode, Error> {
    flow::legal_rep_link::decide(&state.ctx(), &session, &token, req).await?;
    Ok(StatusCode::NO_CONTENT)
}
