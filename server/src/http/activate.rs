//! What a super admin's activation link opens (`/activate/<token>`, scenario 2): what opening
//! the WeCom-side service means, the agreement, 确认开通, then real-name and face verification
//! of the super admin on record. The token is the key; a session, when there is one, spares a
//! super admin who verified before from typing their ID number again. Dead links answer 410
//! like the legal representative's.

use api::validate::mask_name;
use api::wire::{
    ActivationConfirm, ActivationFaceRequest, ActivationView, ErrorBody, FaceOutcome,
    FaceResultRequest, FaceStart, Scenario,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::apply::applicant_name;
use super::error::Error;
use super::extract::{ApiJson, ApiPath, ClientIp, CurrentMember, SessionTag};
use super::{limits, links, person, AppState};
use crate::agreement;
use crate::flow::guard::{Refusal, StartedFor};
use crate::flow::link::{LinkPurpose, LinkRefusal, LinkStatus, LINK_TTL_SECS};
use crate::providers::esign::EsignEnterprise;
use crate::providers::wecom::AppMessage;
use crate::storage::{
    ApplicationRow, Event, FinalStep, LinkRow, MemberRow, Settle, Verified, VerifiedPerson,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(link))
        .routes(routes!(confirm))
        .routes(routes!(start_face))
        .routes(routes!(face_result))
}

/// The link while it works, its open application and the enterprise as the WeChat side has it.
async fn live(
    state: &AppState,
    token: &str,
) -> Result<(LinkRow, ApplicationRow, EsignEnterprise), Error> {
    let (row, app) = links::open(state, token, &LinkPurpose::ACTIVATION).await?;
    let linked = state
        .db
        .wechat_link(&app.id)
        .await?
        .ok_or(LinkRefusal::Cancelled)?;
    let e = state
        .providers
        .wechat_esign
        .by_uscc(&linked.uscc)
        .await?
        .ok_or(LinkRefusal::Cancelled)?;
    Ok((row, app, e))
}

/// The signed-in person, when their own verification is the super admin's.
async fn verified_super_admin(
    state: &AppState,
    member: Option<&MemberRow>,
    e: &EsignEnterprise,
) -> Result<Option<(VerifiedPerson, String)>, Error> {
    let Some(m) = member else { return Ok(None) };
    Ok(person::identity(state, &m.id)
        .await?
        .filter(|(p, id)| e.super_admin.is(&p.name, id)))
}

fn not_super_admin(e: &EsignEnterprise) -> Error {
    Error::Forbidden(format!(
        "您不是{}的电子签超级管理员，无法开通。请将链接转交超级管理员本人操作",
        e.name
    ))
}

/// What the super admin is asked to open, and the agreement in full.
#[utoipa::path(get, path = "/api/activate/{token}", tag = "activate",
    params(("token" = String, Path, description = "The token from the SMS link")),
    responses(
        (status = 200, description = "The enterprise to open and the agreement", body = ActivationView),
        (status = 404, description = "No such link (mistyped or truncated)", body = ErrorBody),
        (status = 410, description = "Expired, already used, withdrawn, or replaced (`code` says which)", body = ErrorBody),
    ))]
pub async fn link(
    State(state): State<AppState>,
    member: Option<CurrentMember>,
    ApiPath(token): ApiPath<String>,
) -> Result<Json<ActivationView>, Error> {
    let (row, app, e) = live(&state, &token).await?;
    let member = member.map(|m| m.0);
    let verified_as = verified_super_admin(&state, member.as_ref(), &e)
        .await?
        .map(|(p, _)| person::public(p));
    let wecom_corp = state
        .db
        .corp(&app.corp_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    Ok(Json(ActivationView {
        enterprise: e.name.clone(),
        uscc: e.uscc.clone(),
        wecom_corp,
        super_admin_name: mask_name(&e.super_admin.name),
        applicant_name: mask_name(&applicant_name(&state, &app).await?),
        expires_at: row.link.sent_at + LINK_TTL_SECS,
        what_it_means: agreement::WHAT_IT_MEANS
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        agreement: agreement::agreement(),
        accepted_version: row.agreement_version,
        verified_as,
    }))
}

/// 确认开通: the agreement was read and is accepted, in this version.
#[utoipa::path(post, path = "/api/activate/{token}/confirm", tag = "activate",
    params(("token" = String, Path, description = "The token from the SMS link")),
    request_body = ActivationConfirm,
    responses(
        (status = 204, description = "Accepted; identity verification follows"),
        (status = 400, description = "The agreement was not accepted (`field` = agreement)", body = ErrorBody),
        (status = 404, description = "No such link", body = ErrorBody),
        (status = 409, description = "Not the current version of the agreement (`field` = agreement)", body = ErrorBody),
        (status = 410, description = "The link no longer works (`code` says why)", body = ErrorBody),
    ))]
