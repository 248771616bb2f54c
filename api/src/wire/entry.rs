//! 首页: who is here, and 通知企微管理员.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    pub status: String,
}

/// How the corp installed the e-sign app in WeCom (`auth_mode` of get_permanent_code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthMode {
    /// 企业管理员授权: admins can start verification.
    Admin,
    /// 成员授权: nobody can; the admin must switch it in 企业微信管理后台.
    Member,
}

/// The enterprise's e-sign state, shown as the badge on 首页.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnterpriseState {
    /// 未认证: no application, or only cancelled ones.
    Unverified,
    /// 认证中: an application is open.
    InProgress,
    /// 已认证: an application ended verified (scenario 1) or opened (scenario 2).
    Verified,
}

impl EnterpriseState {
    pub fn label(self) -> &'static str {
        match self {
            Self::Unverified => "未认证",
            Self::InProgress => "认证中",
            Self::Verified => "已认证",
        }
    }
}

/// What the signed-in person may do about verification. The server decides; the app only
/// renders what this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryRole {
    /// A WeCom admin of a corp whose app uses 企业管理员授权: may start (去认证).
    Admin,
    /// A WeCom admin, but the app is installed with 成员授权: must switch the mode first.
    AdminMemberMode,
    /// An ordinary employee: may only notify the admins.
    Employee,
    /// E-sign staff (reviewers); not a member of any corp.
    Staff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionUser {
    pub id: String,
    pub name: String,
    pub is_wecom_admin: bool,
    /// Real WeCom, before the member's real-name verification: their userid inside the corp.
    /// WeCom tells a third-party app no names, so `name` is then a masked id; inside WeCom the
    /// page shows the name with WeCom's open-data element for this userid. Absent once the
    /// name is the verified one, and in local mode, where names are known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wecom_user_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionCorp {
    pub id: String,
    pub name: String,
    pub auth_mode: AuthMode,
}

/// An application in progress, as much as 首页 needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApplicationSummary {
    pub id: String,
    /// The step to resume at.
    pub step: super::ApplyStep,
    /// The applicant's name, masked unless it is the signed-in person.
    pub applicant_name: String,
    /// True when the signed-in person is the applicant.
    pub is_mine: bool,
    /// Unix seconds.
    pub started_at: i64,
    pub scenario: super::Scenario,
    /// Unix seconds: the last time anything happened to it.
    pub last_active_at: i64,
    /// Another admin may take it over (接管认证): it sat untouched for 30 days.
    pub can_take_over: bool,
}

/// `GET /api/session`: who is here and where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionInfo {
    pub user: SessionUser,
    /// None for staff, who belong to no corp.
    pub corp: Option<SessionCorp>,
    pub role: EntryRole,
    pub enterprise_state: EnterpriseState,
    pub application: Option<ApplicationSummary>,
    /// An employee invited by the super admin (scenario 2), and whether they verified.
    pub membership: Option<super::Membership>,
    /// The signed-in person is the enterprise's e-sign super admin.
    pub is_super_admin: bool,
    /// Opened (scenario 2) from an SMS outside WeCom: the super admin becomes known here once
    /// they complete 个人实名认证.
    pub super_admin_unknown: bool,
    /// The signed-in person's verified ID is the super admin's on record: a face check of
    /// their own makes them super admin here (`POST /api/enterprise/super-admin/face`).
    pub super_admin_claimable: bool,
    /// True when the server runs with local providers (demo data, outbox, simulations).
    pub local_mode: bool,
}

/// `POST /api/notify-admins` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NotifyAdminsResult {
    /// How many admins got a WeCom message.
    pub notified: u32,
    /// Seconds before this person may notify again.
    pub next_allowed_in_secs: u64,
}
