//! What a legal representative's SMS link opens (`/legal-rep/<token>` in the app). No session
//! is needed: the token is the key, and who acts is proven by face verification before any
//! decision. Expired, used, withdrawn and replaced links each answer 410 with their reason.

use api::validate::mask_name;
use api::wire::{
    ErrorBody, FaceOutcome, FaceResultRequest, FaceStart, LegalRepDecision, LegalRepLinkView,
    LicenseForm, RealNameRequest, Scenario,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::apply::applicant_name;
use super::error::Error;
use super::extract::{ApiJson, ApiPath, ClientIp, SessionTag};
use super::{limits, links, person, AppState};
use crate::flow::guard::{Refusal, StartedFor};
use crate::flow::link::{LinkPurpose, LinkRefusal, LINK_TTL_SECS};
use crate::providers::wecom::AppMessage;
use crate::storage::{ApplicationRow, Event, FinalStep, LinkRow, Settle, Verified};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(link))
        .routes(routes!(start_face))
        .routes(routes!(face_result))
        .routes(routes!(decide))
}

/// Who asks to become super admin of which enterprise, for the legal representative to read.
#[utoipa::path(get, path = "/api/legal-rep/{token}", tag = "legal-rep",
    params(("token" = String, Path, description = "The token from the SMS link")),
    responses(
        (status = 200, description = "The request, to authorize or decline", body = LegalRepLinkView),
        (status = 404, description = "No such link (mistyped or truncated)", body = ErrorBody),
        (status = 410, description = "Expired, already used, withdrawn, or replaced by a newer SMS (`code` says which)", body = ErrorBody),
    ))]
pub async fn link(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> Result<Json<LegalRepLinkView>, Error> {
    let (row, app, license) = live(&state, &token).await?;
    Ok(Json(LegalRepLinkView {
        enterprise: license.name.value,
        uscc: license.uscc.value,
        applicant_name: mask_name(&applicant_name(&state, &app).await?),
        applicant_phone: app.contact_masked,
        expires_at: row.link.sent_at + LINK_TTL_SECS,
    }))
}

/// The link, while it still works, with its open application and the license it is about.
async fn live(
    state: &AppState,
    token: &str,
) -> Result<(LinkRow, ApplicationRow, LicenseForm), Error> {
    let (row, app) = links::open(state, token, &[LinkPurpose::LegalRep]).await?;
    let license = app.license().ok_or(LinkRefusal::Used)?;
    Ok((row, app, license))
}

/// The legal representative's real-name check and face verification, started from the link.
#[utoipa::path(post, path = "/api/legal-rep/{token}/face", tag = "legal-rep",
    params(("token" = String, Path, description = "The token from the SMS link")),
    request_body = RealNameRequest,
    responses(
        (status = 200, description = "Go to `url`; it returns to /legal-rep/{token}/face-return", body = FaceStart),
        (status = 400, description = "Invalid name or ID number, or they do not match (`field` says which)", body = ErrorBody),
        (status = 404, description = "No such link", body = ErrorBody),
        (status = 410, description = "The link no longer works (`code` says why)", body = ErrorBody),
        (status = 429, description = "Too many checks or face sessions on this link, from this address, or for this person today", body = ErrorBody),
        (status = 503, description = "The real-name or face service is unavailable", body = ErrorBody),
    ))]
pub async fn start_face(
    State(state): State<AppState>,
    ip: ClientIp,
    SessionTag(session): SessionTag,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<RealNameRequest>,
) -> Result<Json<FaceStart>, Error> {
    let (row, _, _) = live(&state, &token).await?;
    links::may_try_face(&state, &row).await?;
    let who = person::validate(&req, state.clock.now())?;
    limits::link_identity_check(&state, &row, ip, &who.id_number).await?;
    person::check(&state, &who).await?;
    limits::link_face_session(&state, &row, ip, &who.id_number).await?;
    let face = state
        .providers
        .face
        .detect_auth(
            &who.name,
            &who.id_number,
            &format!("/legal-rep/{token}/face-return"),
        )
        .await?;
    state
        .db
        .set_link_face(&row.id, &face.biz_token, session.as_deref())
        .await?;
    Ok(Json(FaceStart { url: face.url }))
}

/// Back from face verification: the person who verified must be the license's 法定代表人.
#[utoipa::path(post, path = "/api/legal-rep/{token}/face/result", tag = "legal-rep",
    params(("token" = String, Path, description = "The token from the SMS link")),
    request_body = FaceResultRequest,
    responses(
        (status = 200, description = "Passed (授权 / 拒绝 may follow) or failed (retry)", body = FaceOutcome),
        (status = 400, description = "A malformed body or `BizToken`", body = ErrorBody),
        (status = 403, description = "The verified person is not the legal representative", body = ErrorBody),
        (status = 404, description = "No such link, or not the face session started from it", body = ErrorBody),
        (status = 409, description = "Face verification not finished yet", body = ErrorBody),
        (status = 410, description = "The link no longer works (`code` says why)", body = ErrorBody),
        (status = 503, description = "The face service is unavailable", body = ErrorBody),
    ))]
