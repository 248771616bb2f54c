//! 授权书 (step 4, path 3, institutions): 获取授权书模板 (a WeCom message and a PDF download),
//! photos of the signed and stamped letter (1–3, checked like the license photo), 下一步 puts
//! it in review; staff answer within 1–3 business days, weekends not counted. A rejection
//! keeps its reason; the applicant fixes the upload and submits again.

use api::wire::{
    ApplyStep, AuthorizePath, LetterPhoto, LetterSubmitRequest, LetterTemplateSent, LetterView,
    LicenseForm,
};
use axum::body::Bytes;
use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The review's last business day: `days` business days after the day of submission.
pub fn review_due(submitted: NaiveDate, days: u32) -> NaiveDate {
    let mut date = submitted;
    let mut left = days;
    while left > 0 {
        date = date + Days::new(1);
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    date
}

/// Business days a review may take.
pub const REVIEW_BUSINESS_DAYS: u32 = 3;

use super::access::{scenario_one, Applicant};
use super::{authorize, photo, view, Ctx, Error, Result};
use crate::clock::china_today;
use crate::letter_pdf::{self, LetterFields};
use crate::providers::wecom::{user_id_of, AppMessage};
use crate::storage::{Event, LetterState, LetterSummary, MemberRow, UploadKind};

/// Photos of one letter.
pub const MAX_PHOTOS: usize = 3;

/// Only an institution at 超管授权 sends a letter; returns its confirmed license.
async fn require_letter(cx: &Ctx<'_>, a: &Applicant) -> Result<LicenseForm> {
    authorize::require(cx, a, AuthorizePath::Letter).await?;
    a.app
        .license()
        .ok_or_else(|| Error::Conflict("请先完成前面的认证步骤".to_owned()))
}

async fn refuse_while_in_review(cx: &Ctx<'_>, a: &Applicant) -> Result<()> {
    let in_review = cx
        .db
        .letters(&a.app.id)
        .await?
        .first()
        .is_some_and(|l| l.status == LetterState::InReview);
    if in_review {
        return Err(self::in_review());
    }
    Ok(())
}

fn in_review() -> Error {
    Error::Conflict("授权书正在审核中，请耐心等待审核结果".to_owned())
}

/// 获取授权书模板: sends the template to the applicant as a WeCom message.
pub async fn send_template(cx: &Ctx<'_>, member: MemberRow) -> Result<LetterTemplateSent> {
    let a = scenario_one(cx, member, ApplyStep::Authorize).await?;
    require_letter(cx, &a).await?;
    let download_url = api::wire::paths::LETTER_TEMPLATE_PDF.to_owned();
    let message = AppMessage {
        text: "【腾讯电子签】您的超级管理员授权书模板已生成。请下载后按模板要求填写完整、加盖单位公章，拍照上传至企业认证页面。".to_owned(),
        link: Some(cx.absolute(&download_url)),
    };
    cx.providers
        .wecom
        .send(&a.corp.id, user_id_of(&a.member.id), &message)
        .await?;
    cx.db
        .append_event(
            &a.app.id,
            Some(&a.member.id),
            "letter_template_sent",
            None,
            cx.clock.now(),
        )
        .await?;
    Ok(LetterTemplateSent { download_url })
}

/// The template as a PDF, filled in with the institution's and the applicant's details.
pub async fn template_pdf(cx: &Ctx<'_>, member: MemberRow) -> Result<Vec<u8>> {
    let a = scenario_one(cx, member, ApplyStep::Authorize).await?;
    let license = require_letter(cx, &a).await?;
    let person = cx.db.verified_person(&a.member.id).await?;
    let pdf = letter_pdf::render(&LetterFields {
        institution: &license.name.value,
        uscc: &license.uscc.value,
        applicant: person
            .as_ref()
            .map_or(a.member.name.as_str(), |p| p.name.as_str()),
        applicant_id_masked: person.as_ref().map_or("", |p| p.id_masked.as_str()),
        applicant_phone_masked: a.app.contact_masked.as_deref().unwrap_or(""),
    });
    Ok(pdf)
}

/// One photo of the signed and stamped letter; checked and stored like the license photo.
pub async fn letter_photo(cx: &Ctx<'_>, member: MemberRow, photo: Bytes) -> Result<LetterPhoto> {
    let a = scenario_one(cx, member, ApplyStep::Authorize).await?;
    require_letter(cx, &a).await?;
    refuse_while_in_review(cx, &a).await?;
    let photo = photo::accept(cx, &a.app.id, photo).await?;
    let upload_id = photo.store(cx, &a.app.id, UploadKind::Letter, None).await?;
    Ok(LetterPhoto { upload_id })
}

/// 下一步: submits 1–3 photos for review; the page then shows the expected date.
pub async fn submit(
    cx: &Ctx<'_>,
    member: MemberRow,
    req: LetterSubmitRequest,
) -> Result<LetterView> {
    let a = scenario_one(cx, member, ApplyStep::Authorize).await?;
    require_letter(cx, &a).await?;
    refuse_while_in_review(cx, &a).await?;
    // The same photo twice counts once; the order is the applicant's.
    let mut ids: Vec<String> = Vec::with_capacity(req.upload_ids.len());
    for id in req.upload_ids {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() || ids.len() > MAX_PHOTOS {
        return Err(Error::bad_field("photos", "请上传1至3张授权书照片"));
    }
    if !cx.db.uploads_belong(&a.app.id, "letter", &ids).await? {
        return Err(Error::bad_field("photos", "授权书照片无效，请重新上传"));
    }
    let now = cx.clock.now();
    let (y, m, d) = china_today(now);
    let today = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let due = review_due(today, REVIEW_BUSINESS_DAYS)
        .format("%Y-%m-%d")
        .to_string();
    let subject = a
        .app
        .uscc
        .as_deref()
        .ok_or_else(|| Error::Conflict("请先完成前面的认证步骤".to_owned()))?;
    let event = Event {
        actor_id: Some(&a.member.id),
        kind: "letter_submitted",
        detail: Some(&due),
    };
    // Two taps at once: the transaction lets one submission in.
    let row = cx
        .db
        .submit_letter(&a.app.id, &ids, &due, subject, event, now)
        .await?
        .ok_or_else(in_review)?;
    let attempts = cx.db.letters(&a.app.id).await?.len();
    Ok(view::letter(&LetterSummary {
        status: row.status,
        submitted_at: row.submitted_at,
        due_date: row.due_date,
        reason: row.reason,
        attempts: attempts as i64,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weekends_do_not_count() {
        // 2026-11-25 is a Wednesday.
        assert_eq!(review_due(d(2026, 11, 25), 3), d(2026, 11, 30), "Wed → Mon");
        assert_eq!(review_due(d(2026, 11, 27), 3), d(2026, 12, 2), "Fri → Wed");
        assert_eq!(review_due(d(2026, 11, 28), 3), d(2026, 12, 2), "Sat → Wed");
        assert_eq!(review_due(d(2026, 11, 29), 1), d(2026, 11, 30), "Sun → Mon");
        assert_eq!(review_due(d(2026, 11, 23), 3), d(2026, 11, 26), "Mon → Thu");
    }
}
