//! Scenario 2 through the API: 关联微信账户 for 蓝海 (opened on the WeChat side), 短信通知超级管理员,
//! the super admin's activation link (agreement, face verification), the super admin activating
//! directly, the invitations that follow and the invited employee's own real-name verification.

mod common;

use axum::http::StatusCode;
use common::apply::*;
use common::{code, TestApp};
use serde_json::{json, Value};
use server::clock::Clock;

const LANHAI: &str = "蓝海文化传媒有限公司";
const LANHAI_USCC: &str = "91440305MA5G3N2R3N";
const ZHAO_ID: &str = "31011519800101077X";
const CHEN_ID: &str = "330106199005060485";
const LIU_ID: &str = "44030519950817031X";
const SUN_ID: &str = "440305199702240641";

/// `POST /api/me/real-name`.
async fn me_real_name(app: &TestApp, c: &str, name: &str, id: &str) -> (StatusCode, Value) {
    app.post_json(
        "/api/me/real-name",
        Some(c),
        &json!({"name": name, "id_number": id}).to_string(),
    )
    .await
}

async fn delete_json(app: &TestApp, path: &str, c: &str) -> (StatusCode, Value) {
    common::json_of(app.send(common::delete(path, Some(c))).await).await
}

/// 陈静 (WeCom admin of 蓝海, not its super admin) started, verified and linked 蓝海.
async fn chen_linked(app: &TestApp) -> String {
    let c = app.login("chenjing").await;
    let (status, v) = app.post_json("/api/application", Some(&c), "").await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (status, v) = real_name(app, &c, "陈静", CHEN_ID).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = link_wechat(app, &c, Some(LANHAI_USCC)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    c
}

/// The token of the newest activation SMS in the outbox, from its link.
async fn activation_token(app: &TestApp) -> String {
    let outbox = app.outbox().await;
    let sms = outbox
        .iter()
        .find(|m| {
            m["channel"] == "sms"
                && m["link"]
                    .as_str()
                    .is_some_and(|l| l.starts_with("/activate/"))
        })
        .expect("an activation SMS");
    sms["link"]
        .as_str()
        .unwrap()
        .strip_prefix("/activate/")
        .unwrap()
        .to_owned()
}

/// 陈静 linked 蓝海 and sent the super admin the SMS; returns her cookie and the link's token.
async fn chen_notified(app: &TestApp) -> (String, String) {
    let c = chen_linked(app).await;
    let (status, v) = app
        .post_json("/api/application/super-admin", Some(&c), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let token = activation_token(app).await;
    (c, token)
}

async fn view_link(app: &TestApp, token: &str, c: Option<&str>) -> (StatusCode, Value) {
    app.get_json(&format!("/api/activate/{token}"), c).await
}

async fn confirm(app: &TestApp, token: &str, version: &str, accepted: bool) -> (StatusCode, Value) {
    let body = json!({ "agreement_version": version, "accepted": accepted }).to_string();
    app.post_json(&format!("/api/activate/{token}/confirm"), None, &body)
        .await
}

/// Reads the agreement's version from the link and confirms with it.
async fn confirm_current(app: &TestApp, token: &str) {
    let (status, v) = view_link(app, token, None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let version = v["agreement"]["version"].as_str().unwrap().to_owned();
    let (status, v) = confirm(app, token, &version, true).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
}

/// `POST /api/activate/{token}/face`; `identity` None uses the signed-in person.
async fn start_face(
    app: &TestApp,
    token: &str,
    c: Option<&str>,
    identity: Option<(&str, &str)>,
) -> (StatusCode, Value) {
    let identity = identity.map(|(name, id)| json!({ "name": name, "id_number": id }));
    let body = json!({ "identity": identity }).to_string();
    app.post_json(&format!("/api/activate/{token}/face"), c, &body)
        .await
}

async fn face_result(
    app: &TestApp,
    token: &str,
    c: Option<&str>,
    biz: &str,
) -> (StatusCode, Value) {
    let body = json!({ "biz_token": biz }).to_string();
    app.post_json(&format!("/api/activate/{token}/face/result"), c, &body)
        .await
}

/// 赵磊 alone: verifies himself, links 蓝海 (starting the application) and activates it
/// directly. Returns his cookie.
async fn zhao_activated(app: &TestApp) -> String {
    let z = app.login("zhaolei").await;
    let (status, v) = me_real_name(app, &z, "赵磊", ZHAO_ID).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = link_wechat(app, &z, None).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (status, v) = app
        .post_json("/api/application/activation", Some(&z), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let token = v["path"]
        .as_str()
        .unwrap()
        .strip_prefix("/activate/")
        .unwrap()
        .to_owned();
    confirm_current(app, &token).await;
    let (status, v) = start_face(app, &token, Some(&z), None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let biz = biz_of(&v);
    answer(app, &biz, "pass").await;
    let (status, v) = face_result(app, &token, Some(&z), &biz).await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
    z
}

async fn invite(app: &TestApp, c: &str) -> (StatusCode, Value) {
    app.post_json("/api/enterprise/invitations", Some(c), "")
        .await
}

#[tokio::test]
async fn a_wecom_admin_links_the_wechat_side_enterprise_and_notifies_its_super_admin() {
    let app = TestApp::new().await;
    let c = app.login("chenjing").await;
    let (status, v) = app.post_json("/api/application", Some(&c), "").await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["scenario"], "new");

    // Linking comes after 个人实名认证.
    let (status, v) = link_wechat(&app, &c, Some(LANHAI_USCC)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(real_name(&app, &c, "陈静", CHEN_ID).await.0, StatusCode::OK);

    // Without a code: 陈静 has no account on the WeChat side, so nothing is found.
    let (status, v) = link_wechat(&app, &c, None).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::NOT_FOUND, "not_found"),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("上传证照"),
        "scenario 1 is the way on: {v}"
    );
    let (status, v) = link_wechat(&app, &c, Some("123456")).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("uscc")),
        "{v}"
    );
    // A valid code of an enterprise not opened on the WeChat side.
    let (status, _) = link_wechat(&app, &c, Some("91330106MA2KX7Q890")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, v) = link_wechat(&app, &c, Some(LANHAI_USCC)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["scenario"], "wechat");
    let e = &v["wechat"]["enterprise"];
    assert_eq!(e["name"], LANHAI);
    assert_eq!(e["uscc"], LANHAI_USCC);
    assert_eq!(e["super_admin_name"], "*磊");
    assert_eq!(e["super_admin_phone"], "139****0011");
    assert_eq!(v["wechat"]["applicant_is_super_admin"], false);
    assert!(v["wechat"]["notice"].is_null());

    // Scenario 1 is closed while linked.
    let form = license_form("no-such-upload", LANHAI_USCC);
    let (status, v) = put(&app, "/api/application/license", &c, &form).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("取消关联"),
        "{v}"
    );
    // Only the super admin activates directly.
    let (status, v) = app
        .post_json("/api/application/activation", Some(&c), "")
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{v}"
    );

    // 短信通知超级管理员.
    let (status, v) = app
        .post_json("/api/application/super-admin", Some(&c), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["status"], "pending");
    assert_eq!(v["phone_masked"], "139****0011");
    assert_eq!(v["resend_in_secs"], 60);
    assert_eq!(
        v["expires_at"].as_i64().unwrap() - v["sent_at"].as_i64().unwrap(),
        24 * 3600
    );
    let (status, v) = app
        .post_json("/api/application/super-admin", Some(&c), "")
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        "{v}"
    );
    assert!(v["error"]["retry_after_secs"].as_u64().unwrap() > 0);

    let outbox = app.outbox().await;
    let sms: Vec<_> = outbox
        .iter()
        .filter(|m| m["channel"] == "sms" && m["to"] == "13900000011")
        .collect();
    assert_eq!(sms.len(), 1, "one SMS to the super admin: {outbox:?}");
    let link = sms[0]["link"].as_str().unwrap();
    assert!(link.starts_with("/activate/") && link.len() > "/activate/".len());
    let text = sms[0]["text"].as_str().unwrap();
    assert!(
        text.contains(LANHAI) && text.contains("*静") && text.contains(link),
        "{text}"
    );
    assert!(!text.contains("陈静"), "the applicant goes out masked");

    // The application shows the notice.
    let (_, v) = app.get_json("/api/application", Some(&c)).await;
    assert_eq!(v["wechat"]["notice"]["status"], "pending");
    assert_eq!(v["wechat"]["notice"]["phone_masked"], "139****0011");

    // A minute later it may go again; the older link is then replaced.
    let first = activation_token(&app).await;
    app.clock.advance(61);
    let (status, _) = app
        .post_json("/api/application/super-admin", Some(&c), "")
        .await;
    assert_eq!(status, StatusCode::OK);
    let second = activation_token(&app).await;
    assert_ne!(first, second);
    let (status, v) = view_link(&app, &first, None).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::GONE, "link_superseded"),
        "{v}"
    );
    assert_eq!(view_link(&app, &second, None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_super_admin_activates_by_the_sms_link_after_the_agreement_and_face() {
    let app = TestApp::new().await;
    let (c, token) = chen_notified(&app).await;

    let (status, v) = view_link(&app, &token, None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["enterprise"], LANHAI);
    assert_eq!(v["uscc"], LANHAI_USCC);
    assert_eq!(v["super_admin_name"], "*磊");
    assert_eq!(v["applicant_name"], "*静");
    assert_eq!(v["agreement"]["title"], "企业微信端腾讯电子签服务协议");
    let version = v["agreement"]["version"].as_str().unwrap().to_owned();
    assert!(!version.is_empty());
    assert!(!v["agreement"]["sections"].as_array().unwrap().is_empty());
    assert!(!v["what_it_means"].as_array().unwrap().is_empty());
    assert!(v["accepted_version"].is_null());
    assert!(v["verified_as"].is_null());
    assert!(v["expires_at"].as_i64().unwrap() > app.clock.now());

    // 确认开通 comes before face verification.
    let (status, v) = start_face(&app, &token, None, Some(("赵磊", ZHAO_ID))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    let (status, v) = confirm(&app, &token, &version, false).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("agreement")),
        "{v}"
    );
    let (status, v) = confirm(&app, &token, "2000-01-01.0", true).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::CONFLICT, Some("agreement")),
        "{v}"
    );
    let (status, v) = confirm(&app, &token, &version, true).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
    let (_, v) = view_link(&app, &token, None).await;
    assert_eq!(v["accepted_version"], version.as_str());

    // 陈静 opening it herself is not the super admin on record.
    let (status, v) = start_face(&app, &token, Some(&c), Some(("陈静", CHEN_ID))).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains(LANHAI),
        "{v}"
    );
    // Nor may she use her own verification.
    let (status, _) = start_face(&app, &token, Some(&c), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A name with someone else's number stops before any face check.
    let (status, v) = start_face(&app, &token, None, Some(("赵磊", CHEN_ID))).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("id_number")),
        "{v}"
    );

    let (status, v) = start_face(&app, &token, None, Some(("赵磊", ZHAO_ID))).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let biz = biz_of(&v);
    // Back before finishing.
    let (status, _) = face_result(&app, &token, None, &biz).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, location) = answer(&app, &biz, "pass").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        format!("/activate/{token}/face-return?BizToken={biz}")
    );
    // Only the session started from this link counts.
    let (status, _) = face_result(&app, &token, None, "made-up").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, v) = face_result(&app, &token, None, &biz).await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("开通"), "{v}");

    // 蓝海 is verified, for the applicant and everyone else in it.
    let (_, s) = app.get_json("/api/session", Some(&c)).await;
    assert_eq!(s["enterprise_state"], "verified", "{s}");
    assert!(s["application"].is_null(), "{s}");
    assert_eq!(s["is_super_admin"], false);
    let liu = app.login("liuyang").await;
    let (_, s) = app.get_json("/api/session", Some(&liu)).await;
    assert_eq!(s["enterprise_state"], "verified", "{s}");
    let (status, e) = app.get_json("/api/enterprise", Some(&c)).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(
        (e["name"].as_str(), e["scenario"].as_str()),
        (Some(LANHAI), Some("wechat"))
    );
    assert_eq!(e["super_admin_name"], "*磊");
    assert_eq!(e["you_are_super_admin"], false);
    // The applicant hears of it in WeCom.
    let outbox = app.outbox().await;
    let msg = outbox
        .iter()
        .find(|m| m["channel"] == "wecom")
        .expect("a WeCom message to the applicant");
    assert_eq!(
        (msg["to"].as_str(), msg["link"].as_str()),
        (Some("chenjing"), Some("/apply/done"))
    );
    assert!(msg["text"].as_str().unwrap().contains("*磊"));

    // The link is used now; unknown tokens are not links at all.
    let (status, v) = view_link(&app, &token, None).await;
    assert_eq!((status, code(&v)), (StatusCode::GONE, "link_used"), "{v}");
    let (status, v) = face_result(&app, &token, None, &biz).await;
    assert_eq!((status, code(&v)), (StatusCode::GONE, "link_used"), "{v}");
    let (status, v) = view_link(&app, "not-a-token", None).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::NOT_FOUND, "not_found"),
        "{v}"
    );
}

