//! Step 4, 超级管理员授权. The server decides the path ([`flow::authorize_path`]) and refuses
//! any other. Path 1, the legal representative's own face verification, is here; 短信通知法人
//! and 授权书 come with their own modules.

use api::wire::{ErrorBody, FaceOutcome, FaceResultRequest, FaceStart};
use axum::extract::State;
use axum::Json;

use crate::flow;
use crate::http::error::Error;
use crate::http::extract::{ApiJson, CurrentMember, SessionTag};
use crate::http::AppState;

/// Starts the legal representative's face verification (path 1).
#[utoipa::path(post, path = "/api/application/face", tag = "apply",
    responses(
        (status = 200, description = "Go to `url` to verify; it returns to /apply/face-return", body = FaceStart),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant, or not the legal representative (another path applies)", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "The earlier steps are not done", body = ErrorBody),
        (status = 429, description = "Too many failed face checks, or face sessions started, today", body = ErrorBody),
        (status = 503, description = "The face service is unavailable", body = ErrorBody),
    ))]
pub async fn start_face(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    SessionTag(session): SessionTag,
) -> Result<Json<FaceStart>, Error> {
    Ok(Json(
        flow::authorize::start_face(&state.ctx(), member, &session).await?,
    ))
}

/// Back from face verification: asks the provider for the result (the redirect alone proves
/// nothing) and, on a pass, ends the application verified with the applicant as super admin.
#[utoipa::path(post, path = "/api/application/face/result", tag = "apply",
    request_body = FaceResultRequest,
    responses(
        (status = 200, description = "Passed (the enterprise is verified) or failed (retry)", body = FaceOutcome),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant", body = ErrorBody),
        (status = 404, description = "No such face check for this application and person", body = ErrorBody),
        (status = 409, description = "Not finished yet, or its result was already used", body = ErrorBody),
        (status = 503, description = "The face service is unavailable", body = ErrorBody),
    ))]
pub async fn face_result(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    SessionTag(session): SessionTag,
    ApiJson(req): ApiJson<FaceResultRequest>,
) -> Result<Json<FaceOutcome>, Error> {
    Ok(Json(
        flow::authorize::face_result(&state.ctx(), member, &session, req).await?,
    ))
}
