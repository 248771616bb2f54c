//! `ApplicationView`, the page of the application: one storage snapshot
//! ([`crate::storage::Db::application_snapshot`]) mapped by pure functions. Scenario 2 also asks
//! the WeChat side for the linked enterprise (a provider, not the database).

use api::validate::{mask_mobile, mask_name};
use api::wire::{
    ApplicationView, ContactInfo, LetterStatus, LetterView, PersonSummary, PersonVerification,
    Scenario, SmsLinkStatus, SmsLinkView, WechatEnterprise, WechatLinkView,
};

use super::access::{admit, only_the_applicant, Admission, Applicant};
use super::link::{Link, LinkStatus, LINK_TTL_SECS};
use super::{contact, Ctx, Error, Result};
use crate::providers::esign::EsignEnterprise;
use crate::storage::{ApplicationSnapshot, LetterState, LetterSummary, MemberRow};

/// The caller's application page: who they are to it is decided on the same snapshot.
pub async fn for_member(cx: &Ctx<'_>, member: MemberRow) -> Result<ApplicationView> {
    let refused = || {
        super::access::as_admin(&member, None)
            .err()
            .unwrap_or_else(|| Error::NotFound("尚未发起企业认证".to_owned()))
    };
    let Some(corp_id) = member.corp_id.clone() else {
        return Err(refused());
    };
    let Some(mut s) = cx.db.application_snapshot(&corp_id, &member.id).await? else {
        return Err(refused());
    };
    let a = match admit(member, Some(s.corp.clone()), s.app.take())? {
        Admission::Applicant(a) => a,
        Admission::OtherApplicant(_) => return Err(only_the_applicant(&s.applicant_name)),
    };
    page(cx, &a, &s).await
}

/// The page after a step changed the application: read again, in one query.
pub async fn of(cx: &Ctx<'_>, a: &Applicant) -> Result<ApplicationView> {
    let s = cx
        .db
        .application_snapshot(&a.corp.id, &a.member.id)
        .await?
        .filter(|s| s.app.as_ref().is_some_and(|app| app.id == a.app.id))
        .ok_or_else(|| Error::NotFound("尚未发起企业认证".to_owned()))?;
    let a = Applicant {
        member: a.member.clone(),
        corp: s.corp.clone(),
        app: s.app.clone().unwrap_or_else(|| a.app.clone()),
    };
    page(cx, &a, &s).await
}

async fn page(cx: &Ctx<'_>, a: &Applicant, s: &ApplicationSnapshot) -> Result<ApplicationView> {
    let wechat = match a.app.scenario {
        Scenario::New => None,
        Scenario::Wechat => Some(linked_enterprise(cx, s).await?),
    };
    Ok(application(a, s, wechat, cx.now()))
}

/// The linked enterprise as the WeChat side knows it now, and whether the caller (by their own
/// verification) is its super admin.
async fn linked_enterprise(
    cx: &Ctx<'_>,
    s: &ApplicationSnapshot,
) -> Result<(EsignEnterprise, bool)> {
    let uscc = s
        .wechat_uscc
        .as_deref()
        .ok_or_else(|| Error::Conflict("请先关联微信账户".to_owned()))?;
    let e = cx
        .providers
        .wechat_esign
        .by_uscc(uscc)
        .await?
        .ok_or_else(|| {
            Error::Conflict("未查询到该企业的微信端电子签账号，请重新关联微信账户".to_owned())
        })?;
    let is_super = match &s.person {
        Some((p, sealed)) => {
            let id = cx
                .vault
                .open(sealed)
                .map_err(|e| Error::Io(format!("sealed ID number: {e}")))?;
            e.super_admin.is(&p.name, &id)
        }
        None => false,
    };
    Ok((e, is_super))
}