#[tokio::test]
async fn a_failed_face_check_on_the_link_can_be_retried() {
    let app = TestApp::new().await;
    let (_, token) = chen_notified(&app).await;
    confirm_current(&app, &token).await;
    let (_, v) = start_face(&app, &token, None, Some(("赵磊", ZHAO_ID))).await;
    let biz = biz_of(&v);
    answer(&app, &biz, "fail").await;
    let (status, v) = face_result(&app, &token, None, &biz).await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{v}"
    );
    assert_eq!(v["retries_left"], 4, "{v}");
    // The failed session is spent: asking again does not count a second failure.
    let (status, _) = face_result(&app, &token, None, &biz).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Still pending: the link works and a new session may start.
    let (status, v) = view_link(&app, &token, None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (_, v) = start_face(&app, &token, None, Some(("赵磊", ZHAO_ID))).await;
    let again = biz_of(&v);
    assert_ne!(again, biz);
    answer(&app, &again, "pass").await;
    assert_eq!(
        face_result(&app, &token, None, &again).await.1["passed"],
        true
    );
}

#[tokio::test]
async fn five_failed_face_checks_spend_the_link() {
    let app = TestApp::new().await;
    let (_, token) = chen_notified(&app).await;
    confirm_current(&app, &token).await;
    for left in (0..5).rev() {
        let (_, v) = start_face(&app, &token, None, Some(("赵磊", ZHAO_ID))).await;
        let biz = biz_of(&v);
        answer(&app, &biz, "fail").await;
        let (_, v) = face_result(&app, &token, None, &biz).await;
        assert_eq!(v["retries_left"], left, "{v}");
    }
    let (status, v) = start_face(&app, &token, None, Some(("赵磊", ZHAO_ID))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("失败次数过多"),
        "{v}"
    );
}

