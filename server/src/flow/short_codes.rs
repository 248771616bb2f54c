//! Short-code links (real-mode.md, "Links in SMS"): an SMS carries a 12-character code, and
//! `/s/<code>` (or `/s` with the code typed in) opens what it belongs to — the legal
//! representative's page, the activation page, or an invitation. Wrong codes are limited per
//! address and hour; every code that opens nothing gets the same answer.

use super::link::{LinkPurpose, LINK_TTL_SECS};
use super::{limits, Ctx, Error};
use crate::storage::InvitationCode;

/// What a code opened: the path to send the browser to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    To(String),
    /// No such code (or not one of ours): always the same answer, whatever was tried.
    Unknown,
    /// The code was real but no longer works; the sentence says why.
    Gone(String),
}

/// The codes `/s` looks up: an SMS link's. The activation the applicant opens directly is
/// never sent by SMS, so its token is not a short code.
const SMS_LINKS: [LinkPurpose; 2] = [LinkPurpose::LegalRep, LinkPurpose::ActivationSms];

/// Resolves a code typed or followed from `ip`. Counts as a try unless it opened something;
/// too many wrong tries answer 429.
pub async fn open(cx: &Ctx<'_>, ip: &str, input: &str) -> Result<Opened, Error> {
    let code = input.trim();
    let tries = limits::short_code_tries(cx, ip);
    let now = cx.clock.now();
    cx.db
        .take(tries.limits(), now)
        .await?
        .map_err(|r| tries.refusal(r))?;
    let opened = lookup(cx, code, now).await?;
    if let Opened::To(_) = opened {
        cx.db.refund(tries.limits(), now).await?;
    }
    Ok(opened)
}

async fn lookup(cx: &Ctx<'_>, code: &str, now: i64) -> Result<Opened, Error> {
    // Codes are [A-Za-z0-9]; anything else cannot be one and is not worth a query.
    if code.is_empty() || code.len() > 64 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(Opened::Unknown);
    }
    if let Some(row) = cx.db.link_by_token(code, &SMS_LINKS).await? {
        if let Err(refusal) = row.link.usable(now) {
            return Ok(Opened::Gone(refusal.to_string()));
        }
        let page = match row.purpose {
            LinkPurpose::LegalRep => "legal-rep",
            LinkPurpose::ActivationSms | LinkPurpose::ActivationDirect => "activate",
        };
        return Ok(Opened::To(format!("/{page}/{code}")));
    }
    Ok(
        match cx
            .db
            .use_invitation_code(code, now, now - LINK_TTL_SECS)
            .await?
        {
            // The employee opens the app; inside WeCom its sign-in takes over.
            Some(InvitationCode::Opened) => Opened::To("/".to_owned()),
            Some(InvitationCode::Used) => Opened::Gone(
                "该邀请链接已使用。请在企业微信工作台打开“腾讯电子签”继续使用".to_owned(),
            ),
            Some(InvitationCode::Expired) => Opened::Gone(
                "邀请链接已过期（有效期24小时）。请在企业微信工作台打开“腾讯电子签”，或联系企业超级管理员重新邀请"
                    .to_owned(),
            ),
            None => Opened::Unknown,
        },
    )
}
