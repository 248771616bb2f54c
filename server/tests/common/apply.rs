//! Driving the application through its steps over HTTP, for the API tests of later steps.

use axum::body::Body;
use axum::http::{header, StatusCode};
use serde_json::{json, Value};
use server::providers::ocr::{BizLicense, LicenseOcr, OcrError};

use super::TestApp;

/// Answers every recognition with the same fields (the real engine has its own tests).
pub struct FixedOcr(pub BizLicense);

#[async_trait::async_trait]
impl LicenseOcr for FixedOcr {
    async fn recognize(&self, _image: Vec<u8>) -> Result<BizLicense, OcrError> {
        Ok(self.0.clone())
    }
}

pub fn xinghe_license() -> BizLicense {
    BizLicense {
        // As OCR misreads it: O for 0. The server repairs it by the checksum.
        reg_num: Some("91330106MA2KX7Q89O".into()),
        name: Some("星河云图科技有限公司".into()),
        person: Some("王建国".into()),
        kind: Some("有限责任公司(自然人投资或控股)".into()),
        address: Some("浙江省杭州市西湖区文三路398号".into()),
        set_date: Some("2019年03月12日".into()),
        ..Default::default()
    }
}

pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, 200])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

pub async fn upload(app: &TestApp, cookie: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let req = super::browser("POST", "/api/application/license/photo")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "image/jpeg")
        .body(Body::from(body))
        .unwrap();
    super::json_of(app.send(req).await).await
}

pub async fn put(app: &TestApp, path: &str, cookie: &str, body: &Value) -> (StatusCode, Value) {
    let req = super::browser("PUT", path)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    super::json_of(app.send(req).await).await
}

pub async fn real_name(app: &TestApp, cookie: &str, name: &str, id: &str) -> (StatusCode, Value) {
    app.post_json(
        "/api/application/real-name",
        Some(cookie),
        &json!({"name": name, "id_number": id}).to_string(),
    )
    .await
}

pub fn license_form(upload_id: &str, uscc: &str) -> Value {
    let f = |v: &str| json!({"value": v, "source": "recognized"});
    json!({
        "subject_type": "enterprise",
        "upload_id": upload_id,
        "name": f("星河云图科技有限公司"),
        "uscc": f(uscc),
        "legal_rep": {"value": "王建国", "source": "edited"},
        "kind": f("有限责任公司(自然人投资或控股)"),
        "address": f("浙江省杭州市西湖区文三路398号"),
        "set_date": f("2019年03月12日"),
    })
}

/// 王建国 through steps 1 and 2; returns his cookie.
pub async fn through_license(app: &TestApp) -> String {
    through_license_as(app, "wangjianguo", "王建国", "330106197503120410").await
}

/// A WeCom admin of 星河云图 through steps 1 and 2 (the license names 王建国 as legal rep).
pub async fn through_license_as(app: &TestApp, user: &str, name: &str, id: &str) -> String {
    let c = app.login(user).await;
    assert_eq!(
        app.post_json("/api/application", Some(&c), "").await.0,
        StatusCode::CREATED
    );
    assert_eq!(real_name(app, &c, name, id).await.0, StatusCode::OK);
    let (_, photo) = upload(app, &c, jpeg(1200, 850)).await;
    let form = license_form(photo["upload_id"].as_str().unwrap(), "91330106MA2KX7Q890");
    let (status, v) = put(app, "/api/application/license", &c, &form).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    c
}

