//! Step 1, 个人实名认证: name and resident ID number, checked by the real-name provider.

use api::wire::{ApplicationView, ErrorBody, RealNameRequest};
use axum::extract::State;
use axum::Json;

use crate::flow;
use crate::http::error::Error;
use crate::http::extract::{ApiJson, CurrentMember};
use crate::http::AppState;

/// Checks the applicant's name and ID number. A person verified before (in any corp) is not
/// asked again: the step is simply completed.
#[utoipa::path(post, path = "/api/application/real-name", tag = "apply",
    request_body = RealNameRequest,
    responses(
        (status = 200, description = "Verified; the application moves to 上传证照", body = ApplicationView),
        (status = 400, description = "Invalid name or ID number, or they do not match; `field` says which", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 429, description = "Too many failed checks today", body = ErrorBody),
        (status = 503, description = "The real-name service is unavailable", body = ErrorBody),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    ApiJson(req): ApiJson<RealNameRequest>,
) -> Result<Json<ApplicationView>, Error> {
    let cx = state.ctx();
    Ok(Json(
        flow::apply::submit_real_name(&cx, member, &req).await?,
    ))
}