#[tokio::test]
async fn the_super_admin_who_is_no_wecom_admin_links_and_activates_directly() {
    let app = TestApp::new().await;
    let z = app.login("zhaolei").await;
    let (status, v) = app.post_json("/api/application", Some(&z), "").await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "not a WeCom admin: {v}"
    );
    let (status, v) = link_wechat(&app, &z, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(code(&v), "real_name_required", "{v}");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("实名认证"),
        "{v}"
    );

    let (status, v) = me_real_name(&app, &z, "赵磊", ZHAO_ID).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "赵磊");
    assert_ne!(v["id_masked"], ZHAO_ID);
    assert!(v["id_masked"].as_str().unwrap().contains('*'));
    // Once verified, asking again returns the same verification.
    let (status, again) = me_real_name(&app, &z, "赵磊", ZHAO_ID).await;
    assert_eq!(
        (status, &again["verified_at"]),
        (StatusCode::OK, &v["verified_at"])
    );

    let (status, v) = link_wechat(&app, &z, None).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["scenario"], "wechat");
    assert_eq!(v["applicant"]["id"], "zhaolei");
    assert_eq!(v["wechat"]["enterprise"]["name"], LANHAI);
    assert_eq!(v["wechat"]["applicant_is_super_admin"], true);
    // His application resumes from the session, and he may read it.
    let (_, s) = app.get_json("/api/session", Some(&z)).await;
    assert_eq!(s["enterprise_state"], "in_progress", "{s}");
    assert_eq!(s["application"]["is_mine"], true);
    assert_eq!(s["application"]["scenario"], "wechat");
    let (status, v) = app.get_json("/api/application", Some(&z)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // 陈静 cannot start another meanwhile.
    let chen = app.login("chenjing").await;
    let (status, v) = app.post_json("/api/application", Some(&chen), "").await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("*磊"));

    // The super admin does not text himself; scenario 1 needs a WeCom admin.
    let (status, v) = app
        .post_json("/api/application/super-admin", Some(&z), "")
        .await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{v}"
    );
    let (status, _) = delete_json(&app, "/api/application/wechat", &z).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, v) = app
        .post_json("/api/application/activation", Some(&z), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let token = v["path"]
        .as_str()
        .unwrap()
        .strip_prefix("/activate/")
        .expect("an activation path")
        .to_owned();
    assert!(
        !app.outbox().await.iter().any(|m| m["channel"] == "sms"),
        "no SMS for direct activation"
    );

    let (status, v) = view_link(&app, &token, Some(&z)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["verified_as"]["name"], "赵磊");
    assert!(v["verified_as"]["id_masked"]
        .as_str()
        .unwrap()
        .contains('*'));
    assert_eq!(v["applicant_name"], "*磊");
    let (_, anonymous) = view_link(&app, &token, None).await;
    assert!(anonymous["verified_as"].is_null(), "{anonymous}");

    confirm_current(&app, &token).await;
    // Without his session, "my own verification" means nobody.
    let (status, _) = start_face(&app, &token, None, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, v) = start_face(&app, &token, Some(&z), None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let biz = biz_of(&v);
    answer(&app, &biz, "pass").await;
    let (status, v) = face_result(&app, &token, Some(&z), &biz).await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );

    let (_, s) = app.get_json("/api/session", Some(&z)).await;
    assert_eq!(s["enterprise_state"], "verified", "{s}");
    assert_eq!(s["is_super_admin"], true, "{s}");
    let (status, e) = app.get_json("/api/enterprise", Some(&z)).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_eq!(e["you_are_super_admin"], true);
    assert_eq!(e["invitable"], 2);
    assert_eq!(e["scenario"], "wechat");
    assert_eq!(e["name"], LANHAI);
    assert_eq!(e["super_admin_name"], "赵磊", "his own name, unmasked");
    // Others see him masked and are not super admin.
    let (_, e) = app.get_json("/api/enterprise", Some(&chen)).await;
    assert_eq!(
        (
            e["super_admin_name"].as_str(),
            e["you_are_super_admin"].as_bool()
        ),
        (Some("*磊"), Some(false))
    );
    let (_, s) = app.get_json("/api/session", Some(&chen)).await;
    assert_eq!(s["is_super_admin"], false);
    // He was the applicant: no WeCom message about his own activation.
    assert!(!app.outbox().await.iter().any(|m| m["channel"] == "wecom"));
}

