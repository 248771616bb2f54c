//! 关联微信账户 (scenario 2), the applicant's side: find the enterprise already opened on the
//! WeChat side and link it, then 短信通知超级管理员 — or, when the applicant is that super admin,
//! activate directly. The super admin's side (`/activate/<token>`) is [`super::activate`].

use api::validate::{mask_mobile, mask_name, uscc};
use api::wire::{
    ActivationStart, ApplicationView, OpenedEnterprise, SmsLinkView, WechatLinkRequest,
};

use super::access::{admin_corp, applicant, applicant_name, member_corp, refresh_admin, Applicant};
use super::link::LinkPurpose;
use super::{links, person, view, Ctx, Error, Result};
use crate::crypto::{new_short_code, new_token};
use crate::providers::esign::EsignEnterprise;
use crate::providers::sms::SmsTemplate;
use crate::storage::{Event, MemberRow, NewLink, Outcome, WechatLinkRow};

/// SMS to the super admin per application and day.
pub const MAX_NOTICES_PER_DAY: i64 = 10;

/// 电子签服务已开通? The enterprise with this code, if opened on the WeChat side: its name
/// only, never its people.
pub async fn opened(cx: &Ctx<'_>, code: &str) -> Result<Option<OpenedEnterprise>> {
    Ok(cx
        .providers
        .wechat_esign
        .by_uscc(code)
        .await?
        .map(|e| OpenedEnterprise {
            name: e.name,
            uscc: e.uscc,
        }))
}

/// The linked enterprise as the WeChat side knows it now, and whether the signed-in applicant
/// is its super admin.
async fn linked(cx: &Ctx<'_>, a: &Applicant) -> Result<(EsignEnterprise, bool)> {
    let link = cx
        .db
        .wechat_link(&a.app.id)
        .await?
        .ok_or_else(|| Error::Conflict("请先关联微信账户".to_owned()))?;
    let e = cx
        .providers
        .wechat_esign
        .by_uscc(&link.uscc)
        .await?
        .ok_or_else(|| {
            Error::Conflict("未查询到该企业的微信端电子签账号，请重新关联微信账户".to_owned())
        })?;
    let is_super = person::identity(cx, &a.member.id)
        .await?
        .is_some_and(|(p, id)| e.super_admin.is(&p.name, id.as_str()));
    Ok((e, is_super))
}

/// 关联微信账户: finds the WeChat-side enterprise by 统一社会信用代码, or else among the verified
/// person's memberships there, and links the application to it (starting one for a super admin
/// who is not a WeCom admin). Personal real-name verification must come first. Returns the
/// page and whether a new application was started.
pub async fn link(
    cx: &Ctx<'_>,
    member: MemberRow,
    req: WechatLinkRequest,
) -> Result<(ApplicationView, bool)> {
    let member = refresh_admin(cx, member, 0).await?;
    let corp = match member_corp(cx, &member).await? {
        Some(c) if c.auth_mode == api::wire::AuthMode::Admin => c,
        // Staff, and corps installed with 成员授权, get the same refusal as 去认证.
        _ => admin_corp(cx, &member).await?,
    };
    if let Some(current) = cx.db.current_application(&corp.id).await? {
        if current.outcome == Outcome::Verified {
            return Err(Error::Conflict("企业已完成认证，无需再次认证".to_owned()));
        }
    }
    let existing = cx.db.open_application(&corp.id).await?;
    if let Some(app) = existing.as_ref().filter(|a| a.applicant_id != member.id) {
        let who = mask_name(&applicant_name(cx, app).await?);
        return Err(Error::Conflict(format!(
            "{who}已在进行企业认证，请等待其完成"
        )));
    }
    let (person, id_number) = person::identity(cx, &member.id)
        .await?
        .ok_or(Error::RealNameRequired)?;
    let code = req.uscc.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let found = match code {
        Some(c) => {
            let c = uscc(c).map_err(|e| Error::bad_field("uscc", e.message()))?;
            cx.providers.wechat_esign.by_uscc(&c).await?
        }
        None => cx
            .providers
            .wechat_esign
            .memberships(&person.name, &id_number)
            .await?
            .into_iter()
            .next(),
    };
    let e = found.ok_or_else(|| {
        Error::NotFound(
            "未查询到已开通腾讯电子签微信端服务的企业，说明企业尚未在微信端开通，请按全新未认证企业的方式上传证照完成认证"
                .to_owned(),
        )
    })?;
    let is_super = e.super_admin.is(&person.name, &id_number);
    if !member.is_wecom_admin && !is_super {
        return Err(Error::Forbidden(
            "仅企业微信管理员或微信端电子签超级管理员可以关联微信账户，您可以通知企微管理员"
                .to_owned(),
        ));
    }
    if cx.db.wechat_linked_elsewhere(&e.uscc, &corp.id).await? {
        return Err(Error::Conflict(format!(
            "{}的电子签账号已关联其他企业微信，无法重复关联",
            e.name
        )));
    }
    let now = cx.clock.now();
    let (app, created) = match existing {
        Some(app) => (app, false),
        None => {
            let (app, created) = cx
                .db
                .open_application_for(&corp.id, &member.id, super::start(true), now)
                .await?;
            if app.applicant_id != member.id {
                return Err(Error::Conflict(
                    "其他管理员刚刚发起了企业认证，请稍后再试".to_owned(),
                ));
            }
            (app, created)
        }
    };
    super::may_link_wechat(app.step)?;
    let detail = format!("{} {}", e.name, e.uscc);
    let event = Event {
        actor_id: Some(&member.id),
        kind: "wechat_linked",
        detail: Some(&detail),
    };
    let link = WechatLinkRow {
        uscc: e.uscc.clone(),
        enterprise: e.name.clone(),
    };
    cx.db.link_wechat(&app.id, &link, event, now).await?;
    let a = applicant(cx, member).await?;
    Ok((view::of(cx, &a).await?, created))
}

