//! The application (企业认证申请) and its steps: 实名认证 → 上传证照 → 联系方式 → 超管授权.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The steps of scenario 1, in order. The server keeps the furthest step reached; every step
/// up to it is reachable (to go back and edit), none after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApplyStep {
    /// 个人实名认证
    RealName,
    /// 上传营业执照或相关证明文件
    License,
    /// 确认联系方式
    Contact,
    /// 超级管理员授权
    Authorize,
}

impl ApplyStep {
    pub const ALL: [ApplyStep; 4] = [
        Self::RealName,
        Self::License,
        Self::Contact,
        Self::Authorize,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The app's route for this step.
    pub fn path(self) -> &'static str {
        match self {
            Self::RealName => "/apply/real-name",
            Self::License => "/apply/license",
            Self::Contact => "/apply/contact",
            Self::Authorize => "/apply/authorize",
        }
    }

    pub fn from_path(path: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.path() == path)
    }

    pub fn previous(self) -> Option<Self> {
        self.index().checked_sub(1).map(|i| Self::ALL[i])
    }

    pub fn next(self) -> Option<Self> {
        Self::ALL.get(self.index() + 1).copied()
    }
}

/// 主体类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubjectType {
    /// 企业或个体工商户
    Enterprise,
    /// 党政机关及事业单位或其他组织
    Institution,
}

impl SubjectType {
    pub fn label(self) -> &'static str {
        match self {
            Self::Enterprise => "企业或个体工商户",
            Self::Institution => "党政机关及事业单位或其他组织",
        }
    }
}

/// `POST /api/application/real-name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RealNameRequest {
    pub name: String,
    /// 居民身份证号; sent once, stored encrypted, never returned.
    pub id_number: String,
}

/// A person's real-name verification, as much as may be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PersonVerification {
    pub name: String,
    /// e.g. `3301**********0410`.
    pub id_masked: String,
    /// Unix seconds.
    pub verified_at: i64,
}

/// Where a license field's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FieldSource {
    /// Read from the photo, unchanged.
    Recognized,
    /// Typed or corrected by the user.
    Edited,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LicenseField {
    pub value: String,
    pub source: FieldSource,
}

/// What recognition read from a photo; any field may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RecognizedLicense {
    pub name: Option<String>,
    pub uscc: Option<String>,
    /// 法定代表人 / 经营者 / 负责人.
    pub legal_rep: Option<String>,
    /// 类型, e.g. 有限责任公司(自然人投资或控股).
    pub kind: Option<String>,
    pub address: Option<String>,
    /// 成立日期, as printed.
    pub set_date: Option<String>,
}

/// `POST /api/application/license/photo` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LicensePhoto {
    pub upload_id: String,
    pub recognized: RecognizedLicense,
    /// The code read failed its checksum and was corrected (e.g. O→0).
    pub uscc_repaired: bool,
    /// Recognition could not run or read nothing: the user types the fields in.
    pub recognition_failed: bool,
    /// The recognized USCC belongs to an enterprise already opened on the WeChat side.
    pub wechat_opened: Option<OpenedEnterprise>,
    /// Shown beside the fields: the photo looks like a copy, a photo of a screen or no
    /// license at all, or why recognition did not run. Chinese sentences.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// `GET /api/application/license`: the last license photo uploaded, with what recognition read
/// from it, so that 上传证照 comes back after a reload or a WebView the system killed while
/// its camera was open (nothing is lost before 下一步).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LicenseDraft {
    /// `None`: no photo yet.
    pub upload_id: Option<String>,
    pub recognized: RecognizedLicense,
    /// The photo (`LICENSE_PHOTO_FILE`), for the applicant's session only.
    pub photo_url: Option<String>,
}

/// An enterprise already opened on the WeChat side, as 上传证照 may tell it: what it is, never
/// who runs it (that is shown only once the application links it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OpenedEnterprise {
    pub name: String,
    pub uscc: String,
}

/// `GET /api/wechat-enterprise?uscc=` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct WechatLookup {
    pub opened: Option<OpenedEnterprise>,
}

/// `PUT /api/application/license`: the fields the user confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LicenseForm {
    pub subject_type: SubjectType,
    /// The uploaded photo this form was read from.
    pub upload_id: String,
    pub name: LicenseField,
    pub uscc: LicenseField,
    pub legal_rep: LicenseField,
    /// Enterprise only.
    pub kind: Option<LicenseField>,
    /// Enterprise only.
    pub address: Option<LicenseField>,
    /// Enterprise only; `YYYY-MM-DD` or as printed (`2019年03月12日`).
    pub set_date: Option<LicenseField>,
}

/// `POST /api/application/contact/code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ContactCodeRequest {
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ContactCodeSent {
    pub phone_masked: String,
    /// Seconds before another code may be requested.
    pub resend_in_secs: u64,
    /// Seconds the code stays valid.
    pub expires_in_secs: u64,
}

/// `POST /api/application/contact/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ContactVerifyRequest {
    pub phone: String,
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ContactInfo {
    pub phone_masked: String,
    pub verified: bool,
}