pub async fn confirm(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<ActivationConfirm>,
) -> Result<StatusCode, Error> {
    let (row, app, _) = live(&state, &token).await?;
    if !req.accepted {
        return Err(Error::bad_field(
            "agreement",
            format!("请先阅读并同意《{}》", agreement::TITLE),
        ));
    }
    if req.agreement_version != agreement::VERSION {
        return Err(Error::ConflictField {
            field: "agreement".to_owned(),
            message: format!("《{}》已更新，请重新阅读后确认", agreement::TITLE),
        });
    }
    let now = state.clock.now();
    state
        .db
        .accept_agreement(&row.id, agreement::VERSION, now)
        .await?;
    state
        .db
        .append_event(
            &app.id,
            None,
            "agreement_accepted",
            Some(agreement::VERSION),
            now,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The super admin's real-name check and face verification. Without `identity` the signed-in
/// person's own verification is used, if it is the super admin's.
#[utoipa::path(post, path = "/api/activate/{token}/face", tag = "activate",
    params(("token" = String, Path, description = "The token from the SMS link")),
    request_body = ActivationFaceRequest,
    responses(
        (status = 200, description = "Go to `url`; it returns to /activate/{token}/face-return", body = FaceStart),
        (status = 400, description = "Invalid name or ID number, or they do not match (`field` says which)", body = ErrorBody),
        (status = 403, description = "Not the super admin on record", body = ErrorBody),
        (status = 404, description = "No such link", body = ErrorBody),
        (status = 409, description = "确认开通 (the agreement) first", body = ErrorBody),
        (status = 410, description = "The link no longer works (`code` says why)", body = ErrorBody),
        (status = 429, description = "Too many checks or face sessions on this link, from this address, or for this person today", body = ErrorBody),
        (status = 503, description = "The real-name or face service is unavailable", body = ErrorBody),
    ))]
pub async fn start_face(
    State(state): State<AppState>,
    ip: ClientIp,
    member: Option<CurrentMember>,
    SessionTag(session): SessionTag,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<ActivationFaceRequest>,
) -> Result<Json<FaceStart>, Error> {
    let (row, _, e) = live(&state, &token).await?;
    links::may_try_face(&state, &row).await?;
    if row.agreement_version.as_deref() != Some(agreement::VERSION) {
        return Err(Error::Conflict(format!(
            "请先阅读《{}》并点击“确认开通”",
            agreement::TITLE
        )));
    }
    let (name, id_number) = match req.identity {
        Some(form) => {
            let who = person::validate(&form, state.clock.now())?;
            limits::link_identity_check(&state, &row, ip, &who.id_number).await?;
            person::check(&state, &who).await?;
            if !e.super_admin.is(&who.name, &who.id_number) {
                return Err(not_super_admin(&e));
            }
            (who.name, who.id_number)
        }
        None => {
            let member = member.map(|m| m.0);
            let (p, id) = verified_super_admin(&state, member.as_ref(), &e)
                .await?
                .ok_or_else(|| not_super_admin(&e))?;
            (p.name, id)
        }
    };
    limits::link_face_session(&state, &row, ip, &id_number).await?;
    let face = state
        .providers
        .face
        .detect_auth(&name, &id_number, &format!("/activate/{token}/face-return"))
        .await?;
    state
        .db
        .set_link_face(&row.id, &face.biz_token, session.as_deref())
        .await?;
    Ok(Json(FaceStart { url: face.url }))
}

