//! SMS through Tencent Cloud `SendSms` 2021-01-11 (providers.md §3): a registered template
//! and its parameters, the sign in `SignName`, the number as `+86…`. Success is this number's
//! `Code == "Ok"`; a send is never repeated (it may have reached the phone).

use async_trait::async_trait;
use serde_json::json;

use super::{TcClient, TcError};
use crate::config::real::{SmsSettings, TencentCloudSettings};
use crate::providers::sms::{SmsSender, SmsTemplate, TemplateKind};
use crate::providers::ProviderError;

const PROVIDER: &str = "sms";

#[derive(Debug)]
pub struct TencentSms {
    client: TcClient,
    settings: SmsSettings,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendSmsResponse {
    #[serde(default)]
    send_status_set: Vec<SendStatus>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendStatus {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

impl TencentSms {
    pub fn new(tc: &TencentCloudSettings, settings: &SmsSettings) -> Result<Self, String> {
        Ok(Self {
            client: TcClient::new(tc, &tc.endpoint_sms, "sms", "2021-01-11", true, PROVIDER)?,
            settings: settings.clone(),
        })
    }

    fn template_id(&self, kind: TemplateKind) -> &str {
        match kind {
            TemplateKind::Code => &self.settings.template_code,
            TemplateKind::LegalRep => &self.settings.template_legal_rep,
            TemplateKind::SuperAdmin => &self.settings.template_super_admin,
            TemplateKind::Invite => &self.settings.template_invite,
        }
    }
}

/// A mainland number, 11 digits already validated, in E.164.
fn e164(phone: &str) -> String {
    let digits = phone.trim().trim_start_matches('+');
    let national = digits
        .strip_prefix("0086")
        .or_else(|| digits.strip_prefix("86").filter(|d| d.len() == 11))
        .unwrap_or(digits);
    format!("+86{national}")
}

/// What one number's refusal means (`SendStatusSet[].Code`).
fn per_number(code: &str, message: &str) -> ProviderError {
    let limited = |secs: u64, text: &str| ProviderError::RateLimited {
        provider: PROVIDER,
        retry_after_secs: secs,
        message: text.to_owned(),
    };
    match code {
        "InvalidParameterValue.IncorrectPhoneNumber" => ProviderError::BadInput {
            provider: PROVIDER,
            field: "phone",
            message: "手机号码格式不正确或无法接收短信，请核对".to_owned(),
        },
        "FailedOperation.PhoneNumberInBlacklist" => ProviderError::BadInput {
            provider: PROVIDER,
            field: "phone",
            message: "该手机号无法接收短信（已退订或被运营商拦截），请更换手机号".to_owned(),
        },
        "LimitExceeded.PhoneNumberThirtySecondLimit" => {
            limited(30, "短信发送过于频繁，请30秒后再试")
        }
        "LimitExceeded.PhoneNumberOneHourLimit" => {
            limited(3600, "该手机号短信发送次数过多，请1小时后再试")
        }
        c if c.starts_with("LimitExceeded.PhoneNumber") => limited(
            super::until_tomorrow_in_china(),
            "该手机号今日接收短信次数已达上限，请明天再试",
        ),
        c if c.starts_with("LimitExceeded") => limited(60, "短信发送过于频繁，请1分钟后再试"),
        "FailedOperation.SignatureIncorrectOrUnapproved"
        | "FailedOperation.TemplateIncorrectOrUnapproved"
        | "InvalidParameterValue.TemplateParameterFormatError"
        | "InvalidParameterValue.TemplateParameterLengthLimit"
        | "FailedOperation.TemplateParamSetNotMatchApprovedTemplate"
        | "FailedOperation.MissingSignature"
        | "FailedOperation.MissingTemplateToModify"
        | "InvalidParameterValue.SdkAppIdNotExist" => ProviderError::Misconfigured {
            provider: PROVIDER,
            detail: format!("{code}: {message}"),
        },
        _ => TcError::Api {
            code: code.to_owned(),
            message: message.to_owned(),
        }
        .into_provider(PROVIDER),
    }
}

#[async_trait]
impl SmsSender for TencentSms {
    async fn send(&self, phone: &str, template: &SmsTemplate) -> Result<(), ProviderError> {
        let body = json!({
            "PhoneNumberSet": [e164(phone)],
            "SmsSdkAppId": self.settings.sdk_app_id,
            "SignName": self.settings.sign_name,
            "TemplateId": self.template_id(template.kind()),
            "TemplateParamSet": template.params(),
        });
        let answer: SendSmsResponse =
            self.client
                .call("SendSms", &body)
                .await
                .map_err(|e| match e {
                    // The request's own refusals carry the same codes as a number's.
                    TcError::Api { code, message }
                        if code.starts_with("InvalidParameterValue")
                            || code.starts_with("FailedOperation")
                            || code.starts_with("LimitExceeded.PhoneNumber") =>
                    {
                        per_number(&code, &message)
                    }
                    e => e.into_provider(PROVIDER),
                })?;
        let Some(status) = answer.send_status_set.first() else {
            return Err(ProviderError::Unavailable {
                provider: PROVIDER,
                message: "SendSms answered no SendStatus".to_owned(),
            });
        };
        if status.code == "Ok" {
            return Ok(());
        }
        Err(per_number(&status.code, &status.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_sent_in_e164() {
        assert_eq!(e164("13800138000"), "+8613800138000");
        assert_eq!(e164("+8613800138000"), "+8613800138000");
        assert_eq!(e164("008613800138000"), "+8613800138000");
        assert_eq!(e164("8613800138000"), "+8613800138000");
    }

    #[test]
    fn per_number_codes_are_typed() {
        assert!(matches!(
            per_number("InvalidParameterValue.IncorrectPhoneNumber", ""),
            ProviderError::BadInput { field: "phone", .. }
        ));
        assert!(matches!(
            per_number("FailedOperation.PhoneNumberInBlacklist", ""),
            ProviderError::BadInput { field: "phone", .. }
        ));
        assert!(matches!(
            per_number("LimitExceeded.PhoneNumberThirtySecondLimit", ""),
            ProviderError::RateLimited {
                retry_after_secs: 30,
                ..
            }
        ));
        assert!(matches!(
            per_number("LimitExceeded.PhoneNumberOneHourLimit", ""),
            ProviderError::RateLimited {
                retry_after_secs: 3600,
                ..
            }
        ));
        let ProviderError::RateLimited {
            retry_after_secs, ..
        } = per_number("LimitExceeded.PhoneNumberDailyLimit", "")
        else {
            panic!("daily limit is a rate limit");
        };
        assert!((60..=86_400).contains(&retry_after_secs));
        for code in [
            "FailedOperation.SignatureIncorrectOrUnapproved",
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "InvalidParameterValue.TemplateParameterFormatError",
        ] {
            assert!(
                matches!(per_number(code, ""), ProviderError::Misconfigured { .. }),
                "{code}"
            );
        }
    }
}
