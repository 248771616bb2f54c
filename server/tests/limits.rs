//! The limits on everything that checks or sends, written as the attacks they stop: an SMS
//! link used as an ID-lookup oracle, unbounded (billable) face sessions, and bursts of sends
//! that race the resend cooldowns.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, StatusCode};
use common::apply::*;
use common::{code, TestApp};
use serde_json::{json, Value};
use server::flow::limits;

// The limits under attack; server/src/http/limits.rs says why each is what it is.
const CHECKS_PER_LINK: usize = limits::LINK_CHECKS_PER_LINK as usize;
const CHECKS_PER_IP_PER_DAY: usize = limits::LINK_CHECKS_PER_IP_PER_DAY as usize;
const CHECKS_PER_PERSON_PER_DAY: usize = limits::LINK_CHECKS_PER_PERSON_PER_DAY as usize;
const FACE_SESSIONS_PER_LINK: usize = limits::LINK_FACE_SESSIONS_PER_LINK as usize;
const FACE_SESSIONS_PER_MEMBER_PER_DAY: usize = limits::APPLICANT_FACE_SESSIONS_PER_DAY as usize;

const WANG_ID: &str = "330106197503120410";
const ZHAO_ID: &str = "31011519800101077X";
const CHEN_ID: &str = "330106199005060485";

/// A valid ID number nobody in the demo has (the n-th of them).
fn stranger_id(n: u32) -> String {
    let first17 = format!("11010519900101{n:03}");
    let check = api::validate::id_check_char(&first17).unwrap();
    format!("{first17}{check}")
}

fn addr(ip: &str) -> SocketAddr {
    SocketAddr::new(ip.parse().unwrap(), 40_000)
}

/// An answer's status, its `Retry-After` (seconds) and its body.
struct Answer {
    status: StatusCode,
    retry_after: Option<u64>,
    body: Value,
}

impl Answer {
    fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }

    /// 429 with `Retry-After` in the header and in the body, and a message that says so.
    fn assert_limited(&self, says: &str) {
        assert_eq!(
            (self.status, code(&self.body)),
            (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            "{}",
            self.body
        );
        let secs = self.retry_after.expect("a Retry-After header");
        assert!(secs > 0);
        assert_eq!(self.body["error"]["retry_after_secs"].as_u64(), Some(secs));
        assert!(self.message().contains(says), "{}", self.body);
    }
}

/// A JSON POST from the app's own page, arriving from `ip` (as the socket's peer address).
async fn post_from(
    app: &TestApp,
    ip: &str,
    path: &str,
    cookie: Option<&str>,
    body: &Value,
) -> Answer {
    let mut b = common::browser("POST", path).header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    let mut req = b.body(Body::from(body.to_string())).unwrap();
    req.extensions_mut().insert(ConnectInfo(addr(ip)));
    answer_of(app.send(req).await).await
}

async fn answer_of(res: axum::http::Response<Body>) -> Answer {
    let retry_after = res
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().parse().unwrap());
    let (status, body) = common::json_of(res).await;
    Answer {
        status,
        retry_after,
        body,
    }
}

/// 张伟 (not the legal representative) at 超管授权.
async fn zhang_at_authorize() -> (TestApp, String) {
    let app = TestApp::with_ocr(Arc::new(FixedOcr(xinghe_license()))).await;
    let c = through_license_as(&app, "zhangwei", "张伟", "440305198806231534").await;
    through_contact(&app, &c, "13900000002").await;
    (app, c)
}