/// Back from face verification: the super admin on record passed, so the WeCom-side service
/// opens and the enterprise is verified. The signed-in member, if of this corp, is recorded as
/// super admin (they may invite employees from the success page).
#[utoipa::path(post, path = "/api/activate/{token}/face/result", tag = "activate",
    params(("token" = String, Path, description = "The token from the SMS link")),
    request_body = FaceResultRequest,
    responses(
        (status = 200, description = "Passed (the service is open) or failed (retry)", body = FaceOutcome),
        (status = 400, description = "A malformed body or `BizToken`", body = ErrorBody),
        (status = 403, description = "The verified person is not the super admin", body = ErrorBody),
        (status = 404, description = "No such link, or not the face session started from it", body = ErrorBody),
        (status = 409, description = "Face verification not finished yet, or the enterprise was opened for another WeCom corp meanwhile", body = ErrorBody),
        (status = 410, description = "The link no longer works (`code` says why)", body = ErrorBody),
        (status = 503, description = "The face service is unavailable", body = ErrorBody),
    ))]
pub async fn face_result(
    State(state): State<AppState>,
    member: Option<CurrentMember>,
    SessionTag(session): SessionTag,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<FaceResultRequest>,
) -> Result<Json<FaceOutcome>, Error> {
    let (row, app, e) = live(&state, &token).await?;
    let passed = match links::face_result(&state, &row, &req.biz_token, &session).await? {
        Ok(passed) => passed,
        Err(failed) => return Ok(Json(failed)),
    };
    let info = &passed.info;
    if info.name.trim() != e.super_admin.name {
        return Err(not_super_admin(&e));
    }
    let now = state.clock.now();
    let next = row.link.decide(now, true)?;
    debug_assert_eq!(next, LinkStatus::Approved);
    // The signed-in member is recorded as super admin only when their own verified ID is the
    // super admin's; anyone else (or nobody, outside WeCom) leaves the role to be claimed by
    // that person with their own face check.
    let index = state.vault.blind_index(&e.super_admin.id_number);
    let super_admin = match member.map(|m| m.0) {
        Some(m) if m.corp_id.as_deref() == Some(app.corp_id.as_str()) => state
            .db
            .verified_id_index(&m.id)
            .await?
            .filter(|i| *i == index)
            .map(|_| m),
        _ => None,
    };
    let super_admin_id = super_admin.as_ref().map(|m| m.id.as_str());
    let detail = format!("wechat_opened agreement={}", agreement::VERSION);
    let step = FinalStep {
        app_id: &app.id,
        started_for: StartedFor {
            scenario: Scenario::Wechat,
            uscc: row.subject_uscc.as_deref(),
        },
        settle: Settle::Link {
            id: &row.id,
            status: next,
        },
        verified: Some(Verified {
            super_admin_id,
            super_admin_index: Some(&index),
        }),
        event: Event {
            actor_id: super_admin_id,
            kind: "verified",
            detail: Some(&detail),
        },
        now,
    };
    match state.db.final_step(&step).await? {
        Ok(()) => {}
        Err(Refusal::Settled) => return Err(LinkRefusal::Used.into()),
        Err(Refusal::UsccTaken) => {
            return Err(Error::Conflict(format!(
                "{}已在其他企业微信中开通腾讯电子签服务，无法重复开通",
                e.name
            )))
        }
        Err(_) => return Err(LinkRefusal::Cancelled.into()),
    }
    if super_admin_id != Some(app.applicant_id.as_str()) {
        let message = AppMessage {
            text: format!(
                "超级管理员{}已确认开通，{}已成功开通腾讯电子签企业微信服务。",
                mask_name(&e.super_admin.name),
                e.name
            ),
            link: Some("/apply/done".to_owned()),
        };
        if let Err(err) = state
            .providers
            .wecom
            .send(&app.corp_id, &app.applicant_id, &message)
            .await
        {
            // The service is open either way; the applicant's page shows it.
            tracing::warn!(error = %err, "activation: the WeCom message to the applicant failed");
        }
    }
    Ok(Json(passed.outcome(
        "授权成功，您的企业已经成功开通腾讯电子签企业微信服务。",
    )))
}
