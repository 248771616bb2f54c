//! Step 4, path 3 (授权书, institutions) and the reviewer console's API.

mod common;

use axum::body::Body;
use axum::http::{header, StatusCode};
use common::apply::*;
use common::{code, TestApp};
use serde_json::{json, Value};

async fn letter_photo(app: &TestApp, c: &str) -> (StatusCode, Value) {
    let req = common::browser("POST", "/api/application/letter/photo")
        .header(header::COOKIE, c)
        .header(header::CONTENT_TYPE, "image/jpeg")
        .body(Body::from(jpeg(1000, 1400)))
        .unwrap();
    common::json_of(app.send(req).await).await
}

async fn submit(app: &TestApp, c: &str, ids: &[&str]) -> (StatusCode, Value) {
    app.post_json(
        "/api/application/letter",
        Some(c),
        &json!({ "upload_ids": ids }).to_string(),
    )
    .await
}

async fn review(app: &TestApp, c: &str, id: &str, body: Value) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/ops/reviews/{id}"),
        Some(c),
        &body.to_string(),
    )
    .await
}

#[tokio::test]
async fn the_template_arrives_by_wecom_and_downloads_as_a_filled_in_pdf() {
    let app = TestApp::new().await;
    let c = institution_at_authorize(&app).await;
    let (_, v) = app.get_json("/api/application", Some(&c)).await;
    assert_eq!(v["authorize_path"], "letter");
    let (status, v) = app
        .post_json("/api/application/letter/template", Some(&c), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let url = v["download_url"].as_str().unwrap().to_owned();
    let outbox = app.outbox().await;
    let msg = outbox.iter().find(|m| m["channel"] == "wecom").unwrap();
    assert_eq!(
        (msg["to"].as_str(), msg["link"].as_str()),
        (Some("zhoumin"), Some(url.as_str()))
    );

    let res = app.send(common::get(&url, Some(&c))).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "application/pdf");
    let pdf = common::body_text(res).await;
    assert!(pdf.starts_with("%PDF-1.4") && pdf.contains("STSong-Light"));
    assert!(
        !pdf.contains("510107198511300256"),
        "never the full ID number"
    );

    // Others may not have it.
    let lina = app.login("lina").await;
    assert_eq!(
        app.send(common::get(&url, Some(&lina))).await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_letter_is_reviewed_rejected_with_a_reason_resubmitted_and_approved() {
    let app = TestApp::new().await;
    let c = institution_at_authorize(&app).await;
    let (status, v) = submit(&app, &c, &[]).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("photos"))
    );
    let (_, p1) = letter_photo(&app, &c).await;
    let (_, p2) = letter_photo(&app, &c).await;
    let (p1, p2) = (
        p1["upload_id"].as_str().unwrap().to_owned(),
        p2["upload_id"].as_str().unwrap().to_owned(),
    );
    assert_eq!(
        submit(&app, &c, &[&p1, &p2, "c", "d"]).await.0,
        StatusCode::BAD_REQUEST,
        "four is too many"
    );
    assert_eq!(
        submit(&app, &c, &["someone-elses"]).await.0,
        StatusCode::BAD_REQUEST
    );

    let (status, v) = submit(&app, &c, &[&p1, &p2]).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // Saturday 2026-11-28: three business days later is Wednesday.
    assert_eq!(
        (
            v["status"].as_str(),
            v["due_date"].as_str(),
            v["attempts"].as_u64()
        ),
        (Some("in_review"), Some("2026-12-02"), Some(1))
    );
    let (status, _) = letter_photo(&app, &c).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "nothing to change while in review"
    );

    // Only staff see the queue.
    let lina = app.login("lina").await;
    assert_eq!(
        app.get_json("/api/ops/reviews", Some(&lina)).await.0,
        StatusCode::FORBIDDEN
    );
    let staff = app.login("reviewer").await;
    let (status, queue) = app.get_json("/api/ops/reviews", Some(&staff)).await;
    assert_eq!(status, StatusCode::OK);
    let item = &queue[0];
    assert_eq!(
        (
            item["enterprise"].as_str(),
            item["applicant_name"].as_str(),
            item["legal_rep"].as_str()
        ),
        (Some("青禾市数据资源局"), Some("周敏"), Some("郑芳"))
    );
    // Recognition read nothing here (no models in tests): every field was typed.
    assert_eq!(item["edited_fields"], json!(["name", "uscc", "legal_rep"]));
    let photo = item["photos"][0].as_str().unwrap();
    let res = app.send(common::get(photo, Some(&staff))).await;
    assert_eq!(
        (
            res.status(),
            res.headers()[header::CONTENT_TYPE].to_str().unwrap()
        ),
        (StatusCode::OK, "image/jpeg")
    );
    assert_eq!(
        app.send(common::get(photo, Some(&lina))).await.status(),
        StatusCode::FORBIDDEN
    );

    let id = item["id"].as_str().unwrap().to_owned();
    let (status, v) = review(&app, &staff, &id, json!({ "approve": false })).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("reason"))
    );
    let reason = api::wire::LETTER_REJECT_REASONS[0];
    assert_eq!(
        review(
            &app,
            &staff,
            &id,
            json!({ "approve": false, "reason": reason })
        )
        .await
        .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        review(&app, &staff, &id, json!({ "approve": true }))
            .await
            .0,
        StatusCode::CONFLICT,
        "reviewed once"
    );

    let (_, v) = app.get_json("/api/application", Some(&c)).await;
    assert_eq!(
        (
            v["letter"]["status"].as_str(),
            v["letter"]["reason"].as_str()
        ),
        (Some("rejected"), Some(reason))
    );
    assert!(app
        .outbox()
        .await
        .iter()
        .any(|m| m["to"] == "zhoumin" && m["text"].as_str().unwrap().contains(reason)));

    // Fixed and sent again: the history stays.
    let (_, p3) = letter_photo(&app, &c).await;
    let (status, v) = submit(&app, &c, &[p3["upload_id"].as_str().unwrap()]).await;
    assert_eq!(
        (status, v["attempts"].as_u64()),
        (StatusCode::OK, Some(2)),
        "{v}"
    );
    let (_, queue) = app.get_json("/api/ops/reviews", Some(&staff)).await;
    assert_eq!(queue[0]["earlier_reasons"][0], reason);
    let id = queue[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        review(&app, &staff, &id, json!({ "approve": true }))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        review(&app, &staff, &id, json!({ "approve": true }))
            .await
            .0,
        StatusCode::CONFLICT,
        "approving twice"
    );
    let (_, s) = app.get_json("/api/session", Some(&c)).await;
    assert_eq!(s["enterprise_state"], "verified");
    assert_eq!(
        app.get_json("/api/ops/reviews", Some(&staff)).await.1,
        json!([])
    );
}

#[tokio::test]
async fn enterprises_do_not_send_letters() {
    let app = TestApp::with_ocr(std::sync::Arc::new(FixedOcr(xinghe_license()))).await;
    let c = through_license(&app).await;
    through_contact(&app, &c, "13900000001").await;
    let (status, v) = app
        .post_json("/api/application/letter/template", Some(&c), "")
        .await;
    assert_eq!((status, code(&v)), (StatusCode::FORBIDDEN, "forbidden"));
}
