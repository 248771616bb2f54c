//! Step 4, 超级管理员授权. The server decides the path ([`super::authorize_path`]) and refuses
//! any other. Path 1, the legal representative's own face verification, is here; 短信通知法人
//! and 授权书 come with their own modules.

use api::validate::mask_name;
use api::wire::{ApplyStep, AuthorizePath, FaceOutcome, FaceResultRequest, FaceStart, Scenario};

use super::access::{scenario_one, Applicant};
use super::error::wait_text;
use super::face::{self, FaceOwner};
use super::guard::{Refusal, StartedFor};
use super::{limits, person, Ctx, Error, Result};
use crate::clock::china_day;
use crate::storage::{Event, FacePurpose, FinalStep, MemberRow, NewFaceCheck, Settle, Verified};

/// Where FaceID sends the person back (an app route); it appends `BizToken=…`.
pub const FACE_REDIRECT: &str = "/apply/face-return";
/// Failed face checks a person may have in a day.
pub const MAX_FACE_FAILURES_PER_DAY: i64 = 5;

/// The path offered at 超管授权, once the steps before it are done.
pub async fn offered_path(cx: &Ctx<'_>, a: &Applicant) -> Result<Option<AuthorizePath>> {
    let person = cx.db.verified_person(&a.member.id).await?;
    Ok(super::offered_path(
        &a.app,
        a.app.license().as_ref(),
        person.as_ref(),
    ))
}

/// Refuses unless `wanted` is the path the server offers this applicant; the refusal says
/// which way to go instead.
pub async fn require(cx: &Ctx<'_>, a: &Applicant, wanted: AuthorizePath) -> Result<()> {
    use AuthorizePath::*;
    let offered = offered_path(cx, a)
        .await?
        .ok_or_else(|| Error::Conflict("请先完成前面的认证步骤".to_owned()))?;
    let refusal = match (wanted, offered) {
        _ if wanted == offered => return Ok(()),
        (LegalRepFace, _) => "人脸识别授权仅限法定代表人或经营者本人，请使用页面提供的授权方式",
        (Letter, _) => "授权书认证仅适用于党政机关及事业单位或其他组织",
        (NotifyLegalRep, LegalRepFace) => "您是法定代表人本人，请直接进行人脸识别完成授权",
        (NotifyLegalRep, _) => "党政机关及事业单位请通过上传授权书完成认证",
    };
    Err(Error::Forbidden(refusal.to_owned()))
}

async fn face_failures_left(cx: &Ctx<'_>, member_id: &str) -> Result<(i64, u64)> {
    let (today, until_tomorrow) = china_day(cx.clock.now());
    let failed = cx.db.failed_face_checks(member_id, today).await?;
    Ok(((MAX_FACE_FAILURES_PER_DAY - failed).max(0), until_tomorrow))
}

/// Starts the legal representative's face verification (path 1).
pub async fn start_face(
    cx: &Ctx<'_>,
    member: MemberRow,
    session: &Option<String>,
) -> Result<FaceStart> {
    let a = scenario_one(cx, member, ApplyStep::Authorize).await?;
    require(cx, &a, AuthorizePath::LegalRepFace).await?;
    let (left, until_tomorrow) = face_failures_left(cx, &a.member.id).await?;
    if left == 0 {
        return Err(Error::RateLimited {
            message: format!(
                "今日人脸识别失败次数过多，请{}后再试",
                wait_text(until_tomorrow)
            ),
            retry_after_secs: until_tomorrow,
        });
    }
    limits::applicant_face_session(cx, &a.member.id).await?;
    let (person, id_number) = person::identity(cx, &a.member.id)
        .await?
        .ok_or_else(|| Error::Conflict("请先完成个人实名认证".to_owned()))?;
    let face = cx
        .providers
        .face
        .detect_auth(&person.name, &id_number, &cx.absolute(FACE_REDIRECT))
        .await?;
    let check = NewFaceCheck {
        biz_token: &face.biz_token,
        application_id: &a.app.id,
        member_id: &a.member.id,
        session_hash: session.as_deref().unwrap_or_default(),
        subject_uscc: a.app.uscc.as_deref(),
        purpose: FacePurpose::Authorize,
    };
    let masked = mask_name(&person.name);
    let event = Event {
        actor_id: Some(&a.member.id),
        kind: "face_started",
        detail: Some(&masked),
    };
    cx.db
        .start_face_check(&check, Some(event), cx.now())
        .await?;
    Ok(FaceStart { url: face.url })
}

/// Back from face verification: asks the provider for the result (the redirect alone proves
/// nothing) and, on a pass, ends the application verified with the applicant as super admin.
pub async fn face_result(
    cx: &Ctx<'_>,
    member: MemberRow,
    session: &Option<String>,
    req: FaceResultRequest,
) -> Result<FaceOutcome> {
    let a = scenario_one(cx, member, ApplyStep::Authorize).await?;
    let owner = FaceOwner {
        application_id: &a.app.id,
        member_id: &a.member.id,
        purpose: FacePurpose::Authorize,
        session,
    };
    let (check, info) = face::finished(cx, &req.biz_token, &owner).await?;
    let identity = person::identity(cx, &a.member.id).await?;
    let person = identity.as_ref().map(|(p, _)| p.clone());
    // The face that passed is the applicant's, and the applicant is the registry's legal
    // representative (as the path was decided when it started).
    let still_legal_rep = super::offered_path(&a.app, a.app.license().as_ref(), person.as_ref())
        == Some(AuthorizePath::LegalRepFace);
    let passed = info.passed()
        && still_legal_rep
        && identity
            .as_ref()
            .is_some_and(|(p, id)| info.is_person(&p.name, id));
    let now = cx.clock.now();
    let step = FinalStep {
        app_id: &a.app.id,
        started_for: StartedFor {
            scenario: Scenario::New,
            uscc: check.subject_uscc.as_deref(),
        },
        settle: Settle::Face {
            biz_token: &check.biz_token,
            passed,
        },
        verified: passed.then_some(Verified {
            super_admin_id: Some(&a.member.id),
            super_admin_index: None,
        }),
        event: Event {
            actor_id: Some(&a.member.id),
            kind: if passed { "verified" } else { "face_failed" },
            detail: passed.then_some("legal_rep_face"),
        },
        now,
    };
    match cx.db.final_step(&step).await? {
        Ok(()) => {}
        Err(Refusal::Settled) => return Err(face::used()),
        Err(refusal) => return Err(refusal.into()),
    }
    let (left, _) = face_failures_left(cx, &a.member.id).await?;
    let retries_left = u32::try_from(left).unwrap_or(0);
    if passed {
        return Ok(FaceOutcome {
            passed,
            message: "企业认证成功，您已成为该企业的超级管理员".to_owned(),
            retries_left,
        });
    }
    let message = if left > 0 {
        format!("人脸识别未通过，请在光线充足处正对屏幕重试。今日还可重试{left}次")
    } else {
        "人脸识别未通过，今日重试次数已用完，请明天再试".to_owned()
    };
    Ok(FaceOutcome {
        passed,
        message,
        retries_left,
    })
}
