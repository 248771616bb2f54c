//! Step 1, 个人实名认证: name and resident ID number, checked by the real-name provider.

use api::validate::{id_number_on, mask_id, person_name};
use api::wire::{ApplicationView, ApplyStep, ErrorBody, RealNameRequest};
use axum::extract::State;
use axum::Json;

use super::{advance, applicant, china_day, china_today, view};
use crate::http::error::{wait_text, Error};
use crate::http::extract::{ApiJson, CurrentMember};
use crate::http::AppState;
use crate::providers::realname::RealNameResult;
use crate::storage::NewVerifiedPerson;

/// Failed checks cost money on the real service and invite guessing: a few a day.
pub const MAX_FAILED_PER_DAY: i64 = 5;

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
    let mut a = applicant(&state, member).await?;
    let now = state.clock.now();
    if state.db.verified_person(&a.member.id).await?.is_none() {
        let name = person_name(&req.name).map_err(|e| Error::bad_field("name", e.message()))?;
        let id = id_number_on(&req.id_number, china_today(now))
            .map_err(|e| Error::bad_field("id_number", e.message()))?;
        let (today, left) = china_day(now);
        if state
            .db
            .count_events(&a.member.id, "real_name_failed", today)
            .await?
            >= MAX_FAILED_PER_DAY
        {
            return Err(Error::RateLimited {
                message: format!("今日实名认证失败次数过多，请{}后再试", wait_text(left)),
                retry_after_secs: left,
            });
        }
        let refusal = match state.providers.real_name.check(&name, &id).await? {
            RealNameResult::Match => None,
            RealNameResult::Mismatch => Some("姓名与身份证号不匹配，请核对后重试"),
            RealNameResult::NoRecord => Some("未查询到该身份证号的登记信息，请核对后重试"),
        };
        if let Some(message) = refusal {
            state
                .db
                .append_event(&a.app.id, Some(&a.member.id), "real_name_failed", None, now)
                .await?;
            return Err(Error::bad_field("id_number", message));
        }
        let masked = mask_id(&id);
        state
            .db
            .save_verified_person(
                &NewVerifiedPerson {
                    identity: &a.member.id,
                    name: &name,
                    id_index: &state.vault.blind_index(&id),
                    id_sealed: &state.vault.seal(&id),
                    id_masked: &masked,
                },
                now,
            )
            .await?;
        let detail = format!("{name} {masked}");
        advance(
            &state,
            &mut a,
            ApplyStep::RealName,
            "real_name_verified",
            Some(&detail),
        )
        .await?;
    } else if a.app.step == ApplyStep::RealName {
        advance(
            &state,
            &mut a,
            ApplyStep::RealName,
            "real_name_reused",
            None,
        )
        .await?;
    }
    Ok(Json(view(&state, &a).await?))
}
