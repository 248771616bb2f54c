//! 首页: who the person is and where their enterprise stands; 通知企微管理员.

use api::wire::{ErrorBody, NotifyAdminsResult, SessionInfo};
use axum::extract::State;
use axum::Json;

use super::error::Error;
use super::extract::CurrentMember;
use super::AppState;
use crate::flow;

/// Who is signed in, their corp and role, the enterprise's e-sign state, and any application
/// in progress.
#[utoipa::path(get, path = "/api/session", tag = "entry",
    responses(
        (status = 200, description = "The signed-in person and where they stand", body = SessionInfo),
        (status = 401, description = "No session: reopen from the WeCom workbench", body = ErrorBody),
    ))]
pub async fn session(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Json<SessionInfo>, Error> {
    Ok(Json(
        flow::entry::session(&state.ctx(), member, state.settings.local_mode).await?,
    ))
}

/// 通知企微管理员: sends each of the corp's WeCom admins a message asking them to verify the
/// enterprise. Once per person per 10 minutes.
#[utoipa::path(post, path = "/api/notify-admins", tag = "entry",
    responses(
        (status = 200, description = "The admins were messaged", body = NotifyAdminsResult),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Staff belong to no corp", body = ErrorBody),
        (status = 409, description = "Nothing to notify: the caller can start, the enterprise is \
                                      verified, or the corp has no admin to reach", body = ErrorBody),
        (status = 429, description = "Notified recently; `retry_after_secs` says when again",
         body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "WeCom could not be reached", body = ErrorBody),
    ))]
pub async fn notify_admins(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Json<NotifyAdminsResult>, Error> {
    Ok(Json(
        flow::entry::notify_admins(&state.ctx(), member).await?,
    ))
}
