//! Step 4, 超级管理员授权, through the API: path 1 (the legal representative's own face) and
//! the refusals around it.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::apply::*;
use common::{code, TestApp};
use serde_json::json;

async fn wang_at_authorize() -> (TestApp, String) {
    let app = TestApp::with_ocr(Arc::new(FixedOcr(xinghe_license()))).await;
    let c = through_license(&app).await;
    through_contact(&app, &c, "13900000001").await;
    (app, c)
}

/// Starts a face check; returns its BizToken (from the simulation URL).
async fn start_face(app: &TestApp, c: &str) -> String {
    let (status, v) = app.post_json("/api/application/face", Some(c), "").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let url = v["url"].as_str().unwrap();
    url.strip_prefix("/dev/face/")
        .expect("the local simulation page")
        .to_owned()
}

async fn result(app: &TestApp, c: &str, token: &str) -> (StatusCode, serde_json::Value) {
    let body = json!({ "biz_token": token }).to_string();
    app.post_json("/api/application/face/result", Some(c), &body)
        .await
}

#[tokio::test]
async fn the_legal_rep_passes_face_verification_and_the_enterprise_is_verified() {
    let (app, c) = wang_at_authorize().await;
    let (_, v) = app.get_json("/api/application", Some(&c)).await;
    assert_eq!(v["authorize_path"], "legal_rep_face");

    let token = start_face(&app, &c).await;
    let page = common::body_text(
        app.send(common::get(&format!("/dev/face/{token}"), None))
            .await,
    )
    .await;
    assert!(page.contains("本地模拟") && page.contains("通过"), "{page}");
    assert!(page.contains("*建国"), "the page names the person masked");

    // Back without finishing: the server asks the provider, which says nothing happened.
    let (status, v) = result(&app, &c, &token).await;
    assert_eq!(
        (status, v["error"]["message"].as_str()),
        (
            StatusCode::CONFLICT,
            Some("人脸识别尚未完成，请完成后再返回")
        )
    );

    let (status, location) = answer(&app, &token, "pass").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/apply/face-return?BizToken={token}"));
    let (status, v) = result(&app, &c, &token).await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );

    // 已认证 for everyone in the corp; the applicant is the super admin; nothing to restart.
    for user in ["wangjianguo", "lina", "zhangwei"] {
        let who = app.login(user).await;
        let (_, s) = app.get_json("/api/session", Some(&who)).await;
        assert_eq!(s["enterprise_state"], "verified", "{user}: {s}");
    }
    let super_admin: (Option<String>,) = sqlx::query_as("SELECT super_admin_id FROM applications")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(super_admin.0.as_deref(), Some("wangjianguo"));
    let (status, v) = app.post_json("/api/application", Some(&c), "").await;
    assert_eq!(
        (status, v["error"]["message"].as_str()),
        (StatusCode::CONFLICT, Some("企业已完成认证，无需再次认证"))
    );
    // The token cannot be used again.
    assert_eq!(
        result(&app, &c, &token).await.0,
        StatusCode::NOT_FOUND,
        "no open application any more"
    );
}

#[tokio::test]
async fn a_failed_face_check_explains_and_the_retries_are_capped_per_day() {
    let (app, c) = wang_at_authorize().await;
    for left in (0..5).rev() {
        let token = start_face(&app, &c).await;
        answer(&app, &token, "fail").await;
        let (status, v) = result(&app, &c, &token).await;
        assert_eq!(
            (status, v["passed"].as_bool()),
            (StatusCode::OK, Some(false)),
            "{v}"
        );
        assert_eq!(v["retries_left"], left);
        assert!(
            v["message"].as_str().unwrap().starts_with("人脸识别未通过"),
            "{v}"
        );
        // A used result is not used twice.
        assert_eq!(result(&app, &c, &token).await.0, StatusCode::CONFLICT);
    }
    let (status, v) = app.post_json("/api/application/face", Some(&c), "").await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        "{v}"
    );
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("今日人脸识别失败次数过多"));
    assert!(v["error"]["retry_after_secs"].as_u64().unwrap() > 0);

    // The next day the cap is lifted.
    app.clock.advance(24 * 3600);
    let token = start_face(&app, &c).await;
    answer(&app, &token, "pass").await;
    assert_eq!(result(&app, &c, &token).await.1["passed"], true);
}

