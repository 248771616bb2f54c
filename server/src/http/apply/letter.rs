//! 授权书 (step 4, path 3, institutions): 获取授权书模板 (a WeCom message and a PDF download),
//! photos of the signed and stamped letter (1–3, checked like the license photo), 下一步 puts
//! it in review for 1–3 business days. A rejection keeps its reason; the applicant fixes the
//! upload and submits again.

use api::wire::ApplyStep;
use api::wire::{
    AuthorizePath, ErrorBody, LetterPhoto, LetterStatus, LetterSubmitRequest, LetterTemplateSent,
    LetterView, LicenseForm,
};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::authorize;
use super::photo;
use super::{china_today, scenario_one, Applicant};
use crate::flow::letter::{review_due, REVIEW_BUSINESS_DAYS};
use crate::http::error::Error;
use crate::http::extract::{ApiJson, CurrentMember};
use crate::http::AppState;
use crate::letter_pdf::{self, LetterFields};
use crate::providers::wecom::AppMessage;
use crate::storage::{LetterRow, LetterState, UploadKind};

/// Photos of one letter.
pub const MAX_PHOTOS: usize = 3;

fn status(s: LetterState) -> LetterStatus {
    match s {
        LetterState::Approved => LetterStatus::Approved,
        LetterState::Rejected => LetterStatus::Rejected,
        // Withdrawn letters are never read for the applicant (`Db::letters` leaves them out).
        LetterState::InReview | LetterState::Withdrawn => LetterStatus::InReview,
    }
}

fn view_of(newest: &LetterRow, attempts: usize) -> LetterView {
    LetterView {
        status: status(newest.status),
        submitted_at: newest.submitted_at,
        due_date: newest.due_date.clone(),
        reason: newest.reason.clone(),
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
    }
}

/// The newest submission, for `GET /api/application`.
pub(super) async fn letter_view(
    state: &AppState,
    a: &Applicant,
) -> Result<Option<LetterView>, Error> {
    let all = state.db.letters(&a.app.id).await?;
    Ok(all.first().map(|newest| view_of(newest, all.len())))
}

/// Only an institution at 超管授权 sends a letter; returns its confirmed license.
async fn require_letter(state: &AppState, a: &Applicant) -> Result<LicenseForm, Error> {
    authorize::require(state, a, AuthorizePath::Letter).await?;
    a.app
        .license()
        .ok_or_else(|| Error::Conflict("请先完成前面的认证步骤".to_owned()))
}

async fn refuse_while_in_review(state: &AppState, a: &Applicant) -> Result<(), Error> {
    let in_review = state
        .db
        .letters(&a.app.id)
        .await?
        .first()
        .is_some_and(|l| l.status == LetterState::InReview);
    if in_review {
        return Err(Error::Conflict(
            "授权书正在审核中，请耐心等待审核结果".to_owned(),
        ));
    }
    Ok(())
}

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
    let a = scenario_one(&state, member, ApplyStep::Authorize).await?;
    require_letter(&state, &a).await?;
    let download_url = api::wire::paths::LETTER_TEMPLATE_PDF.to_owned();
    let message = AppMessage {
        text: "【腾讯电子签】您的超级管理员授权书模板已生成。请下载后按模板要求填写完整、加盖单位公章，拍照上传至企业认证页面。".to_owned(),
        link: Some(download_url.clone()),
    };
    state
        .providers
        .wecom
        .send(&a.corp.id, &a.member.id, &message)
        .await?;
    state
        .db
        .append_event(
            &a.app.id,
            Some(&a.member.id),
            "letter_template_sent",
            None,
            state.clock.now(),
        )
        .await?;
    Ok(Json(LetterTemplateSent { download_url }))
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
    let a = scenario_one(&state, member, ApplyStep::Authorize).await?;
    let license = require_letter(&state, &a).await?;
    let person = state.db.verified_person(&a.member.id).await?;
    let pdf = letter_pdf::render(&LetterFields {
        institution: &license.name.value,
        uscc: &license.uscc.value,
        applicant: person
            .as_ref()
            .map_or(a.member.name.as_str(), |p| p.name.as_str()),
        applicant_id_masked: person.as_ref().map_or("", |p| p.id_masked.as_str()),
        applicant_phone_masked: a.app.contact_masked.as_deref().unwrap_or(""),
    });
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
    let a = scenario_one(&state, member, ApplyStep::Authorize).await?;
    require_letter(&state, &a).await?;
    refuse_while_in_review(&state, &a).await?;
    let photo = photo::accept(&state, &a.app.id, body).await?;
    let upload_id = photo
        .store(&state, &a.app.id, UploadKind::Letter, None)
        .await?;
    Ok(Json(LetterPhoto { upload_id }))
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
    let a = scenario_one(&state, member, ApplyStep::Authorize).await?;
    require_letter(&state, &a).await?;
    refuse_while_in_review(&state, &a).await?;
    // The same photo twice counts once; the order is the applicant's.
    let mut ids: Vec<String> = Vec::with_capacity(req.upload_ids.len());
    for id in req.upload_ids {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() || ids.len() > MAX_PHOTOS {
        return Err(Error::bad_field("photos", "请上传1至3张授权书照片"));
    }
    for id in &ids {
        let ok = state
            .db
            .upload(id)
            .await?
            .is_some_and(|u| u.application_id == a.app.id && u.kind == UploadKind::Letter);
        if !ok {
            return Err(Error::bad_field("photos", "授权书照片无效，请重新上传"));
        }
    }
    let now = state.clock.now();
    let (y, m, d) = china_today(now);
    let today = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let due = review_due(today, REVIEW_BUSINESS_DAYS)
        .format("%Y-%m-%d")
        .to_string();
    let subject = a
        .app
        .uscc
        .as_deref()
        .ok_or_else(|| Error::Conflict("请先完成前面的认证步骤".to_owned()))?;
    let row = state
        .db
        .insert_letter(&a.app.id, &ids, &due, subject, now)
        .await?;
    state
        .db
        .append_event(
            &a.app.id,
            Some(&a.member.id),
            "letter_submitted",
            Some(&due),
            now,
        )
        .await?;
    let attempts = state.db.letters(&a.app.id).await?.len();
    Ok(Json(view_of(&row, attempts)))
}
