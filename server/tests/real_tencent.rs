//! The Tencent Cloud clients (SMS, OCR, FaceID, real-name) against the contract fake, served
//! on a local port: the app's steps through the API with the real clients, and each refusal
//! a real deployment meets reaching the user as a clear answer, never a 500.

mod common;

use std::sync::Arc;

use axum::http::{header, StatusCode};
use common::apply::*;
use common::{code, TestApp};
use fakes::tencent::Fake;
use serde_json::{json, Value};
use server::config::real::{FaceSettings, Secret, SmsSettings, TencentCloudSettings};
use server::providers::realname::RealNameProvider;
use server::providers::tencent::{
    faceid::TencentFace, ocr::TencentOcr, realname::TencentRealName, sms::TencentSms,
};
use server::providers::ProviderError;

const SECRET_ID: &str = "AKIDfakeTencentCloudKeyId0001";
const SECRET_KEY: &str = "fake-tencent-cloud-secret-key-0001";

/// The fake on 127.0.0.1:<any port>; its base URL.
async fn serve(fake: &Fake) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = fake.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

fn tc(base: &str, key: &str) -> TencentCloudSettings {
    TencentCloudSettings {
        secret_id: SECRET_ID.to_owned(),
        secret_key: Secret::new(key),
        region: "ap-guangzhou".to_owned(),
        endpoint_sms: base.to_owned(),
        endpoint_ocr: base.to_owned(),
        endpoint_faceid: base.to_owned(),
    }
}

fn sms_settings() -> SmsSettings {
    SmsSettings {
        sdk_app_id: "1400006666".to_owned(),
        sign_name: "腾讯电子签".to_owned(),
        template_code: "2101001".to_owned(),
        template_legal_rep: "2101002".to_owned(),
        template_super_admin: "2101003".to_owned(),
        template_invite: "2101004".to_owned(),
    }
}

const RULE_ID: &str = "7";

/// An app whose SMS, OCR, face and real-name providers are the Tencent clients on the fake,
/// signing with `key`.
async fn app_on(base: &str, key: &str) -> TestApp {
    let tc = tc(base, key);
    TestApp::with_providers(|p| {
        p.sms = Arc::new(TencentSms::new(&tc, &sms_settings()).unwrap());
        p.ocr = Arc::new(TencentOcr::new(&tc).unwrap());
        p.face = Arc::new(
            TencentFace::new(
                &tc,
                &FaceSettings {
                    rule_id: RULE_ID.to_owned(),
                },
            )
            .unwrap(),
        );
        p.real_name = Arc::new(TencentRealName::new(&tc).unwrap());
    })
    .await
}

async fn real_app() -> (TestApp, Fake) {
    let fake = Fake::new(SECRET_ID, SECRET_KEY);
    let base = serve(&fake).await;
    (app_on(&base, SECRET_KEY).await, fake)
}

async fn step(app: &TestApp, c: &str) -> String {
    let (status, v) = app.get_json("/api/application", Some(c)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["step"].as_str().unwrap().to_owned()
}

/// 王建国 signed in, his application started.
async fn started(app: &TestApp) -> String {
    let c = app.login("wangjianguo").await;
    assert_eq!(
        app.post_json("/api/application", Some(&c), "").await.0,
        StatusCode::CREATED
    );
    c
}

/// Steps 1 and 2 through the real clients: the fake's license is 星河云图's.
async fn through_license_real(app: &TestApp) -> String {
    let c = started(app).await;
    let (status, v) = real_name(app, &c, "王建国", "330106197503120410").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, photo) = upload(app, &c, jpeg(1200, 850)).await;
    assert_eq!(status, StatusCode::OK, "{photo}");
    assert_eq!(photo["recognized"]["uscc"], "91330106MA2KX7Q890", "{photo}");
    assert_eq!(photo["recognized"]["legal_rep"], "王建国");
    let form = license_form(photo["upload_id"].as_str().unwrap(), "91330106MA2KX7Q890");
    let (status, v) = put(app, "/api/application/license", &c, &form).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    c
}

async fn send_code(app: &TestApp, c: &str, phone: &str) -> (StatusCode, Value) {
    let body = json!({ "phone": phone }).to_string();
    app.post_json("/api/application/contact/code", Some(c), &body)
        .await
}