/// 短信通知法人 once more (a minute after the last); returns the new link's token.
async fn new_legal_rep_link(app: &TestApp, c: &str) -> String {
    app.clock.advance(61);
    let body = json!({ "phone": "13900000001" }).to_string();
    let (status, v) = app
        .post_json("/api/application/legal-rep", Some(c), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    link_token(app, "/legal-rep/").await
}

/// The token of the newest SMS link starting with `prefix`.
async fn link_token(app: &TestApp, prefix: &str) -> String {
    let outbox = app.outbox().await;
    let link = outbox
        .iter()
        .filter(|m| m["channel"] == "sms")
        .find_map(|m| m["link"].as_str().and_then(|l| l.strip_prefix(prefix)))
        .expect("an SMS link");
    link.to_owned()
}

async fn legal_rep_face(app: &TestApp, ip: &str, token: &str, name: &str, id: &str) -> Answer {
    let body = json!({ "name": name, "id_number": id });
    post_from(
        app,
        ip,
        &format!("/api/legal-rep/{token}/face"),
        None,
        &body,
    )
    .await
}

const IP_A: &str = "203.0.113.7";
const IP_B: &str = "198.51.100.23";

#[tokio::test]
async fn a_legal_rep_link_is_no_id_lookup_oracle() {
    let (app, c) = zhang_at_authorize().await;
    let token = new_legal_rep_link(&app, &c).await;
    // Whoever holds the link tries name and ID pairs: every try counts, refusals included.
    for n in 0..12 {
        let a = legal_rep_face(&app, IP_A, &token, "王建国", &stranger_id(n)).await;
        if (n as usize) < CHECKS_PER_LINK {
            assert_eq!(
                (a.status, a.body["error"]["field"].as_str()),
                (StatusCode::BAD_REQUEST, Some("id_number")),
                "try {n}: {}",
                a.body
            );
        } else {
            a.assert_limited("重新发送");
        }
    }
    // Another address, and even the right pair, get no more answers from this link.
    legal_rep_face(&app, IP_B, &token, "王建国", &stranger_id(99))
        .await
        .assert_limited("重新发送");
    legal_rep_face(&app, IP_A, &token, "王建国", WANG_ID)
        .await
        .assert_limited("重新发送");
    // A new SMS brings a new link, and the legal representative can go on.
    let token = new_legal_rep_link(&app, &c).await;
    let a = legal_rep_face(&app, IP_A, &token, "王建国", WANG_ID).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
}

#[tokio::test]
async fn one_persons_id_number_is_limited_across_links() {
    let (app, c) = zhang_at_authorize().await;
    let token = new_legal_rep_link(&app, &c).await;
    // Which name goes with 王建国's ID number? Guessed from one address, then another.
    let guesses = ["王建华", "王建军", "王健国", "汪建国", "王剑国"];
    for (i, name) in guesses.iter().take(CHECKS_PER_PERSON_PER_DAY).enumerate() {
        let ip = if i % 2 == 0 { IP_A } else { IP_B };
        let a = legal_rep_face(&app, ip, &token, name, WANG_ID).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    }
    // On a fresh link, from a fresh address: that ID number is answered no more today.
    let token = new_legal_rep_link(&app, &c).await;
    let a = legal_rep_face(&app, "192.0.2.44", &token, "王建民", WANG_ID).await;
    a.assert_limited("身份证号");
    // Other people's numbers still get their answer there.
    let a = legal_rep_face(&app, "192.0.2.44", &token, "王建国", &stranger_id(1)).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    // Tomorrow (China time) the legal representative may verify again.
    app.clock.advance(24 * 3600);
    let token = new_legal_rep_link(&app, &c).await;
    let a = legal_rep_face(&app, IP_A, &token, "王建国", WANG_ID).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
}

#[tokio::test]
async fn one_address_is_limited_across_links_and_people() {
    let (app, c) = zhang_at_authorize().await;
    let mut n = 0;
    let mut token = String::new();
    while n < CHECKS_PER_IP_PER_DAY as u32 {
        if (n as usize).is_multiple_of(CHECKS_PER_LINK) {
            token = new_legal_rep_link(&app, &c).await;
        }
        let a = legal_rep_face(&app, IP_A, &token, "王建国", &stranger_id(n)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "try {n}: {}", a.body);
        n += 1;
    }
    let token = new_legal_rep_link(&app, &c).await;
    legal_rep_face(&app, IP_A, &token, "王建国", &stranger_id(n))
        .await
        .assert_limited("当前网络");
    // Another address is not held up by this one.
    let a = legal_rep_face(&app, IP_B, &token, "王建国", &stranger_id(n + 2)).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
}

#[tokio::test]
async fn face_sessions_started_from_a_legal_rep_link_are_capped() {
    let (app, c) = zhang_at_authorize().await;
    let token = new_legal_rep_link(&app, &c).await;
    let first = legal_rep_face(&app, IP_A, &token, "王建国", WANG_ID).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    // Eight more sessions, never finished: each would be billed by the face service.
    for extra in 1..=8 {
        let a = legal_rep_face(&app, IP_A, &token, "王建国", WANG_ID).await;
        if extra < FACE_SESSIONS_PER_LINK {
            assert_eq!(a.status, StatusCode::OK, "extra {extra}: {}", a.body);
        } else {
            a.assert_limited("重新发送");
        }
    }
}

/// 陈静 linked 蓝海 and sent its super admin (赵磊) the activation SMS; the agreement is
/// accepted on the link. Returns the token.
async fn activation_link(app: &TestApp) -> String {
    let c = app.login("chenjing").await;
    let (status, v) = app.post_json("/api/application", Some(&c), "").await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (status, v) = real_name(app, &c, "陈静", CHEN_ID).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let body = json!({ "uscc": "91440305MA5G3N2R3N" }).to_string();
    let (status, v) = app
        .post_json("/api/application/wechat", Some(&c), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = app
        .post_json("/api/application/super-admin", Some(&c), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let token = link_token(app, "/activate/").await;
    let (_, v) = app.get_json(&format!("/api/activate/{token}"), None).await;
    let body = json!({ "agreement_version": v["agreement"]["version"], "accepted": true });
    let (status, v) = app
        .post_json(
            &format!("/api/activate/{token}/confirm"),
            None,
            &body.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
    token
}

async fn activation_face(app: &TestApp, ip: &str, token: &str, name: &str, id: &str) -> Answer {
    let body = json!({ "identity": { "name": name, "id_number": id } });
    post_from(app, ip, &format!("/api/activate/{token}/face"), None, &body).await
}

#[tokio::test]
async fn an_activation_link_is_no_id_lookup_oracle() {
    let app = TestApp::new().await;
    let token = activation_link(&app).await;
    for n in 0..12 {
        let a = activation_face(&app, IP_A, &token, "赵磊", &stranger_id(n)).await;
        if (n as usize) < CHECKS_PER_LINK {
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "try {n}: {}", a.body);
        } else {
            a.assert_limited("重新发送");
        }
    }
    activation_face(&app, IP_B, &token, "赵磊", ZHAO_ID)
        .await
        .assert_limited("重新发送");
}

#[tokio::test]
async fn face_sessions_started_from_an_activation_link_are_capped() {
    let app = TestApp::new().await;
    let token = activation_link(&app).await;
    for started in 1..=9 {
        let a = activation_face(&app, IP_A, &token, "赵磊", ZHAO_ID).await;
        if started <= FACE_SESSIONS_PER_LINK {
            assert_eq!(a.status, StatusCode::OK, "session {started}: {}", a.body);
        } else {
            a.assert_limited("重新发送");
        }
    }
}

#[tokio::test]
async fn the_applicants_own_face_sessions_are_capped_per_day() {
    let app = TestApp::with_ocr(Arc::new(FixedOcr(xinghe_license()))).await;
    let c = through_license(&app).await;
    through_contact(&app, &c, "13900000001").await;
    for started in 1..=FACE_SESSIONS_PER_MEMBER_PER_DAY + 1 {
        let a = post_from(&app, IP_A, "/api/application/face", Some(&c), &json!({})).await;
        if started <= FACE_SESSIONS_PER_MEMBER_PER_DAY {
            assert_eq!(a.status, StatusCode::OK, "session {started}: {}", a.body);
        } else {
            a.assert_limited("人脸识别");
        }
    }
    app.clock.advance(24 * 3600);
    let a = post_from(&app, IP_A, "/api/application/face", Some(&c), &json!({})).await;
    assert_eq!(a.status, StatusCode::OK, "a new day: {}", a.body);
}

/// Twelve identical POSTs at once, on a multi-threaded runtime; their statuses.
async fn burst(app: &TestApp, path: &str, cookie: &str, body: &str) -> Vec<StatusCode> {
    common::at_once(std::slice::from_ref(&app.router), 12, path, cookie, body).await
}

fn assert_one_of_twelve(statuses: &[StatusCode], what: &str) {
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((ok, limited), (1, 11), "{what}: {statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twelve_code_sends_at_once_send_one_code() {
    let app = TestApp::with_ocr(Arc::new(FixedOcr(xinghe_license()))).await;
    let c = through_license(&app).await;
    for round in 0..3 {
        let body = json!({ "phone": "13900000001" }).to_string();
        let statuses = burst(&app, "/api/application/contact/code", &c, &body).await;
        assert_one_of_twelve(&statuses, &format!("round {round}"));
        app.clock.advance(61);
    }
    let sms = app
        .outbox()
        .await
        .into_iter()
        .filter(|m| m["channel"] == "sms")
        .count();
    assert_eq!(sms, 3, "one code per round");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twelve_legal_rep_sms_at_once_send_one() {
    let (app, c) = zhang_at_authorize().await;
    let before = app.outbox().await.len();
    for round in 0..3 {
        let body = json!({ "phone": "13900000001" }).to_string();
        let statuses = burst(&app, "/api/application/legal-rep", &c, &body).await;
        assert_one_of_twelve(&statuses, &format!("round {round}"));
        app.clock.advance(61);
    }
    assert_eq!(app.outbox().await.len() - before, 3, "one SMS per round");
    let (pending,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM sms_links WHERE status = 'pending'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    assert_eq!(pending, 1, "one live link");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twelve_super_admin_sms_at_once_send_one() {
    let app = TestApp::new().await;
    let c = app.login("chenjing").await;
    app.post_json("/api/application", Some(&c), "").await;
    real_name(&app, &c, "陈静", CHEN_ID).await;
    let body = json!({ "uscc": "91440305MA5G3N2R3N" }).to_string();
    let (status, v) = app
        .post_json("/api/application/wechat", Some(&c), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    for round in 0..3 {
        let statuses = burst(&app, "/api/application/super-admin", &c, "").await;
        assert_one_of_twelve(&statuses, &format!("round {round}"));
        app.clock.advance(61);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twelve_admin_notifications_at_once_notify_once() {
    let app = TestApp::new().await;
    let lina = app.login("lina").await;
    for round in 0..3 {
        let statuses = burst(&app, "/api/notify-admins", &lina, "").await;
        assert_one_of_twelve(&statuses, &format!("round {round}"));
        app.clock.advance(601);
    }
}

/// `n` more attempts of `scope` under the key the last recorded one used: other people behind
/// the same address did the same today.
async fn same_key_did_more(app: &TestApp, scope: &str, n: i64) {
    let (key, at): (String, i64) =
        sqlx::query_as("SELECT key, at FROM attempts WHERE scope = $1 ORDER BY at DESC LIMIT 1")
            .bind(scope)
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    for i in 0..n {
        sqlx::query("INSERT INTO attempts (id, scope, key, at) VALUES ($1, $2, $3, $4)")
            .bind(format!("earlier-{scope}-{i}"))
            .bind(scope)
            .bind(&key)
            .bind(at)
            .execute(app.db.pool())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn codes_and_sms_links_are_capped_per_address() {
    let (app, c) = zhang_at_authorize().await;
    // Going back to 联系方式 from 超管授权, 张伟 asks for a code from IP_A; other applicants
    // behind that address already used up the rest of its day.
    let code = json!({ "phone": "13900000002" });
    app.clock.advance(61);
    let a = post_from(&app, IP_A, "/api/application/contact/code", Some(&c), &code).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    same_key_did_more(&app, "code.ip", limits::CODES_PER_IP_PER_DAY - 1).await;
    app.clock.advance(61);
    post_from(&app, IP_A, "/api/application/contact/code", Some(&c), &code)
        .await
        .assert_limited("当前网络");
    let a = post_from(&app, IP_B, "/api/application/contact/code", Some(&c), &code).await;
    assert_eq!(a.status, StatusCode::OK, "another address: {}", a.body);

    let sms = json!({ "phone": "13900000001" });
    app.clock.advance(61);
    let a = post_from(&app, IP_A, "/api/application/legal-rep", Some(&c), &sms).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    same_key_did_more(&app, "link_sms.ip", limits::LINK_SMS_PER_IP_PER_DAY - 1).await;
    app.clock.advance(61);
    post_from(&app, IP_A, "/api/application/legal-rep", Some(&c), &sms)
        .await
        .assert_limited("当前网络");
    let a = post_from(&app, IP_B, "/api/application/legal-rep", Some(&c), &sms).await;
    assert_eq!(a.status, StatusCode::OK, "another address: {}", a.body);

    // What the limits keep names no address, phone or ID number in the clear.
    let keys: Vec<(String,)> = sqlx::query_as("SELECT key FROM attempts")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    for (key,) in keys {
        for secret in [IP_A, IP_B, "13900000001", "13900000002"] {
            assert!(!key.contains(secret), "{key}");
        }
    }
}

#[tokio::test]
async fn my_real_name_is_capped_per_address() {
    let app = TestApp::new().await;
    // Accounts are cheaper than addresses: each fails a few times (under its own daily cap of
    // 5 failures) from the same address.
    let users = ["lina", "liuyang", "sunli", "wuhao", "zhengfang"];
    let per_user = limits::REAL_NAME_CHECKS_PER_IP_PER_DAY as usize / users.len();
    assert!(per_user < 5, "each account stays under its own cap");
    let mut n = 0;
    for user in users {
        let c = app.login(user).await;
        for _ in 0..per_user {
            let body = json!({ "name": "王建国", "id_number": stranger_id(n) });
            n += 1;
            let a = post_from(&app, IP_A, "/api/me/real-name", Some(&c), &body).await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{user}: {}", a.body);
        }
    }
    let c = app.login("zhengfang").await;
    let body = json!({ "name": "郑芳", "id_number": "330106199304020862" });
    post_from(&app, IP_A, "/api/me/real-name", Some(&c), &body)
        .await
        .assert_limited("当前网络");
    let a = post_from(&app, IP_B, "/api/me/real-name", Some(&c), &body).await;
    assert_eq!(a.status, StatusCode::OK, "another address: {}", a.body);
}
