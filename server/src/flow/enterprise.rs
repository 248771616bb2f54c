//! The verified enterprise: its success page (`GET /api/enterprise`) and, after scenario 2,
//! 邀请企业员工在企业微信使用 — an SMS to every employee with an e-sign account on the WeChat
//! side, at most three a day per number.

use api::validate::{mask_mobile, mask_name};
use api::wire::{
    EnterpriseView, FaceOutcome, FaceResultRequest, FaceStart, InvitationResult, InvitedEmployee,
    Scenario,
};

use super::access::{claimable, verified};
use super::error::wait_text;
use super::face::{self, FaceOwner};
use super::{person, Ctx, Error, Result};
use crate::clock::china_day;
use crate::providers::esign::EsignEnterprise;
use crate::providers::sms::SmsTemplate;
use crate::storage::{
    CurrentApplication, Event, FacePurpose, MemberRow, NewFaceCheck, NewInvitation, Settle,
};

/// Invitations one number may receive per day.
pub const MAX_INVITATIONS_PER_PHONE_PER_DAY: i64 = 3;

/// Where FaceID sends the claiming super admin back (an app route).
pub const CLAIM_FACE_REDIRECT: &str = "/enterprise/face-return";

/// The super admin on record, signed in here, starts the face check that claims the role.
pub async fn start_claim(
    cx: &Ctx<'_>,
    member: MemberRow,
    session: &Option<String>,
) -> Result<FaceStart> {
    let (_, app) = verified(cx, &member).await?;
    let (person, id_number) = person::identity(cx, &member.id)
        .await?
        .ok_or(Error::RealNameRequired)?;
    if !claimable(cx, &member, &app).await? {
        return Err(Error::Forbidden(
            "您不是本企业记录的电子签超级管理员，或超级管理员已确认".to_owned(),
        ));
    }
    let (today, until_tomorrow) = china_day(cx.clock.now());
    if cx.db.failed_face_checks(&member.id, today).await? >= MAX_CLAIM_FACE_FAILURES {
        return Err(Error::RateLimited {
            message: format!(
                "今日人脸识别失败次数过多，请{}后再试",
                wait_text(until_tomorrow)
            ),
            retry_after_secs: until_tomorrow,
        });
    }
    let face = cx
        .providers
        .face
        .detect_auth(&person.name, &id_number, &cx.absolute(CLAIM_FACE_REDIRECT))
        .await?;
    let check = NewFaceCheck {
        biz_token: &face.biz_token,
        application_id: &app.id,
        member_id: &member.id,
        session_hash: session.as_deref().unwrap_or_default(),
        subject_uscc: None,
        purpose: FacePurpose::Claim,
    };
    cx.db.start_face_check(&check, None, cx.now()).await?;
    Ok(FaceStart { url: face.url })
}

/// Failed claim face checks a person may have in a day.
const MAX_CLAIM_FACE_FAILURES: i64 = 5;

/// Back from the claim's face check: on a pass the signed-in member is the super admin.
pub async fn claim_result(
    cx: &Ctx<'_>,
    member: MemberRow,
    session: &Option<String>,
    req: FaceResultRequest,
) -> Result<FaceOutcome> {
    let (_, app) = verified(cx, &member).await?;
    let owner = FaceOwner {
        application_id: &app.id,
        member_id: &member.id,
        purpose: FacePurpose::Claim,
        session,
    };
    let (check, info) = face::finished(cx, &req.biz_token, &owner).await?;
    let index = app.super_admin_index.clone().unwrap_or_default();
    let identity = super::person::identity(cx, &member.id).await?;
    let passed = info.passed()
        && identity.is_some_and(|(p, id)| info.is_person(&p.name, &id))
        && claimable(cx, &member, &app).await?;
    let now = cx.clock.now();
    let face = Settle::Face {
        biz_token: &check.biz_token,
        passed,
    };
    if !cx
        .db
        .claim_super_admin(&app.id, &member.id, &index, face, now)
        .await?
    {
        return Err(face::used());
    }
    let (today, _) = china_day(now);
    let failed = cx.db.failed_face_checks(&member.id, today).await?;
    let left = (MAX_CLAIM_FACE_FAILURES - failed).max(0);
    Ok(FaceOutcome {
        passed,
        message: match (passed, left) {
            (true, _) => "身份已确认，您已成为本企业的电子签超级管理员".to_owned(),
            (false, 0) => "人脸识别未通过，今日重试次数已用完，请明天再试".to_owned(),
            (false, n) => {
                format!("人脸识别未通过，请在光线充足处正对屏幕重试。今日还可重试{n}次")
            }
        },
        retries_left: u32::try_from(left).unwrap_or(0),
    })
}

