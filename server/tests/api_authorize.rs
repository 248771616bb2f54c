//! Step 4, 超级管理员授权, through the API: path 1 (the legal representative's own face) and
//! the refusals around it.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
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

/// The simulation page's 通过 / 不通过; returns the redirect's Location.
async fn answer(app: &TestApp, token: &str, decision: &str) -> (StatusCode, String) {
    let req = Request::post(format!("/dev/face/{token}"))
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
