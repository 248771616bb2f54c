//! Sign-in through WeCom OAuth (real-mode.md): `/auth/wecom/login` hands out a single-use
//! `state` bound to this browser, `/auth/wecom/callback` takes it back with WeCom's `code`.

use rand::RngCore;
use std::sync::Arc;

use super::{Ctx, Error, Result};
use crate::providers::wecom::{member_key, SignIn};
use crate::providers::wecom_suite::SuiteWeCom;
use crate::providers::ProviderError;
use crate::storage::{token_hash as hash, MemberRow};

/// A state is good for 10 minutes: the person is in the middle of a redirect.
pub const STATE_TTL_SECS: i64 = 600;

/// Where WeCom sends the browser back, on the public URL.
pub const CALLBACK_PATH: &str = "/auth/wecom/callback";

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn suite(cx: &Ctx<'_>) -> Result<Arc<SuiteWeCom>> {
    cx.providers
        .wecom_suite
        .clone()
        .ok_or_else(|| Error::NotFound("企业微信登录未启用".to_owned()))
}

pub struct LoginStart {
    /// The authorize URL to send the browser to.
    pub location: String,
    /// The value of the browser-binding cookie.
    pub browser: String,
}

/// A new state for `next` (already a local path), bound to a new browser cookie.
pub async fn start(cx: &Ctx<'_>, next: &str) -> Result<LoginStart> {
    let suite = suite(cx)?;
    // WeCom accepts a-zA-Z0-9 in `state`.
    let state = random_hex(16);
    let browser = random_hex(32);
    let now = cx.now();
    cx.db
        .create_oauth_state(
            &hash(&state),
            &hash(&browser),
            next,
            now,
            now + STATE_TTL_SECS,
        )
        .await?;
    Ok(LoginStart {
        location: suite.authorize_url(&cx.absolute(CALLBACK_PATH), &state),
        browser,
    })
}

/// Why a sign-in was refused; each has its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown, already used, or expired.
    BadState,
    /// The state was handed to another browser.
    OtherBrowser,
    /// WeCom refused the code: used already, or expired.
    BadCode,
    /// Not a member of any corp (WeCom answered an openid only).
    NotMember,
    /// The member's corp has not installed the app, or cancelled it.
    NotInstalled,
}

pub struct SignedIn {
    pub member_id: String,
    pub next: String,
}

/// The callback: state, then code, then the member and their corp.
pub async fn finish(
    cx: &Ctx<'_>,
    code: &str,
    state: &str,
    browser: Option<&str>,
) -> Result<std::result::Result<SignedIn, Refusal>> {
    // Taken whatever follows: a state works once, even for the wrong browser.
    let Some(found) = cx.db.take_oauth_state(&hash(state)).await? else {
        return Ok(Err(Refusal::BadState));
    };
    if found.expires_at <= cx.now() {
        return Ok(Err(Refusal::BadState));
    }
    let same_browser = browser.is_some_and(|b| {
        crate::providers::wecom_suite::crypto::constant_time_eq(
            hash(b).as_bytes(),
            found.browser_hash.as_bytes(),
        )
    });
    if !same_browser {
        return Ok(Err(Refusal::OtherBrowser));
    }
    let suite = suite(cx)?;
    let (corp_id, user_id) = match cx.providers.wecom.sign_in(code).await {
        Ok(SignIn::Member {
            corp_id, user_id, ..
        }) => (corp_id, user_id),
        Ok(SignIn::NotMember) => return Ok(Err(Refusal::NotMember)),
        Err(ProviderError::BadInput { .. }) => return Ok(Err(Refusal::BadCode)),
        Err(e) => return Err(e.into()),
    };
    if !suite.installed(&corp_id).await? {
        return Ok(Err(Refusal::NotInstalled));
    }
    let now = cx.now();
    // An admin list that cannot be read now is read again at the first step that needs it.
    let (is_admin, checked) = match cx.providers.wecom.admins(&corp_id).await {
        Ok(admins) => (admins.contains(&user_id), Some(now)),
        Err(e) => {
            tracing::warn!(error = %e, "sign-in: the admin list could not be read");
            (false, None)
        }
    };
    let id = member_key(&corp_id, &user_id);
    let name = match cx.db.member(&id).await? {
        Some(m) => m.name,
        None => display_name(&user_id),
    };
    cx.db
        .upsert_member(&MemberRow {
            id: id.clone(),
            corp_id: Some(corp_id),
            name,
            is_wecom_admin: is_admin,
            is_staff: false,
            admin_checked_at: checked,
        })
        .await?;
    Ok(Ok(SignedIn {
        member_id: id,
        next: found.next_path,
    }))
}

/// WeCom gives a third-party app no names (real-mode.md): the masked user id stands in until
/// the person's verified name is known.
pub fn display_name(user_id: &str) -> String {
    let chars: Vec<char> = user_id.chars().collect();
    let masked: String = if chars.len() <= 4 {
        chars.iter().take(1).chain(['*', '*', '*'].iter()).collect()
    } else {
        chars[..2]
            .iter()
            .chain(['*', '*', '*'].iter())
            .chain(&chars[chars.len() - 2..])
            .collect()
    };
    format!("成员 {masked}")
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn names_are_masked_user_ids() {
        assert_eq!(display_name("zhangsan"), "成员 zh***an");
        assert_eq!(display_name("li"), "成员 l***");
        assert_eq!(display_name("张三丰大侠"), "成员 张三***大侠");
    }
}
