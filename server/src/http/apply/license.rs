//! Step 2, 上传营业执照或相关证明文件: the photo (checked, stored, recognized), then the fields
//! the user confirmed. Recognition never blocks: whatever it misses, the user types.

use api::wire::{
    ApplicationView, ErrorBody, LicenseDraft, LicenseForm, LicensePhoto, WechatLookup,
};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::flow;
use crate::http::error::Error;
use crate::http::extract::{photo_body, ApiJson, ApiPath, ApiQuery, CurrentMember};
use crate::http::AppState;

/// Uploads the license (or institution certificate) photo: checked, recognized, stored.
#[utoipa::path(post, path = "/api/application/license/photo", tag = "apply",
    request_body(content = Vec<u8>, content_type = "image/jpeg",
        description = "The photo, compressed on the device (JPEG or PNG, at most 8 MB and 40 megapixels)"),
    responses(
        (status = 200, description = "Stored; what recognition read (possibly nothing)", body = LicensePhoto),
        (status = 400, description = "Not a JPEG/PNG, undecodable, too small, or a side over 10000 px (`field` = photo)", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "The earlier steps are not done, or the application closed meanwhile", body = ErrorBody),
        (status = 413, description = "Over 8 MB, over 40 megapixels, or over 200 MB once decoded, as its header declares (`field` = photo)", body = ErrorBody),
        (status = 429, description = "The application's photos for today are used up",
         body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the next day in China"))),
        (status = 503, description = "Every image worker is busy and the queue is full",
         body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub async fn license_photo(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<LicensePhoto>, Error> {
    let photo = photo_body(body)?;
    Ok(Json(
        flow::license::license_photo(&state.ctx(), member, photo).await?,
    ))
}

/// 上传证照 after a reload: the last photo uploaded and what recognition read from it.
#[utoipa::path(get, path = "/api/application/license", tag = "apply",
    responses(
        (status = 200, description = "The last license photo (or none) and its recognized fields", body = LicenseDraft),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "The application links a WeChat account", body = ErrorBody),
    ))]
pub async fn draft(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Json<LicenseDraft>, Error> {
    Ok(Json(flow::license::draft(&state.ctx(), member).await?))
}

/// A license photo, to its applicant only. The page fetches it with its session and shows it
/// from an object URL: WKWebView's native image loads may not carry the cookie, and a
/// token in the URL would outlive the session in logs and caches.
#[utoipa::path(get, path = "/api/application/license/photo/{id}", tag = "apply",
    params(("id" = String, Path, description = "Upload id")),
    responses(
        (status = 200, description = "The image", content_type = "image/jpeg"),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant", body = ErrorBody),
        (status = 404, description = "No application in progress, or no such photo of it", body = ErrorBody),
        (status = 409, description = "The application links a WeChat account", body = ErrorBody),
    ))]
pub async fn photo_file(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, Error> {
    let (bytes, kind) = flow::license::photo_file(&state.ctx(), member, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        bytes,
    )
        .into_response())
}

/// 下一步: saves the fields the user confirmed (recognized or edited) and moves on.
#[utoipa::path(put, path = "/api/application/license", tag = "apply",
    request_body = LicenseForm,
    responses(
        (status = 200, description = "Saved; the application moves to 联系方式", body = ApplicationView),
        (status = 400, description = "A field is invalid; `field` says which", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "Earlier steps not done, or the enterprise is already open on the WeChat side (use 关联微信账户)", body = ErrorBody),
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    ApiJson(form): ApiJson<LicenseForm>,
) -> Result<Json<ApplicationView>, Error> {
    Ok(Json(
        flow::license::confirm(&state.ctx(), member, form).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct UsccQuery {
    /// 统一社会信用代码 (recognized or typed).
    uscc: String,
}

/// 电子签服务已开通? Whether the enterprise with this code is already open on the WeChat side.
/// Only for the applicant at 上传证照, and only its name: no directory of who opened what.
#[utoipa::path(get, path = "/api/wechat-enterprise", tag = "apply", params(UsccQuery),
    responses(
        (status = 200, description = "The WeChat-side enterprise, if opened", body = WechatLookup),
        (status = 400, description = "Not a valid 统一社会信用代码 (`field` = uscc)", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant of an application in progress", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "The application links a WeChat account already", body = ErrorBody),
    ))]
pub async fn wechat_enterprise(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    ApiQuery(q): ApiQuery<UsccQuery>,
) -> Result<Json<WechatLookup>, Error> {
    Ok(Json(
        flow::license::wechat_enterprise(&state.ctx(), member, &q.uscc).await?,
    ))
}
