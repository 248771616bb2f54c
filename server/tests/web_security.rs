//! Web security, written as the attacks: another site's page posting with the victim's cookie
//! (old WebViews ignore `SameSite`), uploads dressed as plain text, open redirects through
//! `next`, invisible characters in names; and the headers every answer carries.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use base64::Engine;
use common::apply::*;
use common::{code, TestApp};
use serde_json::{json, Value};
use sha2::Digest;

const EVIL: &str = "https://evil.example";

/// A request as another site's page (or a script) makes it: the victim's cookie rides along,
/// the `Origin` and `Sec-Fetch-Site` are whatever that page's browser sends, or nothing.
fn foreign(
    method: &str,
    path: &str,
    cookie: Option<&str>,
    origin: Option<&str>,
    fetch_site: Option<&str>,
) -> axum::http::request::Builder {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, common::HOST);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    if let Some(o) = origin {
        b = b.header(header::ORIGIN, o);
    }
    if let Some(s) = fetch_site {
        b = b.header("sec-fetch-site", s);
    }
    b
}

/// Another site's `fetch`/form POST with the victim's cookie: Origin is the attacker's.
fn cross_site(method: &str, path: &str, cookie: &str) -> axum::http::request::Builder {
    foreign(method, path, Some(cookie), Some(EVIL), Some("cross-site"))
}

async fn send(app: &TestApp, req: axum::http::request::Builder, body: Body) -> (StatusCode, Value) {
    common::json_of(app.send(req.body(body).unwrap()).await).await
}

fn assert_refused(status: StatusCode, v: &Value, what: &str) {
    assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {v}");
    assert_eq!(code(v), "forbidden", "{what}");
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("请求来源"),
        "{what}: a Chinese message: {message}"
    );
}

// ---------------------------------------------------------------------------------------------
// CSRF
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_cross_site_json_post_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let c = app.login("wangjianguo").await;
    let (status, v) = app.post_json("/api/application", Some(&c), "").await;
    assert_eq!(status, StatusCode::CREATED, "{v}");

    let body = json!({"name": "王建国", "id_number": "330106197503120410"}).to_string();
    let (status, v) = send(
        &app,
        cross_site("POST", "/api/application/real-name", &c)
            .header(header::CONTENT_TYPE, "application/json"),
        Body::from(body.clone()),
    )
    .await;
    assert_refused(status, &v, "JSON POST");
    // A cross-site form can also post JSON-looking text as text/plain.
    let (status, v) = send(
        &app,
        cross_site("POST", "/api/application/real-name", &c)
            .header(header::CONTENT_TYPE, "text/plain"),
        Body::from(body),
    )
    .await;
    assert_refused(status, &v, "text/plain JSON POST");

    let (_, view) = app.get_json("/api/application", Some(&c)).await;
    assert_eq!(view["step"], "real_name", "still at 实名认证: {view}");
}

