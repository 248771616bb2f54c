//! The application's steps 1–3 through the API: every success and every refusal.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::apply::*;
use common::{code, TestApp};
use serde_json::{json, Value};
use server::providers::ocr::BizLicense;

#[tokio::test]
async fn only_admins_of_admin_mode_corps_may_start() {
    let app = TestApp::new().await;
    for (user, needle) in [
        ("lina", "仅企业微信管理员"),
        ("wuhao", "成员授权"),
        ("reviewer", "工作人员"),
    ] {
        let c = app.login(user).await;
        let (status, v) = app.post_json("/api/application", Some(&c), "").await;
        assert_eq!(
            (status, code(&v)),
            (StatusCode::FORBIDDEN, "forbidden"),
            "{user}"
        );
        assert!(
            v["error"]["message"].as_str().unwrap().contains(needle),
            "{user}: {v}"
        );
    }
    assert_eq!(
        app.post_json("/api/application", None, "").await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn starting_twice_resumes_and_a_second_admin_sees_who_is_verifying() {
    let app = TestApp::new().await;
    let wang = app.login("wangjianguo").await;
    let zhang = app.login("zhangwei").await;
    assert_eq!(
        app.get_json("/api/application", Some(&wang)).await.0,
        StatusCode::NOT_FOUND
    );

    let (status, first) = app.post_json("/api/application", Some(&wang), "").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(first["step"], "real_name");
    assert_eq!(first["corp_name"], "星河云图科技有限公司");
    let (status, again) = app.post_json("/api/application", Some(&wang), "").await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &first["id"]));

    let (status, v) = app.post_json("/api/application", Some(&zhang), "").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(v["error"]["message"], "*建国已在进行企业认证，请等待其完成");
    let (status, v) = app.get_json("/api/application", Some(&zhang)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(v["error"]["message"].as_str().unwrap().starts_with("*建国"));

    let (_, s) = app.get_json("/api/session", Some(&zhang)).await;
    assert_eq!(s["enterprise_state"], "in_progress");
    assert_eq!(s["application"]["applicant_name"], "*建国");
    let (_, s) = app.get_json("/api/session", Some(&wang)).await;
    assert_eq!(s["application"]["step"], "real_name");
}

#[tokio::test]
async fn two_admins_starting_at_once_make_one_application() {
    let app = TestApp::new().await;
    let wang = app.login("wangjianguo").await;
    let zhang = app.login("zhangwei").await;
    let (a, b) = tokio::join!(
        app.post_json("/api/application", Some(&wang), ""),
        app.post_json("/api/application", Some(&zhang), "")
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT]);
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM applications")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn real_name_refusals_and_success_keep_the_number_sealed() {
    let app = TestApp::new().await;
    let c = app.login("wangjianguo").await;
    app.post_json("/api/application", Some(&c), "").await;

    let (status, v) = real_name(&app, &c, "王建国", "330106197503120411").await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("id_number"))
    );
    assert_eq!(v["error"]["message"], "身份证号校验位不正确，请核对");
    let (status, v) = real_name(&app, &c, "王建国3", "330106197503120410").await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("name"))
    );
    let (status, v) = real_name(&app, &c, "张伟", "330106197503120410").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["error"]["message"], "姓名与身份证号不匹配，请核对后重试");
    let (status, v) = app
        .post_json("/api/application/real-name", Some(&c), "{\"name\": 1}")
        .await;
    assert_eq!((status, code(&v)), (StatusCode::BAD_REQUEST, "bad_request"));

    let (status, v) = real_name(&app, &c, " 王建国 ", "330106197503120410").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["step"], "license");
    assert_eq!(v["real_name"]["id_masked"], "3301**********0410");
    assert!(!v.to_string().contains("330106197503120410"));

    let (sealed, index): (String, String) =
        sqlx::query_as("SELECT id_sealed, id_index FROM verified_persons")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert!(!sealed.contains("330106") && !index.contains("330106"));
    let dump: Vec<(Option<String>,)> = sqlx::query_as("SELECT detail FROM events")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert!(dump
        .iter()
        .all(|(d,)| !d.as_deref().unwrap_or("").contains("330106197503120410")));

    // Verified once: a second submission changes nothing and asks nothing.
    let (status, v) = real_name(&app, &c, "", "").await;
    assert_eq!((status, &v["step"]), (StatusCode::OK, &json!("license")));
}