/// The WeChat-side enterprise a scenario 2 application opened.
async fn wechat_enterprise(
    cx: &Ctx<'_>,
    app: &CurrentApplication,
) -> Result<Option<EsignEnterprise>, Error> {
    if app.scenario != Scenario::Wechat {
        return Ok(None);
    }
    let Some(link) = cx.db.wechat_link(&app.id).await? else {
        return Ok(None);
    };
    Ok(cx.providers.wechat_esign.by_uscc(&link.uscc).await?)
}

/// The verified enterprise, as its success page shows it.
pub async fn enterprise(cx: &Ctx<'_>, member: MemberRow) -> Result<EnterpriseView> {
    let (corp, app) = verified(cx, &member).await?;
    let wechat = wechat_enterprise(cx, &app).await?;
    let you_are_super_admin = app.super_admin_id.as_deref() == Some(member.id.as_str());
    let super_admin_name = match (&app.super_admin_id, &wechat) {
        (Some(_), _) if you_are_super_admin => Some(member.name.clone()),
        (Some(id), _) => cx.db.member(id).await?.map(|m| mask_name(&m.name)),
        (None, Some(e)) => Some(mask_name(&e.super_admin.name)),
        (None, None) => None,
    };
    Ok(EnterpriseView {
        name: wechat.as_ref().map_or(corp.name, |e| e.name.clone()),
        scenario: app.scenario,
        verified_at: app.finished_at.unwrap_or(app.created_at),
        super_admin_name,
        you_are_super_admin,
        invitable: wechat.map_or(0, |e| e.employees.len() as u32),
    })
}

/// 邀请企业员工在企业微信使用 → 确定: by the super admin, after scenario 2. Numbers already
/// invited three times today are skipped; when all are, the answer is 429.
pub async fn invite(cx: &Ctx<'_>, member: MemberRow) -> Result<InvitationResult> {
    let (corp, app) = verified(cx, &member).await?;
    if app.super_admin_id.as_deref() != Some(member.id.as_str()) {
        return Err(Error::Forbidden("仅企业超级管理员可以邀请员工".to_owned()));
    }
    let e = wechat_enterprise(cx, &app).await?.ok_or_else(|| {
        Error::Conflict("仅已开通微信端腾讯电子签的企业可以邀请已有账号的员工".to_owned())
    })?;
    if e.employees.is_empty() {
        return Err(Error::Conflict(
            "企业内暂无已开通腾讯电子签账号的员工".to_owned(),
        ));
    }
    let now = cx.clock.now();
    let (today, until_tomorrow) = china_day(now);
    let mut result = InvitationResult {
        invited: Vec::new(),
        skipped: Vec::new(),
    };
    // (name, ID index, phone index, masked phone, code) of each SMS that went out.
    let mut sent: Vec<(String, String, String, String, String)> = Vec::new();
    let mut failed = None;
    for p in &e.employees {
        let shown = InvitedEmployee {
            name: mask_name(&p.name),
            phone: mask_mobile(&p.mobile),
        };
        let phone_index = cx.vault.blind_index(&p.mobile);
        if cx.db.invitations_to(&phone_index, today).await? >= MAX_INVITATIONS_PER_PHONE_PER_DAY {
            result.skipped.push(shown);
            continue;
        }
        let code = crate::crypto::new_short_code();
        let template = SmsTemplate::EmployeeInvitation {
            enterprise: e.name.clone(),
            // Locally the outbox shows the short-code link itself: `/` would not use the code.
            link: cx.sms_link(format!("/s/{code}"), &code),
        };
        if let Err(err) = cx.providers.sms.send(&p.mobile, &template).await {
            failed = Some(err);
            break;
        }
        let id_index = cx.vault.blind_index(&p.id_number);
        sent.push((
            p.name.clone(),
            id_index,
            phone_index,
            shown.phone.clone(),
            code,
        ));
        result.invited.push(shown);
    }
    if !sent.is_empty() {
        // What went out counts against the daily cap even when a later SMS failed.
        let rows: Vec<NewInvitation<'_>> = sent
            .iter()
            .map(
                |(name, id_index, phone_index, phone_masked, code)| NewInvitation {
                    corp_id: &corp.id,
                    name,
                    id_index,
                    phone_index,
                    phone_masked,
                    invited_by: &member.id,
                    code,
                },
            )
            .collect();
        let detail = format!("{}人", rows.len());
        let event = Event {
            actor_id: Some(&member.id),
            kind: "employees_invited",
            detail: Some(&detail),
        };
        cx.db.record_invitations(&app.id, &rows, event, now).await?;
    }
    if let Some(err) = failed {
        return Err(err.into());
    }
    if result.invited.is_empty() {
        return Err(Error::RateLimited {
            message: format!(
                "每个手机号每天最多接收{MAX_INVITATIONS_PER_PHONE_PER_DAY}次邀请，今日已达上限，请{}后再试",
                wait_text(until_tomorrow)
            ),
            retry_after_secs: until_tomorrow,
        });
    }
    Ok(result)
}
