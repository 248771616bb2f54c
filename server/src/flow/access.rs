//! Who may do what: the member's corp and role, admin rights as WeCom says now, the applicant
//! of the corp's open application, staff, and the verified enterprise's super admin.

use api::validate::mask_name;
use api::wire::{ApplyStep, AuthMode, EntryRole, Scenario};

use super::{Ctx, Error, Result};
use crate::providers::wecom::user_id_of;
use crate::storage::{ApplicationRow, CorpRow, CurrentApplication, MemberRow, Outcome};

/// How long WeCom's word on admin status is trusted on pages that only show it.
pub const ADMIN_STATUS_MAX_AGE_SECS: i64 = 600;

pub fn role(member: &MemberRow, corp: Option<&CorpRow>) -> EntryRole {
    match corp {
        None => EntryRole::Staff,
        // 成员授权 installs get no admin list from WeCom (real-mode.md): nobody can be told
        // apart as an admin, so everyone sees the hint to switch to 管理员授权.
        Some(c) if c.auth_mode == AuthMode::Member => EntryRole::AdminMemberMode,
        Some(_) if !member.is_wecom_admin => EntryRole::Employee,
        Some(_) => EntryRole::Admin,
    }
}

/// The member with their admin status as WeCom reports it now, when the stored one is older
/// than `max_age_secs` (0: always ask, for steps that need admin rights). A demoted admin
/// loses the rights at once, not after the 30-day session.
pub async fn refresh_admin(
    cx: &Ctx<'_>,
    mut member: MemberRow,
    max_age_secs: i64,
) -> Result<MemberRow> {
    if member.corp_id.is_none() {
        return Ok(member);
    }
    let now = cx.now();
    let fresh = member
        .admin_checked_at
        .is_some_and(|at| max_age_secs > 0 && now - at < max_age_secs);
    if fresh {
        return Ok(member);
    }
    let corp_id = member.corp_id.as_deref().unwrap_or_default();
    let is_admin = cx
        .providers
        .wecom
        .admins(corp_id)
        .await?
        .contains(user_id_of(&member.id));
    cx.db.set_admin_status(&member.id, is_admin, now).await?;
    member.is_wecom_admin = is_admin;
    member.admin_checked_at = Some(now);
    Ok(member)
}

pub async fn member_corp(cx: &Ctx<'_>, member: &MemberRow) -> Result<Option<CorpRow>> {
    match &member.corp_id {
        Some(id) => Ok(cx.db.corp(id).await?),
        None => Ok(None),
    }
}

/// The signed-in admin, their corp, and the application they started.
pub struct Applicant {
    pub member: MemberRow,
    pub corp: CorpRow,
    pub app: ApplicationRow,
}

/// The corp, if the member may start or carry on an application there as its admin.
pub fn as_admin(member: &MemberRow, corp: Option<CorpRow>) -> Result<CorpRow> {
    match (role(member, corp.as_ref()), corp) {
        (EntryRole::Admin, Some(corp)) => Ok(corp),
        (EntryRole::AdminMemberMode, _) => Err(Error::Forbidden(
            "应用当前为成员授权，请先在企业微信管理后台将授权方式切换为“企业管理员授权使用”"
                .to_owned(),
        )),
        (EntryRole::Staff, _) => Err(Error::Forbidden("工作人员账号不能发起企业认证".to_owned())),
        _ => Err(Error::Forbidden(
            "仅企业微信管理员可以发起企业认证，您可以通知企微管理员".to_owned(),
        )),
    }
}

/// The member's corp, if they may start or carry on an application there as its admin.
pub async fn admin_corp(cx: &Ctx<'_>, member: &MemberRow) -> Result<CorpRow> {
    as_admin(member, member_corp(cx, member).await?)
}

/// Who the caller is to the corp's open application, from what was read.
pub enum Admission {
    Applicant(Applicant),
    /// Another admin's application: only its applicant may act.
    OtherApplicant(ApplicationRow),
}

/// The corp's admin with the application they started, or a WeChat-side super admin who is no
/// WeCom admin with the scenario 2 application they started; nobody else.
pub fn admit(
    member: MemberRow,
    corp: Option<CorpRow>,
    app: Option<ApplicationRow>,
) -> Result<Admission> {
    let corp = match as_admin(&member, corp.clone()) {
        Ok(corp) => corp,
        Err(refusal) => {
            return match (corp, app) {
                (Some(corp), Some(app))
                    if app.applicant_id == member.id && app.scenario == Scenario::Wechat =>
                {
                    Ok(Admission::Applicant(Applicant { member, corp, app }))
                }
                _ => Err(refusal),
            }
        }
    };
    let app =
        app.ok_or_else(|| Error::NotFound("尚未发起企业认证，请从首页点击“去认证”".to_owned()))?;
    if app.applicant_id != member.id {
        return Ok(Admission::OtherApplicant(app));
    }
    Ok(Admission::Applicant(Applicant { member, corp, app }))
}

/// The refusal to everyone but the applicant.
pub fn only_the_applicant(applicant_name: &str) -> Error {
    Error::Forbidden(format!(
        "{}正在进行企业认证，仅发起人可以继续",
        mask_name(applicant_name)
    ))
}

/// The member as WeCom says now, and their corp as its admin: for a step that needs admin
/// rights, so that a demoted admin loses them at once.
pub async fn current_admin(cx: &Ctx<'_>, member: MemberRow) -> Result<(MemberRow, CorpRow)> {
    let member = refresh_admin(cx, member, 0).await?;
    let corp = admin_corp(cx, &member).await?;
    Ok((member, corp))
}

