//! The verification flow as one state machine. Its transitions live here and nowhere else;
//! the use cases (one function each, in this module's files) ask it what may happen, storage
//! records what did, and HTTP handlers only extract, call and map.
//!
//! The application stands at the furthest step reached. Every step up to it stays reachable,
//! so the applicant can go back and correct something; nothing beyond it is.

pub mod access;
pub mod activate;
pub mod apply;
pub mod authorize;
pub mod contact;
pub mod enterprise;
pub mod entry;
pub mod error;
pub mod face;
pub mod guard;
pub mod legal_rep;
pub mod legal_rep_link;
pub mod letter;
pub mod license;
pub mod limits;
pub mod link;
pub mod links;
pub mod live;
pub mod person;
pub mod photo;
pub mod review;
pub mod short_codes;
pub mod sign_in;
pub mod view;
pub mod wechat;
pub mod wecom_install;
pub mod wecom_jssdk;

use api::wire::{ApplyStep, AuthorizePath, LicenseForm, Scenario, SubjectType};

pub use error::{Error, Result};

use crate::clock::Clock;
use crate::crypto::Vault;
use crate::imaging::ImagePool;
use crate::providers::Providers;
use crate::storage::{ApplicationRow, Db, VerifiedPerson};

/// What a use case works with: storage, the providers, time, the vault and the image pool.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub db: &'a Db,
    pub providers: &'a Providers,
    pub clock: &'a dyn Clock,
    /// Seals personal numbers at rest.
    pub vault: &'a Vault,
    /// Bounds the decoding and recognition of photos.
    pub images: &'a ImagePool,
    /// `ESIGN_PUBLIC_URL`'s origin (no trailing `/`). Links that leave the app (FaceID's
    /// redirect, WeCom messages, SMS) are built on it; without it (local mode) they stay paths.
    pub public_url: Option<&'a str>,
}