pub async fn face_result(
    State(state): State<AppState>,
    SessionTag(session): SessionTag,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<FaceResultRequest>,
) -> Result<Json<FaceOutcome>, Error> {
    let (row, app, license) = live(&state, &token).await?;
    let passed = match links::face_result(&state, &row, &req.biz_token, &session).await? {
        Ok(passed) => passed,
        Err(failed) => return Ok(Json(failed)),
    };
    let info = &passed.info;
    // The registry's legal representative, not the name typed on the form.
    let registered = app.registry_legal_rep.as_deref().unwrap_or_default();
    if registered.is_empty() || info.name.trim() != registered {
        return Err(Error::Forbidden(format!(
            "您不是{}的法定代表人，无法授权。请将链接转交法定代表人本人操作",
            license.name.value
        )));
    }
    state.db.set_link_verified(&row.id, &info.name).await?;
    Ok(Json(passed.outcome("身份已确认，请选择是否授权")))
}

/// 授权 or 拒绝, by the verified legal representative. 授权 verifies the enterprise with the
/// applicant as super admin; 拒绝 returns the applicant to 超管授权 to choose again. Either way
/// the applicant gets a WeCom message.
#[utoipa::path(post, path = "/api/legal-rep/{token}/decision", tag = "legal-rep",
    params(("token" = String, Path, description = "The token from the SMS link")),
    request_body = LegalRepDecision,
    responses(
        (status = 204, description = "Decided"),
        (status = 400, description = "Malformed body", body = ErrorBody),
        (status = 403, description = "Face verification of the legal representative has not passed on this link", body = ErrorBody),
        (status = 404, description = "No such link", body = ErrorBody),
        (status = 410, description = "The link no longer works: decided, withdrawn, replaced or expired", body = ErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    SessionTag(session): SessionTag,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<LegalRepDecision>,
) -> Result<StatusCode, Error> {
    let (row, app, license) = live(&state, &token).await?;
    let (_, verified) = state.db.link_face(&row.id).await?;
    // Decided by whoever passed the face check, in the same browser session.
    if verified.is_none() || row.face_session != session {
        return Err(Error::Forbidden("请先完成法定代表人人脸识别".to_owned()));
    }
    let now = state.clock.now();
    let next = row.link.decide(now, req.approve)?;
    let who = mask_name(app.registry_legal_rep.as_deref().unwrap_or_default());
    let step = FinalStep {
        app_id: &app.id,
        started_for: StartedFor {
            scenario: Scenario::New,
            uscc: row.subject_uscc.as_deref(),
        },
        settle: Settle::Link {
            id: &row.id,
            status: next,
        },
        verified: req.approve.then_some(Verified {
            super_admin_id: Some(&app.applicant_id),
            super_admin_index: None,
        }),
        event: Event {
            actor_id: None,
            kind: if req.approve {
                "verified"
            } else {
                "legal_rep_declined"
            },
            detail: Some(if req.approve {
                "legal_rep_approved"
            } else {
                who.as_str()
            }),
        },
        now,
    };
    match state.db.final_step(&step).await? {
        Ok(()) => {}
        Err(Refusal::Settled) => return Err(LinkRefusal::Used.into()),
        // The application moved on (switched scenario, changed license, ended): this link
        // has nothing left to authorize.
        Err(Refusal::UsccTaken) => return Err(Refusal::UsccTaken.into()),
        Err(_) => return Err(LinkRefusal::Cancelled.into()),
    }
    let text = if req.approve {
        format!(
            "法定代表人{who}已授权，{}企业认证成功，您已成为企业超级管理员。",
            license.name.value
        )
    } else {
        format!("法定代表人{who}拒绝了本次授权请求，您可以返回企业认证选择其他方式。")
    };
    let link = Some(
        if req.approve {
            "/apply/done"
        } else {
            "/apply/authorize"
        }
        .to_owned(),
    );
    if let Err(e) = state
        .providers
        .wecom
        .send(&app.corp_id, &app.applicant_id, &AppMessage { text, link })
        .await
    {
        // The decision stands; the applicant's page shows it even if the message is lost.
        tracing::warn!(error = %e, "legal-rep decision: the WeCom message to the applicant failed");
    }
    Ok(StatusCode::NO_CONTENT)
}
