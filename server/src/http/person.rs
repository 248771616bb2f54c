//! `POST /api/me/real-name`: 个人实名认证 outside an application ([`flow::person`]).

use api::wire::{ErrorBody, PersonVerification, RealNameRequest};
use axum::extract::State;
use axum::Json;

use super::error::Error;
use super::extract::{ApiJson, ClientIp, CurrentMember};
use super::AppState;
use crate::flow;

/// 个人实名认证 outside an application: an invited employee, or a super admin about to link
/// the WeChat-side enterprise. Someone verified before gets their verification back. An
/// invited employee must be the person the super admin invited.
#[utoipa::path(post, path = "/api/me/real-name", tag = "entry",
    request_body = RealNameRequest,
    responses(
        (status = 200, description = "Verified (now or before)", body = PersonVerification),
        (status = 400, description = "Invalid name or ID number, they do not match, or not the invited person; `field` says which", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Staff belong to no corp", body = ErrorBody),
        (status = 429, description = "Too many failed checks today, or too many checks from this address", body = ErrorBody),
        (status = 503, description = "The real-name service is unavailable", body = ErrorBody),
    ))]
pub async fn verify_me(
    State(state): State<AppState>,
    ip: ClientIp,
    CurrentMember(member): CurrentMember,
    ApiJson(req): ApiJson<RealNameRequest>,
) -> Result<Json<PersonVerification>, Error> {
    let cx = state.ctx();
    Ok(Json(
        flow::person::verify_me(&cx, &ip.key(), &member, &req).await?,
    ))
}
