//! 上传证照 after a reload: the draft (the last photo and what it read) and the photo itself,
//! to the applicant's session only.

mod common;

use std::sync::Arc;

use axum::http::{header, StatusCode};
use common::apply::*;
use common::TestApp;
use serde_json::Value;

const CHEN_ID: &str = "330106199005060485";

async fn draft(app: &TestApp, c: Option<&str>) -> (StatusCode, Value) {
    app.get_json("/api/application/license", c).await
}

async fn photo(
    app: &TestApp,
    path: &str,
    c: Option<&str>,
) -> (StatusCode, Option<String>, Vec<u8>) {
    let res = app.send(common::get(path, c)).await;
    let status = res.status();
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, kind, body.to_vec())
}

/// 王建国 at 上传证照 with a recognized photo, not yet confirmed.
async fn wang_uploaded(app: &TestApp) -> (String, Value) {
    let c = app.login("wangjianguo").await;
    app.post_json("/api/application", Some(&c), "").await;
    real_name(app, &c, "王建国", "330106197503120410").await;
    let (status, v) = upload(app, &c, jpeg(1200, 850)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    (c, v)
}

#[tokio::test]
async fn the_draft_brings_back_the_last_photo_and_what_it_read() {
    let app = TestApp::with_ocr(Arc::new(FixedOcr(xinghe_license()))).await;
    let c = app.login("wangjianguo").await;
    app.post_json("/api/application", Some(&c), "").await;
    real_name(&app, &c, "王建国", "330106197503120410").await;
    let (status, v) = draft(&app, Some(&c)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["upload_id"].is_null(), "no photo yet: {v}");
    assert!(v["photo_url"].is_null());

    let (_, first) = upload(&app, &c, jpeg(1200, 850)).await;
    app.clock.advance(1);
    let (_, second) = upload(&app, &c, jpeg(1300, 900)).await;
    let (status, v) = draft(&app, Some(&c)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["upload_id"], second["upload_id"], "the newer photo");
    assert_ne!(v["upload_id"], first["upload_id"]);
    assert_eq!(v["recognized"], second["recognized"]);
    assert_eq!(v["recognized"]["legal_rep"], "王建国");
    let url = v["photo_url"].as_str().unwrap().to_owned();
    assert_eq!(
        url,
        format!(
            "/api/application/license/photo/{}",
            second["upload_id"].as_str().unwrap()
        )
    );

    let (status, kind, bytes) = photo(&app, &url, Some(&c)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind.as_deref(), Some("image/jpeg"));
    let stored: (Vec<u8>,) =
        sqlx::query_as("SELECT content FROM upload_blobs WHERE upload_id = $1")
            .bind(second["upload_id"].as_str().unwrap())
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(bytes, stored.0, "the stored photo, byte for byte");
}

#[tokio::test]
async fn nobody_else_sees_the_draft_or_the_photo() {
    let app = TestApp::with_ocr(Arc::new(FixedOcr(xinghe_license()))).await;
    let (_wang, v) = wang_uploaded(&app).await;
    let url = format!(
        "/api/application/license/photo/{}",
        v["upload_id"].as_str().unwrap()
    );

    // No session.
    assert_eq!(draft(&app, None).await.0, StatusCode::UNAUTHORIZED);
    let (status, kind, _) = photo(&app, &url, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_ne!(kind.as_deref(), Some("image/jpeg"));

    // Another admin of the same corp: not the applicant.
    let zhang = app.login("zhangwei").await;
    assert_eq!(draft(&app, Some(&zhang)).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        photo(&app, &url, Some(&zhang)).await.0,
        StatusCode::FORBIDDEN
    );

    // The applicant of another corp's application: that photo is not of theirs.
    let chen = app.login("chenjing").await;
    app.post_json("/api/application", Some(&chen), "").await;
    assert_eq!(
        real_name(&app, &chen, "陈静", CHEN_ID).await.0,
        StatusCode::OK
    );
    let (status, own) = draft(&app, Some(&chen)).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert!(
        own["upload_id"].is_null(),
        "陈静 sees no one else's photo: {own}"
    );
    let (status, _, body) = photo(&app, &url, Some(&chen)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!body.starts_with(&[0xFF, 0xD8]), "no image bytes");

    // A member without any application, and ids that are no upload or a letter's.
    let lina = app.login("lina").await;
    let status = photo(&app, &url, Some(&lina)).await.0;
    assert!(
        matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{status}"
    );
    let wang = app.login("wangjianguo").await;
    for bad in ["nope", "..%2F..%2Fetc%2Fpasswd", "%00"] {
        let status = photo(
            &app,
            &format!("/api/application/license/photo/{bad}"),
            Some(&wang),
        )
        .await
        .0;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[tokio::test]
async fn a_withdrawn_application_shows_its_photo_to_no_one() {
    let app = TestApp::with_ocr(Arc::new(FixedOcr(xinghe_license()))).await;
    let (wang, v) = wang_uploaded(&app).await;
    let url = format!(
        "/api/application/license/photo/{}",
        v["upload_id"].as_str().unwrap()
    );
    // 撤销认证: the application is gone, and so is the applicant's way to its photo.
    let res = app
        .send(common::delete("/api/application", Some(&wang)))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(
        photo(&app, &url, Some(&wang)).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(draft(&app, Some(&wang)).await.0, StatusCode::NOT_FOUND);
}
