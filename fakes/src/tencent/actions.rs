//! The five actions, each checking the fields it requires and answering the documented ones.

use serde_json::{json, Map, Value};

use super::sign::{refuse, Refusal};
use super::{default_license, request_id, FaceSession, Fake, SmsMessage};

type Fields = Map<String, Value>;
type Answer = Result<Fields, Refusal>;

fn string<'a>(f: &'a Fields, name: &str) -> Result<&'a str, Refusal> {
    match f.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s),
        Some(Value::String(_)) | None => Err(refuse(
            "MissingParameter",
            format!("The request is missing a required parameter `{name}`"),
        )),
        Some(_) => Err(refuse(
            "InvalidParameter",
            format!("`{name}` must be a String"),
        )),
    }
}

fn strings(f: &Fields, name: &str) -> Result<Vec<String>, Refusal> {
    let bad = || {
        refuse(
            "InvalidParameter",
            format!("`{name}` must be an Array of String"),
        )
    };
    match f.get(name) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(bad))
            .collect(),
        Some(_) => Err(bad()),
    }
}

fn object(v: Value) -> Fields {
    match v {
        Value::Object(m) => m,
        _ => Fields::new(),
    }
}

pub async fn run(fake: &Fake, action: &str, f: &Fields, host: &str) -> Answer {
    match action {
        "SendSms" => send_sms(fake, f),
        "BizLicenseOCR" => biz_license(fake, f).await,
        "DetectAuth" => detect_auth(fake, f, host),
        "GetDetectInfoEnhanced" => detect_info(fake, f),
        "IdCardVerification" => id_card_verification(fake, f),
        _ => Err(refuse("InvalidAction", action)),
    }
}

/// A mainland number as `SendSms` accepts it: E.164 `+86…`, `0086…`, `86…` or 11 digits.
fn mainland(phone: &str) -> Option<&str> {
    let national = phone
        .strip_prefix("+86")
        .or_else(|| phone.strip_prefix("0086"))
        .or_else(|| phone.strip_prefix("86").filter(|p| p.len() == 11))
        .unwrap_or(phone);
    let b = national.as_bytes();
    let ok = b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit);
    ok.then_some(national)
}

fn send_sms(fake: &Fake, f: &Fields) -> Answer {
    let numbers = strings(f, "PhoneNumberSet")?;
    if numbers.is_empty() {
        return Err(refuse("MissingParameter", "`PhoneNumberSet` is required"));
    }
    if numbers.len() > 200 {
        return Err(refuse(
            "LimitExceeded.PhoneNumberCountLimit",
            "At most 200 numbers per request",
        ));
    }
    let sdk_app_id = string(f, "SmsSdkAppId")?.to_owned();
    let template_id = string(f, "TemplateId")?.to_owned();
    // Domestic messages need their sign.
    let sign_name = string(f, "SignName")?.to_owned();
    let params = strings(f, "TemplateParamSet")?;
    let mut statuses = Vec::new();
    let mut state = fake.state();
    for phone in numbers {
        let injected = state.sms_next.get_mut(&phone).and_then(|q| q.pop_front());
        let code = if let Some(code) = injected {
            code
        } else if mainland(&phone).is_none() {
            "InvalidParameterValue.IncorrectPhoneNumber".to_owned()
        } else if sign_name.contains(['【', '】']) {
            // The carrier adds the brackets; a sign holding them is not the approved one.
            "FailedOperation.SignatureIncorrectOrUnapproved".to_owned()
        } else {
            "Ok".to_owned()
        };
        let message = if code == "Ok" {
            "send success"
        } else {
            "refused by the fake"
        };
        statuses.push(json!({
            "SerialNo": if code == "Ok" { request_id() } else { String::new() },
            "PhoneNumber": phone,
            "Fee": u8::from(code == "Ok"),
            "SessionContext": f.get("SessionContext").and_then(Value::as_str).unwrap_or(""),
            "Code": code,
            "Message": message,
            "IsoCode": "CN",
        }));
        state.sms_messages.push(SmsMessage {
            phone,
            sdk_app_id: sdk_app_id.clone(),
            sign_name: sign_name.clone(),
            template_id: template_id.clone(),
            params: params.clone(),
            code,
        });
    }
    Ok(object(json!({ "SendStatusSet": statuses })))
}

const MAX_BASE64: usize = 7 * 1024 * 1024;

async fn biz_license(fake: &Fake, f: &Fields) -> Answer {
    if f.get("ImageUrl").is_some_and(|v| !v.is_null()) {
        return Err(refuse(
            "FailedOperation.DownLoadError",
            "This fake downloads nothing: send ImageBase64",
        ));
    }
    let b64 = string(f, "ImageBase64")?;
    let copy_warn = match f.get("EnableCopyWarn") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(refuse(
                "InvalidParameterValue",
                "`EnableCopyWarn` must be a Boolean",
            ))
        }
    };
    if b64.len() > MAX_BASE64 {
        return Err(refuse(
            "LimitExceeded.TooLargeFileError",
            "The image is over 7 MB after Base64",
        ));
    }
    use base64::Engine as _;
    let image = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| {
            refuse(
                "FailedOperation.ImageDecodeFailed",
                "ImageBase64 is not Base64",
            )
        })?;
    let jpeg = image.starts_with(&[0xFF, 0xD8, 0xFF]);
    let png = image.starts_with(b"\x89PNG\r\n\x1a\n");
    if !jpeg && !png {
        return Err(refuse(
            "FailedOperation.ImageDecodeFailed",
            "Only PNG, JPG and JPEG images are recognized",
        ));
    }
    let (license, delay) = {
        let mut state = fake.state();
        state.ocr_last = Some(json!({
            "image_bytes": image.len(),
            "base64_len": b64.len(),
            "enable_copy_warn": copy_warn,
            "format": if jpeg { "jpeg" } else { "png" },
        }));
        (
            state.license.clone().unwrap_or_else(default_license),
            state.ocr_delay_ms,
        )
    };
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    let mut fields = object(license);
    if !copy_warn {
        // The warnings are given only to who asked for them.
        fields.insert("RecognizeWarnCode".to_owned(), json!([]));
        fields.insert("RecognizeWarnMsg".to_owned(), json!([]));
    }
    Ok(fields)
}

