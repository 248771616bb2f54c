//! JSON shapes exchanged between the app and the server, and the API's paths.
//!
//! The server derives OpenAPI schemas from these (feature `openapi`), so the spec and the
//! browser client can never disagree about a field.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

mod apply;
mod entry;
mod live;
mod wechat;
mod wecom;

pub use apply::*;
pub use entry::*;
pub use live::*;
pub use wechat::*;
pub use wecom::*;

/// Every API path, in one place: the app's client calls these, the server mounts them, and a
/// server test checks that each one is in the OpenAPI document.
pub mod paths {
    pub const HEALTH: &str = "/api/health";
    pub const SESSION: &str = "/api/session";
    pub const NOTIFY_ADMINS: &str = "/api/notify-admins";
    pub const OPENAPI: &str = "/api/openapi.json";
    pub const APPLICATION: &str = "/api/application";
    /// Server-sent events: a wake-up for each new timeline event of the caller's application.
    pub const APPLICATION_EVENTS: &str = "/api/application/events";
    pub const REAL_NAME: &str = "/api/application/real-name";
    pub const LICENSE_PHOTO: &str = "/api/application/license/photo";
    pub const LICENSE: &str = "/api/application/license";
    /// `/api/application/license/photo/{id}`: a license photo, to its applicant only.
    pub const LICENSE_PHOTO_FILE: &str = "/api/application/license/photo/{id}";
    pub const WECHAT_ENTERPRISE: &str = "/api/wechat-enterprise";
    pub const CONTACT_CODE: &str = "/api/application/contact/code";
    pub const CONTACT_VERIFY: &str = "/api/application/contact/verify";
    pub const FACE: &str = "/api/application/face";
    pub const FACE_RESULT: &str = "/api/application/face/result";
    pub const LEGAL_REP: &str = "/api/application/legal-rep";
    /// `/api/legal-rep/{token}`: what a legal representative's SMS link opens.
    pub const LEGAL_REP_LINK: &str = "/api/legal-rep/{token}";
    pub const LEGAL_REP_FACE: &str = "/api/legal-rep/{token}/face";
    pub const LEGAL_REP_FACE_RESULT: &str = "/api/legal-rep/{token}/face/result";
    pub const LEGAL_REP_DECISION: &str = "/api/legal-rep/{token}/decision";
    pub const LETTER_TEMPLATE: &str = "/api/application/letter/template";
    pub const LETTER_TEMPLATE_PDF: &str = "/api/application/letter/template.pdf";
    pub const LETTER_PHOTO: &str = "/api/application/letter/photo";
    pub const LETTER: &str = "/api/application/letter";
    pub const WECHAT_LINK: &str = "/api/application/wechat";
    pub const SUPER_ADMIN_NOTICE: &str = "/api/application/super-admin";
    pub const ACTIVATION: &str = "/api/application/activation";
    /// `/api/activate/{token}`: what the super admin's activation link opens.
    pub const ACTIVATE_LINK: &str = "/api/activate/{token}";
    pub const ACTIVATE_CONFIRM: &str = "/api/activate/{token}/confirm";
    pub const ACTIVATE_FACE: &str = "/api/activate/{token}/face";
    pub const ACTIVATE_FACE_RESULT: &str = "/api/activate/{token}/face/result";
    pub const ENTERPRISE: &str = "/api/enterprise";
    pub const INVITATIONS: &str = "/api/enterprise/invitations";
    /// 撤销认证 is `DELETE APPLICATION`; 接管认证 after 30 quiet days.
    pub const TAKEOVER: &str = "/api/application/takeover";
    /// A super admin who opened from outside WeCom claims the role with their own face.
    pub const CLAIM_FACE: &str = "/api/enterprise/super-admin/face";
    pub const CLAIM_FACE_RESULT: &str = "/api/enterprise/super-admin/face/result";
    pub const MY_REAL_NAME: &str = "/api/me/real-name";
    pub const OPS_REVIEWS: &str = "/api/ops/reviews";
    pub const OPS_REVIEW: &str = "/api/ops/reviews/{id}";
    pub const OPS_UPLOAD: &str = "/api/ops/uploads/{id}";
    /// Inside WeCom: the `wx.config` / `wx.agentConfig` signatures for a page URL.
    pub const WECOM_JSSDK: &str = "/api/wecom/jssdk";

    /// (method, path) of every JSON endpoint under `/api`.
    pub const ALL: &[(&str, &str)] = &[
        ("get", HEALTH),
        ("get", SESSION),
        ("post", NOTIFY_ADMINS),
        ("get", OPENAPI),
        ("get", APPLICATION),
        ("get", APPLICATION_EVENTS),
        ("post", APPLICATION),
        ("delete", APPLICATION),
        ("post", TAKEOVER),
        ("post", REAL_NAME),
        ("post", LICENSE_PHOTO),
        ("put", LICENSE),
        ("get", LICENSE),
        ("get", LICENSE_PHOTO_FILE),
        ("get", WECHAT_ENTERPRISE),
        ("post", CONTACT_CODE),
        ("post", CONTACT_VERIFY),
        ("post", FACE),
        ("post", FACE_RESULT),
        ("post", LEGAL_REP),
        ("delete", LEGAL_REP),
        ("get", LEGAL_REP_LINK),
        ("post", LEGAL_REP_FACE),
        ("post", LEGAL_REP_FACE_RESULT),
        ("post", LEGAL_REP_DECISION),
        ("post", LETTER_TEMPLATE),
        ("get", LETTER_TEMPLATE_PDF),
        ("post", LETTER_PHOTO),
        ("post", LETTER),
        ("post", WECHAT_LINK),
        ("delete", WECHAT_LINK),
        ("post", SUPER_ADMIN_NOTICE),
        ("post", ACTIVATION),
        ("get", ACTIVATE_LINK),
        ("post", ACTIVATE_CONFIRM),
        ("post", ACTIVATE_FACE),
        ("post", ACTIVATE_FACE_RESULT),
        ("get", ENTERPRISE),
        ("post", INVITATIONS),
        ("post", CLAIM_FACE),
        ("post", CLAIM_FACE_RESULT),
        ("post", MY_REAL_NAME),
        ("get", OPS_REVIEWS),
        ("post", OPS_REVIEW),
        ("get", OPS_UPLOAD),
        ("get", WECOM_JSSDK),
    ];
}

/// The body of every error answer, whatever the status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    pub error: ApiError,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    /// A Chinese sentence fit to show to the user as it is.
    pub message: String,
    /// For a refusal about one input: which field, so the app can show it there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For a rate limit: seconds until the action is allowed again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    TooLarge,
    /// An upload that is not a JPEG or PNG image, or a form without its content type.
    UnsupportedMediaType,
    /// The server is at capacity for this kind of work; retry after `retry_after_secs`.
    Busy,
    /// The caller must complete personal real-name verification first.
    RealNameRequired,
    /// A legal-rep link past its 24 hours.
    LinkExpired,
    /// A link whose request was already approved or declined.
    LinkUsed,
    /// A link the applicant withdrew.
    LinkCancelled,
    /// A link replaced by a newer SMS.
    LinkSuperseded,
    Internal,
}
