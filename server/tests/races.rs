//! Races across servers: many requests at once, spread over two server instances on one
//! database (SQLite here, PostgreSQL when `ESIGN_TEST_POSTGRES` is set). Each guarded write
//! happens once, whichever instance takes it.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::StatusCode;
use common::apply::through_license;
use common::TestApp;
use serde_json::json;
use server::providers::ocr::{BizLicense, LicenseOcr, OcrError};
use tower::ServiceExt;

struct FixedOcr;

#[async_trait::async_trait]
impl LicenseOcr for FixedOcr {
    async fn recognize(&self, _image: Vec<u8>) -> Result<BizLicense, OcrError> {
        Ok(common::apply::xinghe_license())
    }
}

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_admin_notifications_at_once_message_each_admin_once() {
    let app = TestApp::new().await;
    let instances = [app.router.clone(), app.second_instance().await];
    let lina = app.login("lina").await;
    // Three rounds, each after the 10-minute window: a race that slips one in three shows.
    for round in 1..=3 {
        let statuses = common::at_once(&instances, 50, "/api/notify-admins", &lina, "").await;
        assert_eq!(
            (
                count(&statuses, StatusCode::OK),
                count(&statuses, StatusCode::TOO_MANY_REQUESTS)
            ),
            (1, 49),
            "round {round}: {statuses:?}"
        );
        let mut per_admin: HashMap<String, usize> = HashMap::new();
        for m in app.outbox().await {
            if m["channel"] == "wecom" {
                *per_admin
                    .entry(m["to"].as_str().unwrap().to_owned())
                    .or_default() += 1;
            }
        }
        assert!(!per_admin.is_empty(), "the admins were told");
        assert!(
            per_admin.values().all(|&n| n == round),
            "round {round}: one message to each admin per round: {per_admin:?}"
        );
        app.clock.advance(601);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_code_requests_at_once_send_one_code() {
    let app = TestApp::with_ocr(Arc::new(FixedOcr)).await;
    let instances = [app.router.clone(), app.second_instance().await];
    let c = through_license(&app).await;
    let body = json!({ "phone": "13900000001" }).to_string();
    let statuses =
        common::at_once(&instances, 20, "/api/application/contact/code", &c, &body).await;
    assert_eq!(count(&statuses, StatusCode::OK), 1, "{statuses:?}");
    assert_eq!(
        count(&statuses, StatusCode::TOO_MANY_REQUESTS),
        19,
        "{statuses:?}"
    );
    let sms = app
        .outbox()
        .await
        .into_iter()
        .filter(|m| m["channel"] == "sms")
        .count();
    assert_eq!(sms, 1, "one code sent");
    let (codes,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sms_codes")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(codes, 1, "one code stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_admins_starting_at_once_open_one_application() {
    for round in 0..5 {
        let app = TestApp::new().await;
        let second = app.second_instance().await;
        let wang = app.login("wangjianguo").await;
        let zhang = app.login("zhangwei").await;
        let a = {
            let router = app.router.clone();
            let req = common::post("/api/application", Some(&wang), "");
            tokio::spawn(async move { router.oneshot(req).await.unwrap().status() })
        };
        let b = {
            let req = common::post("/api/application", Some(&zhang), "");
            tokio::spawn(async move { second.oneshot(req).await.unwrap().status() })
        };
        let mut statuses = [a.await.unwrap(), b.await.unwrap()];
        statuses.sort();
        assert_eq!(
            statuses,
            [StatusCode::CREATED, StatusCode::CONFLICT],
            "round {round}"
        );
        let (apps, started): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM applications),
                    (SELECT COUNT(*) FROM events WHERE kind = 'started')",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!((apps, started), (1, 1), "round {round}");
    }
}
