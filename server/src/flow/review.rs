//! The reviewer console's API (`/ops/reviews` in the app): staff only. The queue of 授权书
//! in review, oldest first, with the letter photos and the application's data; 通过, or 驳回
//! with a reason. The applicant gets a WeCom message either way.

use api::validate::mask_name;
use api::wire::{
    LicenseField, LicenseForm, RecognizedLicense, ReviewDecision, ReviewItem, Scenario,
};

use super::access::{applicant_name, staff};
use super::guard::{Refusal, StartedFor};
use super::{Ctx, Error, Result};
use crate::providers::wecom::{user_id_of, AppMessage};
use crate::storage::{Event, FinalStep, MemberRow, Settle, Verified};

/// Which confirmed fields differ from what recognition read off the photo: the server's own
/// record, whatever the app claimed as each field's source.
fn edited_fields(form: &LicenseForm, read: &RecognizedLicense) -> Vec<String> {
    fn same(typed: &str, read: Option<&str>) -> bool {
        let squash = |s: &str| s.split_whitespace().collect::<String>();
        read.is_some_and(|r| squash(r) == squash(typed))
    }
    // 2019年03月12日 and 2019-03-12 are the same date.
    fn same_date(typed: &str, read: Option<&str>) -> bool {
        let numbers = |s: &str| {
            s.split(|c: char| !c.is_ascii_digit())
                .filter_map(|p| p.parse::<u32>().ok())
                .collect::<Vec<_>>()
        };
        read.is_some_and(|r| numbers(r) == numbers(typed))
    }
    let mut edited = Vec::new();
    let mut check = |key: &str, typed: Option<&LicenseField>, read: Option<&str>, date: bool| {
        if let Some(f) = typed {
            let unchanged = if date {
                same_date(&f.value, read)
            } else {
                same(&f.value, read)
            };
            if !unchanged {
                edited.push(key.to_owned());
            }
        }
    };
    check("name", Some(&form.name), read.name.as_deref(), false);
    check("uscc", Some(&form.uscc), read.uscc.as_deref(), false);
    check(
        "legal_rep",
        Some(&form.legal_rep),
        read.legal_rep.as_deref(),
        false,
    );
    check("kind", form.kind.as_ref(), read.kind.as_deref(), false);
    check(
        "address",
        form.address.as_ref(),
        read.address.as_deref(),
        false,
    );
    check(
        "set_date",
        form.set_date.as_ref(),
        read.set_date.as_deref(),
        true,
    );
    edited
}

/// Submissions in review, oldest first.
pub async fn queue(cx: &Ctx<'_>, member: MemberRow) -> Result<Vec<ReviewItem>> {
    staff(&member)?;
    let mut items = Vec::new();
    for letter in cx.db.letters_in_review().await? {
        let Some(app) = cx.db.open_application_by_id(&letter.application_id).await? else {
            continue;
        };
        let license = app.license();
        let edited = match &license {
            Some(l) => {
                let read = cx
                    .db
                    .upload(&l.upload_id)
                    .await?
                    .and_then(|u| u.recognized_json)
                    .and_then(|j| serde_json::from_str::<RecognizedLicense>(&j).ok())
                    .unwrap_or_default();
                edited_fields(l, &read)
            }
            None => Vec::new(),
        };
        let applicant = applicant_name(cx, &app).await?;
        let earlier_reasons = cx
            .db
            .letters(&app.id)
            .await?
            .into_iter()
            .filter_map(|l| l.reason)
            .collect();
        items.push(ReviewItem {
            id: letter.id.clone(),
            enterprise: license
                .as_ref()
                .map(|l| l.name.value.clone())
                .unwrap_or_default(),
            uscc: license
                .as_ref()
                .map(|l| l.uscc.value.clone())
                .unwrap_or_default(),
            legal_rep: license
                .as_ref()
                .map(|l| l.legal_rep.value.clone())
                .unwrap_or_default(),
            applicant_name: applicant,
            applicant_phone: app.contact_masked.clone(),
            submitted_at: letter.submitted_at,
            due_date: letter.due_date.clone(),
            photos: letter
                .upload_ids
                .iter()
                .map(|id| format!("/api/ops/uploads/{id}"))
                .collect(),
            earlier_reasons,
            edited_fields: edited,
        });
    }
    Ok(items)
}

