//! Short-code links (real-mode.md, "Links in SMS"): `/s/<code>` and the `/s` form open the
//! legal representative's page, the activation page or an invitation; unknown, expired and
//! used codes get their page; wrong tries are limited per address; codes are stored hashed.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, Response, StatusCode};
use common::apply::*;
use common::{body_text, TestApp};
use serde_json::{json, Value};
use server::flow::limits::SHORT_CODE_MISSES_PER_IP_PER_HOUR;

const LANHAI_USCC: &str = "91440305MA5G3N2R3N";
const ZHAO_ID: &str = "31011519800101077X";
const CHEN_ID: &str = "330106199005060485";
const PUBLIC: &str = "https://esign.example.com";

fn from(ip: &str, mut req: Request<Body>) -> Request<Body> {
    let addr = SocketAddr::new(ip.parse().unwrap(), 40_000);
    req.extensions_mut().insert(ConnectInfo(addr));
    req
}

async fn follow(app: &TestApp, ip: &str, code: &str) -> Response<Body> {
    app.send(from(ip, common::get(&format!("/s/{code}"), None)))
        .await
}

fn form_post(code: &str) -> Request<Body> {
    common::browser("POST", "/s")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("code={}", urlencode(code))))
        .unwrap()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            b => format!("%{b:02X}"),
        })
        .collect()
}

async fn typed(app: &TestApp, ip: &str, code: &str) -> Response<Body> {
    app.send(from(ip, form_post(code))).await
}

fn location(res: &Response<Body>) -> &str {
    res.headers()[header::LOCATION].to_str().unwrap()
}

fn no_store(res: &Response<Body>) -> bool {
    res.headers()
        .get(header::CACHE_CONTROL)
        .is_some_and(|v| v == "no-store")
}

/// The short code at the end of the newest SMS link starting with `prefix`.
fn code_in(outbox: &[Value], prefix: &str) -> String {
    link_token(outbox, prefix)
}