#[tokio::test]
async fn an_employee_applicant_is_offered_sms_to_the_legal_rep_and_refused_the_face_path() {
    let app = TestApp::with_ocr(Arc::new(FixedOcr(xinghe_license()))).await;
    let c = through_license_as(&app, "zhangwei", "张伟", "440305198806231534").await;
    let (status, v) = app.post_json("/api/application/face", Some(&c), "").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "steps before 超管授权 first: {v}"
    );
    through_contact(&app, &c, "13900000002").await;
    let (_, v) = app.get_json("/api/application", Some(&c)).await;
    assert_eq!(v["authorize_path"], "notify_legal_rep");
    let (status, v) = app.post_json("/api/application/face", Some(&c), "").await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{v}"
    );
}

#[tokio::test]
async fn results_count_only_for_tokens_this_application_started() {
    let (app, c) = wang_at_authorize().await;
    let (status, _) = result(&app, &c, "made-up-token").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, v) = app
        .post_json("/api/application/face/result", Some(&c), "{\"nope\":1}")
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::BAD_REQUEST, "bad_request"),
        "{v}"
    );
    // Someone else may not use 王建国's result.
    let token = start_face(&app, &c).await;
    answer(&app, &token, "pass").await;
    let lina = app.login("lina").await;
    assert_eq!(result(&app, &lina, &token).await.0, StatusCode::FORBIDDEN);
    // The simulation refuses nonsense and unknown sessions.
    assert_eq!(
        answer(&app, &token, "maybe").await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        answer(&app, "unknown", "pass").await.0,
        StatusCode::NOT_FOUND
    );
    let page = app.send(common::get("/dev/face/unknown", None)).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

/// 张伟 (not the legal representative) at 超管授权.
async fn zhang_at_authorize() -> (TestApp, String) {
    let app = TestApp::with_ocr(Arc::new(FixedOcr(xinghe_license()))).await;
    let c = through_license_as(&app, "zhangwei", "张伟", "440305198806231534").await;
    through_contact(&app, &c, "13900000002").await;
    (app, c)
}

async fn notify(app: &TestApp, c: &str, phone: &str) -> (StatusCode, serde_json::Value) {
    let body = json!({ "phone": phone }).to_string();
    app.post_json("/api/application/legal-rep", Some(c), &body)
        .await
}

/// The token of the newest legal-rep SMS in the outbox, from its link.
async fn sms_token(app: &TestApp) -> String {
    let outbox = app.outbox().await;
    let sms = outbox
        .iter()
        .find(|m| m["channel"] == "sms" && m["link"].is_string())
        .expect("a legal-rep SMS");
    sms["link"]
        .as_str()
        .unwrap()
        .strip_prefix("/legal-rep/")
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn sms_to_the_legal_rep_carries_a_link_that_shows_the_request() {
    let (app, c) = zhang_at_authorize().await;
    let (status, v) = notify(&app, &c, "139 0000 0001").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        (v["phone_masked"].as_str(), v["status"].as_str()),
        (Some("139****0001"), Some("pending"))
    );
    assert_eq!(v["resend_in_secs"], 60);
    assert_eq!(
        v["expires_at"].as_i64().unwrap() - v["sent_at"].as_i64().unwrap(),
        24 * 3600
    );

    let outbox = app.outbox().await;
    let sms = &outbox[0];
    assert_eq!(sms["to"], "13900000001");
    let text = sms["text"].as_str().unwrap();
    assert!(
        text.contains("星河云图科技有限公司")
            && text.contains("*伟")
            && text.contains("/legal-rep/"),
        "{text}"
    );
    assert!(
        !text.contains("张伟"),
        "the applicant's name goes out masked"
    );

    let token = sms_token(&app).await;
    let (status, link) = app.get_json(&format!("/api/legal-rep/{token}"), None).await;
    assert_eq!(status, StatusCode::OK, "{link}");
    assert_eq!(link["enterprise"], "星河云图科技有限公司");
    assert_eq!(link["applicant_name"], "*伟");
    assert_eq!(link["applicant_phone"], "139****0002");
    let (_, view) = app.get_json("/api/application", Some(&c)).await;
    assert_eq!(view["legal_rep"]["status"], "pending");
    // The database holds neither the token nor the number in the clear.
    let dump: Vec<(String, String)> =
        sqlx::query_as("SELECT token_hash, phone_sealed FROM sms_links")
            .fetch_all(app.db.pool())
            .await
            .unwrap();
    assert!(!dump[0].0.contains(&token) && !dump[0].1.contains("13900000001"));
}

