//! 首页: who the person is and where their enterprise stands; 通知企微管理员.

use api::validate::mask_name;
use api::wire::{
    ApplicationSummary, AuthMode, EnterpriseState, EntryRole, Membership, NotifyAdminsResult,
    SessionCorp, SessionInfo, SessionUser,
};

use super::access::{claimable, member_corp, refresh_admin, role, ADMIN_STATUS_MAX_AGE_SECS};
use super::error::wait_text;
use super::{Ctx, Error, Result};
use crate::providers::wecom::{user_id_of, Admins, AppMessage};
use crate::providers::ProviderError;
use crate::storage::{MemberRow, Outcome};

/// One reminder per person per 10 minutes: enough to be useful, too few to spam admins.
pub const NOTIFY_WINDOW_SECS: i64 = 600;

/// An employee the super admin invited: verified once their real-name verification is the
/// invited person's (by the keyed hash of the ID number), invited until then.
async fn membership(cx: &Ctx<'_>, corp_id: &str, member: &MemberRow) -> Result<Option<Membership>> {
    let invited = cx.db.invited_ids(corp_id, &member.name).await?;
    if invited.is_empty() {
        return Ok(None);
    }
    let verified = cx
        .db
        .verified_id_index(&member.id)
        .await?
        .is_some_and(|i| invited.contains(&i));
    Ok(Some(if verified {
        Membership::Verified
    } else {
        Membership::Invited
    }))
}

/// Who is signed in, their corp and role, the enterprise's e-sign cx, and any application
/// in progress.
pub async fn session(cx: &Ctx<'_>, member: MemberRow, local_mode: bool) -> Result<SessionInfo> {
    let member = refresh_admin(cx, member, ADMIN_STATUS_MAX_AGE_SECS).await?;
    // One round trip for the corp and its application: every page opens with this.
    let (corp, current) = match &member.corp_id {
        Some(id) => match cx.db.corp_and_current(id).await? {
            Some((corp, current)) => (Some(corp), current),
            None => (None, None),
        },
        None => (None, None),
    };
    let super_admin_claimable = match &current {
        Some(app) => claimable(cx, &member, app).await?,
        None => false,
    };
    let now = cx.clock.now();
    let last_active = match current.as_ref().filter(|a| a.outcome == Outcome::Open) {
        Some(a) => a.last_active_at(),
        None => 0,
    };
    // Opened from outside WeCom and not yet claimed: the super admin should verify here.
    let super_admin_unknown = current.as_ref().is_some_and(|a| {
        a.outcome == Outcome::Verified
            && a.super_admin_id.is_none()
            && a.super_admin_index.is_some()
    });
    let enterprise_state = match current.as_ref().map(|a| a.outcome) {
        None => EnterpriseState::Unverified,
        Some(Outcome::Open) => EnterpriseState::InProgress,
        Some(Outcome::Verified) => EnterpriseState::Verified,
    };
    let is_super_admin = current.as_ref().is_some_and(|a| {
        a.outcome == Outcome::Verified && a.super_admin_id.as_deref() == Some(member.id.as_str())
    });
    let membership = match (&corp, current.as_ref().map(|a| a.outcome)) {
        (Some(c), Some(Outcome::Verified)) => membership(cx, &c.id, &member).await?,
        _ => None,
    };
    let application = current.filter(|a| a.outcome == Outcome::Open).map(|a| {
        let is_mine = a.applicant_id == member.id;
        ApplicationSummary {
            id: a.id,
            step: a.step,
            applicant_name: if is_mine {
                a.applicant_name
            } else {
                mask_name(&a.applicant_name)
            },
            is_mine,
            started_at: a.created_at,
            scenario: a.scenario,
            last_active_at: last_active,
            can_take_over: !is_mine
                && member.is_wecom_admin
                && super::may_take_over(last_active, now),
        }
    });
    Ok(SessionInfo {
        role: role(&member, corp.as_ref()),
        user: SessionUser {
            id: member.id.clone(),
            name: member.name.clone(),
            is_wecom_admin: member.is_wecom_admin,
            // Only while the name is the stand-in: a verified name is shown as it is.
            wecom_user_id: {
                let user_id = user_id_of(&member.id);
                (crate::providers::wecom::is_member_key(&member.id)
                    && member.name == super::sign_in::display_name(user_id))
                .then(|| user_id.to_owned())
            },
        },
        corp: corp.map(|c| SessionCorp {
            id: c.id,
            name: c.name,
            auth_mode: c.auth_mode,
        }),
        enterprise_state,
        application,
        membership,
        is_super_admin,
        super_admin_unknown,
        super_admin_claimable,
        local_mode,
    })
}

