//! Ways out, and who may act: 撤销认证 by the applicant, 接管认证 of an application left
//! untouched for 30 days, races on the final steps, and admin status that follows WeCom.

mod common;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::apply::*;
use common::{code, TestApp};
use serde_json::json;
use server::providers::wecom::{Admins, AppMessage, Delivery, SignIn, WeCom};
use server::providers::ProviderError;

const ZHANG_ID: &str = "440305198806231534";
const WANG_ID: &str = "330106197503120410";

async fn events(app: &TestApp, app_id: &str) -> Vec<String> {
    app.db
        .events(app_id)
        .await
        .unwrap()
        .into_iter()
        .map(|(kind, _, _)| kind)
        .collect()
}

#[tokio::test]
async fn the_applicant_withdraws_and_the_pending_link_dies_with_it() {
    let app = TestApp::new().await;
    let (c, token) = zhang_asked_the_legal_rep(&app).await;
    let (_, view) = app.get_json("/api/application", Some(&c)).await;
    let app_id = view["id"].as_str().unwrap().to_owned();

    // Nobody else may withdraw it.
    let wang = app.login("wangjianguo").await;
    let (status, v) = common::json_of(
        app.send(common::delete("/api/application", Some(&wang)))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");

    let res = app.send(common::delete("/api/application", Some(&c))).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(session(&app, &c).await["enterprise_state"], "unverified");
    let (status, v) = app.get_json(&format!("/api/legal-rep/{token}"), None).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::GONE, "link_cancelled"),
        "{v}"
    );
    assert_eq!(
        events(&app, &app_id).await.last().map(String::as_str),
        Some("withdrawn")
    );

    // The USCC is free again: another admin starts and confirms the same license.
    let (status, _) = app.post_json("/api/application", Some(&wang), "").await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, v) = real_name(&app, &wang, "王建国", WANG_ID).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (_, photo) = upload(&app, &wang, jpeg(1200, 850)).await;
    let form = license_form(photo["upload_id"].as_str().unwrap(), "91330106MA2KX7Q890");
    let (status, v) = put(&app, "/api/application/license", &wang, &form).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // A second withdrawal has nothing to withdraw.
    let res = app.send(common::delete("/api/application", Some(&c))).await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "王建国's application now"
    );
}

#[tokio::test]
async fn another_admin_takes_over_only_after_thirty_quiet_days() {
    let app = TestApp::new().await;
    let zhang = through_license_as(&app, "zhangwei", "张伟", ZHANG_ID).await;
    let (_, view) = app.get_json("/api/application", Some(&zhang)).await;
    let old_id = view["id"].as_str().unwrap().to_owned();
    let wang = app.login("wangjianguo").await;
    let s = session(&app, &wang).await;
    assert_eq!(s["application"]["can_take_over"], false, "{s}");
    let (status, v) = app
        .post_json("/api/application/takeover", Some(&wang), "")
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("30天"),
        "{v}"
    );

    // An ordinary employee may never take over. (Sessions last 30 days: sign in again.)
    app.clock.advance(30 * 86_400);
    let zhang = app.login("zhangwei").await;
    let wang = app.login("wangjianguo").await;
    let lina = app.login("lina").await;
    let (status, _) = app
        .post_json("/api/application/takeover", Some(&lina), "")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The applicant has nobody to take over from.
    let (status, _) = app
        .post_json("/api/application/takeover", Some(&zhang), "")
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let s = session(&app, &wang).await;
    assert_eq!(s["application"]["can_take_over"], true, "{s}");
    let (status, v) = app
        .post_json("/api/application/takeover", Some(&wang), "")
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["applicant"]["id"], "wangjianguo");
    assert_ne!(v["id"].as_str(), Some(old_id.as_str()));
    assert_eq!(
        events(&app, &old_id).await.last().map(String::as_str),
        Some("taken_over")
    );
    // The old applicant is told, and may no longer act.
    let outbox = app.outbox().await;
    assert!(outbox.iter().any(|m| m["channel"] == "wecom"
        && m["to"] == "zhangwei"
        && m["text"].as_str().unwrap().contains("接管")));
    let (status, _) = app.get_json("/api/application", Some(&zhang)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Two legal-rep decisions at once (a double tap, two tabs): exactly one settles the link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_decisions_settle_a_link_once() {
    let app = TestApp::new().await;
    let (_, token) = zhang_asked_the_legal_rep(&app).await;
    let body = json!({ "name": "王建国", "id_number": WANG_ID }).to_string();
    let (_, v) = app
        .post_json(&format!("/api/legal-rep/{token}/face"), None, &body)
        .await;
    let biz = biz_of(&v);
    answer(&app, &biz, "pass").await;
    let body = json!({ "biz_token": biz }).to_string();
    app.post_json(&format!("/api/legal-rep/{token}/face/result"), None, &body)
        .await;

    let path = format!("/api/legal-rep/{token}/decision");
    let tries = (0..8).map(|i| {
        let router = app.router.clone();
        let req = common::post(&path, None, &json!({ "approve": i % 2 == 0 }).to_string());
        tokio::spawn(async move {
            use tower::ServiceExt;
            router.oneshot(req).await.unwrap().status()
        })
    });
    let mut statuses = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    let settled = statuses
        .iter()
        .filter(|s| **s == StatusCode::NO_CONTENT)
        .count();
    assert_eq!(settled, 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::NO_CONTENT || *s == StatusCode::GONE),
        "{statuses:?}"
    );
}