/// The page, from the snapshot (and, in scenario 2, the linked enterprise).
pub fn application(
    a: &Applicant,
    s: &ApplicationSnapshot,
    wechat: Option<(EsignEnterprise, bool)>,
    now: i64,
) -> ApplicationView {
    let person = s.person.as_ref().map(|(p, _)| p);
    let license = a.app.license();
    ApplicationView {
        id: a.app.id.clone(),
        corp_name: a.corp.name.clone(),
        step: a.app.step,
        applicant: PersonSummary {
            id: a.member.id.clone(),
            name: a.member.name.clone(),
        },
        real_name: person.map(|p| PersonVerification {
            name: p.name.clone(),
            id_masked: p.id_masked.clone(),
            verified_at: p.verified_at,
        }),
        authorize_path: super::offered_path(&a.app, license.as_ref(), person),
        license,
        contact: a
            .app
            .contact_masked
            .clone()
            .map(|phone_masked| ContactInfo {
                phone_masked,
                verified: a.app.contact_verified_at.is_some(),
            }),
        sms_resend_in_secs: s
            .code_sent_at
            .map(|sent_at| sent_at + contact::RESEND_SECS - now)
            .filter(|left| *left > 0)
            .map(|left| left as u64),
        legal_rep: s
            .legal_rep_link
            .as_ref()
            .map(|l| sms_link(&l.phone_masked, &l.link, now)),
        letter: s.letter.as_ref().map(letter),
        scenario: a.app.scenario,
        wechat: wechat.map(|(e, applicant_is_super_admin)| WechatLinkView {
            enterprise: public(&e),
            applicant_is_super_admin,
            notice: s
                .activation_link
                .as_ref()
                .map(|l| sms_link(&l.phone_masked, &l.link, now)),
        }),
    }
}

/// A one-time link as the sender sees it.
pub fn sms_link(phone_masked: &str, link: &Link, now: i64) -> SmsLinkView {
    SmsLinkView {
        phone_masked: phone_masked.to_owned(),
        sent_at: link.sent_at,
        status: match link.status {
            LinkStatus::Pending => SmsLinkStatus::Pending,
            LinkStatus::Approved => SmsLinkStatus::Approved,
            LinkStatus::Declined => SmsLinkStatus::Declined,
            LinkStatus::Cancelled => SmsLinkStatus::Cancelled,
            LinkStatus::Superseded => SmsLinkStatus::Superseded,
        },
        expires_at: link.sent_at + LINK_TTL_SECS,
        resend_in_secs: link.resend_wait(now),
    }
}

/// The newest letter, with how many were submitted.
pub fn letter(l: &LetterSummary) -> LetterView {
    LetterView {
        status: match l.status {
            LetterState::Approved => LetterStatus::Approved,
            LetterState::Rejected => LetterStatus::Rejected,
            // The snapshot leaves withdrawn letters out.
            LetterState::InReview | LetterState::Withdrawn => LetterStatus::InReview,
        },
        submitted_at: l.submitted_at,
        due_date: l.due_date.clone(),
        reason: l.reason.clone(),
        attempts: u32::try_from(l.attempts).unwrap_or(u32::MAX),
    }
}

/// What the applicant may see of the WeChat-side enterprise: its super admin only masked.
pub fn public(e: &EsignEnterprise) -> WechatEnterprise {
    WechatEnterprise {
        name: e.name.clone(),
        uscc: e.uscc.clone(),
        super_admin_name: mask_name(&e.super_admin.name),
        super_admin_phone: mask_mobile(&e.super_admin.mobile),
    }
}

#[cfg(test)]
mod tests {
    use api::wire::{
        ApplyStep, AuthMode, AuthorizePath, FieldSource, LicenseField, LicenseForm, SubjectType,
    };

    use super::*;
    use crate::storage::{ApplicationRow, CorpRow, LinkSummary, VerifiedPerson};

    const NOW: i64 = 1_795_860_000;

    fn field(v: &str) -> LicenseField {
        LicenseField {
            value: v.to_owned(),
            source: FieldSource::Recognized,
        }
    }

    fn applicant(step: ApplyStep, subject_type: SubjectType) -> Applicant {
        let license = LicenseForm {
            subject_type,
            upload_id: "u1".to_owned(),
            name: field("杭州市西湖区文化馆"),
            uscc: field("12330106MB1234567X"),
            legal_rep: field("周敏"),
            kind: None,
            address: None,
            set_date: None,
        };
        Applicant {
            member: MemberRow {
                id: "zhangwei".to_owned(),
                corp_id: Some("corp".to_owned()),
                name: "张伟".to_owned(),
                is_wecom_admin: true,
                is_staff: false,
                admin_checked_at: Some(NOW),
            },
            corp: CorpRow {
                id: "corp".to_owned(),
                name: "文化馆".to_owned(),
                auth_mode: AuthMode::Admin,
            },
            app: ApplicationRow {
                id: "app".to_owned(),
                corp_id: "corp".to_owned(),
                applicant_id: "zhangwei".to_owned(),
                step,
                license_json: serde_json::to_string(&license).ok(),
                contact_masked: Some("139****0001".to_owned()),
                contact_verified_at: Some(NOW - 100),
                created_at: NOW - 1000,
                scenario: Scenario::New,
                uscc: Some("12330106MB1234567X".to_owned()),
                registry_legal_rep: Some("周敏".to_owned()),
            },
        }
    }

