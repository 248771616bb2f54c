//! What a super admin's activation link opens (`/activate/<token>`, scenario 2): what opening
//! the WeCom-side service means, the agreement, 确认开通, then real-name and face verification
//! of the super admin on record. The token is the key; a session, when there is one, spares a
//! super admin who verified before from typing their ID number again. Dead links answer 410
//! like the legal representative's.

use api::validate::mask_name;
use api::wire::{
    ActivationConfirm, ActivationFaceRequest, ActivationView, FaceOutcome, FaceResultRequest,
    FaceStart, Scenario,
};

use super::access::applicant_name;
use super::guard::{Refusal, StartedFor};
use super::link::{LinkPurpose, LinkRefusal, LinkStatus, LINK_TTL_SECS};
use super::{limits, links, person, Ctx, Error, Result};
use crate::agreement;
use crate::providers::esign::EsignEnterprise;
use crate::providers::wecom::{user_id_of, AppMessage};
use crate::storage::{
    ApplicationRow, Event, FinalStep, LinkRow, MemberRow, Settle, Verified, VerifiedPerson,
};

/// The link while it works, its open application and the enterprise as the WeChat side has it.
async fn live(
    cx: &Ctx<'_>,
    token: &str,
) -> Result<(LinkRow, ApplicationRow, EsignEnterprise), Error> {
    let (row, app) = links::open(cx, token, &LinkPurpose::ACTIVATION).await?;
    let linked = cx
        .db
        .wechat_link(&app.id)
        .await?
        .ok_or(LinkRefusal::Cancelled)?;
    let e = cx
        .providers
        .wechat_esign
        .by_uscc(&linked.uscc)
        .await?
        .ok_or(LinkRefusal::Cancelled)?;
    Ok((row, app, e))
}

/// The signed-in person, when their own verification is the super admin's.
async fn verified_super_admin(
    cx: &Ctx<'_>,
    member: Option<&MemberRow>,
    e: &EsignEnterprise,
) -> Result<Option<(VerifiedPerson, String)>, Error> {
    let Some(m) = member else { return Ok(None) };
    Ok(person::identity(cx, &m.id)
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
pub async fn link(cx: &Ctx<'_>, member: Option<MemberRow>, token: &str) -> Result<ActivationView> {
    let (row, app, e) = live(cx, token).await?;
    let verified_as = verified_super_admin(cx, member.as_ref(), &e)
        .await?
        .map(|(p, _)| person::public(p));
    let wecom_corp = cx
        .db
        .corp(&app.corp_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    Ok(ActivationView {
        enterprise: e.name.clone(),
        uscc: e.uscc.clone(),
        wecom_corp,
        super_admin_name: mask_name(&e.super_admin.name),
        applicant_name: mask_name(&applicant_name(cx, &app).await?),
        expires_at: row.link.sent_at + LINK_TTL_SECS,
        what_it_means: agreement::WHAT_IT_MEANS
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        agreement: agreement::agreement(),
        accepted_version: row.agreement_version,
        verified_as,
    })
}

/// 确认开通: the agreement was read and is accepted, in this version.
pub async fn confirm(cx: &Ctx<'_>, token: &str, req: ActivationConfirm) -> Result<()> {
    let (row, app, _) = live(cx, token).await?;
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
    let event = Event {
        actor_id: None,
        kind: "agreement_accepted",
        detail: Some(agreement::VERSION),
    };
    cx.db
        .accept_agreement_on(&app.id, &row.id, agreement::VERSION, event, cx.now())
        .await?;
    Ok(())
}

/// The super admin's real-name check and face verification. Without `identity` the signed-in
/// person's own verification is used, if it is the super admin's.
pub async fn start_face(
    cx: &Ctx<'_>,
    ip: &str,
    member: Option<MemberRow>,
    session: &Option<String>,
    token: &str,
    req: ActivationFaceRequest,
) -> Result<FaceStart> {
    let (row, _, e) = live(cx, token).await?;
    links::may_try_face(cx, &row).await?;
    if row.agreement_version.as_deref() != Some(agreement::VERSION) {
        return Err(Error::Conflict(format!(
            "请先阅读《{}》并点击“确认开通”",
            agreement::TITLE
        )));
    }
    let (name, id_number) = match req.identity {
        Some(form) => {
            let who = person::validate(&form, cx.clock.now())?;
            limits::link_identity_check(cx, &row, ip, &who.id_number).await?;
            person::check(cx, &who).await?;
            if !e.super_admin.is(&who.name, &who.id_number) {
                return Err(not_super_admin(&e));
            }
            (who.name, who.id_number)
        }
        None => {
            let (p, id) = verified_super_admin(cx, member.as_ref(), &e)
                .await?
                .ok_or_else(|| not_super_admin(&e))?;
            (p.name, id)
        }
    };
    let back = format!("/activate/{token}/face-return");
    let url = links::start_face(cx, &row, ip, session, &name, &id_number, &back).await?;
    Ok(FaceStart { url })
}

/// Back from face verification: the super admin on record passed, so the WeCom-side service
/// opens and the enterprise is verified. The signed-in member, if of this corp, is recorded as
/// super admin (they may invite employees from the success page).
pub async fn face_result(
    cx: &Ctx<'_>,
    member: Option<MemberRow>,
    session: &Option<String>,
    token: &str,
    req: FaceResultRequest,
) -> Result<FaceOutcome> {
    let (row, app, e) = live(cx, token).await?;
    let passed = match links::face_result(cx, &row, &req.biz_token, session).await? {
        Ok(passed) => passed,
        Err(failed) => return Ok(failed),
    };
    let info = &passed.info;
    if info.name.trim() != e.super_admin.name {
        return Err(not_super_admin(&e));
    }
    let now = cx.clock.now();
    let next = row.link.decide(now, true)?;
    debug_assert_eq!(next, LinkStatus::Approved);
    // The signed-in member is recorded as super admin only when their own verified ID is the
    // super admin's; anyone else (or nobody, outside WeCom) leaves the role to be claimed by
    // that person with their own face check.
    let index = cx.vault.blind_index(&e.super_admin.id_number);
    let super_admin = match member {
        Some(m) if m.corp_id.as_deref() == Some(app.corp_id.as_str()) => cx
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
    match cx.db.final_step(&step).await? {
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
            link: Some(cx.absolute("/apply/done")),
        };
        if let Err(err) = cx
            .providers
            .wecom
            .send(&app.corp_id, user_id_of(&app.applicant_id), &message)
            .await
        {
            // The service is open either way; the applicant's page shows it.
            tracing::warn!(error = %err, "activation: the WeCom message to the applicant failed");
        }
    }
    Ok(passed.outcome("授权成功，您的企业已经成功开通腾讯电子签企业微信服务。"))
}