/// Two corps confirm the same USCC at the same moment: one holds it, the other is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_confirms_of_one_uscc_hold_it_once() {
    let app = TestApp::new().await;
    let mut forms = Vec::new();
    for (user, name, id) in [
        ("wangjianguo", "王建国", WANG_ID),
        ("zhoumin", "周敏", "510107198511300256"),
    ] {
        let c = app.login(user).await;
        app.post_json("/api/application", Some(&c), "").await;
        assert_eq!(real_name(&app, &c, name, id).await.0, StatusCode::OK);
        let (_, photo) = upload(&app, &c, jpeg(1200, 850)).await;
        let form = license_form(photo["upload_id"].as_str().unwrap(), "91330106MA2KX7Q890");
        forms.push((c, form));
    }
    let tries = forms.into_iter().map(|(c, form)| {
        let router = app.router.clone();
        let req = common::browser("PUT", "/api/application/license")
            .header("cookie", c)
            .header("content-type", "application/json")
            .body(axum::body::Body::from(form.to_string()))
            .unwrap();
        tokio::spawn(async move {
            use tower::ServiceExt;
            router.oneshot(req).await.unwrap().status()
        })
    });
    let mut statuses = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
}

/// A WeCom that reports some members as no longer admins (a demotion in the admin console).
struct Demoting {
    inner: Arc<dyn WeCom>,
    demoted: Arc<Mutex<HashSet<String>>>,
}

#[async_trait::async_trait]
impl WeCom for Demoting {
    async fn sign_in(&self, code: &str) -> Result<SignIn, ProviderError> {
        self.inner.sign_in(code).await
    }

    async fn admins(&self, corp_id: &str) -> Result<Admins, ProviderError> {
        let demoted = self.demoted.lock().unwrap().clone();
        Ok(match self.inner.admins(corp_id).await? {
            Admins::Listed(ids) => {
                Admins::Listed(ids.into_iter().filter(|id| !demoted.contains(id)).collect())
            }
            Admins::NoList => Admins::NoList,
        })
    }

    async fn send(
        &self,
        corp_id: &str,
        to: &str,
        msg: &AppMessage,
    ) -> Result<Delivery, ProviderError> {
        self.inner.send(corp_id, to, msg).await
    }
}

#[tokio::test]
async fn a_demoted_admin_loses_admin_rights_at_once() {
    let demoted = Arc::new(Mutex::new(HashSet::new()));
    let d = demoted.clone();
    let app = TestApp::with_providers(|p| {
        p.wecom = Arc::new(Demoting {
            inner: p.wecom.clone(),
            demoted: d,
        });
    })
    .await;
    let c = app.login("zhangwei").await;
    assert_eq!(session(&app, &c).await["role"], "admin");
    let (status, _) = app.post_json("/api/application", Some(&c), "").await;
    assert_eq!(status, StatusCode::CREATED);

    demoted.lock().unwrap().insert("zhangwei".to_owned());
    // A step that needs admin rights asks WeCom at once.
    let (status, v) = real_name(&app, &c, "张伟", ZHANG_ID).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    // 首页 follows within 10 minutes.
    app.clock.advance(601);
    assert_eq!(session(&app, &c).await["role"], "employee");
}
