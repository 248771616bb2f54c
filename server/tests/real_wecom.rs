//! Real WeCom (a third-party suite) against its contract fake: install callbacks, OAuth
//! sign-in, admins, messages and JS-SDK signatures, and the attacks on each.

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use common::{body_text, json_of, TestApp};
use fakes::wecom::{Config, Fake, Push};
use server::clock::ManualClock;
use server::config::real::{load, Modes, Source};
use server::config::ProviderMode;
use server::crypto::Vault;
use server::http::{AppState, Settings};
use server::imaging::ImagePool;
use server::providers::wecom::AppMessage;
use server::providers::Providers;
use server::storage::Db;
use tower::ServiceExt;

const PUBLIC: &str = common::ORIGIN;
const PROVIDER_CORP: &str = "wwproviderfake01";

struct Real {
    router: Router,
    db: Db,
    state: AppState,
    clock: ManualClock,
    fake: Fake,
    /// The fake's base URL.
    base: String,
    _dir: std::path::PathBuf,
}

async fn serve(fake: &Fake) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = fake.router();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

impl Real {
    async fn new() -> Self {
        Self::with(Config::example()).await
    }

    async fn with(config: Config) -> Self {
        let fake = Fake::new(config);
        let base = serve(&fake).await;
        let c = fake.config().clone();
        let dir = std::env::temp_dir().join(format!(
            "esign-real-wecom-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(dir.join("dist")).unwrap();
        std::fs::write(
            dir.join("dist/index.html"),
            "<!DOCTYPE html><title>app</title>",
        )
        .unwrap();
        let db = common::fresh_db(&dir).await;
        let clock = ManualClock::at(chrono::Utc::now().timestamp());
        let vault = Vault::from_master(&[7; 32]);
        let modes = Modes {
            wecom: ProviderMode::Real,
            ..Modes::all(ProviderMode::Local)
        };
        let real = load(
            &Source::from_pairs([
                ("ESIGN_PUBLIC_URL", PUBLIC),
                ("ESIGN_WECOM_SUITE_ID", c.suite_id.as_str()),
                ("ESIGN_WECOM_SUITE_SECRET", c.suite_secret.as_str()),
                ("ESIGN_WECOM_CALLBACK_TOKEN", c.callback_token.as_str()),
                ("ESIGN_WECOM_CALLBACK_AES_KEY", c.callback_aes_key.as_str()),
                ("ESIGN_WECOM_PROVIDER_CORPID", PROVIDER_CORP),
                ("ESIGN_WECOM_API_BASE", base.as_str()),
                ("ESIGN_WECOM_OAUTH_BASE", base.as_str()),
            ]),
            modes,
        )
        .unwrap();
        let providers = Providers::new(
            &real,
            db.clone(),
            &vault,
            Arc::new(clock.clone()),
            &dir.join("no-models"),
        )
        .unwrap();
        let state = AppState {
            db: db.clone(),
            providers,
            clock: Arc::new(clock.clone()),
            vault,
            images: ImagePool::for_this_machine(),
            settings: Arc::new(Settings {
                local_mode: false,
                cookie_secure: false,
                trusted_proxy: false,
                static_dir: dir.join("dist"),
                data_dir: dir.clone(),
                allowed_origins: vec![PUBLIC.to_owned()],
                public_url: Some(PUBLIC.to_owned()),
                wecom_sdk: true,
                frame_ancestors: "'self'".to_owned(),
                event_heartbeat: server::events::HEARTBEAT,
            }),
        };
        Self {
            router: server::http::router(state.clone()),
            db,
            state,
            clock,
            fake,
            base,
            _dir: dir,
        }
    }

    async fn send(&self, req: Request<Body>) -> Response<Body> {
        self.router.clone().oneshot(req).await.unwrap()
    }

    async fn push(&self, kind: Push) -> (StatusCode, String) {
        let cb = self.fake.callback(kind);
        self.post_callback(&cb.query, &cb.body).await
    }

    async fn post_callback(&self, query: &str, body: &str) -> (StatusCode, String) {
        let res = self
            .send(
                Request::post(format!("/wecom/callback?{query}"))
                    .header(header::CONTENT_TYPE, "text/xml")
                    .body(Body::from(body.to_owned()))
                    .unwrap(),
            )
            .await;
        let status = res.status();
        (status, body_text(res).await)
    }

    /// suite_ticket, then create_auth.
    async fn installed(config: Config) -> Self {
        let app = Self::with(config).await;
        assert_eq!(
            app.push(Push::SuiteTicket).await,
            (StatusCode::OK, "success".to_owned())
        );
        assert_eq!(
            app.push(Push::CreateAuth).await,
            (StatusCode::OK, "success".to_owned())
        );
        app
    }

    async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.db.pool())
            .await
            .unwrap()
    }

