//! Scenario 2 (关联微信账户 → 短信通知超级管理员 → 确认开通) and the employees it invites.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use super::{PersonVerification, RealNameRequest, SmsLinkView};

/// Which way the application goes: a new enterprise (scenario 1), or linking the enterprise
/// already opened on the WeChat side (scenario 2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    #[default]
    New,
    Wechat,
}

/// The app's route for scenario 2 once 个人实名认证 is done.
pub const WECHAT_PATH: &str = "/apply/wechat";

/// Where an application resumes.
pub fn resume_path(scenario: Scenario, step: super::ApplyStep) -> &'static str {
    match (scenario, step) {
        (Scenario::Wechat, s) if s > super::ApplyStep::RealName => WECHAT_PATH,
        (_, s) => s.path(),
    }
}

/// 电子签服务已开通: an enterprise already opened on the WeChat side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WechatEnterprise {
    pub name: String,
    pub uscc: String,
    /// The e-sign super admin on the WeChat side, masked (`*磊`).
    pub super_admin_name: String,
    /// Their mobile number, masked (`139****0011`).
    pub super_admin_phone: String,
}

/// `POST /api/application/wechat`: 关联微信账户. Without a code the server looks among the
/// enterprises the verified person belongs to on the WeChat side.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WechatLinkRequest {
    #[serde(default)]
    pub uscc: Option<String>,
}

/// The application's link to the WeChat-side enterprise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WechatLinkView {
    pub enterprise: WechatEnterprise,
    /// The applicant is that enterprise's super admin: they activate it themselves.
    pub applicant_is_super_admin: bool,
    /// 短信通知超级管理员: the newest SMS, if any.
    pub notice: Option<SmsLinkView>,
}

/// `POST /api/application/activation`: the super admin applicant activates directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ActivationStart {
    /// The activation page to open (`/activate/<token>`).
    pub path: String,
}

/// One part of the service agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AgreementSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

/// 《企业微信端腾讯电子签服务协议》 in full, with its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Agreement {
    pub title: String,
    pub version: String,
    pub sections: Vec<AgreementSection>,
}

/// `GET /api/activate/{token}`: what the super admin is asked to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ActivationView {
    pub enterprise: String,
    pub uscc: String,
    /// The WeCom corp the account would be linked to: the super admin decides whether it is
    /// theirs.
    pub wecom_corp: String,
    /// The super admin on record, masked: only they may open it.
    pub super_admin_name: String,
    /// Who asked, masked.
    pub applicant_name: String,
    /// Unix seconds after which the link no longer works.
    pub expires_at: i64,
    /// What opening the WeCom-side service means, point by point.
    pub what_it_means: Vec<String>,
    pub agreement: Agreement,
    /// 确认开通 was tapped with this version.
    pub accepted_version: Option<String>,
    /// The signed-in person already verified as the super admin: face verification needs no
    /// name and ID number again.
    pub verified_as: Option<PersonVerification>,
}

/// `POST /api/activate/{token}/confirm`: 确认开通 after reading the agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ActivationConfirm {
    pub agreement_version: String,
    pub accepted: bool,
}

/// `POST /api/activate/{token}/face`: whose face to verify. `None`: the signed-in person,
/// already verified as the super admin (`verified_as`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ActivationFaceRequest {
    #[serde(default)]
    pub identity: Option<RealNameRequest>,
}

/// `GET /api/enterprise`: the verified enterprise, for its success page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EnterpriseView {
    pub name: String,
    pub scenario: Scenario,
    /// Unix seconds.
    pub verified_at: i64,
    /// The super admin, masked unless it is the signed-in person.
    pub super_admin_name: Option<String>,
    pub you_are_super_admin: bool,
    /// Employees with an e-sign account on the WeChat side who can be invited (scenario 2).
    pub invitable: u32,
}

/// One invited employee, masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvitedEmployee {
    pub name: String,
    pub phone: String,
}

/// `POST /api/enterprise/invitations` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InvitationResult {
    pub invited: Vec<InvitedEmployee>,
    /// Numbers already invited 3 times today: not sent again.
    pub skipped: Vec<InvitedEmployee>,
}

/// Where the signed-in employee stands as a member of their e-sign enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Membership {
    /// Invited by the super admin: 个人实名认证 remains.
    Invited,
    /// Verified: can use e-sign.
    Verified,
}
