//! SMS (Tencent Cloud SendSms). Templates are fixed texts with parameters, as on the real
//! service; the local sender writes them to the outbox.

use std::sync::Arc;

use async_trait::async_trait;

use super::ProviderError;
use crate::clock::Clock;
use crate::storage::{Channel, Db};

/// A one-time link in an SMS. Tencent Cloud allows no link inside a template variable, so the
/// real message carries only `code` (its last parameter) and the template's constant text
/// the entry point `/s` (real-mode.md); the local outbox shows `url`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsLink {
    /// 12 characters of `[A-Za-z0-9]` ([`crate::crypto::new_short_code`]).
    pub code: String,
    /// `{ESIGN_PUBLIC_URL}/s/{code}` in real mode; the page's path locally.
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SmsTemplate {
    /// 6-digit code for the contact step.
    VerificationCode { code: String, minutes: u32 },
    /// 短信通知法人: who asks, for which enterprise, and the one-time link.
    LegalRepAuthorization {
        enterprise: String,
        applicant: String,
        link: SmsLink,
    },
    /// 短信通知超级管理员: activate the WeCom-side service of an enterprise opened on WeChat.
    SuperAdminActivation {
        enterprise: String,
        applicant: String,
        link: SmsLink,
    },
    /// 邀请企业员工在企业微信使用.
    EmployeeInvitation { enterprise: String, link: SmsLink },
}

/// Which registered template a message uses (`ESIGN_SMS_TEMPLATE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    Code,
    LegalRep,
    SuperAdmin,
    Invite,
}

impl SmsTemplate {
    pub fn kind(&self) -> TemplateKind {
        match self {
            SmsTemplate::VerificationCode { .. } => TemplateKind::Code,
            SmsTemplate::LegalRepAuthorization { .. } => TemplateKind::LegalRep,
            SmsTemplate::SuperAdminActivation { .. } => TemplateKind::SuperAdmin,
            SmsTemplate::EmployeeInvitation { .. } => TemplateKind::Invite,
        }
    }

    /// `TemplateParamSet` of the registered template, in order; a link's short code is last
    /// (`docs/deploy.md` lists the templates to register).
    pub fn params(&self) -> Vec<String> {
        match self {
            SmsTemplate::VerificationCode { code, minutes } => {
                vec![code.clone(), minutes.to_string()]
            }
            SmsTemplate::LegalRepAuthorization {
                enterprise,
                applicant,
                link,
            }
            | SmsTemplate::SuperAdminActivation {
                enterprise,
                applicant,
                link,
            } => vec![applicant.clone(), enterprise.clone(), link.code.clone()],
            SmsTemplate::EmployeeInvitation { enterprise, link } => {
                vec![enterprise.clone(), link.code.clone()]
            }
        }
    }

    /// The message as a phone shows it (the local outbox), the sign in front as the carrier
    /// adds it. The real sender sends `params()` and the sign in `SignName`, never this text.
    pub fn text(&self) -> String {
        match self {
            SmsTemplate::VerificationCode { code, minutes } => format!(
                "【腾讯电子签】您的验证码为{code}，用于企业认证联系方式验证，{minutes}分钟内有效。如非本人操作，请忽略本短信。"
            ),
            SmsTemplate::LegalRepAuthorization { enterprise, applicant, link } => format!(
                "【腾讯电子签】{applicant}正在为{enterprise}进行企业认证，申请成为企业超级管理员，需要您作为法定代表人授权。请在24小时内打开链接完成人脸识别并授权：{}",
                link.url
            ),
            SmsTemplate::SuperAdminActivation { enterprise, applicant, link } => format!(
                "【腾讯电子签】{applicant}正在将{enterprise}的腾讯电子签账号关联至企业微信，需要您作为超级管理员授权开通企业微信端服务。请在24小时内打开链接阅读协议并确认开通：{}",
                link.url
            ),
            SmsTemplate::EmployeeInvitation { enterprise, link } => format!(
                "【腾讯电子签】{enterprise}已开通腾讯电子签企业微信服务，邀请您在企业微信中使用。请在企业微信工作台打开“腾讯电子签”，完成个人实名认证后即可使用：{}",
                link.url
            ),
        }
    }

    /// The link the message carries, if any.
    pub fn link(&self) -> Option<String> {
        match self {
            SmsTemplate::VerificationCode { .. } => None,
            SmsTemplate::LegalRepAuthorization { link, .. }
            | SmsTemplate::SuperAdminActivation { link, .. }
            | SmsTemplate::EmployeeInvitation { link, .. } => Some(link.url.clone()),
        }
    }
}

#[async_trait]
pub trait SmsSender: Send + Sync {
    /// Sends to one mainland number (11 digits, already validated; the real sender writes it
    /// `+86…`). Success is this number's: a refused number is an error.
    async fn send(&self, phone: &str, template: &SmsTemplate) -> Result<(), ProviderError>;
}

/// Local mode: nothing leaves the machine; every SMS lands in the outbox (`/dev/outbox`).
pub struct OutboxSms {
    db: Db,
    clock: Arc<dyn Clock>,
}

impl OutboxSms {
    pub fn new(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self { db, clock }
    }
}

#[async_trait]
impl SmsSender for OutboxSms {
    async fn send(&self, phone: &str, template: &SmsTemplate) -> Result<(), ProviderError> {
        self.db
            .push_outbox(
                Channel::Sms,
                phone,
                &template.text(),
                template.link().as_deref(),
                self.clock.now(),
            )
            .await?;
        Ok(())
    }
}