/// The name of the admin who started the application.
pub async fn applicant_name(cx: &Ctx<'_>, app: &ApplicationRow) -> Result<String> {
    Ok(cx
        .db
        .member(&app.applicant_id)
        .await?
        .map(|m| m.name)
        .unwrap_or_default())
}

/// The applicant of the corp's open application, for a step: admin status asked of WeCom now.
pub async fn applicant(cx: &Ctx<'_>, member: MemberRow) -> Result<Applicant> {
    applicant_as_of(cx, member, 0).await
}

/// The same, trusting an admin status up to `max_age_secs` old (pages that poll only read).
pub async fn applicant_as_of(
    cx: &Ctx<'_>,
    member: MemberRow,
    max_age_secs: i64,
) -> Result<Applicant> {
    let member = refresh_admin(cx, member, max_age_secs).await?;
    let corp = member_corp(cx, &member).await?;
    let app = match &corp {
        Some(c) => cx.db.open_application(&c.id).await?,
        None => None,
    };
    match admit(member, corp, app)? {
        Admission::Applicant(a) => Ok(a),
        Admission::OtherApplicant(app) => Err(only_the_applicant(&applicant_name(cx, &app).await?)),
    }
}

/// The applicant, for a step of scenario 1 (refused once the application links a WeChat
/// account).
pub async fn scenario_one(cx: &Ctx<'_>, member: MemberRow, step: ApplyStep) -> Result<Applicant> {
    let a = applicant(cx, member).await?;
    super::check_scenario(a.app.scenario, step)?;
    Ok(a)
}

/// Staff only (the reviewer console).
pub fn staff(member: &MemberRow) -> Result<()> {
    if member.is_staff {
        Ok(())
    } else {
        Err(Error::Forbidden(
            "仅腾讯电子签工作人员可以访问审核台".to_owned(),
        ))
    }
}

/// The member's corp and the application that verified it.
pub async fn verified(cx: &Ctx<'_>, member: &MemberRow) -> Result<(CorpRow, CurrentApplication)> {
    let corp = member_corp(cx, member)
        .await?
        .ok_or_else(|| Error::Forbidden("工作人员账号不属于任何企业".to_owned()))?;
    let app = cx
        .db
        .current_application(&corp.id)
        .await?
        .filter(|a| a.outcome == Outcome::Verified)
        .ok_or_else(|| Error::NotFound("企业尚未完成认证".to_owned()))?;
    Ok((corp, app))
}

/// May this member claim the super admin role? Scenario 2 opened from an SMS outside WeCom
/// knows its super admin only by the keyed hash of their ID number: the member whose own
/// real-name verification matches may claim it, with their own face check (a name and an ID
/// number alone are no proof of being that person).
pub async fn claimable(cx: &Ctx<'_>, member: &MemberRow, app: &CurrentApplication) -> Result<bool> {
    let (Outcome::Verified, None, Some(index)) =
        (app.outcome, &app.super_admin_id, &app.super_admin_index)
    else {
        return Ok(false);
    };
    Ok(cx.db.verified_id_index(&member.id).await?.as_ref() == Some(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, is_wecom_admin: bool) -> MemberRow {
        MemberRow {
            id: id.to_owned(),
            corp_id: Some("corp".to_owned()),
            name: id.to_owned(),
            is_wecom_admin,
            is_staff: false,
            admin_checked_at: None,
        }
    }

    fn corp(auth_mode: AuthMode) -> Option<CorpRow> {
        Some(CorpRow {
            id: "corp".to_owned(),
            name: "星河云图".to_owned(),
            auth_mode,
        })
    }

    fn app(applicant: &str, scenario: Scenario) -> Option<ApplicationRow> {
        Some(ApplicationRow {
            id: "app".to_owned(),
            corp_id: "corp".to_owned(),
            applicant_id: applicant.to_owned(),
            step: ApplyStep::License,
            license_json: None,
            contact_masked: None,
            contact_verified_at: None,
            created_at: 0,
            scenario,
            uscc: None,
            registry_legal_rep: None,
        })
    }

    fn admitted(r: Result<Admission>) -> bool {
        matches!(r, Ok(Admission::Applicant(_)))
    }

    #[test]
    fn only_the_admin_who_started_carries_on() {
        let mine = app("zhangwei", Scenario::New);
        assert!(admitted(admit(
            member("zhangwei", true),
            corp(AuthMode::Admin),
            mine.clone()
        )));
        assert!(matches!(
            admit(member("lina", true), corp(AuthMode::Admin), mine.clone()),
            Ok(Admission::OtherApplicant(_))
        ));
        assert!(matches!(
            admit(member("zhangwei", true), corp(AuthMode::Admin), None),
            Err(Error::NotFound(_))
        ));
    }

    #[test]
    fn an_admin_who_lost_the_rights_is_refused_even_on_their_own_application() {
        let mine = app("zhangwei", Scenario::New);
        assert!(matches!(
            admit(
                member("zhangwei", false),
                corp(AuthMode::Admin),
                mine.clone()
            ),
            Err(Error::Forbidden(_))
        ));
        assert!(matches!(
            admit(member("zhangwei", true), corp(AuthMode::Member), mine),
            Err(Error::Forbidden(_)),
        ));
    }

    #[test]
    fn a_wechat_side_super_admin_keeps_only_their_own_scenario_two_application() {
        let own = app("chenjing", Scenario::Wechat);
        assert!(admitted(admit(
            member("chenjing", false),
            corp(AuthMode::Admin),
            own
        )));
        let other = app("zhangwei", Scenario::Wechat);
        assert!(admit(member("chenjing", false), corp(AuthMode::Admin), other).is_err());
    }
}