/// A stored photo, for staff only.
/// Its bytes and content type.
pub async fn upload_image(
    cx: &Ctx<'_>,
    member: &MemberRow,
    id: &str,
) -> Result<(Vec<u8>, &'static str)> {
    staff(member)?;
    let upload = cx
        .db
        .upload(id)
        .await?
        .ok_or_else(|| Error::NotFound("图片不存在".to_owned()))?;
    let bytes = cx
        .db
        .upload_content(id)
        .await?
        .ok_or_else(|| Error::NotFound("图片不存在".to_owned()))?;
    let kind = if upload.file_name.ends_with(".png") {
        "image/png"
    } else {
        "image/jpeg"
    };
    Ok((bytes, kind))
}

/// 通过 (the enterprise is verified, the applicant super admin) or 驳回 with a reason.
pub async fn decide(cx: &Ctx<'_>, member: MemberRow, id: &str, req: ReviewDecision) -> Result<()> {
    staff(&member)?;
    let letter = cx
        .db
        .letter(id)
        .await?
        .ok_or_else(|| Error::NotFound("审核记录不存在".to_owned()))?;
    let reason = req
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    if !req.approve {
        match reason {
            None => return Err(Error::bad_field("reason", "请选择或填写驳回原因")),
            Some(r) if r.chars().count() > 200 => {
                return Err(Error::bad_field("reason", "驳回原因不能超过200个字"))
            }
            Some(_) => {}
        }
    }
    let reason = if req.approve { None } else { reason };
    let app = cx
        .db
        .open_application_by_id(&letter.application_id)
        .await?
        .ok_or_else(|| Error::Conflict("该申请已审核".to_owned()))?;
    let now = cx.clock.now();
    // 通过 verifies only the institution the letter was submitted for, still on the letter
    // path: the transaction re-checks both.
    let step = FinalStep {
        app_id: &app.id,
        started_for: StartedFor {
            scenario: Scenario::New,
            uscc: letter.subject_uscc.as_deref(),
        },
        settle: Settle::Letter {
            id,
            reviewer_id: &member.id,
            approved: req.approve,
            reason,
        },
        verified: req.approve.then_some(Verified {
            super_admin_id: Some(&app.applicant_id),
            super_admin_index: None,
        }),
        event: Event {
            actor_id: Some(&member.id),
            kind: if req.approve {
                "verified"
            } else {
                "letter_rejected"
            },
            detail: reason,
        },
        now,
    };
    match cx.db.final_step(&step).await? {
        Ok(()) => {}
        Err(Refusal::Settled) => return Err(Error::Conflict("该申请已审核".to_owned())),
        Err(refusal) => return Err(refusal.into()),
    }
    let (text, link) = if req.approve {
        ("【腾讯电子签】您提交的超级管理员授权书已审核通过，企业认证成功，您已成为企业超级管理员。".to_owned(), "/apply/done")
    } else {
        (
            format!(
                "【腾讯电子签】您提交的超级管理员授权书未通过审核：{}。请修改后重新上传。",
                reason.unwrap_or_default()
            ),
            "/apply/authorize",
        )
    };
    let message = AppMessage {
        text,
        link: Some(cx.absolute(link)),
    };
    if let Err(e) = cx
        .providers
        .wecom
        .send(&app.corp_id, user_id_of(&app.applicant_id), &message)
        .await
    {
        // The review stands; the applicant's page shows it even if the message is lost.
        tracing::warn!(error = %e, reviewer = %mask_name(&member.name), "review: the WeCom message failed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use api::wire::{FieldSource, SubjectType};

    fn f(v: &str) -> LicenseField {
        LicenseField {
            value: v.to_owned(),
            source: FieldSource::Recognized,
        }
    }

    #[test]
    fn edits_are_told_from_what_recognition_read() {
        let form = LicenseForm {
            subject_type: SubjectType::Enterprise,
            upload_id: "u".to_owned(),
            name: f("星河云图科技有限公司"),
            uscc: f("91330106MA2KX7Q890"),
            legal_rep: f("王建国"),
            kind: Some(f("有限责任公司")),
            address: Some(f("杭州市 西湖区")),
            set_date: Some(f("2019-03-12")),
        };
        let read = RecognizedLicense {
            name: Some("星河云图科技有限公司".to_owned()),
            uscc: Some("91330106MA2KX7Q890".to_owned()),
            legal_rep: Some("张伟".to_owned()),
            kind: None,
            address: Some("杭州市西湖区".to_owned()),
            set_date: Some("2019年03月12日".to_owned()),
        };
        // A changed legal rep and a field recognition never read are edits; spacing and the
        // date's format are not.
        assert_eq!(edited_fields(&form, &read), ["legal_rep", "kind"]);
    }
}
