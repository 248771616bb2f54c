//! Step 2, 上传营业执照或相关证明文件: the photo (checked, stored, recognized), then the fields
//! the user confirmed. Recognition never blocks: whatever it misses, the user types.

use api::validate::{enterprise_name, person_name, uscc, uscc_repair};
use api::wire::paths::LICENSE_PHOTO_FILE;
use api::wire::{
    ApplicationView, ApplyStep, LicenseDraft, LicenseField, LicenseForm, LicensePhoto,
    RecognizedLicense, SubjectType, WechatLookup,
};
use axum::body::Bytes;

use super::access::scenario_one;
use super::apply::next_after;
use super::{photo, view, Ctx, Error, Result};
use crate::clock::china_today;
use crate::providers::ocr::{BizLicense, OcrError};
use crate::providers::registry::RegisteredEnterprise;
use crate::storage::{Event, MemberRow, UploadKind};

fn photo_error(message: &str) -> Error {
    Error::bad_field("photo", message)
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// BizLicenseOCR's answer, as the form's fields; the USCC repaired by its checksum.
fn recognized(biz: BizLicense) -> (RecognizedLicense, bool) {
    let raw = non_empty(biz.reg_num);
    let repaired = raw.as_deref().and_then(uscc_repair);
    let was_repaired =
        matches!((&raw, &repaired), (Some(r), Some(f)) if r.to_uppercase().replace(' ', "") != *f);
    let fields = RecognizedLicense {
        name: non_empty(biz.name),
        // A code that fails its checksum even after repair is still shown, for the user to fix.
        uscc: repaired.or(raw),
        legal_rep: non_empty(biz.person),
        kind: non_empty(biz.kind),
        address: non_empty(biz.address),
        set_date: non_empty(biz.set_date),
    };
    (fields, was_repaired)
}

/// Uploads the license (or institution certificate) photo: checked, recognized, stored.
pub async fn license_photo(cx: &Ctx<'_>, member: MemberRow, photo: Bytes) -> Result<LicensePhoto> {
    let a = scenario_one(cx, member, ApplyStep::License).await?;
    if !super::reachable(a.app.step, ApplyStep::License) {
        return Err(Error::Conflict("请先完成个人实名认证".to_owned()));
    }
    let (photo, recognition) = photo::accept_license(cx, &a.app.id, photo).await?;

    let (fields, uscc_repaired, recognition_failed, warnings) = match recognition {
        Ok(biz) => {
            let warnings = biz.warnings();
            let (fields, repaired) = recognized(biz);
            let nothing = fields == RecognizedLicense::default();
            (fields, repaired, nothing, warnings)
        }
        Err(e) => {
            match e {
                OcrError::Misconfigured(_) => {
                    tracing::error!(error = %e, "license OCR misconfigured: the operator must fix a setting")
                }
                _ => {
                    tracing::warn!(error = %e, "license recognition failed; the user types the fields")
                }
            }
            let warning = e.user_message().to_owned();
            (RecognizedLicense::default(), false, true, vec![warning])
        }
    };
    let wechat_opened = match fields.uscc.as_deref().map(uscc) {
        Some(Ok(code)) => super::wechat::opened(cx, &code).await?,
        _ => None,
    };
    let json = serde_json::to_string(&fields).ok();
    let upload_id = photo
        .store(cx, &a.app.id, UploadKind::License, json.as_deref())
        .await?;
    Ok(LicensePhoto {
        upload_id,
        recognized: fields,
        uscc_repaired,
        recognition_failed,
        wechat_opened,
        warnings,
    })
}

/// The last license photo and what it read: 上传证照 after a reload, before 下一步.
pub async fn draft(cx: &Ctx<'_>, member: MemberRow) -> Result<LicenseDraft> {
    let a = scenario_one(cx, member, ApplyStep::License).await?;
    let Some(u) = cx.db.latest_upload(&a.app.id, UploadKind::License).await? else {
        return Ok(LicenseDraft::default());
    };
    let recognized = u
        .recognized_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default();
    Ok(LicenseDraft {
        photo_url: Some(LICENSE_PHOTO_FILE.replace("{id}", &u.id)),
        upload_id: Some(u.id),
        recognized,
    })
}

/// A license photo, to the applicant of the application it belongs to; anyone else learns
/// nothing (not even that it exists). Its bytes and content type.
pub async fn photo_file(
    cx: &Ctx<'_>,
    member: MemberRow,
    id: &str,
) -> Result<(Vec<u8>, &'static str)> {
    let a = scenario_one(cx, member, ApplyStep::License).await?;
    let missing = || Error::NotFound("图片不存在".to_owned());
    if !crate::storage::is_id(id) {
        return Err(missing());
    }
    let upload = cx
        .db
        .upload(id)
        .await?
        .filter(|u| u.application_id == a.app.id && u.kind == UploadKind::License)
        .ok_or_else(missing)?;
    let bytes = cx.db.upload_content(id).await?.ok_or_else(missing)?;
    let kind = if upload.file_name.ends_with(".png") {
        "image/png"
    } else {
        "image/jpeg"
    };
    Ok((bytes, kind))
}

fn field(
    name: &'static str,
    f: &LicenseField,
    check: impl Fn(&str) -> Result<String, String>,
) -> Result<LicenseField, Error> {
    let value = check(&f.value).map_err(|m| Error::bad_field(name, m))?;
    Ok(LicenseField {
        value,
        source: f.source,
    })
}

fn free_text(label: &'static str, max: usize) -> impl Fn(&str) -> Result<String, String> {
    move |v: &str| api::validate::free_text(v, max).map_err(|e| e.message(label))
}

/// `2019-03-12`, `2019年3月12日`, `2019.03.12`, `2019/3/12` → `2019-03-12`; not in the future.
fn set_date(today: (i32, u32, u32)) -> impl Fn(&str) -> Result<String, String> {
    move |v: &str| {
        let parts: Vec<u32> = v
            .split(|c: char| !c.is_ascii_digit())
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.parse().ok())
            .collect();
        let [y, m, d] = parts[..] else {
            return Err("请按“2019-03-12”的格式填写成立日期".to_owned());
        };
        let date =
            chrono::NaiveDate::from_ymd_opt(y as i32, m, d).ok_or("成立日期不是有效的日期")?;
        let today = chrono::NaiveDate::from_ymd_opt(today.0, today.1, today.2).unwrap_or(date);
        if date > today || y < 1949 {
            return Err("成立日期不正确，请核对".to_owned());
        }
        Ok(date.format("%Y-%m-%d").to_string())
    }
}

