//! What a legal representative's SMS link opens (`/legal-rep/<token>` in the app). No session
//! is needed: the token is the key, and who acts is proven by face verification before any
//! decision. Expired, used, withdrawn and replaced links each answer 410 with their reason.

use api::validate::mask_name;
use api::wire::{
    FaceOutcome, FaceResultRequest, FaceStart, LegalRepDecision, LegalRepLinkView, LicenseForm,
    RealNameRequest, Scenario,
};

use super::access::applicant_name;
use super::guard::{Refusal, StartedFor};
use super::link::{LinkPurpose, LinkRefusal, LINK_TTL_SECS};
use super::{limits, links, person, Ctx, Error, Result};
use crate::providers::wecom::{user_id_of, AppMessage};
use crate::storage::{ApplicationRow, Event, FinalStep, LinkRow, Settle, Verified};

/// Who asks to become super admin of which enterprise, for the legal representative to read.
pub async fn link(cx: &Ctx<'_>, token: &str) -> Result<LegalRepLinkView> {
    let (row, app, license) = live(cx, token).await?;
    Ok(LegalRepLinkView {
        enterprise: license.name.value,
        uscc: license.uscc.value,
        applicant_name: mask_name(&applicant_name(cx, &app).await?),
        applicant_phone: app.contact_masked,
        expires_at: row.link.sent_at + LINK_TTL_SECS,
    })
}

/// The link, while it still works, with its open application and the license it is about.
async fn live(cx: &Ctx<'_>, token: &str) -> Result<(LinkRow, ApplicationRow, LicenseForm), Error> {
    let (row, app) = links::open(cx, token, &[LinkPurpose::LegalRep]).await?;
    let license = app.license().ok_or(LinkRefusal::Used)?;
    Ok((row, app, license))
}

/// The legal representative's real-name check and face verification, started from the link.
pub async fn start_face(
    cx: &Ctx<'_>,
    ip: &str,
    session: &Option<String>,
    token: &str,
    req: RealNameRequest,
) -> Result<FaceStart> {
    let (row, _, _) = live(cx, token).await?;
    links::may_try_face(cx, &row).await?;
    let who = person::validate(&req, cx.clock.now())?;
    limits::link_identity_check(cx, &row, ip, &who.id_number).await?;
    person::check(cx, &who).await?;
    let back = format!("/legal-rep/{token}/face-return");
    let url = links::start_face(cx, &row, ip, session, &who.name, &who.id_number, &back).await?;
    Ok(FaceStart { url })
}

/// Back from face verification: the person who verified must be the license's 法定代表人.
pub async fn face_result(
    cx: &Ctx<'_>,
    session: &Option<String>,
    token: &str,
    req: FaceResultRequest,
) -> Result<FaceOutcome> {
    let (row, app, license) = live(cx, token).await?;
    let passed = match links::face_result(cx, &row, &req.biz_token, session).await? {
        Ok(passed) => passed,
        Err(failed) => return Ok(failed),
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
    cx.db.set_link_verified(&row.id, &info.name).await?;
    Ok(passed.outcome("身份已确认，请选择是否授权"))
}

/// 授权 or 拒绝, by the verified legal representative. 授权 verifies the enterprise with the
/// applicant as super admin; 拒绝 returns the applicant to 超管授权 to choose again. Either way
/// the applicant gets a WeCom message.
pub async fn decide(
    cx: &Ctx<'_>,
    session: &Option<String>,
    token: &str,
    req: LegalRepDecision,
) -> Result<()> {
    let (row, app, license) = live(cx, token).await?;
    let (_, verified) = cx.db.link_face(&row.id).await?;
    // Decided by whoever passed the face check, in the same browser session.
    if verified.is_none() || row.face_session != *session {
        return Err(Error::Forbidden("请先完成法定代表人人脸识别".to_owned()));
    }
    let now = cx.clock.now();
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
    match cx.db.final_step(&step).await? {
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
    let link = Some(cx.absolute(if req.approve {
        "/apply/done"
    } else {
        "/apply/authorize"
    }));
    if let Err(e) = cx
        .providers
        .wecom
        .send(
            &app.corp_id,
            user_id_of(&app.applicant_id),
            &AppMessage { text, link },
        )
        .await
    {
        // The decision stands; the applicant's page shows it even if the message is lost.
        tracing::warn!(error = %e, "legal-rep decision: the WeCom message to the applicant failed");
    }
    Ok(())
}
