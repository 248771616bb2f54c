//! The local-mode developer endpoints (`local-mode.md`): a fixed contract.

mod common;

use axum::http::{header, StatusCode};
use common::{body_text, get, post, TestApp};
use server::clock::Clock;

#[tokio::test]
async fn login_page_lists_every_demo_person() {
    let app = TestApp::new().await;
    let res = app.send(get("/dev/login", None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = body_text(res).await;
    for p in server::demo::PEOPLE {
        assert!(
            html.contains(&format!("/dev/login?user={}", p.id)),
            "{}",
            p.id
        );
        assert!(html.contains(p.name), "{}", p.name);
    }
    for id_number in server::demo::PEOPLE.iter().filter_map(|p| p.id_number) {
        assert!(
            !html.contains(id_number),
            "the login page must not show ID numbers"
        );
    }
}

#[tokio::test]
async fn login_sets_a_lasting_http_only_cookie_and_redirects_to_next() {
    let app = TestApp::new().await;
    let res = app
        .send(get("/dev/login?user=lina&next=/materials", None))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()[header::LOCATION], "/materials");
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("esign_sid="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("Max-Age=2592000"));
    assert!(cookie.contains("Path=/"));
    assert!(cookie.contains("SameSite=Lax"));

    let res = app
        .send(get("/dev/login?user=lina&next=//evil.example", None))
        .await;
    assert_eq!(res.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn the_session_expires_after_its_max_age() {
    let app = TestApp::new().await;
    let cookie = app.login("lina").await;
    app.clock.advance(30 * 24 * 3600 - 1);
    assert_eq!(
        app.get_json("/api/session", Some(&cookie)).await.0,
        StatusCode::OK
    );
    app.clock.advance(1);
    assert_eq!(
        app.get_json("/api/session", Some(&cookie)).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn unknown_demo_user_gets_a_clear_404_page() {
    let app = TestApp::new().await;
    let res = app.send(get("/dev/login?user=%3Cscript%3E", None)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers().get(header::SET_COOKIE).is_none());
    let html = body_text(res).await;
    assert!(html.contains("未找到该演示用户"));
    assert!(html.contains("&lt;script&gt;"), "the user id is escaped");
}

#[tokio::test]
async fn outbox_json_has_the_contract_shape_newest_first_and_html_too() {
    let app = TestApp::new().await;
    let lina = app.login("lina").await;
    app.post_json("/api/notify-admins", Some(&lina), "").await;
    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 2);
    let keys: Vec<_> = outbox[0].as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 6);
    for k in ["id", "channel", "to", "text", "link", "sent_at"] {
        assert!(keys.iter().any(|x| x == k), "missing {k}");
    }
    assert!(
        outbox[0]["id"].as_i64() > outbox[1]["id"].as_i64(),
        "newest first"
    );

    let res = app.send(get("/dev/outbox", None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = body_text(res).await;
    assert!(html.contains("发件箱") && html.contains("wangjianguo") && html.contains("企业微信"));
}

#[tokio::test]
async fn reset_restores_the_starting_state() {
    let app = TestApp::new().await;
    let lina = app.login("lina").await;
    app.post_json("/api/notify-admins", Some(&lina), "").await;
    let res = app.send(post("/dev/reset", None, "")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(app.outbox().await.is_empty());
    // The rate limit is part of the demo's activity: gone too.
    let (status, _) = app.post_json("/api/notify-admins", Some(&lina), "").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn dev_endpoints_are_absent_with_real_providers() {
    let app = TestApp::with_mode(false).await;
    for path in [
        "/dev/login",
        "/dev/login?user=lina",
        "/dev/outbox",
        "/dev/outbox.json",
    ] {
        assert_eq!(
            app.send(get(path, None)).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        app.send(post("/dev/reset", None, "")).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_clock_moves_forward_only_within_limits() {
    let app = TestApp::new().await;
    let before = app.clock.now();
    let (status, v) = app.post_json("/dev/clock?advance=86401", None, "").await;
    assert_eq!(
        (status, v.as_i64()),
        (StatusCode::OK, Some(before + 86_401))
    );
    for bad in ["0", "-5", "99999999"] {
        let (status, v) = app
            .post_json(&format!("/dev/clock?advance={bad}"), None, "")
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {v}");
    }
    assert_eq!(
        app.post_json("/dev/clock", None, "").await.0,
        StatusCode::BAD_REQUEST,
        "advance is required"
    );
}