/// 下一步: saves the fields the user confirmed (recognized or edited) and moves on.
pub async fn confirm(
    cx: &Ctx<'_>,
    member: MemberRow,
    form: LicenseForm,
) -> Result<ApplicationView> {
    let a = scenario_one(cx, member, ApplyStep::License).await?;
    if !super::reachable(a.app.step, ApplyStep::License) {
        return Err(Error::Conflict("请先完成个人实名认证".to_owned()));
    }
    let photo = std::slice::from_ref(&form.upload_id);
    if !cx.db.uploads_belong(&a.app.id, "license", photo).await? {
        return Err(photo_error("请先拍摄或上传证照照片"));
    }
    let enterprise = form.subject_type == SubjectType::Enterprise;
    let name_label = if enterprise {
        "企业名称"
    } else {
        "机构名称"
    };
    let clean = LicenseForm {
        subject_type: form.subject_type,
        upload_id: form.upload_id.clone(),
        name: field("name", &form.name, |v| {
            enterprise_name(v).map_err(|e| e.message().replace("企业名称", name_label))
        })?,
        uscc: field("uscc", &form.uscc, |v| {
            uscc(v).map_err(|e| e.message().to_owned())
        })?,
        legal_rep: field("legal_rep", &form.legal_rep, |v| {
            person_name(v).map_err(|e| e.message().to_owned())
        })?,
        kind: None,
        address: None,
        set_date: None,
    };
    let required = |name: &'static str, f: &Option<LicenseField>, label: &'static str| {
        f.as_ref()
            .ok_or_else(|| Error::bad_field(name, format!("请输入{label}")))
            .cloned()
    };
    let clean = if enterprise {
        let today = china_today(cx.clock.now());
        LicenseForm {
            kind: Some(field(
                "kind",
                &required("kind", &form.kind, "类型")?,
                free_text("类型", 50),
            )?),
            address: Some(field(
                "address",
                &required("address", &form.address, "住所")?,
                free_text("住所", 200),
            )?),
            set_date: Some(field(
                "set_date",
                &required("set_date", &form.set_date, "成立日期")?,
                set_date(today),
            )?),
            ..clean
        }
    } else {
        clean
    };
    if let Some(opened) = super::wechat::opened(cx, &clean.uscc.value).await? {
        return Err(Error::ConflictField {
            field: "uscc".to_owned(),
            message: format!(
                "{}已开通腾讯电子签微信端服务，请点击“关联微信账户”完成认证",
                opened.name
            ),
        });
    }
    let registered = registry_check(cx, &clean, name_label).await?;
    let json = serde_json::to_string(&clean).map_err(|e| Error::Io(e.to_string()))?;
    let now = cx.clock.now();
    let next = next_after(&a, ApplyStep::License)?;
    let detail = format!("{} {}", clean.name.value, clean.uscc.value);
    let event = Event {
        actor_id: Some(&a.member.id),
        kind: "license_confirmed",
        detail: Some(&detail),
    };
    if !cx
        .db
        .save_license(
            &a.app.id,
            &json,
            &clean.uscc.value,
            &registered.legal_rep,
            next,
            event,
            now,
        )
        .await?
    {
        // Names no one: which corp holds it is that corp's business.
        return Err(Error::ConflictField {
            field: "uscc".to_owned(),
            message: "该企业已在其他企业微信中完成认证或正在认证，无法重复认证。如有疑问，请联系腾讯电子签客服"
                .to_owned(),
        });
    }
    view::of(cx, &a).await
}