/// Back to 上传证照 (scenario 1): the link is dropped and any activation link stops working.
pub async fn unlink(cx: &Ctx<'_>, member: MemberRow) -> Result<ApplicationView> {
    let a = applicant(cx, member).await?;
    if !a.member.is_wecom_admin {
        return Err(Error::Forbidden(
            "全新企业认证需由企业微信管理员发起，您可以通知企微管理员".to_owned(),
        ));
    }
    let now = cx.clock.now();
    let event = Event {
        actor_id: Some(&a.member.id),
        kind: "wechat_unlinked",
        detail: None,
    };
    cx.db.unlink_wechat(&a.app.id, event, now).await?;
    view::of(cx, &a).await
}

/// 短信通知超级管理员 → 确定: sends the super admin on record an SMS with a one-time activation
/// link (24 h). Again after a minute; a newer SMS replaces the older link.
pub async fn notify_super_admin(cx: &Ctx<'_>, ip: &str, member: MemberRow) -> Result<SmsLinkView> {
    let a = applicant(cx, member).await?;
    let (e, is_super) = linked(cx, &a).await?;
    if is_super {
        return Err(Error::Forbidden(
            "您是该企业的电子签超级管理员，请直接确认开通".to_owned(),
        ));
    }
    let now = cx.clock.now();
    let token = new_short_code();
    let phone = &e.super_admin.mobile;
    let masked = mask_mobile(phone);
    let new = NewLink {
        application_id: &a.app.id,
        purpose: LinkPurpose::ActivationSms,
        token: &token,
        phone_sealed: &cx.vault.seal(phone),
        phone_masked: &masked,
        subject_uscc: &e.uscc,
    };
    let event = Event {
        actor_id: Some(&a.member.id),
        kind: "super_admin_notified",
        detail: Some(&masked),
    };
    let row =
        links::record_send(cx, ip, &new, event, now, MAX_NOTICES_PER_DAY, "超级管理员").await?;
    let template = SmsTemplate::SuperAdminActivation {
        enterprise: e.name.clone(),
        applicant: mask_name(&a.member.name),
        link: cx.sms_link(format!("/activate/{token}"), &token),
    };
    cx.providers.sms.send(phone, &template).await?;
    Ok(view::sms_link(&row.phone_masked, &row.link, now))
}

/// The applicant is the super admin: opens the activation page for them, with no SMS.
pub async fn activate_directly(cx: &Ctx<'_>, member: MemberRow) -> Result<ActivationStart> {
    let a = applicant(cx, member).await?;
    let (e, is_super) = linked(cx, &a).await?;
    if !is_super {
        return Err(Error::Forbidden(
            "您不是该企业的电子签超级管理员，请短信通知超级管理员开通".to_owned(),
        ));
    }
    let now = cx.clock.now();
    let token = new_token();
    let phone = &e.super_admin.mobile;
    let new = NewLink {
        application_id: &a.app.id,
        purpose: LinkPurpose::ActivationDirect,
        token: &token,
        phone_sealed: &cx.vault.seal(phone),
        phone_masked: &mask_mobile(phone),
        subject_uscc: &e.uscc,
    };
    cx.db.insert_link(&new, now).await?;
    Ok(ActivationStart {
        path: format!("/activate/{token}"),
    })
}
