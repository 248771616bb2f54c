//! Inside WeCom: the signatures the app passes to `wx.config` and `wx.agentConfig`.

use api::wire::{ErrorBody, JsSdkConfig};
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::Error;
use super::extract::{ApiQuery, CurrentMember};
use super::AppState;
use crate::flow;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(jssdk))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct JsSdkQuery {
    /// The page's full URL (its `#` part is ignored), on the public origin.
    url: String,
}

/// `wx.config` and `wx.agentConfig` for one page, signed with the corp's tickets.
#[utoipa::path(get, path = "/api/wecom/jssdk", tag = "entry", params(JsSdkQuery),
    responses(
        (status = 200, description = "Both signatures for the page", body = JsSdkConfig),
        (status = 400, description = "`url` is not a page of this app", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Staff belong to no corp", body = ErrorBody),
        (status = 404, description = "Local mode: there is no WeCom JS-SDK", body = ErrorBody),
        (status = 503, description = "WeCom could not be reached", body = ErrorBody),
    ))]
pub async fn jssdk(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    ApiQuery(q): ApiQuery<JsSdkQuery>,
) -> Result<Json<JsSdkConfig>, Error> {
    Ok(Json(
        flow::wecom_jssdk::config(&state.ctx(), &member, &q.url).await?,
    ))
}