/// 工商信息核验: the form must be what the registry holds for its USCC; a mismatch is refused
/// at the field, keeping what was typed.
async fn registry_check(
    cx: &Ctx<'_>,
    form: &LicenseForm,
    name_label: &str,
) -> Result<RegisteredEnterprise, Error> {
    let registered = cx
        .providers
        .registry
        .lookup(&form.uscc.value)
        .await?
        .ok_or_else(|| {
            Error::bad_field("uscc", "未查询到该企业的登记信息，请核对统一社会信用代码")
        })?;
    if !registered.name_matches(&form.name.value) {
        return Err(Error::bad_field(
            "name",
            format!("{name_label}与登记信息不一致，请按营业执照上的名称填写"),
        ));
    }
    if !registered.legal_rep_matches(&form.legal_rep.value) {
        let who = match form.subject_type {
            SubjectType::Enterprise => "法定代表人",
            SubjectType::Institution => "负责人",
        };
        return Err(Error::bad_field(
            "legal_rep",
            format!("{who}与登记信息不一致，请核对营业执照"),
        ));
    }
    Ok(registered)
}

/// 电子签服务已开通? Whether the enterprise with this code is already open on the WeChat side.
/// Only for the applicant at 上传证照, and only its name: no directory of who opened what.
pub async fn wechat_enterprise(
    cx: &Ctx<'_>,
    member: MemberRow,
    code: &str,
) -> Result<WechatLookup> {
    scenario_one(cx, member, ApplyStep::License).await?;
    let code = uscc(code).map_err(|e| Error::bad_field("uscc", e.message()))?;
    Ok(WechatLookup {
        opened: super::wechat::opened(cx, &code).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognition_repairs_the_code_and_trims() {
        let biz = BizLicense {
            reg_num: Some("91330106MA2KX7Q89O".to_owned()),
            name: Some(" 星河云图科技有限公司 ".to_owned()),
            person: Some(String::new()),
            ..Default::default()
        };
        let (f, repaired) = recognized(biz);
        assert_eq!(f.uscc.as_deref(), Some("91330106MA2KX7Q890"));
        assert!(repaired);
        assert_eq!(f.name.as_deref(), Some("星河云图科技有限公司"));
        assert_eq!(f.legal_rep, None);
    }

    #[test]
    fn dates_are_read_leniently_and_never_in_the_future() {
        let check = set_date((2026, 11, 28));
        assert_eq!(check("2019年3月12日").unwrap(), "2019-03-12");
        assert_eq!(check("2019.03.12").unwrap(), "2019-03-12");
        assert!(check("2019-02-30").is_err());
        assert!(check("2027-01-01").is_err());
        assert!(check("三月").is_err());
    }
}