fn detect_auth(fake: &Fake, f: &Fields, host: &str) -> Answer {
    let rule_id = string(f, "RuleId")?.to_owned();
    let id_card = string(f, "IdCard")?.to_owned();
    let name = string(f, "Name")?.to_owned();
    if name.chars().count() > 32 {
        return Err(refuse(
            "InvalidParameterValue",
            "`Name` is longer than 32 characters",
        ));
    }
    let redirect_url = string(f, "RedirectUrl")?.to_owned();
    if redirect_url.len() > 1024 {
        return Err(refuse(
            "InvalidParameterValue",
            "`RedirectUrl` is longer than 1024",
        ));
    }
    let biz_token = request_id().to_uppercase();
    let created_at = fake.now();
    fake.state().faces.insert(
        biz_token.clone(),
        FaceSession {
            rule_id,
            name,
            id_card,
            redirect_url,
            passed: None,
            created_at,
        },
    );
    Ok(object(json!({
        "Url": format!("http://{host}/_fake/faceid/h5/{biz_token}"),
        "BizToken": biz_token,
    })))
}

fn detect_info(fake: &Fake, f: &Fields) -> Answer {
    let biz_token = string(f, "BizToken")?;
    let rule_id = string(f, "RuleId")?;
    if let Some(t) = f.get("InfoType") {
        if !t.is_string() {
            return Err(refuse("InvalidParameter", "`InfoType` must be a String"));
        }
    }
    let now = fake.now();
    let state = fake.state();
    let Some(s) = state.faces.get(biz_token) else {
        return Err(refuse(
            "InvalidParameterValue.BizTokenIllegal",
            "BizToken不合法。",
        ));
    };
    if s.rule_id != rule_id {
        return Err(refuse("InvalidParameter.RuleId", "RuleId不存在。"));
    }
    // Finished sessions stay readable for three days; unfinished ones end with the token.
    if s.passed.is_none() && now - s.created_at > super::BIZ_TOKEN_TTL_SECS {
        return Err(refuse(
            "InvalidParameterValue.BizTokenExpired",
            "BizToken过期。",
        ));
    }
    let text = match s.passed {
        None => json!({
            "ErrCode": null, "ErrMsg": null, "IdCard": null, "Name": null,
            "LiveStatus": null, "LiveMsg": null, "Comparestatus": null, "Comparemsg": null,
            "Sim": null,
        }),
        Some(true) => json!({
            "ErrCode": 0, "ErrMsg": "成功", "IdCard": s.id_card, "Name": s.name,
            "LiveStatus": 0, "LiveMsg": "成功", "Comparestatus": 0, "Comparemsg": "成功",
            "Sim": "93.17", "IdInfoFrom": "其他",
        }),
        Some(false) => json!({
            "ErrCode": 1001, "ErrMsg": "比对不通过", "IdCard": s.id_card, "Name": s.name,
            "LiveStatus": 0, "LiveMsg": "成功", "Comparestatus": 1001,
            "Comparemsg": "比对相似度未达到通过标准", "Sim": "32.40", "IdInfoFrom": "其他",
        }),
    };
    Ok(object(json!({
        "Text": text, "IdCardData": null, "BestFrame": null, "VideoData": null,
        "Encryption": null, "IntentionVerifyData": null, "IntentionQuestionResult": null,
    })))
}

/// GB 11643's check digit.
fn id_checksum_ok(id: &str) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let b = id.to_ascii_uppercase().into_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize] == b[17]
}

fn id_card_verification(fake: &Fake, f: &Fields) -> Answer {
    let id_card = string(f, "IdCard")?;
    let name = string(f, "Name")?;
    let state = fake.state();
    let result = if let Some(r) = &state.realname_result {
        r.clone()
    } else if let Some(r) = state
        .realname_pairs
        .get(&(name.to_owned(), id_card.to_owned()))
    {
        r.clone()
    } else if !id_checksum_ok(id_card) {
        "-2".to_owned()
    } else if name.chars().any(|c| c.is_ascii_digit()) {
        "-3".to_owned()
    } else {
        "0".to_owned()
    };
    let description = match result.as_str() {
        "0" => "姓名和身份证号一致",
        "-1" => "姓名和身份证号不一致",
        "-2" => "非法身份证号（长度、校验位等不正确）",
        "-3" => "非法姓名（长度、格式等不正确）",
        "-4" => "证件库服务异常",
        "-5" => "证件库中无此身份证记录",
        "-6" => "权威比对系统升级中，请稍后再试",
        "-7" => "认证次数超过当日限制",
        _ => "",
    };
    Ok(object(
        json!({ "Result": result, "Description": description }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_ids_are_read_as_documented() {
        assert_eq!(mainland("+8613800138000"), Some("13800138000"));
        assert_eq!(mainland("13800138000"), Some("13800138000"));
        assert_eq!(mainland("+8612345678901"), None);
        assert!(id_checksum_ok("11010519491231002X"));
        assert!(id_checksum_ok("11010519491231002x"));
        assert!(!id_checksum_ok("110105194912310021"));
    }
}