/// 陈静 (WeCom admin of 蓝海) linked 蓝海 and sent its super admin the activation SMS.
async fn chen_notified(app: &TestApp) {
    let c = app.login("chenjing").await;
    let (status, v) = app.post_json("/api/application", Some(&c), "").await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (status, v) = real_name(app, &c, "陈静", CHEN_ID).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = link_wechat(app, &c, Some(LANHAI_USCC)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = app
        .post_json("/api/application/super-admin", Some(&c), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

/// 赵磊 activated 蓝海 directly and invited its employees; the invitation SMS links.
async fn zhao_invited(app: &TestApp) -> Vec<String> {
    let z = app.login("zhaolei").await;
    let body = json!({"name": "赵磊", "id_number": ZHAO_ID}).to_string();
    let (status, v) = app.post_json("/api/me/real-name", Some(&z), &body).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, v) = link_wechat(app, &z, None).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (status, v) = app
        .post_json("/api/application/activation", Some(&z), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let token = v["path"].as_str().unwrap()["/activate/".len()..].to_owned();
    let (_, v) = app.get_json(&format!("/api/activate/{token}"), None).await;
    let version = v["agreement"]["version"].as_str().unwrap().to_owned();
    let body = json!({ "agreement_version": version, "accepted": true }).to_string();
    let (status, _) = app
        .post_json(&format!("/api/activate/{token}/confirm"), None, &body)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, v) = app
        .post_json(
            &format!("/api/activate/{token}/face"),
            Some(&z),
            &json!({ "identity": null }).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let biz = biz_of(&v);
    answer(app, &biz, "pass").await;
    let (status, v) = app
        .post_json(
            &format!("/api/activate/{token}/face/result"),
            Some(&z),
            &json!({ "biz_token": biz }).to_string(),
        )
        .await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true))
    );
    let (status, v) = app
        .post_json("/api/enterprise/invitations", Some(&z), "")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    app.outbox()
        .await
        .iter()
        .filter_map(|m| m["link"].as_str())
        .filter_map(|l| l.strip_prefix("/s/"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn a_real_mode_sms_carries_s_and_the_code_and_it_opens_the_legal_rep_page() {
    let app = TestApp::with_settings(true, |s| s.public_url = Some(PUBLIC.to_owned())).await;
    let c = through_license_as(&app, "zhangwei", "张伟", "440305198806231534").await;
    through_contact(&app, &c, "13900000002").await;
    let body = json!({ "phone": "13900000001" }).to_string();
    let (status, v) = app
        .post_json("/api/application/legal-rep", Some(&c), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let code = code_in(&app.outbox().await, &format!("{PUBLIC}/s/"));
    assert_eq!(code.len(), server::crypto::SHORT_CODE_LEN);
    assert!(code.bytes().all(|b| b.is_ascii_alphanumeric()));

    let res = follow(&app, "203.0.113.1", &code).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), format!("/legal-rep/{code}"));
    assert!(no_store(&res));
    // The page it opens takes the same code.
    let (status, v) = app.get_json(&format!("/api/legal-rep/{code}"), None).await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn each_kind_of_code_opens_its_page_in_local_mode_too() {
    let app = TestApp::new().await;
    let (_, legal) = zhang_asked_the_legal_rep(&app).await;
    let res = follow(&app, "203.0.113.1", &legal).await;
    assert_eq!(
        (res.status(), location(&res)),
        (StatusCode::FOUND, format!("/legal-rep/{legal}").as_str())
    );

    chen_notified(&app).await;
    let activation = code_in(&app.outbox().await, "/activate/");
    assert_eq!(activation.len(), server::crypto::SHORT_CODE_LEN);
    let res = follow(&app, "203.0.113.1", &activation).await;
    assert_eq!(
        (res.status(), location(&res)),
        (
            StatusCode::FOUND,
            format!("/activate/{activation}").as_str()
        )
    );

    // Typed into the form, with the spaces a paste brings: 303 to the same page.
    let res = typed(&app, "203.0.113.1", &format!("  {legal} \n")).await;
    assert_eq!(
        (res.status(), location(&res)),
        (
            StatusCode::SEE_OTHER,
            format!("/legal-rep/{legal}").as_str()
        )
    );
}

#[tokio::test]
async fn an_invitation_code_opens_the_app_once() {
    let app = TestApp::new().await;
    let codes = zhao_invited(&app).await;
    assert_eq!(codes.len(), 2, "one code per employee");
    assert_ne!(codes[0], codes[1]);

    let res = follow(&app, "203.0.113.1", &codes[0]).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::FOUND, "/"));
    // Used: a second opening (a forwarded SMS, someone else's phone) is refused.
    let res = follow(&app, "203.0.113.2", &codes[0]).await;
    assert_eq!(res.status(), StatusCode::GONE);
    assert!(body_text(res).await.contains("已使用"));
    // The other employee's code is still theirs.
    let res = typed(&app, "203.0.113.1", &codes[1]).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/"));
}

#[tokio::test]
async fn expired_codes_are_gone() {
    let app = TestApp::new().await;
    let (_, legal) = zhang_asked_the_legal_rep(&app).await;
    let invites = zhao_invited(&app).await;
    app.clock.advance(24 * 3600 + 1);
    for code in [&legal, &invites[0]] {
        let res = follow(&app, "203.0.113.1", code).await;
        assert_eq!(res.status(), StatusCode::GONE, "{code}");
        assert!(no_store(&res));
        let page = body_text(res).await;
        assert!(page.contains("过期"), "{page}");
    }
}

#[tokio::test]
async fn every_unknown_code_gets_the_same_page() {
    let app = TestApp::new().await;
    let (_, legal) = zhang_asked_the_legal_rep(&app).await;
    // Codes are compared case-sensitively: the code with its case swapped is another code.
    let swapped: String = legal
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    let mut pages = Vec::new();
    for code in [
        "AAAAAAAAAAAA",
        "zzzzzzzzzzzz",
        "short",
        "%E4%BD%A0%E5%A5%BD",
        swapped.as_str(),
    ] {
        let res = follow(&app, "203.0.113.1", code).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{code}");
        pages.push(body_text(res).await);
    }
    assert!(pages.windows(2).all(|w| w[0] == w[1]), "one page for all");
    assert!(pages[0].contains("授权码无效"));
    // A typed one comes back in the form, the code kept, the message at the field: the
    // same words for every wrong code.
    let mut forms = Vec::new();
    for code in ["AAAAAAAAAAAA", swapped.as_str()] {
        let res = typed(&app, "203.0.113.1", code).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let form = body_text(res).await;
        assert!(form.contains(&format!("value=\"{code}\"")), "{form}");
        assert!(form.contains("aria-invalid=\"true\""), "{form}");
        forms.push(form.replace(code, ""));
    }
    assert_eq!(forms[0], forms[1]);
    assert!(forms[0].contains("未找到该授权码对应的页面"));
    assert!(forms[0].contains("id=\"code-error\""));
    // What comes back is escaped: the field cannot carry markup into the page.
    let res = typed(&app, "203.0.113.1", "\"><b>x</b>").await;
    let form = body_text(res).await;
    assert!(
        !form.contains("<b>x</b>") && form.contains("&quot;&gt;&lt;b&gt;"),
        "{form}"
    );
}

#[tokio::test]
async fn the_form_asks_for_the_code() {
    // Real mode: the form posts from the public origin.
    let app = TestApp::with_settings(false, |s| {
        s.allowed_origins = vec![common::ORIGIN.to_owned()];
    })
    .await;
    let res = app.send(common::get("/s", None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(no_store(&res));
    let page = body_text(res).await;
    assert!(
        page.contains("授权码") && page.contains("action=\"/s\""),
        "{page}"
    );
    // Its styles are this site's own file (the CSP allows no inline style in real mode).
    assert!(!page.contains("<style"));
    let res = app.send(common::get("/s/style.css", None)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert_eq!(body_text(res).await, server::http::short_links::STYLE);

    let res = typed(&app, "203.0.113.1", "   ").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(body_text(res).await.contains("请输入授权码"));
}

#[tokio::test]
async fn attack_another_site_cannot_post_codes_in_a_visitors_name() {
    let app = TestApp::new().await;
    let req = Request::post("/s")
        .header(header::HOST, common::HOST)
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("code=AAAAAAAAAAAA"))
        .unwrap();
    let res = app.send(from("203.0.113.9", req)).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn attack_guessing_codes_from_one_address_is_stopped_and_others_are_unaffected() {
    let app = TestApp::new().await;
    let (_, legal) = zhang_asked_the_legal_rep(&app).await;
    let attacker = "198.51.100.7";
    // Codes that open something do not use up the room: a person may open theirs again.
    for _ in 0..SHORT_CODE_MISSES_PER_IP_PER_HOUR + 2 {
        assert_eq!(
            follow(&app, attacker, &legal).await.status(),
            StatusCode::FOUND
        );
    }
    for n in 0..SHORT_CODE_MISSES_PER_IP_PER_HOUR {
        let guess = format!("Guess{n:07}");
        let res = if n % 2 == 0 {
            follow(&app, attacker, &guess).await
        } else {
            typed(&app, attacker, &guess).await
        };
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "try {n}");
    }
    // The next try is refused before any lookup, even with the right code.
    for res in [
        follow(&app, attacker, "GuessAgain00").await,
        follow(&app, attacker, &legal).await,
        typed(&app, attacker, &legal).await,
    ] {
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = res.headers()[header::RETRY_AFTER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(wait > 0 && wait <= 3600, "{wait}");
        let page = body_text(res).await;
        assert!(page.contains("授权码错误次数过多"), "{page}");
    }
    // Another address is not affected.
    let res = follow(&app, "203.0.113.50", &legal).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let res = follow(&app, "203.0.113.50", "GuessOther00").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // An hour later the attacker's address has room again.
    app.clock.advance(3600);
    assert_eq!(
        follow(&app, attacker, &legal).await.status(),
        StatusCode::FOUND
    );
}

#[tokio::test]
async fn a_code_is_never_stored_in_clear() {
    let app = TestApp::new().await;
    let (_, legal) = zhang_asked_the_legal_rep(&app).await;
    let invites = zhao_invited(&app).await;
    let hash = |c: &str| server::storage::token_hash(c);
    for (table, column, code) in [
        ("sms_links", "token_hash", &legal),
        ("invitations", "code_hash", &invites[0]),
    ] {
        let count = |value: String| {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
            let db = app.db.clone();
            async move {
                let (n,): (i64,) = sqlx::query_as(&sql)
                    .bind(value)
                    .fetch_one(db.pool())
                    .await
                    .unwrap();
                n
            }
        };
        assert_eq!(count(code.clone()).await, 0, "{table}: the code itself");
        assert_eq!(count(hash(code)).await, 1, "{table}: its hash");
    }
    // Nowhere in the database's files either (SQLite: the file and its write-ahead log),
    // once the local outbox, which shows the SMS as sent, is emptied.
    if common::postgres_server().is_none() {
        for sql in [
            "DELETE FROM outbox",
            "PRAGMA wal_checkpoint(TRUNCATE)",
            "VACUUM",
            "PRAGMA wal_checkpoint(TRUNCATE)",
        ] {
            sqlx::query(sql).execute(app.db.pool()).await.unwrap();
        }
        let file = app
            .db_url
            .strip_prefix("sqlite://")
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        let mut bytes = std::fs::read(&file).unwrap();
        bytes.extend(std::fs::read(format!("{file}-wal")).unwrap_or_default());
        for code in std::iter::once(&legal).chain(&invites) {
            assert!(
                !bytes.windows(code.len()).any(|w| w == code.as_bytes()),
                "{code} in the database file"
            );
        }
    }
    // And the codes were live ones.
    assert_eq!(
        follow(&app, "203.0.113.1", &invites[1]).await.status(),
        StatusCode::FOUND
    );
}