#[tokio::test]
async fn the_super_admin_invites_employees_who_then_verify_themselves() {
    let app = TestApp::new().await;
    let z = zhao_activated(&app).await;

    let liu = app.login("liuyang").await;
    let (_, s) = app.get_json("/api/session", Some(&liu)).await;
    assert!(s["membership"].is_null(), "not invited yet: {s}");

    let (status, v) = invite(&app, &z).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let names: Vec<_> = v["invited"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["*洋", "*丽"]);
    let phones: Vec<_> = v["invited"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["phone"].as_str().unwrap())
        .collect();
    assert_eq!(phones, ["139****0013", "139****0014"]);
    assert!(v["skipped"].as_array().unwrap().is_empty());
    let outbox = app.outbox().await;
    let mut to: Vec<_> = outbox
        .iter()
        .filter(|m| m["channel"] == "sms")
        .map(|m| m["to"].as_str().unwrap())
        .collect();
    to.sort();
    assert_eq!(to, ["13900000013", "13900000014"]);
    assert!(outbox
        .iter()
        .filter(|m| m["channel"] == "sms")
        .all(|m| m["text"].as_str().unwrap().contains(LANHAI)));

    // Three a day per number; the fourth is refused outright.
    for _ in 0..2 {
        let (status, v) = invite(&app, &z).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(v["invited"].as_array().unwrap().len(), 2);
    }
    let (status, v) = invite(&app, &z).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        "{v}"
    );
    assert!(v["error"]["retry_after_secs"].as_u64().unwrap() > 0);
    let sent = app
        .outbox()
        .await
        .iter()
        .filter(|m| m["channel"] == "sms")
        .count();
    assert_eq!(sent, 6, "nothing went out on the refused call");
    // Only the super admin invites.
    let chen = app.login("chenjing").await;
    let (status, v) = invite(&app, &chen).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{v}"
    );

    // 刘洋 is invited; he must verify as the person invited.
    let (_, s) = app.get_json("/api/session", Some(&liu)).await;
    assert_eq!(s["membership"], "invited", "{s}");
    assert_eq!(s["enterprise_state"], "verified");
    let (status, v) = me_real_name(&app, &liu, "刘洋", SUN_ID).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("id_number")),
        "孙丽's number under 刘洋's name: {v}"
    );
    let (status, v) = me_real_name(&app, &liu, "刘洋", "44030519950817031").await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("id_number")),
        "a malformed number: {v}"
    );
    let (status, v) = me_real_name(&app, &liu, "刘洋", CHEN_ID).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("id_number")),
        "someone else's number: {v}"
    );
    let (_, s) = app.get_json("/api/session", Some(&liu)).await;
    assert_eq!(s["membership"], "invited");

    let (status, v) = me_real_name(&app, &liu, "刘洋", LIU_ID).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["name"], "刘洋");
    let (_, s) = app.get_json("/api/session", Some(&liu)).await;
    assert_eq!(s["membership"], "verified", "{s}");
    // 孙丽 is still only invited; 李娜 (星河) has nothing to do with it.
    let sun = app.login("sunli").await;
    let (_, s) = app.get_json("/api/session", Some(&sun)).await;
    assert_eq!(s["membership"], "invited", "{s}");
    let lina = app.login("lina").await;
    let (_, s) = app.get_json("/api/session", Some(&lina)).await;
    assert!(s["membership"].is_null(), "{s}");
    assert_eq!(s["is_super_admin"], false);

    // The next day the cap is lifted.
    app.clock.advance(24 * 3600);
    let (status, v) = invite(&app, &z).await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn an_employee_with_a_wechat_account_may_not_link_the_enterprise() {
    let app = TestApp::new().await;
    let liu = app.login("liuyang").await;
    let (status, v) = me_real_name(&app, &liu, "刘洋", LIU_ID).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (_, s) = app.get_json("/api/session", Some(&liu)).await;
    assert!(s["membership"].is_null(), "{s}");

    let (status, v) = link_wechat(&app, &liu, None).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{v}"
    );
    let (status, v) = link_wechat(&app, &liu, Some(LANHAI_USCC)).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{v}"
    );
    // Nothing was started on his behalf.
    let (_, s) = app.get_json("/api/session", Some(&liu)).await;
    assert_eq!(s["enterprise_state"], "unverified", "{s}");
    assert!(s["application"].is_null());
}

