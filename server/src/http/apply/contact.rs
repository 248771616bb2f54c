//! Step 3, 确认联系方式: a mobile number confirmed by a 6-digit SMS code.
//!
//! Codes are stored as a keyed hash, expire after 5 minutes, allow 5 wrong tries, and can be
//! re-sent after 60 s; daily caps apply per person, per phone and per address. Every refusal
//! says how long.

use api::wire::{
    ApplicationView, ContactCodeRequest, ContactCodeSent, ContactVerifyRequest, ErrorBody,
};
use axum::extract::State;
use axum::Json;

use crate::flow;
use crate::http::error::Error;
use crate::http::extract::{ApiJson, ClientIp, CurrentMember};
use crate::http::AppState;

/// 获取验证码: sends a 6-digit code to the number.
#[utoipa::path(post, path = "/api/application/contact/code", tag = "apply",
    request_body = ContactCodeRequest,
    responses(
        (status = 200, description = "Sent", body = ContactCodeSent),
        (status = 400, description = "Not a mainland mobile number (`field` = phone)", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "The earlier steps are not done", body = ErrorBody),
        (status = 429, description = "Resend cooldown or daily cap; `retry_after_secs` says when", body = ErrorBody),
        (status = 503, description = "SMS could not be sent", body = ErrorBody),
    ))]
pub async fn send_code(
    State(state): State<AppState>,
    ip: ClientIp,
    CurrentMember(member): CurrentMember,
    ApiJson(req): ApiJson<ContactCodeRequest>,
) -> Result<Json<ContactCodeSent>, Error> {
    Ok(Json(
        flow::contact::send_code(&state.ctx(), &ip.key(), member, req).await?,
    ))
}

/// 下一步: checks the code; the number becomes the applicant's contact for this enterprise.
#[utoipa::path(post, path = "/api/application/contact/verify", tag = "apply",
    request_body = ContactVerifyRequest,
    responses(
        (status = 200, description = "Confirmed; the application moves to 超管授权", body = ApplicationView),
        (status = 400, description = "Wrong, expired or used-up code, or a bad number; `field` says which", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "The earlier steps are not done", body = ErrorBody),
    ))]
pub async fn verify(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    ApiJson(req): ApiJson<ContactVerifyRequest>,
) -> Result<Json<ApplicationView>, Error> {
    Ok(Json(
        flow::contact::verify(&state.ctx(), member, req).await?,
    ))
}