#[tokio::test]
async fn a_verified_person_starts_at_the_license() {
    let app = TestApp::new().await;
    let c = app.login("wangjianguo").await;
    app.post_json("/api/application", Some(&c), "").await;
    real_name(&app, &c, "王建国", "330106197503120410").await;
    sqlx::query("UPDATE applications SET outcome = 'cancelled'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let (status, v) = app.post_json("/api/application", Some(&c), "").await;
    assert_eq!(
        (status, &v["step"]),
        (StatusCode::CREATED, &json!("license"))
    );
    assert_eq!(v["real_name"]["name"], "王建国");
}

#[tokio::test]
async fn too_many_failed_checks_wait_until_tomorrow() {
    let app = TestApp::new().await;
    let c = app.login("zhangwei").await;
    app.post_json("/api/application", Some(&c), "").await;
    for _ in 0..5 {
        assert_eq!(
            real_name(&app, &c, "王建国", "440305198806231534").await.0,
            StatusCode::BAD_REQUEST
        );
    }
    let (status, v) = real_name(&app, &c, "张伟", "440305198806231534").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("今日实名认证失败次数过多"));
    assert!(v["error"]["retry_after_secs"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn the_photo_is_checked_before_anything_else() {
    let app = TestApp::with_ocr(Arc::new(FixedOcr(xinghe_license()))).await;
    let c = app.login("wangjianguo").await;
    app.post_json("/api/application", Some(&c), "").await;
    let (status, _) = upload(&app, &c, jpeg(1200, 850)).await;
    assert_eq!(status, StatusCode::CONFLICT, "real-name first");
    real_name(&app, &c, "王建国", "330106197503120410").await;

    let (status, v) = upload(&app, &c, b"%PDF-1.7\n%binary".to_vec()).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("photo"))
    );
    assert_eq!(v["error"]["message"], "只支持JPG或PNG格式的图片");
    let (status, v) = upload(&app, &c, vec![0xFF; 20 * 1024 * 1024]).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::PAYLOAD_TOO_LARGE, "too_large")
    );
    assert_eq!(v["error"]["message"], "照片不能超过8MB，请重新拍摄或选择");
    let mut broken = jpeg(1200, 850);
    broken.truncate(400);
    assert_eq!(
        upload(&app, &c, broken).await.1["error"]["message"],
        "图片已损坏或无法识别，请重新拍摄"
    );
    assert_eq!(
        upload(&app, &c, jpeg(200, 120)).await.1["error"]["message"],
        "图片太小，无法看清证照内容，请重新拍摄"
    );
    assert_eq!(
        upload(&app, &c, Vec::new()).await.0,
        StatusCode::BAD_REQUEST
    );

    let (status, v) = upload(&app, &c, jpeg(1200, 850)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["recognized"]["uscc"], "91330106MA2KX7Q890");
    assert_eq!(v["uscc_repaired"], true);
    assert_eq!(v["recognized"]["legal_rep"], "王建国");
    assert_eq!(v["recognition_failed"], false);
    assert!(v["wechat_opened"].is_null());
    let photos = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM upload_blobs")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        n
    };
    assert_eq!(photos().await, 1, "only the accepted photo is stored");

    // /dev/reset takes the photos with the rows.
    let res = app.send(common::post("/dev/reset", None, "")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(photos().await, 0);
}