#[tokio::test]
async fn a_super_admin_who_opened_from_outside_wecom_is_recognised_by_their_own_verification() {
    let app = TestApp::new().await;
    let (_, token) = chen_notified(&app).await;
    confirm_current(&app, &token).await;
    // No session: the SMS link opened in WeChat, outside WeCom.
    let (_, v) = start_face(&app, &token, None, Some(("赵磊", ZHAO_ID))).await;
    let biz = biz_of(&v);
    answer(&app, &biz, "pass").await;
    assert_eq!(
        face_result(&app, &token, None, &biz).await.1["passed"],
        true
    );

    let z = app.login("zhaolei").await;
    let (_, s) = app.get_json("/api/session", Some(&z)).await;
    assert_eq!(s["enterprise_state"], "verified");
    assert_eq!(
        (
            s["is_super_admin"].as_bool(),
            s["super_admin_unknown"].as_bool()
        ),
        (Some(false), Some(true)),
        "{s}"
    );
    assert_eq!(invite(&app, &z).await.0, StatusCode::FORBIDDEN);
    // Someone else's verification claims nothing.
    let l = app.login("liuyang").await;
    assert_eq!(
        me_real_name(&app, &l, "刘洋", "44030519950817031X").await.0,
        StatusCode::OK
    );
    let (_, s) = app.get_json("/api/session", Some(&l)).await;
    assert_eq!(s["is_super_admin"], false, "{s}");

    // 赵磊 verifies himself in WeCom, then proves with his face that he is that person: he
    // is the super admin, and may invite.
    assert_eq!(
        me_real_name(&app, &z, "赵磊", ZHAO_ID).await.0,
        StatusCode::OK
    );
    let (_, s) = app.get_json("/api/session", Some(&z)).await;
    assert_eq!(
        (
            s["is_super_admin"].as_bool(),
            s["super_admin_claimable"].as_bool()
        ),
        (Some(false), Some(true)),
        "{s}"
    );
    let (biz, status, v) = claim_with_face(&app, &z, "pass").await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
    let body = json!({ "biz_token": biz }).to_string();
    let replay = app
        .post_json("/api/enterprise/super-admin/face/result", Some(&z), &body)
        .await;
    assert_eq!(
        replay.0,
        StatusCode::CONFLICT,
        "a replayed BizToken: {}",
        replay.1
    );
    let (_, s) = app.get_json("/api/session", Some(&z)).await;
    assert_eq!(
        (
            s["is_super_admin"].as_bool(),
            s["super_admin_unknown"].as_bool()
        ),
        (Some(true), Some(false)),
        "{s}"
    );
    let (status, v) = invite(&app, &z).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["invited"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_activation_link_past_its_24_hours_says_it_expired() {
    let app = TestApp::new().await;
    let (_, token) = chen_notified(&app).await;
    app.clock.advance(24 * 3600 + 1);
    let (status, v) = view_link(&app, &token, None).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::GONE, "link_expired"),
        "{v}"
    );
    let (status, v) = confirm(&app, &token, server::agreement::VERSION, true).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::GONE, "link_expired"),
        "{v}"
    );
}

