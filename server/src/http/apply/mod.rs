//! The application's steps (scenario 1): start, resume, and one module per step.
//! Every use case behind them goes through [`flow::access::applicant`], so only the admin who
//! started may act.

mod authorize;
mod contact;
mod legal_rep;
mod letter;
mod license;
mod live;
mod real_name;
mod wechat;

use api::wire::{ApplicationView, ErrorBody};
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::Error;
use super::extract::CurrentMember;
use super::AppState;
use crate::flow;
use crate::flow::photo::MAX_PHOTO_BYTES;

pub fn router() -> OpenApiRouter<AppState> {
    let photo = OpenApiRouter::new()
        .routes(routes!(license::license_photo))
        .routes(routes!(letter::letter_photo))
        // One byte over the limit, so that the handler (not axum) answers 413 in our shape.
        .layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES + 1));
    OpenApiRouter::new()
        .routes(routes!(current_application, start_application, withdraw))
        .routes(routes!(live::application_events))
        .routes(routes!(take_over))
        .routes(routes!(real_name::submit))
        .routes(routes!(license::draft, license::confirm))
        .routes(routes!(license::photo_file))
        .routes(routes!(license::wechat_enterprise))
        .routes(routes!(contact::send_code))
        .routes(routes!(contact::verify))
        .routes(routes!(authorize::start_face))
        .routes(routes!(authorize::face_result))
        .routes(routes!(legal_rep::notify, legal_rep::cancel))
        .routes(routes!(letter::send_template))
        .routes(routes!(letter::template_pdf))
        .routes(routes!(letter::submit))
        .routes(routes!(wechat::link, wechat::unlink))
        .routes(routes!(wechat::notify_super_admin))
        .routes(routes!(wechat::activate_directly))
        .merge(photo)
}

/// The corp's application, for the admin who started it: where to resume, and what each step
/// already holds (masked).
#[utoipa::path(get, path = "/api/application", tag = "apply",
    responses(
        (status = 200, description = "The application in progress", body = ApplicationView),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not an admin, or another admin's application", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
    ))]
pub async fn current_application(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Json<ApplicationView>, Error> {
    Ok(Json(flow::apply::current(&state.ctx(), member).await?))
}

/// 去认证: starts the corp's application, or resumes the caller's own. Exactly one application
/// is open per corp, even when two admins start at the same moment.
#[utoipa::path(post, path = "/api/application", tag = "apply",
    responses(
        (status = 201, description = "Started", body = ApplicationView),
        (status = 200, description = "Already started by the caller: resume", body = ApplicationView),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Only WeCom admins of an 企业管理员授权 install may start", body = ErrorBody),
        (status = 409, description = "Another admin is verifying, or the enterprise is verified", body = ErrorBody),
    ))]
pub async fn start_application(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<(StatusCode, Json<ApplicationView>), Error> {
    let (view, created) = flow::apply::start(&state.ctx(), member).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)))
}

/// 撤销认证: the applicant withdraws the application. Its pending links and letters stop
/// working, and any admin may start again.
#[utoipa::path(delete, path = "/api/application", tag = "apply",
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<StatusCode, Error> {
    flow::apply::withdraw(&state.ctx(), member).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 接管认证: another admin of the corp takes over an application that sat untouched for 30
/// days. The old one ends (recorded on its timeline), a new one starts for the caller.
#[utoipa::path(post, path = "/api/application/takeover", tag = "apply",
    responses(
        (status = 201, description = "Taken over: a new application for the caller", body = ApplicationView),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Only WeCom admins of an 企业管理员授权 install may take over", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "The caller's own application, or still active within 30 days", body = ErrorBody),
    ))]
pub async fn take_over(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<(StatusCode, Json<ApplicationView>), Error> {
    let view = flow::apply::take_over(&state.ctx(), member).await?;
    Ok((StatusCode::CREATED, Json(view)))
}
