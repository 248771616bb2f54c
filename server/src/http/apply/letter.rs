//! 授权书 (step 4, path 3, institutions): 获取授权书模板 (a WeCom message and a PDF download),
//! photos of the signed and stamped letter (1–3, checked like the license photo), 下一步 puts
//! it in review for 1–3 business days. A rejection keeps its reason; the applicant fixes the
//! upload and submits again.

use api::wire::{ErrorBody, LetterPhoto, LetterSubmitRequest, LetterTemplateSent, LetterView};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::flow;
use crate::http::error::Error;
use crate::http::extract::{photo_body, ApiJson, CurrentMember};
use crate::http::AppState;

/// 获取授权书模板: sends the template to the applicant as a WeCom message.
#[utoipa::path(post, path = "/api/application/letter/template", tag = "apply",
    responses(
        (status = 200, description = "Sent; the PDF also downloads from `download_url`", body = LetterTemplateSent),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant, or not an institution", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "The earlier steps are not done", body = ErrorBody),
    ))]
pub async fn send_template(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Json<LetterTemplateSent>, Error> {
    Ok(Json(
        flow::letter::send_template(&state.ctx(), member).await?,
    ))
}

/// The template as a PDF, filled in with the institution's and the applicant's details.
#[utoipa::path(get, path = "/api/application/letter/template.pdf", tag = "apply",
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant, or not an institution", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "The earlier steps are not done", body = ErrorBody),
    ))]
pub async fn template_pdf(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
) -> Result<Response, Error> {
    let pdf = flow::letter::template_pdf(&state.ctx(), member).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"letter.pdf\"; filename*=UTF-8''%E8%B6%85%E7%BA%A7%E7%AE%A1%E7%90%86%E5%91%98%E6%8E%88%E6%9D%83%E4%B9%A6.pdf"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        pdf,
    )
        .into_response())
}

/// One photo of the signed and stamped letter; checked and stored like the license photo.
#[utoipa::path(post, path = "/api/application/letter/photo", tag = "apply",
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "JPEG or PNG, at most 8 MB and 40 megapixels"),
    responses(
        (status = 200, description = "Stored", body = LetterPhoto),
        (status = 400, description = "Not a JPEG/PNG, undecodable, too small, or a side over 10000 px (`field` = photo)", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant, or not an institution", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "Earlier steps not done, a letter is in review, or the application closed meanwhile", body = ErrorBody),
        (status = 413, description = "Over 8 MB, over 40 megapixels, or over 200 MB once decoded, as its header declares (`field` = photo)", body = ErrorBody),
        (status = 429, description = "The application's photos for today are used up",
         body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds until the next day in China"))),
        (status = 503, description = "Every image worker is busy and the queue is full",
         body = ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ))]
pub async fn letter_photo(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<LetterPhoto>, Error> {
    let photo = photo_body(body)?;
    Ok(Json(
        flow::letter::letter_photo(&state.ctx(), member, photo).await?,
    ))
}

/// 下一步: submits 1–3 photos for review; the page then shows the expected date.
#[utoipa::path(post, path = "/api/application/letter", tag = "apply",
    request_body = LetterSubmitRequest,
    responses(
        (status = 200, description = "In review", body = LetterView),
        (status = 400, description = "None, more than 3, or photos not uploaded here (`field` = photos)", body = ErrorBody),
        (status = 401, description = "No session", body = ErrorBody),
        (status = 403, description = "Not the applicant, or not an institution", body = ErrorBody),
        (status = 404, description = "No application in progress", body = ErrorBody),
        (status = 409, description = "Earlier steps not done, or a letter is in review", body = ErrorBody),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    CurrentMember(member): CurrentMember,
    ApiJson(req): ApiJson<LetterSubmitRequest>,
) -> Result<Json<LetterView>, Error> {
    Ok(Json(flow::letter::submit(&state.ctx(), member, req).await?))
}