#[tokio::test]
async fn sending_is_refused_to_bad_numbers_too_soon_and_on_the_other_paths() {
    let (app, c) = zhang_at_authorize().await;
    let (status, v) = notify(&app, &c, "1390000").await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("phone"))
    );
    assert_eq!(notify(&app, &c, "13900000001").await.0, StatusCode::OK);
    let (status, v) = notify(&app, &c, "13900000009").await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited")
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("短信已发送，请"),
        "{v}"
    );
    app.clock.advance(61);
    assert_eq!(
        notify(&app, &c, "13900000009").await.0,
        StatusCode::OK,
        "after a minute, to another number"
    );

    // The legal representative himself verifies his own face instead.
    let (app, wang) = wang_at_authorize().await;
    let (status, v) = notify(&app, &wang, "13900000001").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
}

#[tokio::test]
async fn only_the_newest_link_works_and_withdrawn_or_expired_links_say_why() {
    let (app, c) = zhang_at_authorize().await;
    notify(&app, &c, "13900000001").await;
    let first = sms_token(&app).await;
    app.clock.advance(61);
    notify(&app, &c, "13900000001").await;
    let second = sms_token(&app).await;
    assert_ne!(first, second);

    let (status, v) = app.get_json(&format!("/api/legal-rep/{first}"), None).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::GONE, "link_superseded"),
        "{v}"
    );
    assert_eq!(
        app.get_json(&format!("/api/legal-rep/{second}"), None)
            .await
            .0,
        StatusCode::OK
    );

    // Withdrawn: the link says so; withdrawing twice is refused.
    let res = app
        .send(common::delete("/api/application/legal-rep", Some(&c)))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (status, v) = app
        .get_json(&format!("/api/legal-rep/{second}"), None)
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::GONE, "link_cancelled"),
        "{v}"
    );
    assert_eq!(
        app.send(common::delete("/api/application/legal-rep", Some(&c)))
            .await
            .status(),
        StatusCode::CONFLICT
    );

    // A fresh link expires after 24 hours.
    notify(&app, &c, "13900000001").await;
    let third = sms_token(&app).await;
    app.clock.advance(24 * 3600 + 1);
    let (status, v) = app.get_json(&format!("/api/legal-rep/{third}"), None).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::GONE, "link_expired"),
        "{v}"
    );
    assert!(v["error"]["message"].as_str().unwrap().contains("24小时"));

    let (status, v) = app.get_json("/api/legal-rep/not-a-token", None).await;
    assert_eq!((status, code(&v)), (StatusCode::NOT_FOUND, "not_found"));
}

