//! The reviewer console's API (`/ops/reviews` in the app): staff only. The queue of 授权书
//! in review, oldest first, with the letter photos and the application's data; 通过, or 驳回
//! with a reason. The applicant gets a WeCom message either way.

use api::validate::mask_name;
use api::wire::{ErrorBody, ReviewDecision, ReviewItem};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::apply::applicant_name;
use super::error::Error;
use super::extract::{ApiJson, ApiPath, CurrentMember};
use super::AppState;
use crate::providers::wecom::AppMessage;
use crate::storage::MemberRow;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(queue))
        .routes(routes!(decide))
        .routes(routes!(upload_image))
}

fn staff(member: &MemberRow) -> Result<(), Error> {
    if member.is_staff {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "仅腾讯电子签工作人员可以访问审核台".to_owned(),
        ))
    }
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
    staff(&member)?;
    let mut items = Vec::new();
    for letter in state.db.letters_in_review().await? {
        let Some(app) = state
            .db
            .open_application_by_id(&letter.application_id)
            .await?
        else {
            continue;
        };
        let license = app.license();
        let applicant = applicant_name(&state, &app).await?;
        let earlier_reasons = state
            .db
            .letters(&app.id)
            .await?
            .into_iter()
            .filter_map(|l| l.reason)
            .collect();
        items.push(ReviewItem {
            id: letter.id.clone(),
            enterprise: license
                .as_ref()
                .map(|l| l.name.value.clone())
                .unwrap_or_default(),
            uscc: license
                .as_ref()
                .map(|l| l.uscc.value.clone())
                .unwrap_or_default(),
            legal_rep: license
                .as_ref()
                .map(|l| l.legal_rep.value.clone())
                .unwrap_or_default(),
            applicant_name: applicant,
            applicant_phone: app.contact_masked.clone(),
            submitted_at: letter.submitted_at,
            due_date: letter.due_date.clone(),
            photos: letter
                .upload_ids
                .iter()
                .map(|id| format!("/api/ops/uploads/{id}"))
                .collect(),
            earlier_reasons,
        });
    }
    Ok(Json(items))
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
    staff(&member)?;
    let upload = state
        .db
        .upload(&id)
        .await?
        .ok_or_else(|| Error::NotFound("图片不存在".to_owned()))?;
    let path = crate::storage::upload_dir(&state.settings.data_dir).join(&upload.file_name);
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| Error::NotFound("图片不存在".to_owned()))?;
    let kind = if upload.file_name.ends_with(".png") {
        "image/png"
    } else {
        "image/jpeg"
    };
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
    staff(&member)?;
    let letter = state
        .db
        .letter(&id)
        .await?
        .ok_or_else(|| Error::NotFound("审核记录不存在".to_owned()))?;
    let reason = req
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if !req.approve {
        match reason {
            None => return Err(Error::bad_field("reason", "请选择或填写驳回原因")),
            Some(r) if r.chars().count() > 200 => {
                return Err(Error::bad_field("reason", "驳回原因不能超过200个字"))
            }
            Some(_) => {}
        }
    }
    let reason = if req.approve { None } else { reason };
    let app = state
        .db
        .open_application_by_id(&letter.application_id)
        .await?
        .ok_or_else(|| Error::Conflict("该申请已审核".to_owned()))?;
    let now = state.clock.now();
    if !state
        .db
        .review_letter(&id, req.approve, &member.id, reason, now)
        .await?
    {
        return Err(Error::Conflict("该申请已审核".to_owned()));
    }
    let (event, text, link) = if req.approve {
        state
            .db
            .finish_verified(&app.id, Some(&app.applicant_id), now)
            .await?;
        ("verified", "【腾讯电子签】您提交的超级管理员授权书已审核通过，企业认证成功，您已成为企业超级管理员。".to_owned(), "/apply/done")
    } else {
        (
            "letter_rejected",
            format!(
                "【腾讯电子签】您提交的超级管理员授权书未通过审核：{}。请修改后重新上传。",
                reason.unwrap_or_default()
            ),
            "/apply/authorize",
        )
    };
    state
        .db
        .append_event(&app.id, Some(&member.id), event, reason, now)
        .await?;
    let message = AppMessage {
        text,
        link: Some(link.to_owned()),
    };
    if let Err(e) = state
        .providers
        .wecom
        .send(&app.corp_id, &app.applicant_id, &message)
        .await
    {
        // The review stands; the applicant's page shows it even if the message is lost.
        tracing::warn!(error = %e, reviewer = %mask_name(&member.name), "review: the WeCom message failed");
    }
    Ok(StatusCode::NO_CONTENT)
}