#[tokio::test]
async fn cross_site_body_less_posts_are_refused() {
    let app = TestApp::new().await;
    let lina = app.login("lina").await;
    let (status, v) = send(
        &app,
        cross_site("POST", "/api/notify-admins", &lina),
        Body::empty(),
    )
    .await;
    assert_refused(status, &v, "notify-admins");
    assert!(app.outbox().await.is_empty(), "no admin was notified");

    let wang = app.login("wangjianguo").await;
    for path in [
        "/api/application",
        "/api/enterprise/invitations",
        "/api/application/face",
        "/api/application/super-admin",
    ] {
        let (status, v) = send(&app, cross_site("POST", path, &wang), Body::empty()).await;
        assert_refused(status, &v, path);
    }
    let (status, _) = app.get_json("/api/application", Some(&wang)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no application was started");
}

#[tokio::test]
async fn a_cross_site_delete_is_refused() {
    let app = TestApp::new().await;
    let c = app.login("wangjianguo").await;
    for path in ["/api/application/legal-rep", "/api/application/wechat"] {
        let (status, v) = send(&app, cross_site("DELETE", path, &c), Body::empty()).await;
        assert_refused(status, &v, path);
    }
}

#[tokio::test]
async fn a_text_plain_photo_upload_is_refused() {
    let app = TestApp::with_ocr(std::sync::Arc::new(FixedOcr(xinghe_license()))).await;
    let c = app.login("wangjianguo").await;
    app.post_json("/api/application", Some(&c), "").await;
    real_name(&app, &c, "王建国", "330106197503120410").await;

    // What `<form enctype="text/plain">` on another site sends, no preflight needed.
    for path in [
        "/api/application/license/photo",
        "/api/application/letter/photo",
    ] {
        let (status, v) = send(
            &app,
            cross_site("POST", path, &c).header(header::CONTENT_TYPE, "text/plain"),
            Body::from(jpeg(1200, 850)),
        )
        .await;
        assert_refused(status, &v, path);
    }
    // Even from the app's own origin, an upload must say it is an image.
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/octet-stream"),
        Some("image/gif"),
        None,
    ] {
        let mut req =
            common::browser("POST", "/api/application/license/photo").header(header::COOKIE, &c);
        if let Some(ct) = ct {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let (status, v) = send(&app, req, Body::from(jpeg(1200, 850))).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}: {v}");
        assert_eq!(code(&v), "unsupported_media_type");
        assert_eq!(v["error"]["message"], "只支持上传JPG或PNG格式的图片");
    }
    assert!(
        !app.dir.join("uploads").exists(),
        "nothing refused was stored"
    );
    for ct in ["image/jpeg", "IMAGE/JPEG", "image/png; charset=binary"] {
        let req = common::browser("POST", "/api/application/license/photo")
            .header(header::COOKIE, &c)
            .header(header::CONTENT_TYPE, ct);
        let (status, v) = send(&app, req, Body::from(jpeg(1200, 850))).await;
        // A PNG content type over JPEG bytes is the decoder's business, not this rule's.
        assert_ne!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct}: {v}");
        assert_ne!(status, StatusCode::FORBIDDEN, "{ct}: {v}");
    }
}

#[tokio::test]
async fn requests_without_a_same_origin_signal_are_refused() {
    let app = TestApp::new().await;
    let c = app.login("wangjianguo").await;
    let cases: [(Option<&str>, Option<&str>, &str); 8] = [
        // Sandboxed iframes, data: URLs and some redirects send `Origin: null`.
        (Some("null"), None, "Origin: null"),
        (
            Some("null"),
            Some("same-origin"),
            "Origin: null wins over Sec-Fetch-Site",
        ),
        (None, None, "neither Origin nor Sec-Fetch-Site"),
        (None, Some("cross-site"), "Sec-Fetch-Site: cross-site"),
        (
            None,
            Some("same-site"),
            "Sec-Fetch-Site: same-site (a sibling subdomain)",
        ),
        (
            None,
            Some("none"),
            "Sec-Fetch-Site: none (typed into the address bar)",
        ),
        (Some("http://esign.test:8081"), None, "another port"),
        (
            Some("http://esign.test.evil.example"),
            None,
            "a longer host",
        ),
    ];
    for (origin, site, what) in cases {
        let (status, v) = send(
            &app,
            foreign("POST", "/api/application", Some(&c), origin, site),
            Body::empty(),
        )
        .await;
        assert_refused(status, &v, what);
    }
    let (status, v) = send(
        &app,
        foreign(
            "POST",
            "/api/application",
            Some(&c),
            Some(EVIL),
            Some("same-origin"),
        ),
        Body::empty(),
    )
    .await;
    assert_refused(status, &v, "a foreign Origin wins over Sec-Fetch-Site");
}

#[tokio::test]
async fn the_apps_own_origin_is_accepted() {
    let app = TestApp::new().await;
    let c = app.login("wangjianguo").await;
    let (status, v) = send(
        &app,
        foreign(
            "POST",
            "/api/application",
            Some(&c),
            Some(common::ORIGIN),
            None,
        ),
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "Origin alone: {v}");

    // Old engines without Origin on same-origin requests but with Fetch Metadata.
    let zhang = app.login("zhangwei").await;
    let (status, v) = send(
        &app,
        foreign(
            "POST",
            "/api/notify-admins",
            Some(&zhang),
            None,
            Some("same-origin"),
        ),
        Body::empty(),
    )
    .await;
    assert_ne!(status, StatusCode::FORBIDDEN, "Sec-Fetch-Site alone: {v}");

    // Local mode behind a TLS proxy: the page is https, the Host the same.
    let lina = app.login("lina").await;
    let (status, v) = send(
        &app,
        foreign(
            "POST",
            "/api/notify-admins",
            Some(&lina),
            Some("HTTPS://ESIGN.TEST"),
            Some("same-origin"),
        ),
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "https, same host: {v}");
}