#[tokio::test]
async fn without_an_engine_recognition_fails_honestly_and_nothing_blocks() {
    let app = TestApp::new().await;
    let c = app.login("wangjianguo").await;
    app.post_json("/api/application", Some(&c), "").await;
    real_name(&app, &c, "王建国", "330106197503120410").await;
    let (status, v) = upload(&app, &c, jpeg(1200, 850)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["recognition_failed"], true);
    assert!(v["recognized"]["name"].is_null());
    let form = license_form(v["upload_id"].as_str().unwrap(), "91330106MA2KX7Q890");
    assert_eq!(
        put(&app, "/api/application/license", &c, &form).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn license_fields_are_validated_and_a_wechat_opened_code_is_sent_to_scenario_2() {
    let app = TestApp::with_ocr(Arc::new(FixedOcr(BizLicense {
        reg_num: Some("91440305MA5G3N2R3N".into()),
        ..Default::default()
    })))
    .await;
    let c = app.login("wangjianguo").await;
    app.post_json("/api/application", Some(&c), "").await;
    real_name(&app, &c, "王建国", "330106197503120410").await;
    let (_, photo) = upload(&app, &c, jpeg(1200, 850)).await;
    assert_eq!(photo["wechat_opened"]["name"], "蓝海文化传媒有限公司");
    let id = photo["upload_id"].as_str().unwrap();

    let (status, v) = put(
        &app,
        "/api/application/license",
        &c,
        &license_form(id, "91330106MA2KX7Q891"),
    )
    .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("uscc"))
    );
    let (status, v) = put(
        &app,
        "/api/application/license",
        &c,
        &license_form(id, "91440305MA5G3N2R3N"),
    )
    .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::CONFLICT, Some("uscc"))
    );
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("关联微信账户"));
    let mut form = license_form(id, "91330106MA2KX7Q890");
    form["kind"] = Value::Null;
    let (status, v) = put(&app, "/api/application/license", &c, &form).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("kind"))
    );
    let mut form = license_form(id, "91330106MA2KX7Q890");
    form["set_date"]["value"] = json!("2099-01-01");
    assert_eq!(
        put(&app, "/api/application/license", &c, &form).await.1["error"]["field"],
        "set_date"
    );
    let form = license_form("not-mine", "91330106MA2KX7Q890");
    assert_eq!(
        put(&app, "/api/application/license", &c, &form).await.1["error"]["field"],
        "photo"
    );

    // An institution needs no type, address or date.
    let mut form = license_form(id, "91330106MA2KX7Q890");
    form["subject_type"] = json!("institution");
    form["kind"] = Value::Null;
    let (status, v) = put(&app, "/api/application/license", &c, &form).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["step"], "contact");
    assert_eq!(v["license"]["legal_rep"]["source"], "edited");
}

#[tokio::test]
async fn wechat_enterprise_lookup() {
    let app = TestApp::new().await;
    let c = app.login("chenjing").await;
    let path = "/api/wechat-enterprise?uscc=91440305MA5G3N2R3N";
    let (status, v) = app.get_json(path, Some(&c)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only for an application in progress: {v}"
    );
    assert_eq!(
        app.post_json("/api/application", Some(&c), "").await.0,
        StatusCode::CREATED
    );
    let (status, v) = app
        .get_json("/api/wechat-enterprise?uscc=91440305MA5G3N2R3N", Some(&c))
        .await;
    assert_eq!(
        (status, &v["opened"]["name"]),
        (StatusCode::OK, &json!("蓝海文化传媒有限公司"))
    );
    let (_, v) = app
        .get_json("/api/wechat-enterprise?uscc=91330106MA2KX7Q890", Some(&c))
        .await;
    assert!(v["opened"].is_null());
    let (status, v) = app
        .get_json("/api/wechat-enterprise?uscc=123", Some(&c))
        .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("uscc"))
    );
    assert_eq!(
        app.get_json("/api/wechat-enterprise?uscc=91440305MA5G3N2R3N", None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn sms_codes_cool_down_cap_daily_and_only_the_newest_works() {
    let app = TestApp::new().await;
    let c = app.login("wangjianguo").await;
    app.post_json("/api/application", Some(&c), "").await;
    let send = |phone: &'static str| {
        let c = c.clone();
        let app = &app;
        async move {
            app.post_json(
                "/api/application/contact/code",
                Some(&c),
                &json!({"phone": phone}).to_string(),
            )
            .await
        }
    };
    assert_eq!(
        send("13900000001").await.0,
        StatusCode::CONFLICT,
        "earlier steps first"
    );
    let app = TestApp::new().await;
    let c = through_license(&app).await;
    let send = |phone: &'static str| {
        let c = c.clone();
        let app = &app;
        async move {
            app.post_json(
                "/api/application/contact/code",
                Some(&c),
                &json!({"phone": phone}).to_string(),
            )
            .await
        }
    };
    let (status, v) = send("1390000000").await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("phone"))
    );

    let (status, v) = send("+86 139 0000 0001").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["phone_masked"], "139****0001");
    assert_eq!(
        (v["resend_in_secs"].as_u64(), v["expires_in_secs"].as_u64()),
        (Some(60), Some(300))
    );
    let outbox = app.outbox().await;
    assert_eq!(outbox[0]["to"], "13900000001");
    assert_eq!(last_sms_code(&outbox).len(), 6);

    app.clock.advance(20);
    let (status, v) = send("13900000001").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(v["error"]["retry_after_secs"], 40);
    assert_eq!(v["error"]["message"], "验证码已发送，请40秒后再重新获取");
    let (_, view) = app.get_json("/api/application", Some(&c)).await;
    assert_eq!(
        view["sms_resend_in_secs"], 40,
        "the countdown survives a reload"
    );

    for _ in 0..4 {
        app.clock.advance(60);
        assert_eq!(send("13900000001").await.0, StatusCode::OK);
    }
    app.clock.advance(60);
    let (status, v) = send("13900000001").await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "five a day per phone"
    );
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("今日获取验证码次数已达上限"));
    assert_eq!(
        send("13900000009").await.0,
        StatusCode::OK,
        "another phone still works"
    );
}

