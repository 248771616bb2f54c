//! The audit's attacks, each written as the attack: nobody becomes an enterprise's super admin
//! (or blocks another enterprise) without the right person agreeing. Each test drives the
//! attack over HTTP and asserts it fails, and that the rightful path still works.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use common::apply::*;
use common::{code, TestApp};
use serde_json::{json, Value};

const XINGHE_USCC: &str = "91330106MA2KX7Q890";
const LANHAI_USCC: &str = "91440305MA5G3N2R3N";
const ZHAO_ID: &str = "31011519800101077X";
const CHEN_ID: &str = "330106199005060485";
const ZHANG_ID: &str = "440305198806231534";
const WANG_ID: &str = "330106197503120410";
const ZHENG_ID: &str = "330106199304020862";
const ZHOU_ID: &str = "510107198511300256";

/// Signs in, starts, and passes 个人实名认证 in the application.
async fn started(app: &TestApp, user: &str, name: &str, id: &str) -> String {
    let c = app.login(user).await;
    let (status, v) = app.post_json("/api/application", Some(&c), "").await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (status, v) = real_name(app, &c, name, id).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    c
}

/// A license form for 星河云图 with `legal_rep` as typed.
fn xinghe_form(upload_id: &str, legal_rep: &str) -> Value {
    let mut form = license_form(upload_id, XINGHE_USCC);
    form["legal_rep"] = json!({"value": legal_rep, "source": "edited"});
    form
}