#[tokio::test]
async fn unlinking_returns_to_scenario_one_and_cancels_the_activation_link() {
    let app = TestApp::new().await;
    let (c, token) = chen_notified(&app).await;
    assert_eq!(view_link(&app, &token, None).await.0, StatusCode::OK);

    let (status, v) = delete_json(&app, "/api/application/wechat", &c).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["scenario"], "new");
    assert!(v["wechat"].is_null(), "{v}");
    assert_eq!(v["step"], "license");

    let (status, v) = view_link(&app, &token, None).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::GONE, "link_cancelled"),
        "{v}"
    );
    let (status, v) = confirm(&app, &token, "2026-11-29.1", true).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::GONE, "link_cancelled"),
        "{v}"
    );
    // Not linked any more: no SMS to the super admin.
    let (status, _) = app
        .post_json("/api/application/super-admin", Some(&c), "")
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // An employee may not unlink (李娜 of 星河 has no application and is no admin).
    let lina = app.login("lina").await;
    let (status, _) = delete_json(&app, "/api/application/wechat", &lina).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Linking again works, and a new notice may go out at once.
    let (status, v) = link_wechat(&app, &c, Some(LANHAI_USCC)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["scenario"], "wechat");
    let (status, v) = app
        .post_json("/api/application/super-admin", Some(&c), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
}
