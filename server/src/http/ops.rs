//! The reviewer console's API (`/ops/reviews` in the app): staff only. The queue of 授权书
//! in review, oldest first, with the letter photos and the application's data; 通过, or 驳回
//! with a reason. The applicant gets a WeCom message either way.

use api::wire::{ErrorBody, ReviewDecision, ReviewItem};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::Error;
use super::extract::{ApiJson, ApiPath, CurrentMember};
use super::AppState;
use crate::flow;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(queue))
        .routes(routes!(decide))
        .routes(routes!(upload_image))
}

/// Submissions in review, oldest first.
#[utoipa::path(get, path = "/api/ops/reviews", tag = "ops",
    responses(
        (status = 200, description = "The queue", body = [ReviewItem]),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not staff", body = ErrorBody),
    ))]
pub async fn queue(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Json<Vec<ReviewItem>>, Error> {
    Ok(Json(flow::review::queue(&state.ctx(), member).await?))
}

/// A stored photo, for staff only.
#[utoipa::path(get, path = "/api/ops/uploads/{id}", tag = "ops",
    params(("id" = String, Path, description = "Upload id")),
    responses(
        (status = 200, description = "The image", content_type = "image/jpeg"),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not staff", body = ErrorBody),
        (status = 404, description = "No such upload", body = ErrorBody),
    ))]
pub async fn upload_image(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, Error> {
    let (bytes, kind) = flow::review::upload_image(&state.ctx(), &member, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        bytes,
    )
        .into_response())
}

/// 通过 (the enterprise is verified, the applicant super admin) or 驳回 with a reason.
#[utoipa::path(post, path = "/api/ops/reviews/{id}", tag = "ops",
    params(("id" = String, Path, description = "Submission id")),
    request_body = ReviewDecision,
    responses(
        (status = 204, description = "Reviewed"),
        (status = 400, description = "驳回 without a reason (`field` = reason), or malformed", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not staff", body = ErrorBody),
        (status = 404, description = "No such submission", body = ErrorBody),
        (status = 409, description = "Already reviewed", body = ErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<ReviewDecision>,
) -> Result<StatusCode, Error> {
    flow::review::decide(&state.ctx(), member, &id, req).await?;
    Ok(StatusCode::NO_CONTENT)
}