/// Step 3 with the code from the outbox: the application then stands at 超管授权.
pub async fn through_contact(app: &TestApp, cookie: &str, phone: &str) {
    let body = json!({ "phone": phone }).to_string();
    let (status, v) = app
        .post_json("/api/application/contact/code", Some(cookie), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let code = last_sms_code(&app.outbox().await);
    let body = json!({ "phone": phone, "code": code }).to_string();
    let (status, v) = app
        .post_json("/api/application/contact/verify", Some(cookie), &body)
        .await;
    assert_eq!(
        (status, v["step"].as_str()),
        (StatusCode::OK, Some("authorize")),
        "{v}"
    );
}

pub fn last_sms_code(outbox: &[Value]) -> String {
    let text = outbox.iter().find(|m| m["channel"] == "sms").unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned();
    text.chars().filter(char::is_ascii_digit).take(6).collect()
}

/// 周敏 of 青禾市数据资源局 (an institution) through steps 1–3: 超管授权 offers the letter.
pub async fn institution_at_authorize(app: &TestApp) -> String {
    let c = app.login("zhoumin").await;
    assert_eq!(
        app.post_json("/api/application", Some(&c), "").await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        real_name(app, &c, "周敏", "510107198511300256").await.0,
        StatusCode::OK
    );
    let (_, photo) = upload(app, &c, jpeg(1200, 850)).await;
    let f = |v: &str| json!({"value": v, "source": "edited"});
    let form = json!({
        "subject_type": "institution",
        "upload_id": photo["upload_id"],
        "name": f("青禾市数据资源局"),
        "uscc": f("11510107MB1C4D5E7K"),
        // The registry's 负责人 of 青禾 (local-mode.md): 周敏 applies, 郑芳 heads it.
        "legal_rep": f("郑芳"),
    });
    let (status, v) = put(app, "/api/application/license", &c, &form).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    through_contact(app, &c, "13900000021").await;
    c
}

/// The local face simulation's 通过 / 不通过; returns the redirect's Location.
pub async fn answer(app: &TestApp, biz: &str, decision: &str) -> (StatusCode, String) {
    let req = super::browser("POST", &format!("/dev/face/{biz}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("decision={decision}")))
        .unwrap();
    let res = app.send(req).await;
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|l| l.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (res.status(), location)
}

/// The BizToken of a started face session, from the simulation URL.
pub fn biz_of(v: &Value) -> String {
    v["url"]
        .as_str()
        .unwrap()
        .strip_prefix("/dev/face/")
        .expect("the local simulation page")
        .to_owned()
}

/// `GET /api/session`, which must answer.
pub async fn session(app: &TestApp, c: &str) -> Value {
    let (status, v) = app.get_json("/api/session", Some(c)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

/// `POST /api/application/wechat` with this code (or none).
pub async fn link_wechat(app: &TestApp, c: &str, uscc: Option<&str>) -> (StatusCode, Value) {
    app.post_json(
        "/api/application/wechat",
        Some(c),
        &serde_json::json!({ "uscc": uscc }).to_string(),
    )
    .await
}

/// The token of the newest SMS whose link starts with `prefix` (`/legal-rep/`, `/activate/`).
pub fn link_token(outbox: &[Value], prefix: &str) -> String {
    let sms = outbox
        .iter()
        .find(|m| {
            m["channel"] == "sms" && m["link"].as_str().is_some_and(|l| l.starts_with(prefix))
        })
        .expect("an SMS with a link");
    sms["link"].as_str().unwrap()[prefix.len()..].to_owned()
}

/// 张伟 (not the legal representative) at 超管授权 sent 王建国 the SMS: his cookie and the
/// link's token.
pub async fn zhang_asked_the_legal_rep(app: &TestApp) -> (String, String) {
    let c = through_license_as(app, "zhangwei", "张伟", "440305198806231534").await;
    through_contact(app, &c, "13900000002").await;
    let body = serde_json::json!({ "phone": "13900000001" }).to_string();
    let (status, v) = app
        .post_json("/api/application/legal-rep", Some(&c), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let token = link_token(&app.outbox().await, "/legal-rep/");
    (c, token)
}

/// The super admin's claim with their own face, answered `decision` by the simulation: the
/// BizToken and the result's answer.
pub async fn claim_with_face(
    app: &TestApp,
    c: &str,
    decision: &str,
) -> (String, StatusCode, Value) {
    let (status, v) = app
        .post_json("/api/enterprise/super-admin/face", Some(c), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let biz = biz_of(&v);
    let (_, back) = answer(app, &biz, decision).await;
    assert_eq!(back, format!("/enterprise/face-return?BizToken={biz}"));
    let body = serde_json::json!({ "biz_token": biz }).to_string();
    let (status, v) = app
        .post_json("/api/enterprise/super-admin/face/result", Some(c), &body)
        .await;
    (biz, status, v)
}
