//! Step 3, 确认联系方式: a mobile number confirmed by a 6-digit SMS code.
//!
//! Codes are stored as a keyed hash, expire after 5 minutes, allow 5 wrong tries, and can be
//! re-sent after 60 s; daily caps apply per person, per phone and per address. Every refusal
//! says how long.

use api::validate::{mask_mobile, mobile, sms_code};
use api::wire::{
    ApplicationView, ApplyStep, ContactCodeRequest, ContactCodeSent, ContactVerifyRequest,
};
use rand::Rng;

use super::access::scenario_one;
use super::apply::next_after;
use super::error::wait_text;
use super::guard::Refusal;
use super::{limits, view, Ctx, Error, Result};
use crate::clock::china_day;
use crate::providers::sms::SmsTemplate;
use crate::providers::ProviderError;
use crate::storage::{ContactConfirmed, Event, MemberRow, NewSmsCode};

pub const CODE_TTL_SECS: i64 = 5 * 60;
pub const RESEND_SECS: i64 = 60;
pub const MAX_ATTEMPTS: i64 = 5;
pub const DAILY_PER_PERSON: i64 = 10;
pub const DAILY_PER_PHONE: i64 = 5;

fn code_hash(cx: &Ctx<'_>, phone: &str, code: &str) -> String {
    cx.vault.blind_index(&format!("sms-code:{phone}:{code}"))
}

fn require_contact_step(current: ApplyStep) -> Result<()> {
    if super::reachable(current, ApplyStep::Contact) {
        Ok(())
    } else {
        Err(Error::Conflict("请先完成前面的认证步骤".to_owned()))
    }
}

/// 获取验证码: sends a 6-digit code to the number.
pub async fn send_code(
    cx: &Ctx<'_>,
    ip: &str,
    member: MemberRow,
    req: ContactCodeRequest,
) -> Result<ContactCodeSent> {
    let a = scenario_one(cx, member, ApplyStep::Contact).await?;
    require_contact_step(a.app.step)?;
    let phone = mobile(&req.phone).map_err(|e| Error::bad_field("phone", e.message()))?;
    let now = cx.clock.now();
    let phone_index = cx.vault.blind_index(&phone);
    let (today, until_tomorrow) = china_day(now);
    let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
    let new = NewSmsCode {
        member_id: &a.member.id,
        phone_index: &phone_index,
        code_hash: &code_hash(cx, &phone, &code),
        ttl_secs: CODE_TTL_SECS,
    };
    let by_ip = limits::code_sends(cx, ip);
    // The cooldown, the daily caps and the write are one locked transaction: of many taps at
    // once, one code goes out.
    cx.db
        .insert_sms_code_if(&new, now, today, by_ip.limits(), |sent| {
            if let Some(last) = sent.latest {
                let left = last.sent_at + RESEND_SECS - now;
                if left > 0 {
                    return Err(Error::RateLimited {
                        message: format!("验证码已发送，请{}后再重新获取", wait_text(left as u64)),
                        retry_after_secs: left as u64,
                    });
                }
            }
            if sent.by_member >= DAILY_PER_PERSON || sent.by_phone >= DAILY_PER_PHONE {
                return Err(Error::RateLimited {
                    message: format!(
                        "今日获取验证码次数已达上限，请{}后再试",
                        wait_text(until_tomorrow)
                    ),
                    retry_after_secs: until_tomorrow,
                });
            }
            Ok(())
        })
        .await?
        .map_err(|b| by_ip.blocked(b))?;
    let template = SmsTemplate::VerificationCode {
        code,
        minutes: (CODE_TTL_SECS / 60) as u32,
    };
    if let Err(e) = cx.providers.sms.send(&phone, &template).await {
        // Refused by the provider, the code never left: it must not hold the cooldown or
        // count toward the caps. A timeout may have sent it, so that one stays.
        if !matches!(e, ProviderError::Unavailable { .. }) {
            cx.db.forget_sms_code(&a.member.id, now).await?;
            cx.db.refund(by_ip.limits(), now).await?;
        }
        return Err(e.into());
    }
    Ok(ContactCodeSent {
        phone_masked: mask_mobile(&phone),
        resend_in_secs: RESEND_SECS as u64,
        expires_in_secs: CODE_TTL_SECS as u64,
    })
}

/// 下一步: checks the code; the number becomes the applicant's contact for this enterprise.
pub async fn verify(
    cx: &Ctx<'_>,
    member: MemberRow,
    req: ContactVerifyRequest,
) -> Result<ApplicationView> {
    let a = scenario_one(cx, member, ApplyStep::Contact).await?;
    require_contact_step(a.app.step)?;
    let phone = mobile(&req.phone).map_err(|e| Error::bad_field("phone", e.message()))?;
    let code = sms_code(&req.code).map_err(|e| Error::bad_field("code", e.message()))?;
    let now = cx.clock.now();
    let refuse = |message: &str| Err(Error::bad_field("code", message));

    let Some(sent) = cx.db.latest_sms_code(&a.member.id).await? else {
        return refuse("请先获取验证码");
    };
    if sent.phone_index != cx.vault.blind_index(&phone) {
        return refuse("手机号已更改，请重新获取验证码");
    }
    if !sent.live {
        return refuse("验证码已失效，请重新获取");
    }
    if now >= sent.expires_at {
        cx.db.retire_sms_code(sent.id, false).await?;
        return refuse("验证码已过期，请重新获取");
    }
    if sent.code_hash != code_hash(cx, &phone, &code) {
        let tries = cx.db.fail_sms_code(sent.id, MAX_ATTEMPTS).await?;
        let left = MAX_ATTEMPTS - tries;
        return if left > 0 {
            refuse(&format!("验证码错误，还可尝试{left}次"))
        } else {
            refuse("验证码错误次数过多，已失效，请重新获取")
        };
    }
    let masked = mask_mobile(&phone);
    let next = next_after(&a, ApplyStep::Contact)?;
    let event = Event {
        actor_id: Some(&a.member.id),
        kind: "contact_verified",
        detail: Some(&masked),
    };
    let sealed = cx.vault.seal(&phone);
    match cx
        .db
        .confirm_contact(sent.id, &a.app.id, &sealed, &masked, next, event, now)
        .await?
    {
        ContactConfirmed::Done => view::of(cx, &a).await,
        ContactConfirmed::CodeSpent => refuse("验证码已失效，请重新获取"),
        ContactConfirmed::Closed => Err(Refusal::Closed.into()),
    }
}
