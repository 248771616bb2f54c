//! Durability: the real server process is killed with SIGKILL right after each confirmed step
//! and started again on the same database (SQLite here, PostgreSQL when
//! `ESIGN_TEST_POSTGRES` is set). The flow resumes at that step, with what was confirmed.

mod common;

use axum::http::StatusCode;
use common::apply::{
    answer, biz_of, jpeg, license_form, link_token, put, real_name, through_contact, upload,
};
use common::TestApp;
use serde_json::{json, Value};

async fn application(app: &TestApp, c: &str) -> Value {
    let (status, v) = app.get_json("/api/application", Some(c)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_confirmed_step_survives_a_kill() {
    let (app, mut server) = TestApp::with_process().await;
    let c = app.login("zhangwei").await;

    let (status, v) = app.post_json("/api/application", Some(&c), "").await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    server.crash_and_restart().await;
    assert_eq!(application(&app, &c).await["step"], "real_name");

    assert_eq!(
        real_name(&app, &c, "张伟", "440305198806231534").await.0,
        StatusCode::OK
    );
    server.crash_and_restart().await;
    let v = application(&app, &c).await;
    assert_eq!(v["step"], "license", "{v}");

    let (status, photo) = upload(&app, &c, jpeg(1200, 850)).await;
    assert_eq!(status, StatusCode::OK, "{photo}");
    let form = license_form(photo["upload_id"].as_str().unwrap(), "91330106MA2KX7Q890");
    let (status, v) = put(&app, "/api/application/license", &c, &form).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    server.crash_and_restart().await;
    let v = application(&app, &c).await;
    assert_eq!(v["step"], "contact", "{v}");
    assert_eq!(v["license"]["uscc"]["value"], "91330106MA2KX7Q890");
    assert_eq!(v["license"]["legal_rep"]["value"], "王建国");

    through_contact(&app, &c, "13900000002").await;
    server.crash_and_restart().await;
    let v = application(&app, &c).await;
    assert_eq!(v["step"], "authorize", "{v}");

    let body = json!({ "phone": "13900000001" }).to_string();
    let (status, v) = app
        .post_json("/api/application/legal-rep", Some(&c), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let token = link_token(&app.outbox().await, "/legal-rep/");
    server.crash_and_restart().await;
    let (status, link) = app.get_json(&format!("/api/legal-rep/{token}"), None).await;
    assert_eq!(status, StatusCode::OK, "the link still works: {link}");

    // The legal representative verifies on the link and authorizes.
    let body = json!({ "name": "王建国", "id_number": "330106197503120410" }).to_string();
    let (status, v) = app
        .post_json(&format!("/api/legal-rep/{token}/face"), None, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let biz = biz_of(&v);
    answer(&app, &biz, "pass").await;
    let body = json!({ "biz_token": biz }).to_string();
    let (status, v) = app
        .post_json(&format!("/api/legal-rep/{token}/face/result"), None, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    server.crash_and_restart().await;
    let body = json!({ "approve": true }).to_string();
    let (status, v) = app
        .post_json(&format!("/api/legal-rep/{token}/decision"), None, &body)
        .await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "the passed face check survived: {v}"
    );
    server.crash_and_restart().await;

    let (status, v) = app.get_json("/api/session", Some(&c)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["enterprise_state"], "verified", "{v}");
    let (_, timeline) = app.get_json("/api/application", Some(&c)).await;
    let outcome: (String,) =
        sqlx::query_as("SELECT outcome FROM applications WHERE corp_id = 'xinghe'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(outcome.0, "verified", "{timeline}");
}