    /// `/auth/wecom/login`: the authorize URL and the browser cookie.
    async fn login(&self, next: &str) -> (String, String) {
        let res = self
            .send(common::get(&format!("/auth/wecom/login?next={next}"), None))
            .await;
        assert_eq!(res.status(), StatusCode::FOUND);
        let location = res.headers()[header::LOCATION].to_str().unwrap().to_owned();
        let cookie = set_cookie(&res, "esign_oauth").expect("the state cookie");
        (location, cookie)
    }

    /// The person picks `userid` on the fake's authorize page: the callback URL WeCom sends
    /// the browser to.
    async fn authorize(&self, location: &str, userid: &str) -> String {
        let url = location.split('#').next().unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = http.get(url).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(html.contains("测试替身"), "the fake says what it is");
        let href = html
            .split("href=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().replace("&amp;", "&"))
            .find(|h| h.contains(&format!("user={userid}&")))
            .expect("a button for the user");
        let chosen = http
            .get(format!("{}{href}", self.base))
            .send()
            .await
            .unwrap();
        assert!(chosen.status().is_redirection());
        chosen.headers()["location"].to_str().unwrap().to_owned()
    }

    /// WeCom's redirect arriving at this server (path and query of `url`), from `cookie`'s
    /// browser.
    async fn callback(&self, url: &str, cookie: Option<&str>) -> Response<Body> {
        let path = url
            .strip_prefix(PUBLIC)
            .expect("redirect_uri on the public URL");
        self.send(common::get(path, cookie)).await
    }

    /// The whole sign-in as `userid`: the session cookie.
    async fn sign_in(&self, userid: &str) -> String {
        let (location, browser) = self.login("/apply").await;
        let back = self.authorize(&location, userid).await;
        let res = self.callback(&back, Some(&browser)).await;
        assert_eq!(res.status(), StatusCode::FOUND, "signed in");
        assert_eq!(res.headers()[header::LOCATION], "/apply");
        set_cookie(&res, "esign_sid").expect("a session")
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::SeqCst)
}

fn set_cookie(res: &Response<Body>, name: &str) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with(&format!("{name}=")) && c.len() > name.len() + 1)
}