fn counts(fake: &Fake, service: &str) -> (u64, u64) {
    let s = &fake.stats()[service];
    (s.calls, s.rejected)
}

#[tokio::test]
async fn send_sms_carries_the_e164_number_sign_template_and_params_as_configured() {
    let (app, fake) = real_app().await;
    let c = through_license_real(&app).await;
    let (status, v) = send_code(&app, &c, "13900000001").await;
    assert_eq!(status, StatusCode::OK, "{v}");

    let sent = fake.sms_messages();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let m = &sent[0];
    assert_eq!(m.phone, "+8613900000001");
    assert_eq!(m.sdk_app_id, "1400006666");
    assert_eq!(m.sign_name, "腾讯电子签", "the sign alone, no 【】");
    assert_eq!(m.template_id, "2101001");
    assert_eq!(m.params.len(), 2);
    assert!(m.params[0].len() == 6 && m.params[0].bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(m.params[1], "5", "minutes valid");
    assert_eq!(m.code, "Ok");
    assert!(
        app.outbox().await.iter().all(|o| o["channel"] != "sms"),
        "nothing goes to the local outbox"
    );

    // The code the phone received finishes the step.
    let body = json!({ "phone": "13900000001", "code": m.params[0] }).to_string();
    let (status, v) = app
        .post_json("/api/application/contact/verify", Some(&c), &body)
        .await;
    assert_eq!(
        (status, v["step"].as_str()),
        (StatusCode::OK, Some("authorize")),
        "{v}"
    );

    // Every call arrived signed and was accepted; OCR was asked for the copy warnings.
    assert_eq!(counts(&fake, "sms"), (1, 0));
    assert_eq!(counts(&fake, "ocr"), (1, 0));
    assert_eq!(counts(&fake, "faceid"), (1, 0), "IdCardVerification");
    let ocr = fake.ocr_last().unwrap();
    assert_eq!(
        (ocr["enable_copy_warn"].as_bool(), ocr["format"].as_str()),
        (Some(true), Some("jpeg"))
    );
}

#[tokio::test]
async fn a_wrong_signature_is_refused_by_the_fake_and_the_user_sees_a_plain_503() {
    let fake = Fake::new(SECRET_ID, SECRET_KEY);
    let base = serve(&fake).await;
    let wrong = "not-the-key-the-fake-knows";

    // What the client makes of it: a setting for the operator to fix.
    let client = TencentRealName::new(&tc(&base, wrong)).unwrap();
    match client.check("王建国", "330106197503120410").await {
        Err(ProviderError::Misconfigured { detail, .. }) => {
            assert!(
                detail.starts_with("AuthFailure.SignatureFailure"),
                "{detail}"
            );
            assert!(!detail.contains(wrong));
        }
        other => panic!("{other:?}"),
    }
    assert!(!format!("{client:?}").contains(wrong), "Debug shows no key");

    let app = app_on(&base, wrong).await;
    let c = started(&app).await;
    let (status, v) = real_name(&app, &c, "王建国", "330106197503120410").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(v["error"]["message"], "外部服务暂时不可用，请稍后重试");
    let shown = v.to_string();
    assert!(!shown.contains(wrong) && !shown.contains(SECRET_ID) && !shown.contains("AuthFailure"));
    assert_eq!(
        step(&app, &c).await,
        "real_name",
        "the application stays where it was"
    );
    assert_eq!(counts(&fake, "faceid"), (2, 2));
}

#[tokio::test]
async fn an_expired_timestamp_is_refused_by_the_fake_and_the_user_sees_a_plain_503() {
    let (app, fake) = real_app().await;
    // The fake's clock is six minutes ahead: the client's fresh timestamp is too old for it.
    fake.set_clock_offset(360);
    let base = serve(&fake).await;
    let client = TencentRealName::new(&tc(&base, SECRET_KEY)).unwrap();
    match client.check("王建国", "330106197503120410").await {
        Err(ProviderError::Misconfigured { detail, .. }) => {
            assert!(
                detail.starts_with("AuthFailure.SignatureExpire"),
                "{detail}"
            )
        }
        other => panic!("{other:?}"),
    }
    let c = started(&app).await;
    let (status, v) = real_name(&app, &c, "王建国", "330106197503120410").await;
    assert_eq!(
        (status, v["error"]["message"].as_str()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Some("外部服务暂时不可用，请稍后重试")
        )
    );
    assert_eq!(step(&app, &c).await, "real_name");
    // Within five minutes it is accepted again.
    fake.set_clock_offset(240);
    assert_eq!(
        real_name(&app, &c, "王建国", "330106197503120410").await.0,
        StatusCode::OK
    );
    assert_eq!(counts(&fake, "faceid"), (3, 2));
}

#[tokio::test]
async fn sms_per_number_refusals_reach_the_user_at_the_phone_and_the_step_stays() {
    let (app, fake) = real_app().await;
    let c = through_license_real(&app).await;

    fake.sms_next_code(
        "+8613900000001",
        "InvalidParameterValue.IncorrectPhoneNumber",
    );
    let (status, v) = send_code(&app, &c, "13900000001").await;
    assert_eq!(
        (
            status,
            v["error"]["field"].as_str(),
            v["error"]["message"].as_str()
        ),
        (
            StatusCode::BAD_REQUEST,
            Some("phone"),
            Some("手机号码格式不正确或无法接收短信，请核对")
        ),
        "{v}"
    );
    assert_eq!(step(&app, &c).await, "contact");

    // A refused code never left: no cooldown holds the next try.
    fake.sms_next_code("+8613900000001", "FailedOperation.PhoneNumberInBlacklist");
    let (status, v) = send_code(&app, &c, "13900000001").await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("phone"))
    );

    fake.sms_next_code("+8613900000001", "LimitExceeded.PhoneNumberOneHourLimit");
    let res = app
        .send(common::post(
            "/api/application/contact/code",
            Some(&c),
            &json!({"phone": "13900000001"}).to_string(),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()[header::RETRY_AFTER], "3600");

    // A template the SMS console has not approved is the operator's to fix.
    fake.sms_next_code(
        "+8613900000001",
        "FailedOperation.TemplateIncorrectOrUnapproved",
    );
    let (status, v) = send_code(&app, &c, "13900000001").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{v}");
    assert_eq!(step(&app, &c).await, "contact");
    assert_eq!(
        counts(&fake, "sms"),
        (4, 0),
        "refused per number, not as requests"
    );
    assert!(fake.sms_messages().iter().all(|m| m.code != "Ok"));

    // None of the four counted: the next code goes out at once.
    let (status, v) = send_code(&app, &c, "13900000001").await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn an_ocr_timeout_lets_the_user_type_the_fields_with_a_clear_message() {
    let (app, fake) = real_app().await;
    let c = started(&app).await;
    assert_eq!(
        real_name(&app, &c, "王建国", "330106197503120410").await.0,
        StatusCode::OK
    );
    // Longer than the client's 10 s in all.
    fake.set_ocr_delay_ms(11_000);
    let (status, v) = upload(&app, &c, jpeg(1200, 850)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["recognition_failed"], true);
    assert_eq!(
        v["warnings"],
        json!(["证照识别服务暂时无法连接，请手动填写以下信息"])
    );
    assert!(
        v["recognized"]
            .as_object()
            .unwrap()
            .values()
            .all(Value::is_null),
        "{v}"
    );
    let (stored,): (Option<String>,) = sqlx::query_as("SELECT recognized_json FROM uploads")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    let stored: Value = serde_json::from_str(&stored.unwrap()).unwrap();
    assert!(
        stored.as_object().unwrap().values().all(Value::is_null),
        "{stored}"
    );
    assert_eq!(step(&app, &c).await, "license");

    // The user types the fields and goes on.
    fake.set_ocr_delay_ms(0);
    let form = license_form(v["upload_id"].as_str().unwrap(), "91330106MA2KX7Q890");
    assert_eq!(
        put(&app, "/api/application/license", &c, &form).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn ocr_copy_warnings_are_shown_beside_the_fields_and_refusals_are_explained() {
    let (app, fake) = real_app().await;
    let c = started(&app).await;
    assert_eq!(
        real_name(&app, &c, "王建国", "330106197503120410").await.0,
        StatusCode::OK
    );
    let mut license = fakes::tencent::default_license();
    license["RecognizeWarnCode"] = json!([-9102, -9104]);
    license["RecognizeWarnMsg"] = json!(["WARN_COPY_CARD", "WARN_RESHOOT_CARD"]);
    fake.set_license(license);
    let (status, v) = upload(&app, &c, jpeg(1200, 850)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["recognized"]["name"], "星河云图科技有限公司");
    assert_eq!(
        v["warnings"],
        json!([
            "检测到照片为复印件，请上传营业执照原件照片",
            "检测到照片为翻拍件，请上传营业执照原件照片"
        ])
    );

    // An account in arrears: the operator's to fix, the user types the fields.
    fake.next_error(
        "BizLicenseOCR",
        "ResourceUnavailable.InArrears",
        "账号已欠费",
    );
    let (status, v) = upload(&app, &c, jpeg(1200, 850)).await;
    assert_eq!(
        (status, v["recognition_failed"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    assert_eq!(
        v["warnings"],
        json!(["证照识别服务暂不可用，请手动填写以下信息"])
    );
    fake.next_error(
        "BizLicenseOCR",
        "FailedOperation.NoBizLicense",
        "非营业执照",
    );
    let (_, v) = upload(&app, &c, jpeg(1200, 850)).await;
    assert!(
        v["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("未能从照片中识别出营业执照"),
        "{v}"
    );
    assert_eq!(counts(&fake, "ocr"), (3, 2));
}

/// 王建国 (the legal representative) at 超管授权 with the real clients.
async fn at_authorize(app: &TestApp, fake: &Fake) -> String {
    let c = through_license_real(app).await;
    send_code(app, &c, "13900000001").await;
    let code = fake.sms_messages().last().unwrap().params[0].clone();
    let body = json!({ "phone": "13900000001", "code": code }).to_string();
    let (status, v) = app
        .post_json("/api/application/contact/verify", Some(&c), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    c
}

/// Taps a button of the fake's H5 page as the person would; the redirect it answers.
async fn tap(page_url: &str, decision: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(page_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("测试替身") && page.contains("通过") && page.contains("不通过"),
        "{page}"
    );
    let res = client
        .post(page_url)
        .form(&[("decision", decision)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    res.headers()[header::LOCATION].to_str().unwrap().to_owned()
}

async fn face_result(app: &TestApp, c: &str, biz: &str) -> (StatusCode, Value) {
    let body = json!({ "biz_token": biz }).to_string();
    app.post_json("/api/application/face/result", Some(c), &body)
        .await
}

#[tokio::test]
async fn a_face_check_not_passed_is_explained_and_a_passed_one_verifies() {
    let (app, fake) = real_app().await;
    let c = at_authorize(&app, &fake).await;

    let (status, v) = app.post_json("/api/application/face", Some(&c), "").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let url = v["url"].as_str().unwrap().to_owned();
    let biz = url.rsplit('/').next().unwrap().to_owned();
    assert!(
        url.contains("/_fake/faceid/h5/"),
        "FaceID's own page: {url}"
    );

    // Back before finishing: FaceID has no ErrCode yet.
    let (status, v) = face_result(&app, &c, &biz).await;
    assert_eq!(
        (status, v["error"]["message"].as_str()),
        (
            StatusCode::CONFLICT,
            Some("人脸识别尚未完成，请完成后再返回")
        )
    );
    let back = tap(&url, "fail").await;
    assert_eq!(back, format!("/apply/face-return?BizToken={biz}"));
    let (status, v) = face_result(&app, &c, &biz).await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{v}"
    );
    assert!(
        v["message"].as_str().unwrap().starts_with("人脸识别未通过"),
        "{v}"
    );
    assert_eq!(step(&app, &c).await, "authorize");

    // A session left unfinished past the BizToken's life did not pass either.
    let (_, v) = app.post_json("/api/application/face", Some(&c), "").await;
    let biz = v["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    fake.expire_face_sessions();
    let (status, v) = face_result(&app, &c, &biz).await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{v}"
    );
    assert!(
        v["message"].as_str().unwrap().starts_with("人脸识别未通过"),
        "{v}"
    );

    let (_, v) = app.post_json("/api/application/face", Some(&c), "").await;
    let url = v["url"].as_str().unwrap().to_owned();
    let biz = url.rsplit('/').next().unwrap().to_owned();
    tap(&url, "pass").await;
    let (status, v) = face_result(&app, &c, &biz).await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
    let (_, s) = app.get_json("/api/session", Some(&c)).await;
    assert_eq!(s["enterprise_state"], "verified", "{s}");
    // IdCardVerification, three DetectAuth, four GetDetectInfoEnhanced, one of them
    // answered BizTokenExpired.
    assert_eq!(counts(&fake, "faceid"), (8, 1));
}

#[tokio::test]
async fn real_name_results_minus_2_minus_5_and_minus_7_are_told_apart() {
    let (app, fake) = real_app().await;
    let c = started(&app).await;
    let ask = || real_name(&app, &c, "王建国", "330106197503120410");

    fake.set_realname_result(Some("-2"));
    let (status, v) = ask().await;
    assert_eq!(
        (
            status,
            v["error"]["field"].as_str(),
            v["error"]["message"].as_str()
        ),
        (
            StatusCode::BAD_REQUEST,
            Some("id_number"),
            Some("身份证号无效，请核对后重新输入")
        )
    );
    fake.set_realname_result(Some("-5"));
    let (status, v) = ask().await;
    assert_eq!(
        (status, v["error"]["message"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("未查询到该身份证号的登记信息，请核对后重试")
        )
    );
    fake.set_realname_result(Some("-7"));
    let res = app
        .send(common::post(
            "/api/application/real-name",
            Some(&c),
            &json!({"name": "王建国", "id_number": "330106197503120410"}).to_string(),
        ))
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = res.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (60..=86_400).contains(&wait),
        "until midnight in China: {wait}"
    );
    let (_, v) = common::json_of(res).await;
    assert_eq!(code(&v), "rate_limited");
    assert_eq!(
        v["error"]["message"],
        "今日实名核验次数已达上限，请明天再试"
    );
    fake.set_realname_result(Some("-4"));
    assert_eq!(ask().await.0, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(step(&app, &c).await, "real_name");

    // A pair the fake knows as mismatched, then the right one.
    fake.set_realname_result(None);
    fake.set_realname_pair("王建国", "330106197503120410", "-1");
    assert_eq!(
        ask().await.1["error"]["message"],
        "姓名与身份证号不匹配，请核对后重试"
    );
    fake.set_realname_pair("王建国", "330106197503120410", "0");
    assert_eq!(ask().await.0, StatusCode::OK);
    assert_eq!(
        counts(&fake, "faceid"),
        (6, 0),
        "all answered, none refused"
    );
}

/// A hand-made call to the fake, signed by the server's TC3 module for `service`.
struct Raw<'a> {
    action: &'a str,
    version: &'a str,
    region: Option<&'a str>,
    content_type: &'a str,
    service: &'a str,
    body: Value,
}

async fn raw(base: &str, r: Raw<'_>) -> Value {
    use server::providers::tencent::tc3;
    let host = base.trim_start_matches("http://");
    let body = r.body.to_string();
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let request = tc3::Request {
        service: r.service,
        host,
        action: r.action,
        timestamp,
        body: body.as_bytes(),
        signed_headers: tc3::SignedHeaders::ContentTypeAndHost,
    };
    let mut b = reqwest::Client::new()
        .post(format!("{base}/"))
        .header(
            "Authorization",
            tc3::authorization(SECRET_ID, SECRET_KEY, &request),
        )
        .header("Content-Type", r.content_type)
        .header("X-TC-Action", r.action)
        .header("X-TC-Version", r.version)
        .header("X-TC-Timestamp", timestamp.to_string())
        .body(body);
    if let Some(region) = r.region {
        b = b.header("X-TC-Region", region);
    }
    b.send().await.unwrap().json().await.unwrap()
}

fn error_code(v: &Value) -> &str {
    v["Response"]["Error"]["Code"].as_str().unwrap_or("<none>")
}

#[tokio::test]
async fn the_fake_refuses_what_tencent_cloud_refuses() {
    let fake = Fake::new(SECRET_ID, SECRET_KEY);
    let base = serve(&fake).await;
    let sms = json!({
        "PhoneNumberSet": ["+8613900000001"], "SmsSdkAppId": "1400006666",
        "SignName": "腾讯电子签", "TemplateId": "2101001", "TemplateParamSet": ["123456", "5"]
    });
    let ok = || Raw {
        action: "SendSms",
        version: "2021-01-11",
        region: Some("ap-guangzhou"),
        content_type: "application/json; charset=utf-8",
        service: "sms",
        body: sms.clone(),
    };
    // The two-header variant of the signature is accepted too.
    let v = raw(&base, ok()).await;
    assert_eq!(v["Response"]["SendStatusSet"][0]["Code"], "Ok", "{v}");

    let cases = [
        (
            Raw {
                region: None,
                ..ok()
            },
            "MissingParameter",
        ),
        (
            Raw {
                content_type: "application/json",
                ..ok()
            },
            "InvalidParameter",
        ),
        (
            Raw {
                version: "2019-07-11",
                ..ok()
            },
            "InvalidParameter",
        ),
        // The scope names the host's first label, not the API's service.
        (
            Raw {
                service: "127",
                ..ok()
            },
            "AuthFailure.SignatureFailure",
        ),
        (
            Raw {
                action: "SendSmsNow",
                ..ok()
            },
            "InvalidAction",
        ),
        (
            Raw {
                body: json!({"PhoneNumberSet": ["+8613900000001"], "SmsSdkAppId": "1", "TemplateId": "2"}),
                ..ok()
            },
            "MissingParameter",
        ),
        (
            Raw {
                action: "BizLicenseOCR",
                version: "2018-11-19",
                service: "ocr",
                body: json!({"ImageBase64": "bm90IGFuIGltYWdl", "EnableCopyWarn": true}),
                ..ok()
            },
            "FailedOperation.ImageDecodeFailed",
        ),
        (
            Raw {
                action: "GetDetectInfoEnhanced",
                version: "2018-03-01",
                service: "faceid",
                body: json!({"BizToken": "nope", "RuleId": RULE_ID, "InfoType": "0"}),
                ..ok()
            },
            "InvalidParameterValue.BizTokenIllegal",
        ),
    ];
    let n = cases.len() as u64;
    for (request, expected) in cases {
        let what = format!(
            "{} {:?} {}",
            request.action, request.region, request.content_type
        );
        let v = raw(&base, request).await;
        assert_eq!(error_code(&v), expected, "{what}: {v}");
        assert!(v["Response"]["RequestId"].is_string());
    }
    // A sign in 【】 is not the approved sign.
    let mut bracketed = sms.clone();
    bracketed["SignName"] = json!("【腾讯电子签】");
    let v = raw(
        &base,
        Raw {
            body: bracketed,
            ..ok()
        },
    )
    .await;
    assert_eq!(
        v["Response"]["SendStatusSet"][0]["Code"],
        "FailedOperation.SignatureIncorrectOrUnapproved"
    );
    let rejected: u64 = fake.stats().values().map(|c| c.rejected).sum();
    assert_eq!(rejected, n);

    // Each service at its own endpoint: the SMS one serves no FaceID action.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sms_only = format!("http://{}", listener.local_addr().unwrap());
    let router = fake.router_for("sms");
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let v = raw(&sms_only, ok()).await;
    assert_eq!(v["Response"]["SendStatusSet"][0]["Code"], "Ok", "{v}");
    let v = raw(
        &sms_only,
        Raw {
            action: "IdCardVerification",
            version: "2018-03-01",
            service: "faceid",
            region: None,
            body: json!({"IdCard": "11010519491231002X", "Name": "张三"}),
            ..ok()
        },
    )
    .await;
    assert_eq!(error_code(&v), "InvalidAction", "{v}");
    let stats: Value = reqwest::get(format!("{base}/_fake/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            stats["sms"]["calls"].as_u64(),
            stats["other"]["rejected"].as_u64()
        ),
        (Some(8), Some(2)),
        "{stats}"
    );
    let messages: Value = reqwest::get(format!("{base}/_fake/sms/messages"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(messages[0]["params"], json!(["123456", "5"]));
}

/// Everything logged on this thread (the test's runtime, the fake's tasks included).
#[derive(Clone, Default)]
struct Logs(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// The four providers as `Providers::new` builds them from the settings a deployment gives,
/// only the endpoints pointed at the fake.
async fn deployed(base: &str, key: &str) -> server::providers::Providers {
    use server::config::real::{load, modes, Source};
    use server::config::ProviderMode;
    let src = Source::from_pairs([
        ("ESIGN_PROVIDER_SMS", "real"),
        ("ESIGN_PROVIDER_OCR", "real"),
        ("ESIGN_PROVIDER_FACE", "real"),
        ("ESIGN_PROVIDER_REALNAME", "real"),
        ("ESIGN_PUBLIC_URL", "https://esign.example.com"),
        ("ESIGN_TC_SECRET_ID", SECRET_ID),
        ("ESIGN_TC_SECRET_KEY", key),
        ("ESIGN_TC_ENDPOINT_SMS", base),
        ("ESIGN_TC_ENDPOINT_OCR", base),
        ("ESIGN_TC_ENDPOINT_FACEID", base),
        ("ESIGN_SMS_SDK_APP_ID", "1400006666"),
        ("ESIGN_SMS_SIGN_NAME", "腾讯电子签"),
        ("ESIGN_SMS_TEMPLATE_CODE", "2101001"),
        ("ESIGN_SMS_TEMPLATE_LEGAL_REP", "2101002"),
        ("ESIGN_SMS_TEMPLATE_SUPER_ADMIN", "2101003"),
        ("ESIGN_SMS_TEMPLATE_INVITE", "2101004"),
        ("ESIGN_FACEID_RULE_ID", RULE_ID),
    ]);
    let m = modes(&src, ProviderMode::Local).unwrap();
    let settings = load(&src, m).unwrap();
    // The Tencent clients keep no rows; the database is only the constructor's.
    let db = server::storage::Db::connect("sqlite::memory:")
        .await
        .unwrap();
    server::providers::Providers::new(
        &settings,
        db,
        &server::crypto::Vault::from_master(&[7; 32]),
        Arc::new(server::clock::ManualClock::at(0)),
        std::path::Path::new("no-models"),
    )
    .unwrap()
}

#[tokio::test]
async fn providers_new_builds_the_tencent_clients_and_no_secret_or_personal_number_is_logged() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // Global for this test binary's process would leak into other tests; this test's
    // threads only.
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = Fake::new(SECRET_ID, SECRET_KEY);
    let base = serve(&fake).await;
    let real = deployed(&base, SECRET_KEY).await;
    let app = TestApp::with_providers(|p| {
        p.sms = real.sms.clone();
        p.ocr = real.ocr.clone();
        p.face = real.face.clone();
        p.real_name = real.real_name.clone();
    })
    .await;
    let c = at_authorize(&app, &fake).await;
    assert_eq!(fake.sms_messages()[0].template_id, "2101001");
    let (status, v) = app.post_json("/api/application/face", Some(&c), "").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["url"].as_str().unwrap().starts_with(&base), "{v}");
    let counted: u64 = fake.stats().values().map(|c| c.calls).sum();
    assert_eq!(
        counted, 4,
        "IdCardVerification, BizLicenseOCR, SendSms, DetectAuth"
    );

    // A wrong key is logged for the operator, without the key.
    let wrong = deployed(&base, "the-wrong-secret-key-value").await;
    let app2 = TestApp::with_providers(|p| p.real_name = wrong.real_name.clone()).await;
    let c2 = started(&app2).await;
    let (status, _) = real_name(&app2, &c2, "王建国", "330106197503120410").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);

    let text = logs.text();
    assert!(
        text.contains("misconfigured"),
        "the operator is told: {text}"
    );
    for secret in [
        SECRET_KEY,
        "the-wrong-secret-key-value",
        SECRET_ID,
        "330106197503120410",
        "13900000001",
    ] {
        assert!(!text.contains(secret), "{secret} logged:\n{text}");
    }
}