    fn snapshot(a: &Applicant) -> ApplicationSnapshot {
        ApplicationSnapshot {
            corp: a.corp.clone(),
            app: Some(a.app.clone()),
            applicant_name: a.member.name.clone(),
            person: Some((
                VerifiedPerson {
                    identity: a.member.id.clone(),
                    name: "张伟".to_owned(),
                    id_masked: "3301**********0410".to_owned(),
                    verified_at: NOW - 900,
                },
                "sealed".to_owned(),
            )),
            code_sent_at: None,
            legal_rep_link: None,
            activation_link: None,
            letter: None,
            wechat_uscc: None,
        }
    }

    #[test]
    fn the_page_shows_each_step_from_the_snapshot() {
        let a = applicant(ApplyStep::Authorize, SubjectType::Institution);
        let s = ApplicationSnapshot {
            code_sent_at: Some(NOW - 20),
            letter: Some(LetterSummary {
                status: LetterState::Rejected,
                submitted_at: NOW - 50,
                due_date: "2026-12-02".to_owned(),
                reason: Some("公章不清晰".to_owned()),
                attempts: 2,
            }),
            ..snapshot(&a)
        };
        let v = application(&a, &s, None, NOW);
        assert_eq!(v.step, ApplyStep::Authorize);
        assert_eq!(v.real_name.as_ref().map(|p| p.name.as_str()), Some("张伟"));
        assert_eq!(
            v.sms_resend_in_secs,
            Some(40),
            "60 s after the code went out"
        );
        assert_eq!(
            v.contact
                .as_ref()
                .map(|c| (c.phone_masked.as_str(), c.verified)),
            Some(("139****0001", true))
        );
        assert_eq!(v.authorize_path, Some(AuthorizePath::Letter));
        let letter = v.letter.expect("the newest letter");
        assert_eq!(letter.status, LetterStatus::Rejected);
        assert_eq!(letter.attempts, 2);
        assert_eq!(letter.reason.as_deref(), Some("公章不清晰"));
        assert_eq!(v.license.map(|l| l.uscc.value), a.app.uscc);
        assert!(v.wechat.is_none() && v.legal_rep.is_none());
    }

    #[test]
    fn no_path_is_offered_before_the_last_step_nor_a_cooldown_after_it() {
        let a = applicant(ApplyStep::Contact, SubjectType::Enterprise);
        let s = ApplicationSnapshot {
            code_sent_at: Some(NOW - contact::RESEND_SECS),
            ..snapshot(&a)
        };
        let v = application(&a, &s, None, NOW);
        assert_eq!(v.authorize_path, None);
        assert_eq!(v.sms_resend_in_secs, None);
    }

    #[test]
    fn a_link_shows_its_state_and_when_it_may_be_sent_again() {
        let a = applicant(ApplyStep::Authorize, SubjectType::Enterprise);
        let pending = Link {
            status: LinkStatus::Pending,
            sent_at: NOW - 10,
        };
        let s = ApplicationSnapshot {
            legal_rep_link: Some(LinkSummary {
                phone_masked: "138****0002".to_owned(),
                link: pending,
            }),
            ..snapshot(&a)
        };
        let v = application(&a, &s, None, NOW);
        assert_eq!(v.authorize_path, Some(AuthorizePath::NotifyLegalRep));
        let l = v.legal_rep.expect("the newest link");
        assert_eq!(l.status, SmsLinkStatus::Pending);
        assert_eq!(l.resend_in_secs, Some(50));
        assert_eq!(l.expires_at, NOW - 10 + LINK_TTL_SECS);
        let declined = Link {
            status: LinkStatus::Declined,
            ..pending
        };
        let l = sms_link("138****0002", &declined, NOW);
        assert_eq!(l.status, SmsLinkStatus::Declined);
        assert_eq!(l.resend_in_secs, None, "only a pending link makes one wait");
    }
}