#[tokio::test]
async fn reads_are_not_affected() {
    let app = TestApp::new().await;
    let c = app.login("wangjianguo").await;
    for path in ["/api/session", "/api/health", "/api/openapi.json"] {
        let res = app
            .send(cross_site("GET", path, &c).body(Body::empty()).unwrap())
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn dev_scripts_still_call_reset_clock_and_login_without_an_origin() {
    let app = TestApp::new().await;
    let script = |method: &str, path: &str| foreign(method, path, None, None, None);
    let res = app
        .send(script("POST", "/dev/reset").body(Body::empty()).unwrap())
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (status, v) = send(&app, script("POST", "/dev/clock?advance=60"), Body::empty()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let res = app
        .send(
            script("GET", "/dev/login?user=lina")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_face_simulation_form_refuses_another_sites_post() {
    let app = TestApp::new().await;
    let c = app.login("wangjianguo").await;
    let (status, v) = send(
        &app,
        cross_site("POST", "/dev/face/some-token", &c)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
        Body::from("decision=pass"),
    )
    .await;
    assert_refused(status, &v, "/dev/face");
}

#[tokio::test]
async fn real_mode_trusts_the_configured_origins_not_the_host() {
    let app = TestApp::with_settings(false, |s| {
        s.allowed_origins = vec![
            "https://esign.example.com".to_owned(),
            "https://work.example.com".to_owned(),
        ];
    })
    .await;
    let post =
        |origin: &'static str| foreign("POST", "/api/notify-admins", None, Some(origin), None);
    // Past the check, there is no session: 401.
    for origin in ["https://esign.example.com", "https://work.example.com"] {
        let (status, v) = send(&app, post(origin), Body::empty()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{origin}: {v}");
    }
    // The Host header is the client's to choose: in real mode it proves nothing.
    for origin in [common::ORIGIN, "http://esign.example.com", EVIL] {
        let (status, v) = send(&app, post(origin), Body::empty()).await;
        assert_refused(status, &v, origin);
    }
}

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

const BOOT: &str = "\n    (function () { window.__boot = 1; })();\n  ";
const LOADER: &str = "\nimport init from '/app-0123456789abcdef.js';\nawait init({ module_or_path: '/app-0123456789abcdef_bg.wasm' });\n";

/// An index.html as Trunk writes it: the classic boot check, a module loader, an external
/// script and a JSON island.
fn index_html() -> String {
    format!(
        "<!DOCTYPE html><html><head><script>{BOOT}</script>\
         <script src=\"/external.js\"></script>\
         <link rel=\"modulepreload\" href=\"/app-0123456789abcdef.js\">\
         </head><body><SCRIPT type=\"module\" nonce=\"x\">{LOADER}</SCRIPT></body></html>"
    )
}

fn sha256(text: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(text.as_bytes()))
    )
}

fn directives(csp: &str) -> Vec<(String, Vec<String>)> {
    csp.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_whitespace().map(str::to_owned);
            (words.next().unwrap(), words.collect())
        })
        .collect()
}

fn directive(csp: &str, name: &str) -> Vec<String> {
    directives(csp)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in {csp}"))
        .1
}

async fn app_with_index(local_mode: bool) -> TestApp {
    TestApp::with_settings(local_mode, |s| {
        std::fs::write(s.static_dir.join("index.html"), index_html()).unwrap();
        std::fs::write(
            s.static_dir.join("app-0123456789abcdef.js"),
            "export default 1;",
        )
        .unwrap();
    })
    .await
}

#[tokio::test]
async fn the_csp_allows_exactly_the_bundles_inline_scripts() {
    // Real mode: no /dev page adds its own.
    let app = app_with_index(false).await;
    for path in [
        "/",
        "/apply/license",
        "/api/health",
        "/app-0123456789abcdef.js",
    ] {
        let res = app.send(common::get(path, None)).await;
        let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        let mut script = directive(&csp, "script-src");
        script.sort();
        let mut want = vec![
            "'self'".to_owned(),
            "'wasm-unsafe-eval'".to_owned(),
            sha256(BOOT),
            sha256(LOADER),
        ];
        want.sort();
        assert_eq!(script, want, "{path}: {csp}");
        assert!(!csp.contains("'unsafe-eval'"), "{csp}");
        assert!(!csp.contains("'unsafe-inline'"), "{csp}");
        for (name, value) in [
            ("default-src", "'self'"),
            ("connect-src", "'self'"),
            ("object-src", "'none'"),
            ("base-uri", "'none'"),
            ("form-action", "'self'"),
            ("frame-ancestors", "'self'"),
        ] {
            assert_eq!(directive(&csp, name), [value], "{name} in {csp}");
        }
        assert_eq!(
            directive(&csp, "img-src"),
            ["'self'", "data:", "blob:"],
            "{csp}"
        );
    }
}

#[tokio::test]
async fn the_csp_follows_the_index_html_that_is_served() {
    let app = TestApp::with_mode(false).await;
    let res = app.send(common::get("/", None)).await;
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    // The test index.html has no inline script: nothing but the bundle's own files may run.
    assert_eq!(
        directive(csp, "script-src"),
        ["'self'", "'wasm-unsafe-eval'"],
        "{csp}"
    );
}

#[tokio::test]
async fn the_dev_pages_inline_script_and_styles_run_under_the_csp() {
    let app = TestApp::new().await;
    let res = app.send(common::get("/dev/login", None)).await;
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    let html = common::body_text(res).await;
    let style = html
        .split("<style>")
        .nth(1)
        .and_then(|s| s.split("</style>").next())
        .unwrap();
    assert!(
        directive(&csp, "style-src").contains(&sha256(style)),
        "{csp}"
    );
    assert!(!directive(&csp, "style-src").contains(&"'unsafe-inline'".to_owned()));

    // The face simulation's camera preview.
    let token = "local-face-page";
    app.db
        .insert_local_face(token, "王建国", "/apply/face-return", 0)
        .await
        .unwrap();
    let res = app
        .send(common::get(&format!("/dev/face/{token}"), None))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = common::body_text(res).await;
    let script = html
        .split("<script>")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .unwrap();
    assert!(
        directive(&csp, "script-src").contains(&sha256(script)),
        "{csp}"
    );
}

#[tokio::test]
async fn a_real_mode_csp_has_no_dev_hashes_and_a_configured_frame_ancestors() {
    let app = TestApp::with_settings(false, |s| {
        s.frame_ancestors = "'self' https://work.weixin.qq.com".to_owned();
    })
    .await;
    let res = app.send(common::get("/", None)).await;
    let csp = res.headers()[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert_eq!(
        directive(csp, "frame-ancestors"),
        ["'self'", "https://work.weixin.qq.com"]
    );
    assert_eq!(directive(csp, "style-src"), ["'self'"], "{csp}");
    assert_eq!(
        directive(csp, "script-src"),
        ["'self'", "'wasm-unsafe-eval'"],
        "{csp}"
    );
}

#[tokio::test]
async fn every_answer_carries_nosniff_and_referrer_policy() {
    let app = app_with_index(true).await;
    let c = app.login("wangjianguo").await;
    let requests = [
        common::get("/", None),
        common::get("/app-0123456789abcdef.js", None),
        common::get("/api/health", None),
        common::get("/api/session", None),
        common::get("/api/nope", None),
        common::get("/dev/login", None),
        cross_site("POST", "/api/application", &c)
            .body(Body::empty())
            .unwrap(),
    ];
    for req in requests {
        let what = format!("{} {}", req.method(), req.uri());
        let res = app.send(req).await;
        let h = res.headers();
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin", "{what}");
        assert!(h.contains_key(header::CONTENT_SECURITY_POLICY), "{what}");
    }
}

#[tokio::test]
async fn api_answers_are_never_cached() {
    let app = app_with_index(true).await;
    let c = app.login("wangjianguo").await;
    let requests = [
        (common::get("/api/health", None), StatusCode::OK),
        (common::get("/api/session", Some(&c)), StatusCode::OK),
        (common::get("/api/openapi.json", None), StatusCode::OK),
        (common::get("/api/session", None), StatusCode::UNAUTHORIZED),
        (common::get("/api/nope", None), StatusCode::NOT_FOUND),
        (
            common::get("/api/application", Some(&c)),
            StatusCode::NOT_FOUND,
        ),
        (
            common::post("/api/application/real-name", Some(&c), "{not json"),
            StatusCode::BAD_REQUEST,
        ),
        (
            cross_site("POST", "/api/application", &c)
                .body(Body::empty())
                .unwrap(),
            StatusCode::FORBIDDEN,
        ),
    ];
    for (req, want) in requests {
        let what = format!("{} {}", req.method(), req.uri());
        let res = app.send(req).await;
        assert_eq!(res.status(), want, "{what}");
        assert_eq!(res.headers()[header::CACHE_CONTROL], "no-store", "{what}");
    }
    // The bundle keeps its caching: hashed files forever, the page that names them revalidated.
    let res = app
        .send(common::get("/app-0123456789abcdef.js", None))
        .await;
    assert_eq!(
        res.headers()[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    let res = app.send(common::get("/apply/license", None)).await;
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache");
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_configured() {
    let app = TestApp::with_settings(true, |s| s.cookie_secure = true).await;
    let res = app.send(common::get("/dev/login?user=lina", None)).await;
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[test]
fn the_session_cookie_is_secure_by_default_in_real_mode() {
    use clap::Parser;
    use server::config::Config;
    let parse = |args: &[&str]| {
        Config::try_parse_from(std::iter::once("server").chain(args.iter().copied())).unwrap()
    };
    assert!(parse(&["--providers", "real"]).cookie_secure());
    assert!(!parse(&["--providers", "real", "--cookie-secure=false"]).cookie_secure());
    assert!(!parse(&[]).cookie_secure(), "local mode is plain http");
    assert!(parse(&["--cookie-secure"]).cookie_secure());
    assert!(parse(&["--cookie-secure=true"]).cookie_secure());
}

// ---------------------------------------------------------------------------------------------
// `next`
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn next_never_leaves_the_site() {
    let app = TestApp::new().await;
    for (next, want) in [
        ("/%09/evil.example", "/"),
        ("/%0A/evil.example", "/"),
        ("/%0D%0ASet-Cookie:%20x=1", "/"),
        ("%2F%2Fevil.example", "/"),
        ("//evil.example", "/"),
        ("/%5Cevil.example", "/"),
        ("/legal-rep/%5C", "/"),
        ("https://evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/%00", "/"),
        ("/%E2%80%AE", "/"),
        ("", "/"),
        ("/legal-rep/abc", "/legal-rep/abc"),
        ("/ops/reviews?tab=open", "/ops/reviews?tab=open"),
    ] {
        let res = app
            .send(common::get(
                &format!("/dev/login?user=lina&next={next}"),
                None,
            ))
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(res.headers()[header::LOCATION], want, "{next}");
    }
}

// ---------------------------------------------------------------------------------------------
// Invisible characters in names and addresses
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn names_and_addresses_refuse_control_and_format_characters() {
    let app = TestApp::with_ocr(std::sync::Arc::new(FixedOcr(xinghe_license()))).await;
    let c = app.login("wangjianguo").await;
    app.post_json("/api/application", Some(&c), "").await;
    real_name(&app, &c, "王建国", "330106197503120410").await;
    let (_, photo) = upload(&app, &c, jpeg(1200, 850)).await;
    let upload_id = photo["upload_id"].as_str().unwrap().to_owned();
    let edited = |v: &str| json!({"value": v, "source": "edited"});
    for (field, value) in [
        ("name", "星河云图\u{202E}科技有限公司"),
        ("name", "星河云图\u{0}科技有限公司"),
        ("name", "星河云图科技有限公司\u{200B}"),
        ("name", "\u{FEFF}星河云图科技有限公司"),
        ("name", "星河\u{2066}云图科技有限公司\u{2069}"),
        ("name", "星河云图\u{85}科技有限公司"),
        ("legal_rep", "王建\u{200D}国"),
        ("address", "浙江省杭州市西湖区文三路398号\u{0}"),
        ("address", "浙江省杭州市\u{202E}西湖区文三路398号"),
        ("address", "浙江省杭州市西湖区\u{200F}文三路398号"),
        ("address", "浙江省杭州市西湖区\u{9B}文三路398号"),
        ("kind", "有限责任公司\u{AD}"),
        ("kind", "有限责任公司\u{1B}[31m"),
    ] {
        let mut form = license_form(&upload_id, "91330106MA2KX7Q890");
        form[field] = edited(value);
        let (status, v) = put(&app, "/api/application/license", &c, &form).await;
        assert_eq!(
            (status, v["error"]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{value:?}: {v}"
        );
        let message = v["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("无法识别的字符") || message.contains("只能包含"),
            "{value:?}: {message}"
        );
    }
    // Line breaks from OCR or a paste are whitespace, and still fold to one space.
    let mut form = license_form(&upload_id, "91330106MA2KX7Q890");
    form["address"] = edited("浙江省杭州市西湖区\n文三路398号");
    let (status, v) = put(&app, "/api/application/license", &c, &form).await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

// ---------------------------------------------------------------------------------------------
// Errors of the request's shape speak the project's error body
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn query_and_path_errors_answer_the_error_body() {
    let app = TestApp::new().await;
    let c = app.login("wangjianguo").await;
    let cases = [
        (
            common::get("/api/wechat-enterprise", Some(&c)),
            StatusCode::BAD_REQUEST,
        ),
        (
            common::get("/api/wechat-enterprise?uscc=a&uscc=b", Some(&c)),
            StatusCode::BAD_REQUEST,
        ),
        (
            common::post("/dev/clock?advance=soon", None, ""),
            StatusCode::BAD_REQUEST,
        ),
        (
            common::post("/dev/clock", None, ""),
            StatusCode::BAD_REQUEST,
        ),
        (
            common::get("/api/legal-rep/%FF", None),
            StatusCode::BAD_REQUEST,
        ),
        (
            common::get("/api/activate/%FF%FE", None),
            StatusCode::BAD_REQUEST,
        ),
        (
            common::get("/api/ops/uploads/%C0", Some(&c)),
            StatusCode::BAD_REQUEST,
        ),
        (
            common::browser("POST", "/dev/face/t")
                .body(Body::from("decision=pass"))
                .unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            common::browser("POST", "/dev/face/t")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("verdict=pass"))
                .unwrap(),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (req, want) in cases {
        let what = format!("{} {}", req.method(), req.uri());
        let res = app.send(req).await;
        assert_eq!(res.status(), want, "{what}");
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            "application/json",
            "{what}"
        );
        let (_, v) = common::json_of(res).await;
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_ascii()),
            "{what}: a Chinese message in ErrorBody: {v}"
        );
    }
}

#[tokio::test]
async fn the_spec_documents_the_new_refusals() {
    let app = TestApp::new().await;
    let (_, spec) = app.get_json("/api/openapi.json", None).await;
    let responses = |method: &str, path: &str| spec["paths"][path][method]["responses"].clone();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let changes = ["post", "put", "patch", "delete"].contains(&method.as_str());
            let guarded = path.starts_with("/api/") || path.starts_with("/dev/face/");
            if changes && guarded {
                assert_eq!(
                    op["responses"]["403"]["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} must document the CSRF refusal"
                );
            }
        }
    }
    for path in [
        "/api/application/license/photo",
        "/api/application/letter/photo",
    ] {
        assert!(responses("post", path)["415"].is_object(), "{path}");
    }
    for path in [
        "/api/legal-rep/{token}/face/result",
        "/api/activate/{token}/face/result",
    ] {
        assert!(responses("post", path)["400"].is_object(), "{path}");
    }
    let face = responses("post", "/dev/face/{token}");
    for status in ["303", "400", "403", "404", "415"] {
        assert!(face[status].is_object(), "/dev/face {status}: {face}");
    }
    let login = responses("get", "/dev/login");
    assert!(login["303"].is_object(), "{login}");
    assert!(login["302"].is_null(), "{login}");
}