/// The legal representative (or whoever holds the link) verifies on it; returns the outcome.
async fn verify_on_link(
    app: &TestApp,
    token: &str,
    name: &str,
    id: &str,
    decision: &str,
) -> (StatusCode, serde_json::Value) {
    let body = json!({ "name": name, "id_number": id }).to_string();
    let (status, v) = app
        .post_json(&format!("/api/legal-rep/{token}/face"), None, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let biz = v["url"]
        .as_str()
        .unwrap()
        .strip_prefix("/dev/face/")
        .unwrap()
        .to_owned();
    let (_, back) = answer(app, &biz, decision).await;
    assert_eq!(
        back,
        format!("/legal-rep/{token}/face-return?BizToken={biz}")
    );
    let body = json!({ "biz_token": biz }).to_string();
    app.post_json(&format!("/api/legal-rep/{token}/face/result"), None, &body)
        .await
}

async fn decide(app: &TestApp, token: &str, approve: bool) -> (StatusCode, serde_json::Value) {
    let body = json!({ "approve": approve }).to_string();
    app.post_json(&format!("/api/legal-rep/{token}/decision"), None, &body)
        .await
}

#[tokio::test]
async fn the_legal_rep_verifies_on_the_link_and_authorizes_once() {
    let (app, c) = zhang_at_authorize().await;
    notify(&app, &c, "13900000001").await;
    let token = sms_token(&app).await;
    let (status, v) = decide(&app, &token, true).await;
    assert_eq!(
        (status, v["error"]["message"].as_str()),
        (StatusCode::FORBIDDEN, Some("请先完成法定代表人人脸识别"))
    );

    let (status, v) = verify_on_link(&app, &token, "王建国", "330106197503120410", "pass").await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
    assert_eq!(decide(&app, &token, true).await.0, StatusCode::NO_CONTENT);

    let zhang = app.login("zhangwei").await;
    let (_, s) = app.get_json("/api/session", Some(&zhang)).await;
    assert_eq!(s["enterprise_state"], "verified");
    let admin: (Option<String>,) = sqlx::query_as("SELECT super_admin_id FROM applications")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(
        admin.0.as_deref(),
        Some("zhangwei"),
        "the applicant becomes super admin"
    );
    let told = app.outbox().await;
    let msg = told
        .iter()
        .find(|m| m["channel"] == "wecom")
        .expect("a WeCom message to the applicant");
    assert_eq!(
        (msg["to"].as_str(), msg["link"].as_str()),
        (Some("zhangwei"), Some("/apply/done"))
    );
    assert!(msg["text"].as_str().unwrap().contains("已授权"));

    // Approving twice: the link is used.
    let (status, v) = decide(&app, &token, true).await;
    assert_eq!((status, code(&v)), (StatusCode::GONE, "link_used"), "{v}");
}

#[tokio::test]
async fn a_declined_request_returns_the_applicant_to_choose_again() {
    let (app, c) = zhang_at_authorize().await;
    notify(&app, &c, "13900000001").await;
    let token = sms_token(&app).await;
    verify_on_link(&app, &token, "王建国", "330106197503120410", "pass").await;
    assert_eq!(decide(&app, &token, false).await.0, StatusCode::NO_CONTENT);
    let (_, v) = app.get_json("/api/application", Some(&c)).await;
    assert_eq!(
        (v["step"].as_str(), v["legal_rep"]["status"].as_str()),
        (Some("authorize"), Some("declined"))
    );
    assert!(
        v["legal_rep"]["resend_in_secs"].is_null(),
        "a new SMS may go at once"
    );
    let told = app.outbox().await;
    assert!(told
        .iter()
        .any(|m| m["channel"] == "wecom" && m["text"].as_str().unwrap().contains("拒绝")));
    assert_eq!(notify(&app, &c, "13900000001").await.0, StatusCode::OK);
}

#[tokio::test]
async fn someone_other_than_the_legal_rep_cannot_authorize_and_dead_links_refuse() {
    let (app, c) = zhang_at_authorize().await;
    notify(&app, &c, "13900000001").await;
    let token = sms_token(&app).await;
    // 李娜 opens the forwarded link and passes her own face check.
    let (status, v) = verify_on_link(&app, &token, "李娜", "510107199209182628", "pass").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    assert_eq!(
        v["error"]["message"],
        "您不是星河云图科技有限公司的法定代表人，无法授权。请将链接转交法定代表人本人操作"
    );
    assert_eq!(decide(&app, &token, true).await.0, StatusCode::FORBIDDEN);
    // A name and number that contradict the registry stop before any face check.
    let body = json!({ "name": "王建国", "id_number": "510107199209182628" }).to_string();
    let (status, v) = app
        .post_json(&format!("/api/legal-rep/{token}/face"), None, &body)
        .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("id_number"))
    );
    // A failed face check is not a verification.
    let (status, v) = verify_on_link(&app, &token, "王建国", "330106197503120410", "fail").await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    assert_eq!(decide(&app, &token, true).await.0, StatusCode::FORBIDDEN);

    // Authorizing after the applicant withdrew: refused with its reason.
    verify_on_link(&app, &token, "王建国", "330106197503120410", "pass").await;
    assert_eq!(
        app.send(common::delete("/api/application/legal-rep", Some(&c)))
            .await
            .status(),
        StatusCode::OK
    );
    let (status, v) = decide(&app, &token, true).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::GONE, "link_cancelled"),
        "{v}"
    );
}