/// `GET /api/application`: the corp's application as its applicant sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ApplicationView {
    pub id: String,
    pub corp_name: String,
    /// The furthest step reached: the one to resume at.
    pub step: ApplyStep,
    pub applicant: PersonSummary,
    pub real_name: Option<PersonVerification>,
    pub license: Option<LicenseForm>,
    pub contact: Option<ContactInfo>,
    /// While an SMS code cooldown runs: seconds left (survives reloads).
    pub sms_resend_in_secs: Option<u64>,
    /// At 超管授权: the way the server offers (the app shows no other).
    pub authorize_path: Option<AuthorizePath>,
    /// 短信通知法人: the newest SMS sent to the legal representative, if any.
    pub legal_rep: Option<SmsLinkView>,
    /// 授权书: the newest submission and how many there were.
    pub letter: Option<LetterView>,
    pub scenario: super::Scenario,
    /// 关联微信账户 (scenario 2): the linked enterprise and the SMS to its super admin.
    pub wechat: Option<super::WechatLinkView>,
}

/// Where the newest one-time SMS link (短信通知法人, 短信通知超级管理员) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SmsLinkStatus {
    Pending,
    Approved,
    Declined,
    Cancelled,
    Superseded,
}

/// The applicant's view of an SMS link sent to the legal representative or the super admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SmsLinkView {
    /// The number notified, masked (`139****0001`).
    pub phone_masked: String,
    /// Unix seconds.
    pub sent_at: i64,
    pub status: SmsLinkStatus,
    /// Unix seconds after which the link no longer works.
    pub expires_at: i64,
    /// While the resend cooldown runs: seconds left.
    pub resend_in_secs: Option<u64>,
}

/// `POST /api/application/legal-rep`: 短信通知法人 (again, or to another number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LegalRepNotifyRequest {
    /// The legal representative's mainland mobile number.
    pub phone: String,
}

/// `GET /api/legal-rep/{token}`: what the legal representative is asked to authorize.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LegalRepLinkView {
    /// The enterprise, as on its license.
    pub enterprise: String,
    pub uscc: String,
    /// Who asks to become super admin, masked (`*伟`).
    pub applicant_name: String,
    /// The mobile number the applicant verified, masked.
    pub applicant_phone: Option<String>,
    /// Unix seconds after which the link no longer works.
    pub expires_at: i64,
}

/// How the super admin is authorized (step 4). The server decides from the subject type and
/// whether the applicant is the license's 法定代表人/经营者.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthorizePath {
    /// The applicant is the legal representative: their own face verification.
    LegalRepFace,
    /// An employee: 短信通知法人, who authorizes from an SMS link.
    NotifyLegalRep,
    /// An institution: 授权书, reviewed by staff.
    Letter,
}

/// `POST /api/application/face`: where to go for face verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FaceStart {
    /// FaceID's page (the local simulation page in local mode); it returns to
    /// `/apply/face-return?BizToken=…`.
    pub url: String,
}

/// `POST /api/application/face/result`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FaceResultRequest {
    pub biz_token: String,
}

/// What the face check decided; on a pass the enterprise is verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FaceOutcome {
    pub passed: bool,
    /// For the person: what happened and what to do.
    pub message: String,
    /// Face checks left today (the daily cap).
    pub retries_left: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PersonSummary {
    pub id: String,
    pub name: String,
}

/// `POST /api/legal-rep/{token}/decision`: 授权 (`approve: true`) or 拒绝.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LegalRepDecision {
    pub approve: bool,
}

/// The seed's four notes on filling in the letter; also the reviewer's preset reasons.
pub const LETTER_NOTES: [&str; 4] = [
    "请将日期填写完整。",
    "请上传官方模板文件，填写过程中请勿对模板进行改动。",
    "授权书中的超管信息（电话等）请确认与电子签系统中保持一致。",
    "请确保上传图片清晰可辨认。",
];

/// Preset reasons for 驳回, one per note.
pub const LETTER_REJECT_REASONS: [&str; 4] = [
    "授权书日期未填写完整",
    "授权书模板内容被改动，请使用官方模板",
    "授权书中的超管信息与电子签系统不一致",
    "授权书图片不清晰，无法辨认",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LetterStatus {
    InReview,
    Approved,
    Rejected,
}

/// The applicant's view of the newest 授权书 submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LetterView {
    pub status: LetterStatus,
    pub submitted_at: i64,
    /// The last business day of the review, `YYYY-MM-DD`.
    pub due_date: String,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// Submissions so far, this one included.
    pub attempts: u32,
}

/// `POST /api/application/letter/template`: the template went out as a WeCom message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LetterTemplateSent {
    /// Where the PDF downloads (the applicant's session is needed).
    pub download_url: String,
}

/// `POST /api/application/letter/photo`: one stored photo of the letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LetterPhoto {
    pub upload_id: String,
}

/// `POST /api/application/letter`: submit 1–3 photos for review (下一步).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LetterSubmitRequest {
    pub upload_ids: Vec<String>,
}

/// One submission in the reviewer's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReviewItem {
    pub id: String,
    pub enterprise: String,
    pub uscc: String,
    pub legal_rep: String,
    pub applicant_name: String,
    pub applicant_phone: Option<String>,
    pub submitted_at: i64,
    pub due_date: String,
    /// Image URLs of the letter photos (staff session).
    pub photos: Vec<String>,
    /// Earlier rejections of this application, newest first.
    pub earlier_reasons: Vec<String>,
    /// The license fields the applicant changed from what recognition read (`name`, `uscc`,
    /// `legal_rep`, …), checked by the server against the recognized upload.
    pub edited_fields: Vec<String>,
}

/// `POST /api/ops/reviews/{id}`: 通过, or 驳回 with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReviewDecision {
    pub approve: bool,
    pub reason: Option<String>,
}