async fn photo(app: &TestApp, c: &str) -> String {
    let (status, v) = upload(app, c, jpeg(1200, 850)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v["upload_id"].as_str().unwrap().to_owned()
}

/// Real-name + face on a legal-rep link, answered `decision` by the simulation.
async fn legal_rep_face(app: &TestApp, token: &str, name: &str, id: &str) -> (StatusCode, Value) {
    let body = json!({ "name": name, "id_number": id }).to_string();
    let (status, v) = app
        .post_json(&format!("/api/legal-rep/{token}/face"), None, &body)
        .await;
    if status != StatusCode::OK {
        return (status, v);
    }
    let biz = biz_of(&v);
    answer(app, &biz, "pass").await;
    let body = json!({ "biz_token": biz }).to_string();
    app.post_json(&format!("/api/legal-rep/{token}/face/result"), None, &body)
        .await
}

/// Attack 1: 张伟, an admin who is not the legal representative, types himself as 法定代表人
/// to be offered the face path and verify the enterprise with his own face.
#[tokio::test]
async fn an_admin_cannot_authorize_himself_by_typing_his_name_as_legal_rep() {
    let app = TestApp::new().await;
    let c = started(&app, "zhangwei", "张伟", ZHANG_ID).await;
    let upload_id = photo(&app, &c).await;
    let (status, v) = put(
        &app,
        "/api/application/license",
        &c,
        &xinghe_form(&upload_id, "张伟"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"]["field"], "legal_rep", "{v}");
    assert_eq!(
        v["error"]["message"],
        "法定代表人与登记信息不一致，请核对营业执照"
    );
    // Whatever else he tries, the face path is not his.
    let (status, _) = app.post_json("/api/application/face", Some(&c), "").await;
    assert_ne!(status, StatusCode::OK);
    assert_eq!(session(&app, &c).await["enterprise_state"], "in_progress");
}

/// The registry decides the path: with the license typed right, 张伟 must ask 王建国.
#[tokio::test]
async fn the_path_follows_the_registry_legal_rep() {
    let app = TestApp::new().await;
    let c = through_license_as(&app, "zhangwei", "张伟", ZHANG_ID).await;
    through_contact(&app, &c, "13900000002").await;
    let (_, v) = app.get_json("/api/application", Some(&c)).await;
    assert_eq!(v["authorize_path"], "notify_legal_rep", "{v}");
}

/// Attack 2: a legal-rep link left pending, then 关联微信账户 with another enterprise's code;
/// the legal representative's 授权 must not verify xinghe as 蓝海.
#[tokio::test]
async fn a_pending_legal_rep_link_dies_when_the_applicant_switches_scenario() {
    let app = TestApp::new().await;
    let (c, token) = zhang_asked_the_legal_rep(&app).await;
    let (status, v) = link_wechat(&app, &c, Some(LANHAI_USCC)).await;
    assert_eq!(status, StatusCode::OK, "{v}");

    let (status, v) = legal_rep_face(&app, &token, "王建国", WANG_ID).await;
    assert_eq!(
        status,
        StatusCode::GONE,
        "the link died with the switch: {v}"
    );
    assert_eq!(code(&v), "link_cancelled");
    let body = json!({ "approve": true }).to_string();
    let (status, _) = app
        .post_json(&format!("/api/legal-rep/{token}/decision"), None, &body)
        .await;
    assert_ne!(status, StatusCode::NO_CONTENT);
    assert_eq!(session(&app, &c).await["enterprise_state"], "in_progress");

    // 蓝海's own admin is not blocked by xinghe's unconfirmed link.
    let chen = started(&app, "chenjing", "陈静", CHEN_ID).await;
    let (status, v) = link_wechat(&app, &chen, Some(LANHAI_USCC)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

/// Attack 2, the legal representative already verified on the link before the switch: 授权
/// re-checks the scenario and the license in its transaction.
#[tokio::test]
async fn authorizing_after_a_switch_of_scenario_is_refused() {
    let app = TestApp::new().await;
    let (c, token) = zhang_asked_the_legal_rep(&app).await;
    let (status, v) = legal_rep_face(&app, &token, "王建国", WANG_ID).await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
    let (status, v) = link_wechat(&app, &c, Some(LANHAI_USCC)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let body = json!({ "approve": true }).to_string();
    let (status, v) = app
        .post_json(&format!("/api/legal-rep/{token}/decision"), None, &body)
        .await;
    assert_eq!(status, StatusCode::GONE, "{v}");
    assert_eq!(session(&app, &c).await["enterprise_state"], "in_progress");
}

/// Attack 2 for letters: a letter in review, then 关联微信账户; the reviewer's 通过 must not
/// verify qinghe as 蓝海.
#[tokio::test]
async fn a_letter_in_review_is_withdrawn_when_the_applicant_switches_scenario() {
    let app = TestApp::new().await;
    let c = institution_at_authorize(&app).await;
    let (status, v) = common::json_of(
        app.send(
            common::browser("POST", "/api/application/letter/photo")
                .header("cookie", &c)
                .header("content-type", "image/jpeg")
                .body(axum::body::Body::from(jpeg(1000, 1400)))
                .unwrap(),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let body = json!({ "upload_ids": [v["upload_id"]] }).to_string();
    let (status, v) = app
        .post_json("/api/application/letter", Some(&c), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let reviewer = app.login("reviewer").await;
    let (_, queue) = app.get_json("/api/ops/reviews", Some(&reviewer)).await;
    let letter_id = queue[0]["id"].as_str().unwrap().to_owned();

    let (status, v) = link_wechat(&app, &c, Some(LANHAI_USCC)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let body = json!({ "approve": true }).to_string();
    let (status, v) = app
        .post_json(
            &format!("/api/ops/reviews/{letter_id}"),
            Some(&reviewer),
            &body,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(session(&app, &c).await["enterprise_state"], "in_progress");
    let (_, queue) = app.get_json("/api/ops/reviews", Some(&reviewer)).await;
    assert_eq!(
        queue.as_array().unwrap().len(),
        0,
        "withdrawn from the queue: {queue}"
    );
}

/// 陈静 linked 蓝海 and sent 赵磊 the activation SMS; 赵磊, outside WeCom, read the agreement,
/// confirmed and passed the face check. Returns 陈静's cookie, the token and the BizToken.
async fn zhao_passed_face_outside_wecom(app: &TestApp) -> (String, String, String) {
    let chen = started(app, "chenjing", "陈静", CHEN_ID).await;
    let (status, v) = link_wechat(app, &chen, Some(LANHAI_USCC)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = app
        .post_json("/api/application/super-admin", Some(&chen), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let token = link_token(&app.outbox().await, "/activate/");
    let (_, view) = app.get_json(&format!("/api/activate/{token}"), None).await;
    let body = json!({ "agreement_version": view["agreement"]["version"], "accepted": true });
    let (status, v) = app
        .post_json(
            &format!("/api/activate/{token}/confirm"),
            None,
            &body.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
    let body = json!({ "identity": { "name": "赵磊", "id_number": ZHAO_ID } }).to_string();
    let (status, v) = app
        .post_json(&format!("/api/activate/{token}/face"), None, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let biz = biz_of(&v);
    answer(app, &biz, "pass").await;
    (chen, token, biz)
}

/// Attack 3: 陈静 submits 赵磊's activation face result from her own session, to be recorded
/// as the super admin.
#[tokio::test]
async fn a_face_result_counts_only_for_the_session_that_started_it() {
    let app = TestApp::new().await;
    let (chen, token, biz) = zhao_passed_face_outside_wecom(&app).await;
    let body = json!({ "biz_token": biz }).to_string();
    let (status, v) = app
        .post_json(
            &format!("/api/activate/{token}/face/result"),
            Some(&chen),
            &body,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another session's face check: {v}"
    );
    assert_eq!(session(&app, &chen).await["is_super_admin"], false);

    // 赵磊's own browser (no session) finishes it; 陈静 still is not super admin.
    let (status, v) = app
        .post_json(&format!("/api/activate/{token}/face/result"), None, &body)
        .await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
    let s = session(&app, &chen).await;
    assert_eq!(
        (
            s["enterprise_state"].as_str(),
            s["is_super_admin"].as_bool()
        ),
        (Some("verified"), Some(false)),
        "{s}"
    );
    assert_eq!(
        app.post_json("/api/enterprise/invitations", Some(&chen), "")
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

/// Attack 3 for the legal representative's own face path: the BizToken is bound to the
/// session that started it, even within one person's applications.
#[tokio::test]
async fn the_applicant_face_result_is_bound_to_its_session() {
    let app = TestApp::new().await;
    let c = through_license(&app).await;
    through_contact(&app, &c, "13900000001").await;
    let (status, v) = app.post_json("/api/application/face", Some(&c), "").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let biz = biz_of(&v);
    answer(&app, &biz, "pass").await;
    // The same person signed in elsewhere (another device, or a stolen BizToken).
    let other = app.login("wangjianguo").await;
    let body = json!({ "biz_token": biz }).to_string();
    let (status, v) = app
        .post_json("/api/application/face/result", Some(&other), &body)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{v}");
    let (status, v) = app
        .post_json("/api/application/face/result", Some(&c), &body)
        .await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
}

/// Attack 4: after 蓝海 opened from outside WeCom, 刘洋 claims the super admin role with 赵磊's
/// name and ID number alone; the real 赵磊 must stay able to claim it, with his face.
#[tokio::test]
async fn the_super_admin_role_is_not_claimed_with_a_name_and_id_number_alone() {
    let app = TestApp::new().await;
    let (_, token, biz) = zhao_passed_face_outside_wecom(&app).await;
    let body = json!({ "biz_token": biz }).to_string();
    let (status, v) = app
        .post_json(&format!("/api/activate/{token}/face/result"), None, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");

    let liu = app.login("liuyang").await;
    let body = json!({ "name": "赵磊", "id_number": ZHAO_ID }).to_string();
    let (status, v) = app.post_json("/api/me/real-name", Some(&liu), &body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let s = session(&app, &liu).await;
    assert_eq!(s["is_super_admin"], false, "{s}");
    let (status, _) = app
        .post_json("/api/enterprise/invitations", Some(&liu), "")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A failed face check does not make him super admin either.
    let (_, status, v) = claim_with_face(&app, &liu, "fail").await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(false)),
        "{v}"
    );
    assert_eq!(session(&app, &liu).await["is_super_admin"], false);

    // The real 赵磊 verifies himself and claims it with his own face.
    let zhao = app.login("zhaolei").await;
    let body = json!({ "name": "赵磊", "id_number": ZHAO_ID }).to_string();
    assert_eq!(
        app.post_json("/api/me/real-name", Some(&zhao), &body)
            .await
            .0,
        StatusCode::OK
    );
    let s = session(&app, &zhao).await;
    assert_eq!(
        (
            s["is_super_admin"].as_bool(),
            s["super_admin_claimable"].as_bool()
        ),
        (Some(false), Some(true)),
        "{s}"
    );
    let (_, status, v) = claim_with_face(&app, &zhao, "pass").await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
    assert_eq!(session(&app, &zhao).await["is_super_admin"], true);
    assert_eq!(session(&app, &liu).await["is_super_admin"], false);
}

/// Attack 5: 周敏 (qinghe) confirms 星河云图's license while xinghe is already verified with it.
#[tokio::test]
async fn one_uscc_is_verified_by_one_corp_only() {
    let app = TestApp::with_ocr(Arc::new(FixedOcr(xinghe_license()))).await;
    let wang = through_license(&app).await;
    through_contact(&app, &wang, "13900000001").await;
    let (_, v) = app
        .post_json("/api/application/face", Some(&wang), "")
        .await;
    let biz = biz_of(&v);
    answer(&app, &biz, "pass").await;
    let body = json!({ "biz_token": biz }).to_string();
    let (status, v) = app
        .post_json("/api/application/face/result", Some(&wang), &body)
        .await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );

    let zhou = started(&app, "zhoumin", "周敏", ZHOU_ID).await;
    let upload_id = photo(&app, &zhou).await;
    let (status, v) = put(
        &app,
        "/api/application/license",
        &zhou,
        &xinghe_form(&upload_id, "王建国"),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["field"], "uscc");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(
        !message.contains("王") && !message.contains("xinghe"),
        "names no one: {message}"
    );
}

/// Attack 5 while both are open: the second corp is refused before any step 4.
#[tokio::test]
async fn one_uscc_is_in_one_open_application_only() {
    let app = TestApp::new().await;
    let _wang = through_license(&app).await;
    let zhou = started(&app, "zhoumin", "周敏", ZHOU_ID).await;
    let upload_id = photo(&app, &zhou).await;
    let (status, v) = put(
        &app,
        "/api/application/license",
        &zhou,
        &xinghe_form(&upload_id, "王建国"),
    )
    .await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::CONFLICT, Some("uscc")),
        "{v}"
    );
}

/// Attack 6: any admin (xiaoman's 郑芳) links 蓝海's WeChat-side account first. Until 蓝海's
/// super admin confirms, nobody is blocked: 蓝海's admin, 赵磊 himself.
#[tokio::test]
async fn linking_another_enterprise_first_blocks_nobody() {
    let app = TestApp::new().await;
    let zheng = started(&app, "zhengfang", "郑芳", ZHENG_ID).await;
    let (status, v) = link_wechat(&app, &zheng, Some(LANHAI_USCC)).await;
    assert_eq!(status, StatusCode::OK, "{v}");

    let chen = started(&app, "chenjing", "陈静", CHEN_ID).await;
    let (status, v) = link_wechat(&app, &chen, Some(LANHAI_USCC)).await;
    assert_eq!(status, StatusCode::OK, "蓝海's own admin: {v}");

    // 蓝海 opens (its super admin confirms for lanhai); xiaoman's link then cannot finish.
    let (status, v) = app
        .post_json("/api/application/super-admin", Some(&zheng), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let squat_token = link_token(&app.outbox().await, "/activate/");
    let (status, v) = app
        .post_json("/api/application/super-admin", Some(&chen), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let token = link_token(&app.outbox().await, "/activate/");
    assert_ne!(token, squat_token);
    for t in [&token, &squat_token] {
        let (_, view) = app.get_json(&format!("/api/activate/{t}"), None).await;
        let body = json!({ "agreement_version": view["agreement"]["version"], "accepted": true });
        app.post_json(
            &format!("/api/activate/{t}/confirm"),
            None,
            &body.to_string(),
        )
        .await;
    }
    let finish = |t: String| {
        let app = &app;
        async move {
            let body = json!({ "identity": { "name": "赵磊", "id_number": ZHAO_ID } }).to_string();
            let (status, v) = app
                .post_json(&format!("/api/activate/{t}/face"), None, &body)
                .await;
            assert_eq!(status, StatusCode::OK, "{v}");
            let biz = biz_of(&v);
            answer(app, &biz, "pass").await;
            let body = json!({ "biz_token": biz }).to_string();
            app.post_json(&format!("/api/activate/{t}/face/result"), None, &body)
                .await
        }
    };
    let (status, v) = finish(token).await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
    let (status, v) = finish(squat_token).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "already opened for 蓝海's own WeCom: {v}"
    );
    assert_eq!(session(&app, &chen).await["enterprise_state"], "verified");
    assert_eq!(
        session(&app, &zheng).await["enterprise_state"],
        "in_progress"
    );
}

/// `/api/wechat-enterprise` is no directory of who opened what: only an applicant at 上传证照
/// may ask, and the answer names no person.
#[tokio::test]
async fn the_wechat_lookup_tells_only_what_the_application_needs() {
    let app = TestApp::new().await;
    let lina = app.login("lina").await;
    let path = format!("/api/wechat-enterprise?uscc={LANHAI_USCC}");
    let (status, _) = app.get_json(&path, Some(&lina)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an ordinary employee");
    let wang = started(&app, "wangjianguo", "王建国", WANG_ID).await;
    let (status, v) = app.get_json(&path, Some(&wang)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["opened"]["name"], "蓝海文化传媒有限公司");
    assert!(v["opened"].get("super_admin_name").is_none(), "{v}");
    assert!(v["opened"].get("super_admin_phone").is_none(), "{v}");
}
