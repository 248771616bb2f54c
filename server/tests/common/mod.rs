//! A test server: a fresh SQLite file, a clock the test moves, local providers, and helpers
//! that speak HTTP to the real router through `oneshot`.
#![allow(dead_code)]

pub mod apply;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use server::clock::ManualClock;
use server::crypto::Vault;
use server::http::{AppState, Settings};
use server::imaging::ImagePool;
use server::providers::ocr::LicenseOcr;
use server::providers::Providers;
use server::storage::Db;
use tower::ServiceExt;

pub struct TestApp {
    pub router: Router,
    pub clock: ManualClock,
    pub db: Db,
    pub dir: PathBuf,
    /// The app's image pool, to see how many photos it holds.
    pub images: ImagePool,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "esign-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with_mode(true).await
    }

    pub async fn with_mode(local_mode: bool) -> Self {
        Self::build(local_mode, None, |_| {}).await
    }

    /// A local-mode app whose license recognition answers with `ocr`.
    pub async fn with_ocr(ocr: Arc<dyn LicenseOcr>) -> Self {
        Self::build(true, Some(ocr), |_| {}).await
    }

    /// A local-mode app whose providers the test changes (e.g. a WeCom that demotes an admin).
    pub async fn with_providers(change: impl FnOnce(&mut Providers)) -> Self {
        Self::build_with(true, change, |_| {}).await
    }

    /// An app whose settings a test changes before the router is built (the built app's
    /// `index.html` in `settings.static_dir` may be rewritten there too).
    pub async fn with_settings(local_mode: bool, setup: impl FnOnce(&mut Settings)) -> Self {
        Self::build(local_mode, None, setup).await
    }

    async fn build(
        local_mode: bool,
        ocr: Option<Arc<dyn LicenseOcr>>,
        setup: impl FnOnce(&mut Settings),
    ) -> Self {
        let change = |p: &mut Providers| {
            if let Some(ocr) = ocr {
                p.ocr = ocr;
            }
        };
        Self::build_with(local_mode, change, setup).await
    }

    async fn build_with(
        local_mode: bool,
        change: impl FnOnce(&mut Providers),
        setup: impl FnOnce(&mut Settings),
    ) -> Self {
        let dir = temp_dir();
        let db = Db::connect(&format!("sqlite://{}", dir.join("test.db").display()))
            .await
            .unwrap();
        // 2026-11-28 10:00 UTC, a Saturday.
        let clock = ManualClock::at(1_795_860_000);
        // No models here: recognition fails honestly unless a test brings its own engine.
        let mut providers = Providers::new(
            server::config::ProviderMode::Local,
            db.clone(),
            Arc::new(clock.clone()),
            &dir.join("no-models"),
        )
        .unwrap();
        change(&mut providers);
        let static_dir = dir.join("dist");
        std::fs::create_dir_all(&static_dir).unwrap();
        std::fs::write(
            static_dir.join("index.html"),
            "<!DOCTYPE html><title>app</title>",
        )
        .unwrap();
        let mut settings = Settings {
            local_mode,
            cookie_secure: false,
            static_dir,
            data_dir: dir.clone(),
            allowed_origins: Vec::new(),
            trusted_proxy: false,
            frame_ancestors: "'self'".to_owned(),
            event_heartbeat: server::events::HEARTBEAT,
        };
        setup(&mut settings);
        let images = ImagePool::for_this_machine();
        let state = AppState {
            db: db.clone(),
            providers,
            clock: Arc::new(clock.clone()),
            vault: Vault::from_master(&[42; 32]),
            images: images.clone(),
            settings: Arc::new(settings),
        };
        Self {
            router: server::http::router(state),
            clock,
            db,
            dir,
            images,
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Response<Body> {
        self.router.clone().oneshot(req).await.unwrap()
    }

    /// Signs in through `/dev/login` and returns the `Cookie` header value.
    pub async fn login(&self, user: &str) -> String {
        let res = self
            .send(get(&format!("/dev/login?user={user}"), None))
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login as {user}");
        let set = res.headers()[header::SET_COOKIE].to_str().unwrap();
        set.split(';').next().unwrap().to_owned()
    }

    pub async fn get_json(&self, path: &str, cookie: Option<&str>) -> (StatusCode, Value) {
        json_of(self.send(get(path, cookie)).await).await
    }

    pub async fn post_json(
        &self,
        path: &str,
        cookie: Option<&str>,
        body: &str,
    ) -> (StatusCode, Value) {
        json_of(self.send(post(path, cookie, body)).await).await
    }

    pub async fn outbox(&self) -> Vec<Value> {
        let (status, v) = self.get_json("/dev/outbox.json", None).await;
        assert_eq!(status, StatusCode::OK);
        v.as_array().unwrap().clone()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The origin the test server is reached at: every helper below sends `Host` and `Origin` as
/// a browser on the app's own pages would.
pub const HOST: &str = "esign.test";
pub const ORIGIN: &str = "http://esign.test";

/// A request as the app's own pages send it (same origin). Tests that build a raw request
/// start here, so that only attack tests ever leave the app's origin.
pub fn browser(method: &str, path: &str) -> axum::http::request::Builder {
    let b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST);
    if method == "GET" || method == "HEAD" {
        b
    } else {
        b.header(header::ORIGIN, ORIGIN)
            .header("sec-fetch-site", "same-origin")
    }
}

pub fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = browser("GET", path);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

pub fn delete(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = browser("DELETE", path);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).unwrap()
}

pub fn post(path: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut b = browser("POST", path).header(header::CONTENT_TYPE, "application/json");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(body.to_owned())).unwrap()
}

pub async fn body_text(res: Response<Body>) -> String {
    String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

pub async fn json_of(res: Response<Body>) -> (StatusCode, Value) {
    let status = res.status();
    let text = body_text(res).await;
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, value)
}

/// The `error.code` of an error answer.
pub fn code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("<none>")
}