/// 通知企微管理员: sends each of the corp's WeCom admins a message asking them to verify the
/// enterprise. Once per person per 10 minutes.
pub async fn notify_admins(cx: &Ctx<'_>, member: MemberRow) -> Result<NotifyAdminsResult> {
    let corp = member_corp(cx, &member)
        .await?
        .ok_or_else(|| Error::Forbidden("工作人员账号不属于任何企业".to_owned()))?;
    if role(&member, Some(&corp)) == EntryRole::Admin {
        return Err(Error::Conflict(
            "您是企业微信管理员，可直接点击“去认证”发起企业认证".to_owned(),
        ));
    }
    if let Some(app) = cx.db.current_application(&corp.id).await? {
        if app.outcome == Outcome::Verified {
            return Err(Error::Conflict(
                "企业已完成认证，无需再通知管理员".to_owned(),
            ));
        }
    }
    let me = user_id_of(&member.id);
    let admins: Vec<String> = match cx.providers.wecom.admins(&corp.id).await? {
        Admins::Listed(ids) => ids.into_iter().filter(|id| id != me).collect(),
        Admins::NoList => Vec::new(),
    };
    if admins.is_empty() {
        return Err(Error::Conflict(match corp.auth_mode {
            AuthMode::Member => "应用当前为成员授权，无法获取企业微信管理员。请管理员在企业微信管理后台将腾讯电子签的授权方式切换为“企业管理员授权使用”",
            AuthMode::Admin => "暂未找到可通知的企业微信管理员，请联系企业管理员",
        }
        .to_owned()));
    }

    let now = cx.clock.now();
    if let Err(left) = cx
        .db
        .try_record_admin_notification(&member.id, now, NOTIFY_WINDOW_SECS)
        .await?
    {
        return Err(Error::RateLimited {
            message: format!("已通知过管理员，请{}后再试", wait_text(left)),
            retry_after_secs: left,
        });
    }
    let message = AppMessage {
        text: format!(
            "【腾讯电子签】{corp}的成员{name}提醒您：企业尚未完成腾讯电子签企业认证。\
             请在企业微信工作台打开“腾讯电子签”，点击“去认证”完成认证。",
            corp = corp.name,
            name = cx.providers.wecom.name_in_message(&member.id, &member.name),
        ),
        link: Some(cx.absolute("/")),
    };
    let mut notified = 0u32;
    for admin in &admins {
        match cx.providers.wecom.send(&corp.id, admin, &message).await {
            Ok(d) if d.invalid_users.is_empty() => notified += 1,
            Ok(_) => tracing::warn!("notify-admins: WeCom did not accept one admin"),
            Err(e) => tracing::warn!(error = %e, "notify-admins: one message failed"),
        }
    }
    if notified == 0 {
        // Nothing went out: let the person try again right away.
        cx.db.forget_admin_notification(&member.id, now).await?;
        return Err(Error::Provider(ProviderError::Unavailable {
            provider: "wecom",
            message: "no message could be sent".to_owned(),
        }));
    }
    Ok(NotifyAdminsResult {
        notified,
        next_allowed_in_secs: NOTIFY_WINDOW_SECS as u64,
    })
}
