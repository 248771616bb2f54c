//! `/api/session` and `/api/notify-admins`: success and every refusal.

mod common;

use axum::http::{header, StatusCode};
use common::{code, TestApp};

#[tokio::test]
async fn health_answers_ok() {
    let app = TestApp::new().await;
    let (status, v) = app.get_json("/api/health", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["status"], "ok");
}

#[tokio::test]
async fn session_without_cookie_is_401_with_a_reopen_message() {
    let app = TestApp::new().await;
    let (status, v) = app.get_json("/api/session", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(code(&v), "unauthorized");
    assert!(v["error"]["message"].as_str().unwrap().contains("重新打开"));
    let (status, _) = app.get_json("/api/session", Some("esign_sid=forged")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn session_says_who_and_which_role() {
    let app = TestApp::new().await;
    let cases = [
        ("wangjianguo", "admin", Some("xinghe"), true),
        ("lina", "employee", Some("xinghe"), false),
        // 成员授权: WeCom answers no admin list, so nobody there is known as an admin.
        ("wuhao", "admin_member_mode", Some("beichen"), false),
        ("reviewer", "staff", None, false),
    ];
    for (user, role, corp, admin) in cases {
        let cookie = app.login(user).await;
        let (status, v) = app.get_json("/api/session", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK, "{user}");
        assert_eq!(v["user"]["id"], user);
        assert_eq!(v["role"], role, "{user}");
        assert_eq!(v["corp"]["id"].as_str(), corp, "{user}");
        assert_eq!(v["user"]["is_wecom_admin"], admin, "{user}");
        assert_eq!(v["enterprise_state"], "unverified");
        assert!(v["application"].is_null());
        assert_eq!(v["local_mode"], true);
    }
    let cookie = app.login("wuhao").await;
    let (_, v) = app.get_json("/api/session", Some(&cookie)).await;
    assert_eq!(v["corp"]["auth_mode"], "member");
    assert_eq!(v["corp"]["name"], "北辰物流有限公司");
}

#[tokio::test]
async fn an_open_application_shows_as_in_progress_with_a_masked_applicant() {
    let app = TestApp::new().await;
    let admin = app.login("zhangwei").await;
    let lina = app.login("lina").await;
    sqlx::query(
        "INSERT INTO applications (id, corp_id, applicant_id, state, created_at, updated_at)
         VALUES ('a1', 'xinghe', 'zhangwei', 'real_name', 1, 1)",
    )
    .execute(app.db.pool())
    .await
    .unwrap();
    let (_, v) = app.get_json("/api/session", Some(&lina)).await;
    assert_eq!(v["enterprise_state"], "in_progress");
    assert_eq!(v["application"]["applicant_name"], "*伟");
    assert_eq!(v["application"]["is_mine"], false);
    let (_, v) = app.get_json("/api/session", Some(&admin)).await;
    assert_eq!(v["application"]["applicant_name"], "张伟");
    assert_eq!(v["application"]["is_mine"], true);

    sqlx::query("UPDATE applications SET outcome = 'verified'")
        .execute(app.db.pool())
        .await
        .unwrap();
    let (_, v) = app.get_json("/api/session", Some(&lina)).await;
    assert_eq!(v["enterprise_state"], "verified");
    assert!(v["application"].is_null());
    let (status, v) = app.post_json("/api/notify-admins", Some(&lina), "").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("已完成认证"));
}

#[tokio::test]
async fn an_employee_notifies_each_admin_once_per_ten_minutes() {
    let app = TestApp::new().await;
    let lina = app.login("lina").await;
    let (status, v) = app.post_json("/api/notify-admins", Some(&lina), "").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["notified"], 2);
    assert_eq!(v["next_allowed_in_secs"], 600);

    let outbox = app.outbox().await;
    let mut to: Vec<_> = outbox
        .iter()
        .map(|m| m["to"].as_str().unwrap().to_owned())
        .collect();
    to.sort();
    assert_eq!(to, ["wangjianguo", "zhangwei"]);
    for m in &outbox {
        assert_eq!(m["channel"], "wecom");
        assert_eq!(m["link"], "/");
        assert!(m["text"].as_str().unwrap().contains("李娜"));
        assert!(m["text"].as_str().unwrap().contains("去认证"));
    }

    app.clock.advance(200);
    let res = app
        .send(common::post("/api/notify-admins", Some(&lina), ""))
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()[header::RETRY_AFTER], "400");
    let (_, v) = common::json_of(res).await;
    assert_eq!(code(&v), "rate_limited");
    assert_eq!(v["error"]["retry_after_secs"], 400);
    assert_eq!(v["error"]["message"], "已通知过管理员，请6分40秒后再试");
    assert_eq!(
        app.outbox().await.len(),
        2,
        "a refused repeat sends nothing"
    );

    app.clock.advance(400);
    let (status, _) = app.post_json("/api/notify-admins", Some(&lina), "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.outbox().await.len(), 4);
}

#[tokio::test]
async fn two_taps_at_once_notify_once() {
    let app = TestApp::new().await;
    let lina = app.login("lina").await;
    let (a, b) = tokio::join!(
        app.post_json("/api/notify-admins", Some(&lina), ""),
        app.post_json("/api/notify-admins", Some(&lina), "")
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::TOO_MANY_REQUESTS]);
    assert_eq!(app.outbox().await.len(), 2);
}

#[tokio::test]
async fn notify_admins_refusals() {
    let app = TestApp::new().await;
    let (status, v) = app.post_json("/api/notify-admins", None, "").await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );

    let admin = app.login("wangjianguo").await;
    let (status, v) = app.post_json("/api/notify-admins", Some(&admin), "").await;
    assert_eq!((status, code(&v)), (StatusCode::CONFLICT, "conflict"));
    assert!(v["error"]["message"].as_str().unwrap().contains("去认证"));

    let staff = app.login("reviewer").await;
    let (status, v) = app.post_json("/api/notify-admins", Some(&staff), "").await;
    assert_eq!((status, code(&v)), (StatusCode::FORBIDDEN, "forbidden"));

    // 成员授权: WeCom reports no admins, so the message explains the switch instead.
    let wuhao = app.login("wuhao").await;
    let (status, v) = app.post_json("/api/notify-admins", Some(&wuhao), "").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("企业管理员授权使用"));
    assert!(app.outbox().await.is_empty());
}

#[tokio::test]
async fn unknown_api_paths_answer_json_404() {
    let app = TestApp::new().await;
    let (status, v) = app.get_json("/api/nope", None).await;
    assert_eq!((status, code(&v)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn wrong_method_is_405_not_500() {
    let app = TestApp::new().await;
    let (status, _) = app.post_json("/api/session", None, "{}").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}