fn query_param(url: &str, name: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

#[tokio::test]
async fn url_verification_answers_the_decrypted_echostr() {
    let app = Real::new().await;
    let suite = app.fake.config().suite_id.clone();
    for receiver in [suite.as_str(), PROVIDER_CORP] {
        let q = app.fake.url_verification("1616140317555161061", receiver);
        let res = app
            .send(common::get(&format!("/wecom/callback?{q}"), None))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(body_text(res).await, "1616140317555161061");
    }
    // Another receiver, or a signature that does not match.
    let q = app.fake.url_verification("1", "wwsomeoneelse");
    let res = app
        .send(common::get(&format!("/wecom/callback?{q}"), None))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let q = app.fake.url_verification("1", &suite);
    let tampered = q.replacen("msg_signature=", "msg_signature=0", 1);
    let res = app
        .send(common::get(&format!("/wecom/callback?{tampered}"), None))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.send(common::get("/wecom/callback", None)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn create_auth_stores_the_corp_with_its_permanent_code_sealed() {
    let app = Real::installed(Config::example()).await;
    let c = app.fake.config().clone();
    let corp = app.db.corp(&c.corp_id).await.unwrap().expect("the corp");
    assert_eq!(corp.name, c.corp_name);
    assert_eq!(corp.auth_mode, api::wire::AuthMode::Admin);
    let (agentid, raw): (i64, String) = sqlx::query_as(
        "SELECT agentid, permanent_code_sealed FROM wecom_installs WHERE corp_id = $1",
    )
    .bind(&c.corp_id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(agentid, c.agentid);
    let code = app.fake.permanent_code().unwrap();
    assert!(
        !raw.contains(&code),
        "the permanent code is not stored in the clear"
    );
    assert_eq!(app.state.vault.open(&raw).unwrap(), code);
    // The ticket and the tokens are sealed too.
    let ticket: String = sqlx::query_scalar("SELECT ticket_sealed FROM wecom_suite_tickets")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert!(app.state.vault.open(&ticket).is_ok());
    let tokens: Vec<String> = sqlx::query_scalar("SELECT sealed FROM wecom_tokens")
        .fetch_all(app.db.pool())
        .await
        .unwrap();
    assert!(!tokens.is_empty());
    for t in tokens {
        assert!(app.state.vault.open(&t).unwrap().starts_with("suite-"));
        assert!(!t.starts_with("suite-"));
    }
}

#[tokio::test]
async fn a_replayed_create_auth_changes_nothing() {
    let app = Real::new().await;
    app.push(Push::SuiteTicket).await;
    let cb = app.fake.callback(Push::CreateAuth);
    assert_eq!(
        app.post_callback(&cb.query, &cb.body).await.0,
        StatusCode::OK
    );
    let sealed = || async {
        sqlx::query_scalar::<_, String>("SELECT permanent_code_sealed FROM wecom_installs")
            .fetch_one(app.db.pool())
            .await
            .unwrap()
    };
    let first = sealed().await;
    // Its AuthCode is spent at WeCom: refused, 4xx, the install as it was.
    let (status, _) = app.post_callback(&cb.query, &cb.body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(sealed().await, first);
}

#[tokio::test]
async fn a_bad_signature_or_body_stores_nothing_and_answers_4xx() {
    let app = Real::new().await;
    let c = app.fake.config().clone();
    let cb = app.fake.callback(Push::SuiteTicket);
    let bad = cb.query.replacen("msg_signature=", "msg_signature=ff", 1);
    assert_eq!(
        app.post_callback(&bad, &cb.body).await.0,
        StatusCode::FORBIDDEN
    );
    // Another nonce than the one signed.
    let bad = format!("{}x", cb.query);
    assert_eq!(
        app.post_callback(&bad, &cb.body).await.0,
        StatusCode::FORBIDDEN
    );
    // Signed properly, but not encrypted with the suite's key.
    let garbage = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let sig = fakes::wecom::signature(&c.callback_token, "1700000000", "n", garbage);
    let body = format!("<xml><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>");
    let q = format!("msg_signature={sig}&timestamp=1700000000&nonce=n");
    assert_eq!(
        app.post_callback(&q, &body).await.0,
        StatusCode::BAD_REQUEST
    );
    // Encrypted for another receiver.
    let enc = fakes::wecom::encrypt(
        &c.callback_aes_key,
        "<xml><InfoType>suite_ticket</InfoType><SuiteTicket>t</SuiteTicket></xml>",
        "wwother",
    );
    let sig = fakes::wecom::signature(&c.callback_token, "1700000000", "n", &enc);
    let body = format!("<xml><Encrypt><![CDATA[{enc}]]></Encrypt></xml>");
    let q = format!("msg_signature={sig}&timestamp=1700000000&nonce=n");
    assert_eq!(
        app.post_callback(&q, &body).await.0,
        StatusCode::BAD_REQUEST
    );
    // Not XML, and an XML with entities.
    assert_eq!(
        app.post_callback(&cb.query, "garbage").await.0,
        StatusCode::BAD_REQUEST
    );
    let dtd = "<!DOCTYPE x [<!ENTITY e \"y\">]><xml><Encrypt>&e;</Encrypt></xml>";
    assert_eq!(
        app.post_callback(&cb.query, dtd).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(app.count("wecom_suite_tickets").await, 0);
    assert_eq!(app.count("wecom_installs").await, 0);
    // The genuine one still works.
    assert_eq!(
        app.post_callback(&cb.query, &cb.body).await.0,
        StatusCode::OK
    );
    assert_eq!(app.count("wecom_suite_tickets").await, 1);
}

#[tokio::test]
async fn oauth_sign_in_end_to_end() {
    let app = Real::installed(Config::example()).await;
    let c = app.fake.config().clone();
    let (location, browser) = app.login("/apply").await;
    let base = format!("{}/connect/oauth2/authorize?", app.base);
    assert!(location.starts_with(&base), "{location}");
    assert!(location.ends_with("#wechat_redirect"));
    let url = location.split('#').next().unwrap();
    assert_eq!(query_param(url, "appid"), c.suite_id);
    assert_eq!(
        query_param(url, "redirect_uri"),
        format!("{PUBLIC}/auth/wecom/callback")
    );
    assert_eq!(query_param(url, "scope"), "snsapi_base");
    assert_eq!(query_param(url, "response_type"), "code");
    assert!(browser.starts_with("esign_oauth="));

    let back = app.authorize(&location, "zhangsan").await;
    let res = app.callback(&back, Some(&browser)).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[header::LOCATION], "/apply");
    let raw = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("esign_sid="))
        .unwrap();
    assert!(
        raw.contains("HttpOnly") && raw.contains("SameSite=Lax") && raw.contains("Max-Age=2592000"),
        "{raw}"
    );
    let session = raw.split(';').next().unwrap().to_owned();
    let (status, v) = json_of(app.send(common::get("/api/session", Some(&session))).await).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["user"]["id"], format!("{}/zhangsan", c.corp_id));
    assert_eq!(v["user"]["name"], "成员 zh***an");
    assert_eq!(v["user"]["is_wecom_admin"], true);
    assert_eq!(v["corp"]["id"], c.corp_id);

    // An ordinary member is no admin.
    let lisi = app.sign_in("lisi").await;
    let (_, v) = json_of(app.send(common::get("/api/session", Some(&lisi))).await).await;
    assert_eq!(v["user"]["is_wecom_admin"], false);

    // `next` off this server falls back to `/`.
    let (location, browser) = app.login("https://evil.example/").await;
    let back = app.authorize(&location, "lisi").await;
    let res = app.callback(&back, Some(&browser)).await;
    assert_eq!(res.headers()[header::LOCATION], "/");
}

async fn refused(res: Response<Body>, status: StatusCode, says: &str) {
    assert_eq!(res.status(), status);
    assert!(set_cookie(&res, "esign_sid").is_none(), "no session");
    let html = body_text(res).await;
    assert!(html.contains(says), "{html}");
}

#[tokio::test]
async fn a_reused_code_or_state_gets_a_page_and_no_session() {
    let app = Real::installed(Config::example()).await;
    let (location, browser) = app.login("/").await;
    let back = app.authorize(&location, "zhangsan").await;
    assert_eq!(
        app.callback(&back, Some(&browser)).await.status(),
        StatusCode::FOUND
    );
    // The same callback again: the state is spent.
    refused(
        app.callback(&back, Some(&browser)).await,
        StatusCode::BAD_REQUEST,
        "已使用或已过期",
    )
    .await;

    // The spent code with a fresh state.
    let code = query_param(&back, "code");
    let (location2, browser2) = app.login("/").await;
    let state2 = query_param(location2.split('#').next().unwrap(), "state");
    let replay = format!("{PUBLIC}/auth/wecom/callback?code={code}&state={state2}");
    refused(
        app.callback(&replay, Some(&browser2)).await,
        StatusCode::BAD_REQUEST,
        "登录凭证无效",
    )
    .await;

    // A made-up state; no state; no code.
    let made_up = format!("{PUBLIC}/auth/wecom/callback?code=abc&state=0123456789abcdef");
    refused(
        app.callback(&made_up, Some(&browser)).await,
        StatusCode::BAD_REQUEST,
        "已使用或已过期",
    )
    .await;
    let none = format!("{PUBLIC}/auth/wecom/callback?code=abc");
    refused(
        app.callback(&none, Some(&browser)).await,
        StatusCode::BAD_REQUEST,
        "重新打开",
    )
    .await;
}

#[tokio::test]
async fn a_state_works_only_in_the_browser_it_was_given_to() {
    let app = Real::installed(Config::example()).await;
    let (victim_location, _victim_browser) = app.login("/").await;
    let (_, attacker_browser) = app.login("/").await;
    let back = app.authorize(&victim_location, "zhangsan").await;
    refused(
        app.callback(&back, Some(&attacker_browser)).await,
        StatusCode::BAD_REQUEST,
        "不是从当前浏览器发起",
    )
    .await;
    // Without any cookie, and then even with the right one: the state went with the first try.
    let (location, browser) = app.login("/").await;
    let back = app.authorize(&location, "zhangsan").await;
    refused(
        app.callback(&back, None).await,
        StatusCode::BAD_REQUEST,
        "不是从当前浏览器发起",
    )
    .await;
    refused(
        app.callback(&back, Some(&browser)).await,
        StatusCode::BAD_REQUEST,
        "已使用或已过期",
    )
    .await;
}

#[tokio::test]
async fn a_state_expires_after_ten_minutes() {
    let app = Real::installed(Config::example()).await;
    let (location, browser) = app.login("/").await;
    let back = app.authorize(&location, "zhangsan").await;
    app.clock.advance(601);
    refused(
        app.callback(&back, Some(&browser)).await,
        StatusCode::BAD_REQUEST,
        "已使用或已过期",
    )
    .await;
}

#[tokio::test]
async fn someone_outside_the_corp_is_refused() {
    let app = Real::installed(Config::example()).await;
    let (location, browser) = app.login("/").await;
    let back = app.authorize(&location, "").await;
    refused(
        app.callback(&back, Some(&browser)).await,
        StatusCode::FORBIDDEN,
        "不是已安装",
    )
    .await;
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test]
async fn a_member_of_a_corp_without_the_app_is_refused() {
    // The ticket is there, but create_auth never came.
    let app = Real::new().await;
    app.push(Push::SuiteTicket).await;
    let (location, browser) = app.login("/").await;
    let back = app.authorize(&location, "zhangsan").await;
    refused(
        app.callback(&back, Some(&browser)).await,
        StatusCode::FORBIDDEN,
        "尚未安装",
    )
    .await;
}

#[tokio::test]
async fn cancel_auth_ends_the_corps_sessions_and_sign_ins() {
    let app = Real::installed(Config::example()).await;
    let session = app.sign_in("lisi").await;
    let (status, _) = json_of(app.send(common::get("/api/session", Some(&session))).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.push(Push::CancelAuth).await.0, StatusCode::OK);
    let (status, _) = json_of(app.send(common::get("/api/session", Some(&session))).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (location, browser) = app.login("/").await;
    let back = app.authorize(&location, "lisi").await;
    refused(
        app.callback(&back, Some(&browser)).await,
        StatusCode::FORBIDDEN,
        "已取消授权",
    )
    .await;
    // Messages to the corp stop too, without a call to WeCom.
    let sent = app
        .state
        .providers
        .wecom
        .send(
            &app.fake.config().corp_id,
            "zhangsan",
            &AppMessage {
                text: "x".into(),
                link: None,
            },
        )
        .await;
    assert!(sent.is_err());
    // A reinstall opens it again.
    assert_eq!(app.push(Push::CreateAuth).await.0, StatusCode::OK);
    app.sign_in("lisi").await;
}

#[tokio::test]
async fn an_expired_corp_token_is_fetched_again_once_and_the_notice_still_goes_out() {
    let app = Real::installed(Config::example()).await;
    let lisi = app.sign_in("lisi").await;
    let before = app.fake.stats();
    app.fake.expire_tokens();
    let (status, v) = json_of(
        app.send(common::post("/api/notify-admins", Some(&lisi), "{}"))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["notified"], 1);
    let messages = app.fake.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m["touser"], "zhangsan");
    assert_eq!(m["msgtype"], "textcard");
    assert_eq!(m["agentid"], app.fake.config().agentid);
    assert_eq!(m["enable_id_trans"], 1);
    assert_eq!(m["textcard"]["url"], format!("{PUBLIC}/"));
    // The refused calls were each tried once more with a fresh token, no more.
    let after = app.fake.stats();
    assert!(after.rejected > before.rejected);
    assert!(
        after.rejected - before.rejected <= 3,
        "{before:?} → {after:?}"
    );
}

#[tokio::test]
async fn member_authorized_installs_have_no_admin_list() {
    let app = Real::installed(Config {
        auth_mode: 1,
        ..Config::example()
    })
    .await;
    let c = app.fake.config().clone();
    assert_eq!(
        app.db.corp(&c.corp_id).await.unwrap().unwrap().auth_mode,
        api::wire::AuthMode::Member
    );
    let zhangsan = app.sign_in("zhangsan").await;
    let (_, v) = json_of(app.send(common::get("/api/session", Some(&zhangsan))).await).await;
    assert_eq!(
        v["user"]["is_wecom_admin"], false,
        "no list: everyone is a member"
    );
    assert_eq!(v["corp"]["auth_mode"], "member");
    assert_eq!(
        app.state.providers.wecom.admins(&c.corp_id).await.unwrap(),
        server::providers::wecom::Admins::NoList
    );

    // The admin switches to 管理员授权: change_auth brings the list.
    app.fake.set_auth_mode(0);
    assert_eq!(app.push(Push::ChangeAuth).await.0, StatusCode::OK);
    assert_eq!(
        app.db.corp(&c.corp_id).await.unwrap().unwrap().auth_mode,
        api::wire::AuthMode::Admin
    );
    assert_eq!(
        app.state.providers.wecom.admins(&c.corp_id).await.unwrap(),
        server::providers::wecom::Admins::Listed(vec!["zhangsan".to_owned()])
    );
}

#[tokio::test]
async fn message_send_reports_invalid_users() {
    let app = Real::installed(Config::example()).await;
    let corp = app.fake.config().corp_id.clone();
    let wecom = &app.state.providers.wecom;
    let text = AppMessage {
        text: "审核结果已出".into(),
        link: None,
    };
    let d = wecom.send(&corp, "nobody", &text).await.unwrap();
    assert_eq!(d.invalid_users, vec!["nobody".to_owned()]);
    let d = wecom.send(&corp, "lisi|nobody", &text).await.unwrap();
    assert_eq!(d.invalid_users, vec!["nobody".to_owned()]);
    let d = wecom.send(&corp, "lisi", &text).await.unwrap();
    assert!(d.invalid_users.is_empty());
    let m = app.fake.messages();
    assert_eq!(m.len(), 2);
    // A send refused for an expired token goes again once, with a fresh one: one message.
    app.fake.expire_tokens();
    let d = wecom.send(&corp, "lisi", &text).await.unwrap();
    assert!(d.invalid_users.is_empty());
    assert_eq!(app.fake.messages().len(), 3);
    assert_eq!(m[1]["msgtype"], "text");
    assert_eq!(m[1]["text"]["content"], "审核结果已出");
}

#[tokio::test]
async fn the_jssdk_signatures_check_out_with_the_fakes_tickets() {
    let app = Real::installed(Config::example()).await;
    let c = app.fake.config().clone();
    let session = app.sign_in("lisi").await;
    let page = format!("{PUBLIC}/apply?step=1");
    let path = format!(
        "/api/wecom/jssdk?url={}",
        url::form_urlencoded::byte_serialize(format!("{page}#top").as_bytes()).collect::<String>()
    );
    let (status, v) = json_of(app.send(common::get(&path, Some(&session))).await).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (corp_ticket, agent_ticket) = app.fake.js_tickets();
    let corp = &v["corp"];
    assert_eq!(corp["appId"], c.corp_id);
    assert_eq!(
        corp["signature"],
        fakes::wecom::jssdk_signature(
            &corp_ticket,
            corp["nonceStr"].as_str().unwrap(),
            corp["timestamp"].as_i64().unwrap(),
            &page
        )
    );
    let agent = &v["agent"];
    assert_eq!(agent["corpid"], c.corp_id);
    assert_eq!(agent["agentid"], c.agentid);
    assert_eq!(
        agent["signature"],
        fakes::wecom::jssdk_signature(
            &agent_ticket,
            agent["nonceStr"].as_str().unwrap(),
            agent["timestamp"].as_i64().unwrap(),
            &page
        )
    );
    // Tickets are cached: a second page asks WeCom nothing.
    let calls = app.fake.stats().calls;
    let (status, _) = json_of(app.send(common::get(&path, Some(&session))).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.fake.stats().calls, calls);
    // Another site's page is not signed; nor is anything without a session.
    let other = "/api/wecom/jssdk?url=https%3A%2F%2Fevil.example%2Fapply";
    let (status, v) = json_of(app.send(common::get(other, Some(&session))).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        common::code(&v),
        v["error"]["code"].as_str().unwrap_or("<none>")
    );
    let (status, _) = json_of(app.send(common::get(&path, None)).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

fn in_wecom(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = common::browser("GET", path)
        .header(
            header::USER_AGENT,
            "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 wxwork/4.1.22 MicroMessenger/7.0.1",
        )
        .header(header::ACCEPT, "text/html,application/xhtml+xml");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn inside_wecom_a_page_without_a_session_goes_through_sign_in() {
    let app = Real::installed(Config::example()).await;
    let res = app.send(in_wecom("/apply/license?x=1", None)).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(
        res.headers()[header::LOCATION],
        "/auth/wecom/login?next=%2Fapply%2Flicense%3Fx%3D1"
    );
    // With a session, outside WeCom, SMS-link pages and assets: the app itself.
    let session = app.sign_in("lisi").await;
    assert_eq!(
        app.send(in_wecom("/apply/license", Some(&session)))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.send(common::get("/apply/license", None)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.send(in_wecom("/legal-rep/abc", None)).await.status(),
        StatusCode::OK
    );
    assert_ne!(
        app.send(in_wecom("/app-0123456789abcdef.js", None))
            .await
            .status(),
        StatusCode::FOUND
    );
    // The full round trip lands on the page asked for.
    let (location, browser) = app.login("%2Fapply%2Flicense").await;
    let back = app.authorize(&location, "lisi").await;
    let res = app.callback(&back, Some(&browser)).await;
    assert_eq!(res.headers()[header::LOCATION], "/apply/license");
}

#[tokio::test]
async fn local_wecom_has_no_callback_or_oauth() {
    let app = common::TestApp::new().await;
    for path in [
        "/wecom/callback?msg_signature=a&timestamp=1&nonce=n&echostr=e",
        "/auth/wecom/login",
    ] {
        let res = app.send(common::get(path, None)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn the_fake_pushes_callbacks_over_http_too() {
    // What the end-to-end suite does: the fake POSTs to a running server.
    let app = Real::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let server = format!("http://{addr}");
    assert_eq!(
        app.fake
            .push_callback(&server, Push::SuiteTicket)
            .await
            .unwrap(),
        (200, "success".to_owned())
    );
    assert_eq!(
        app.fake
            .push_callback(&server, Push::CreateAuth)
            .await
            .unwrap(),
        (200, "success".to_owned())
    );
    assert_eq!(app.count("wecom_installs").await, 1);
}

#[tokio::test]
async fn a_send_is_never_repeated_on_a_5xx_but_a_read_is() {
    let app = Real::installed(Config::example()).await;
    let corp = app.fake.config().corp_id.clone();
    let wecom = &app.state.providers.wecom;
    let text = AppMessage {
        text: "x".into(),
        link: None,
    };
    // Warm the corp token, so that only message/send is counted below.
    wecom.admins(&corp).await.unwrap();
    app.fake.fail_next("/cgi-bin/message/send", 502, 1);
    let before = app.fake.calls_to("/cgi-bin/message/send");
    let sent = wecom.send(&corp, "lisi", &text).await;
    assert!(
        matches!(
            sent,
            Err(server::providers::ProviderError::Unavailable { .. })
        ),
        "{sent:?}"
    );
    assert_eq!(
        app.fake.calls_to("/cgi-bin/message/send") - before,
        1,
        "sent once"
    );
    assert!(app.fake.messages().is_empty());
    // The admin list is a read: tried again after the 502.
    app.fake.fail_next("/cgi-bin/agent/get_admin_list", 502, 1);
    let before = app.fake.calls_to("/cgi-bin/agent/get_admin_list");
    assert!(wecom.admins(&corp).await.is_ok());
    assert_eq!(
        app.fake.calls_to("/cgi-bin/agent/get_admin_list") - before,
        2
    );
}

#[tokio::test]
async fn a_replayed_cancel_auth_does_not_end_a_later_install() {
    let app = Real::installed(Config::example()).await;
    let cancel = app.fake.callback(Push::CancelAuth);
    assert_eq!(
        app.post_callback(&cancel.query, &cancel.body).await.0,
        StatusCode::OK
    );
    app.clock.advance(5);
    assert_eq!(app.push(Push::CreateAuth).await.0, StatusCode::OK);
    let session = app.sign_in("lisi").await;
    // The old push again: acknowledged, but the install and the session stand.
    assert_eq!(
        app.post_callback(&cancel.query, &cancel.body).await,
        (StatusCode::OK, "success".to_owned())
    );
    let (status, _) = json_of(app.send(common::get("/api/session", Some(&session))).await).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn with_real_wecom_the_csp_lets_pages_load_the_js_sdk_and_only_its_hosts() {
    let app = Real::new().await;
    let res = app.send(common::get("/api/health", None)).await;
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap();
    assert!(script_src.contains("https://res.wx.qq.com"), "{csp}");
    assert!(
        script_src.contains("https://open.work.weixin.qq.com"),
        "{csp}"
    );
    assert!(!script_src.contains("unsafe-inline"), "{csp}");
    assert!(
        csp.contains("frame-src 'self' https://res.wx.qq.com https://open.work.weixin.qq.com"),
        "{csp}"
    );
    // Local mode loads nothing of WeCom's.
    let local = TestApp::new().await;
    let res = local.send(common::get("/api/health", None)).await;
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(
        !csp.contains("weixin") && !csp.contains("wx.qq.com"),
        "{csp}"
    );
}
