//! 短信通知法人 (step 4, path 2), the applicant's side: send the SMS with its one-time link,
//! send it again (after a minute, to the same or another number), or withdraw it. The
//! legal representative's side is `http::legal_rep`.

use api::wire::{ErrorBody, LegalRepNotifyRequest, SmsLinkView};
use axum::extract::State;
use axum::Json;

use crate::flow;
use crate::http::error::Error;
use crate::http::extract::{ApiJson, ClientIp, CurrentMember};
use crate::http::AppState;

/// 短信通知法人 → 确认: sends the legal representative an SMS with a one-time link (24 h).
/// A newer SMS makes every earlier link stop working.
#[utoipa::path(post, path = "/api/application/legal-rep", tag = "apply",
    request_body = LegalRepNotifyRequest,
    responses(
        (status = 200, description = "Sent; the applicant's page now waits", body = SmsLinkView),
        (status = 400, description = "Not a mainland mobile number (`field` = phone)", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant, or another path applies", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "The earlier steps are not done", body = ErrorBody),
        (status = 429, description = "Within a minute of the last SMS, or the daily cap", body = ErrorBody),
        (status = 503, description = "The SMS service is unavailable", body = ErrorBody),
    ))]
pub async fn notify(
    State(state): State<AppState>,
    ip: ClientIp,
    CurrentMember(member): CurrentMember,
    ApiJson(req): ApiJson<LegalRepNotifyRequest>,
) -> Result<Json<SmsLinkView>, Error> {
    Ok(Json(
        flow::legal_rep::notify(&state.ctx(), &ip.key(), member, req).await?,
    ))
}

/// 取消: withdraws the live link; the legal representative's page then says so.
#[utoipa::path(delete, path = "/api/application/legal-rep", tag = "apply",
    responses(
        (status = 200, description = "Withdrawn", body = SmsLinkView),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "No live link to withdraw (never sent, decided, expired or withdrawn)", body = ErrorBody),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Json<SmsLinkView>, Error> {
    Ok(Json(flow::legal_rep::cancel(&state.ctx(), member).await?))
}