#[tokio::test]
async fn codes_allow_five_wrong_tries_expire_and_confirm_the_contact() {
    let app = TestApp::new().await;
    let c = through_license(&app).await;
    let send = || {
        app.post_json(
            "/api/application/contact/code",
            Some(&c),
            "{\"phone\":\"13900000001\"}",
        )
    };
    let verify = |code: String| {
        let body = json!({"phone": "13900000001", "code": code}).to_string();
        let c = c.clone();
        let app = &app;
        async move {
            app.post_json("/api/application/contact/verify", Some(&c), &body)
                .await
        }
    };
    let (status, v) = verify("123456".into()).await;
    assert_eq!(
        (status, &v["error"]["message"]),
        (StatusCode::BAD_REQUEST, &json!("请先获取验证码"))
    );

    send().await;
    let right = last_sms_code(&app.outbox().await);
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    }
    .to_owned();
    let (_, v) = verify("12a".into()).await;
    assert_eq!(v["error"]["message"], "验证码应为6位数字");
    for left in (1..=4).rev() {
        let (_, v) = verify(wrong.clone()).await;
        assert_eq!(
            v["error"]["message"],
            format!("验证码错误，还可尝试{left}次")
        );
    }
    let (_, v) = verify(wrong.clone()).await;
    assert_eq!(
        v["error"]["message"],
        "验证码错误次数过多，已失效，请重新获取"
    );
    let (_, v) = verify(right.clone()).await;
    assert_eq!(
        v["error"]["message"], "验证码已失效，请重新获取",
        "a voided code stays void"
    );

    app.clock.advance(60);
    send().await;
    let right = last_sms_code(&app.outbox().await);
    app.clock.advance(300);
    let (_, v) = verify(right).await;
    assert_eq!(v["error"]["message"], "验证码已过期，请重新获取");

    send().await;
    let right = last_sms_code(&app.outbox().await);
    let (_, v) = app
        .post_json(
            "/api/application/contact/verify",
            Some(&c),
            &json!({"phone": "13900000002", "code": right}).to_string(),
        )
        .await;
    assert_eq!(v["error"]["message"], "手机号已更改，请重新获取验证码");
    let (status, v) = verify(right.clone()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["step"], "authorize");
    assert_eq!(v["contact"]["phone_masked"], "139****0001");
    assert!(!v.to_string().contains("13900000001"));
    let (_, v) = verify(right).await;
    assert_eq!(
        v["error"]["message"], "验证码已失效，请重新获取",
        "a code works once"
    );
    let (sealed,): (String,) = sqlx::query_as("SELECT contact_sealed FROM applications")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(!sealed.contains("139"));
}

#[tokio::test]
async fn progress_survives_a_restart() {
    let app = TestApp::new().await;
    let c = through_license(&app).await;
    // A new router over the same database: what a server restart looks like to the client.
    let db = server::storage::Db::connect(&app.db_url).await.unwrap();
    let row = db.open_application("xinghe").await.unwrap().unwrap();
    assert_eq!(row.step, api::wire::ApplyStep::Contact);
    let (_, v) = app.get_json("/api/application", Some(&c)).await;
    assert_eq!(v["step"], "contact");
    assert_eq!(v["license"]["uscc"]["value"], "91330106MA2KX7Q890");
}
