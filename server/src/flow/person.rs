//! 个人实名认证 as a fact about the person: the one check behind step 1 of the application, the
//! invited employee's verification and the super admin's own (`POST /api/me/real-name`).

use api::validate::{id_number_on, mask_id, person_name};
use api::wire::{PersonVerification, RealNameRequest};

use super::error::wait_text;
use super::{limits, Ctx, Error};
use crate::clock::{china_day, china_today};
use crate::providers::realname::RealNameResult;
use crate::storage::{MemberRow, NewVerifiedPerson, VerifiedPerson};

/// Failed checks cost money on the real service and invite guessing: a few a day.
pub const MAX_FAILED_PER_DAY: i64 = 5;

/// A name and ID number that passed the shared validators.
pub struct CheckedIdentity {
    pub name: String,
    pub id_number: String,
}

/// Validates the form, answering at the field concerned.
pub fn validate(req: &RealNameRequest, now: i64) -> Result<CheckedIdentity, Error> {
    let name = person_name(&req.name).map_err(|e| Error::bad_field("name", e.message()))?;
    let id_number = id_number_on(&req.id_number, china_today(now))
        .map_err(|e| Error::bad_field("id_number", e.message()))?;
    Ok(CheckedIdentity { name, id_number })
}

/// Asks the real-name provider; a mismatch is a refusal at the ID number.
pub async fn check(cx: &Ctx<'_>, who: &CheckedIdentity) -> Result<(), Error> {
    let (field, refusal) = match cx
        .providers
        .real_name
        .check(&who.name, &who.id_number)
        .await?
    {
        RealNameResult::Match => return Ok(()),
        RealNameResult::Mismatch => ("id_number", "姓名与身份证号不匹配，请核对后重试"),
        RealNameResult::InvalidIdNumber => ("id_number", "身份证号无效，请核对后重新输入"),
        RealNameResult::InvalidName => ("name", "姓名格式不正确，请填写身份证上的姓名"),
        RealNameResult::NoRecord => ("id_number", "未查询到该身份证号的登记信息，请核对后重试"),
    };
    Err(Error::bad_field(field, refusal))
}

/// A real-name check that passed, ready to store: the ID number only sealed, as a keyed hash
/// and masked.
pub struct Passed {
    identity: String,
    name: String,
    id_index: String,
    id_sealed: String,
    id_masked: String,
    /// When it passed.
    pub at: i64,
}

impl Passed {
    pub fn row(&self) -> NewVerifiedPerson<'_> {
        NewVerifiedPerson {
            identity: &self.identity,
            name: &self.name,
            id_index: &self.id_index,
            id_sealed: &self.id_sealed,
            id_masked: &self.id_masked,
        }
    }

    pub fn person(&self) -> VerifiedPerson {
        VerifiedPerson {
            identity: self.identity.clone(),
            name: self.name.clone(),
            id_masked: self.id_masked.clone(),
            verified_at: self.at,
        }
    }
}

/// Checks the member's name and ID number with the provider; at most five failures a day.
/// `screen` may refuse an identity before the provider is asked. Stores nothing: the caller
/// stores the result with whatever it completes.
pub async fn verify(
    cx: &Ctx<'_>,
    member: &MemberRow,
    req: &RealNameRequest,
    screen: impl FnOnce(&CheckedIdentity, &str) -> Result<(), Error>,
) -> Result<Passed, Error> {
    let now = cx.clock.now();
    let who = validate(req, now)?;
    let index = cx.vault.blind_index(&who.id_number);
    screen(&who, &index)?;
    let (today, left) = china_day(now);
    if cx.db.real_name_failures(&member.id, today).await? >= MAX_FAILED_PER_DAY {
        return Err(Error::RateLimited {
            message: format!("今日实名认证失败次数过多，请{}后再试", wait_text(left)),
            retry_after_secs: left,
        });
    }
    if let Err(refusal) = check(cx, &who).await {
        if matches!(refusal, Error::BadRequest { .. }) {
            cx.db.record_real_name_failure(&member.id, now).await?;
        }
        return Err(refusal);
    }
    Ok(Passed {
        identity: member.id.clone(),
        id_masked: mask_id(&who.id_number),
        id_sealed: cx.vault.seal(&who.id_number),
        id_index: index,
        name: who.name,
        at: now,
    })
}

/// The member's verified name and ID number, opened only to compare or pass to a provider.
pub async fn identity(
    cx: &Ctx<'_>,
    member_id: &str,
) -> Result<Option<(VerifiedPerson, String)>, Error> {
    let Some((person, sealed)) = cx.db.verified_person_sealed(member_id).await? else {
        return Ok(None);
    };
    let id_number = cx
        .vault
        .open(&sealed)
        .map_err(|e| Error::Io(format!("sealed ID number: {e}")))?;
    Ok(Some((person, id_number)))
}

pub fn public(p: VerifiedPerson) -> PersonVerification {
    PersonVerification {
        name: p.name,
        id_masked: p.id_masked,
        verified_at: p.verified_at,
    }
}

/// 个人实名认证 outside an application: an invited employee, or a super admin about to link
/// the WeChat-side enterprise. Someone verified before gets their verification back. An
/// invited employee must be the person the super admin invited.
pub async fn verify_me(
    cx: &Ctx<'_>,
    ip: &str,
    member: &MemberRow,
    req: &RealNameRequest,
) -> Result<PersonVerification, Error> {
    limits::real_name_check(cx, ip).await?;
    let Some(corp_id) = member.corp_id.as_deref() else {
        return Err(Error::Forbidden("工作人员账号无需实名认证".to_owned()));
    };
    if let Some(p) = cx.db.verified_person(&member.id).await? {
        return Ok(public(p));
    }
    let invited = cx.db.invited_ids(corp_id, &member.name).await?;
    let passed = verify(cx, member, req, |_, index| {
        if invited.is_empty() || invited.iter().any(|i| i == index) {
            Ok(())
        } else {
            Err(Error::bad_field(
                "id_number",
                "身份证号与超级管理员邀请时登记的信息不一致，请核对后重试",
            ))
        }
    })
    .await?;
    cx.db.save_real_name(&passed.row(), None, passed.at).await?;
    Ok(public(passed.person()))
}