impl Ctx<'_> {
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// An app path as a link for the outside world: absolute on the public URL when there is
    /// one.
    pub fn absolute(&self, path: &str) -> String {
        match self.public_url {
            Some(origin) => format!("{origin}{path}"),
            None => path.to_owned(),
        }
    }

    /// The link an SMS carries for a one-time code: the short-code entry `/s/<code>` on the
    /// public URL (real-mode.md), or locally the page itself (`page` holds the code).
    pub fn sms_link(&self, page: String, code: &str) -> crate::providers::sms::SmsLink {
        let url = match self.public_url {
            Some(origin) => format!("{origin}/s/{code}"),
            None => page,
        };
        crate::providers::sms::SmsLink {
            code: code.to_owned(),
            url,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    #[error("step {0:?} is not reachable yet")]
    NotReachable(ApplyStep),
    #[error("step {0:?} is completed by another actor, not submitted")]
    NotSubmittable(ApplyStep),
    #[error("step {0:?} belongs to scenario 1, and the application links a WeChat account")]
    OtherScenario(ApplyStep),
}

/// Where a new application starts: 个人实名认证 is skipped for someone verified before, in
/// this corp or another.
pub fn start(person_verified: bool) -> ApplyStep {
    if person_verified {
        ApplyStep::License
    } else {
        ApplyStep::RealName
    }
}

/// May the app show `step` while the application stands at `current`?
pub fn reachable(current: ApplyStep, step: ApplyStep) -> bool {
    step <= current
}

/// The applicant submitted `done` while the application stands at `current`: where it stands
/// now. Submitting an earlier step again (after going back) keeps the progress made.
pub fn complete(current: ApplyStep, done: ApplyStep) -> Result<ApplyStep, FlowError> {
    if !reachable(current, done) {
        return Err(FlowError::NotReachable(done));
    }
    let next = done.next().ok_or(FlowError::NotSubmittable(done))?;
    Ok(current.max(next))
}

/// May `done` be submitted in `scenario`? Linking a WeChat account (scenario 2) shares only
/// 个人实名认证 with scenario 1; its own transitions are 关联微信账户 and the activation.
pub fn check_scenario(scenario: Scenario, done: ApplyStep) -> Result<(), FlowError> {
    match (scenario, done) {
        (Scenario::Wechat, ApplyStep::RealName) | (Scenario::New, _) => Ok(()),
        (Scenario::Wechat, step) => Err(FlowError::OtherScenario(step)),
    }
}

/// 关联微信账户 comes after personal real-name verification: from step 2 on.
pub fn may_link_wechat(current: ApplyStep) -> Result<(), FlowError> {
    if current > ApplyStep::RealName {
        Ok(())
    } else {
        Err(FlowError::NotReachable(ApplyStep::License))
    }
}

/// 超管授权: an institution sends a letter; an enterprise's legal representative verifies their
/// own face; anyone else asks the legal representative by SMS. `registered_legal_rep` is the
/// enterprise registry's answer for the license's USCC (never a field the applicant typed),
/// `applicant` the name the real-name check confirmed.
pub fn authorize_path(
    subject: SubjectType,
    registered_legal_rep: &str,
    applicant: &str,
) -> AuthorizePath {
    match subject {
        SubjectType::Institution => AuthorizePath::Letter,
        SubjectType::Enterprise if registered_legal_rep.trim() == applicant.trim() => {
            AuthorizePath::LegalRepFace
        }
        SubjectType::Enterprise => AuthorizePath::NotifyLegalRep,
    }
}

/// The path offered at 超管授权, once the steps before it are done: decided by the registry's
/// legal representative, never the form's field.
pub fn offered_path(
    app: &ApplicationRow,
    license: Option<&LicenseForm>,
    person: Option<&VerifiedPerson>,
) -> Option<AuthorizePath> {
    match (
        app.scenario,
        app.step,
        license,
        person,
        app.registry_legal_rep.as_deref(),
    ) {
        (Scenario::New, ApplyStep::Authorize, Some(l), Some(p), Some(registered)) => {
            Some(authorize_path(l.subject_type, registered, &p.name))
        }
        _ => None,
    }
}

/// How long an application may sit untouched before another admin of the corp may take it
/// over: an abandoned application must not block the corp for good.
pub const TAKEOVER_AFTER_SECS: i64 = 30 * 86_400;

/// May another admin take over an application last active at `last_active`?
pub fn may_take_over(last_active: i64, now: i64) -> bool {
    now - last_active >= TAKEOVER_AFTER_SECS
}

/// Stored form of a step (`applications.state`).
#[cfg(test)]
mod tests {
    use super::*;
    use ApplyStep::*;

    #[test]
    fn the_authorize_path_follows_subject_and_who_applies() {
        use api::wire::{AuthorizePath as P, SubjectType as S};
        assert_eq!(
            authorize_path(S::Enterprise, "王建国", "王建国"),
            P::LegalRepFace
        );
        assert_eq!(
            authorize_path(S::Enterprise, "郑芳", "郑芳 "),
            P::LegalRepFace
        );
        assert_eq!(
            authorize_path(S::Enterprise, "王建国", "张伟"),
            P::NotifyLegalRep
        );
        assert_eq!(
            authorize_path(S::Institution, "周敏", "周敏"),
            P::Letter,
            "institutions always send a letter"
        );
    }

    #[test]
    fn an_application_is_taken_over_after_thirty_quiet_days() {
        let t = 1_795_860_000;
        assert!(!may_take_over(t, t + TAKEOVER_AFTER_SECS - 1));
        assert!(may_take_over(t, t + TAKEOVER_AFTER_SECS));
    }

    #[test]
    fn a_verified_person_skips_real_name() {
        assert_eq!(start(false), RealName);
        assert_eq!(start(true), License);
    }

    #[test]
    fn each_step_leads_to_the_next() {
        assert_eq!(complete(RealName, RealName), Ok(License));
        assert_eq!(complete(License, License), Ok(Contact));
        assert_eq!(complete(Contact, Contact), Ok(Authorize));
    }

    #[test]
    fn going_back_and_resubmitting_keeps_progress() {
        assert_eq!(complete(Authorize, License), Ok(Authorize));
        assert_eq!(complete(Contact, License), Ok(Contact));
    }

    #[test]
    fn later_steps_are_refused() {
        assert_eq!(
            complete(RealName, License),
            Err(FlowError::NotReachable(License))
        );
        assert_eq!(
            complete(License, Contact),
            Err(FlowError::NotReachable(Contact))
        );
        assert!(!reachable(License, Contact));
        assert!(reachable(Contact, RealName));
    }

    #[test]
    fn authorization_is_not_a_form_step() {
        assert_eq!(
            complete(Authorize, Authorize),
            Err(FlowError::NotSubmittable(Authorize))
        );
    }

    #[test]
    fn scenario_two_shares_only_real_name() {
        assert_eq!(check_scenario(Scenario::Wechat, RealName), Ok(()));
        assert_eq!(
            check_scenario(Scenario::Wechat, License),
            Err(FlowError::OtherScenario(License))
        );
        assert_eq!(check_scenario(Scenario::New, Contact), Ok(()));
        assert!(may_link_wechat(RealName).is_err());
        assert!(may_link_wechat(License).is_ok());
        assert!(may_link_wechat(Authorize).is_ok());
    }

    #[test]
    fn steps_round_trip_through_storage() {
        for s in ApplyStep::ALL {
            assert_eq!(ApplyStep::from_key(s.key()), Some(s));
        }
        assert_eq!(ApplyStep::from_key("nope"), None);
    }
}
