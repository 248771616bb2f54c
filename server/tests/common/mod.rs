//! A test server: a fresh database, a clock the test moves, local providers, and helpers
//! that speak HTTP to the real router through `oneshot`.
//!
//! The database is a SQLite file, or, when `ESIGN_TEST_POSTGRES` names a PostgreSQL server
//! (`postgres://postgres@127.0.0.1:55432`), a database of its own created there for each app:
//! `scripts/test.sh` runs the API suite both ways.
#![allow(dead_code)]

pub mod apply;
pub mod remote;

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
    /// Where `db` is: a second server (or a restart) opens the same database with it.
    pub db_url: String,
    pub dir: PathBuf,
    /// The app's image pool, to see how many photos it holds.
    pub images: ImagePool,
    state: AppState,
    /// Set by [`TestApp::with_process`]: requests go to that server process instead.
    remote: Option<remote::Remote>,
}

static NEXT: AtomicU32 = AtomicU32::new(0);

thread_local! {
    /// The database the next app on this thread opens, when a test chose it.
    static DB_URL: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

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

/// The PostgreSQL server the suite runs on, if any.
pub fn postgres_server() -> Option<String> {
    std::env::var("ESIGN_TEST_POSTGRES")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A new, empty database: a SQLite file in `dir`, or a new database on the PostgreSQL server.
pub async fn fresh_db(dir: &std::path::Path) -> Db {
    Db::connect_with(&fresh_db_url(dir).await, 4).await.unwrap()
}

/// The URL of a new, empty database (see [`fresh_db`]).
pub async fn fresh_db_url(dir: &std::path::Path) -> String {
    let Some(server) = postgres_server() else {
        return format!("sqlite://{}", dir.join("test.db").display());
    };
    use sqlx::Connection;
    let name = format!(
        "esign_test_{}_{}",
        std::process::id(),
        dir.file_name().unwrap().to_string_lossy().replace('-', "_")
    );
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .expect("the PostgreSQL server of ESIGN_TEST_POSTGRES answers");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    format!("{server}/{name}")
}

/// Makes the database refuse every insert into `table`, as a full disk would.
pub async fn refuse_inserts(db: &Db, table: &str) {
    let statements = match db.backend() {
        server::storage::Backend::Sqlite => vec![format!(
            "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table}
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )],
        server::storage::Backend::Postgres => vec![
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
             $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$"
                .to_owned(),
            format!(
                "CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table}
                 FOR EACH ROW EXECUTE FUNCTION refuse()"
            ),
        ],
    };
    for sql in statements {
        sqlx::query(&sql).execute(db.pool()).await.unwrap();
    }
}

/// The local providers on `db`. No models here: recognition fails honestly unless a test
/// brings its own engine.
fn local_providers(db: &Db, clock: &ManualClock, dir: &std::path::Path) -> Providers {
    let local = server::config::real::load(
        &server::config::real::Source::from_pairs([]),
        server::config::real::Modes::all(server::config::ProviderMode::Local),
    )
    .unwrap();
    Providers::new(
        &local,
        db.clone(),
        &TestApp::vault(),
        Arc::new(clock.clone()),
        &dir.join("no-models"),
    )
    .unwrap()
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
        Self::build_with(true, |p, _| change(p), |_| {}).await
    }

    /// A local-mode app whose providers the test changes with its database at hand (e.g.
    /// real mode's imported directory, on the app's own tables).
    pub async fn with_providers_on_db(change: impl FnOnce(&mut Providers, &Db)) -> Self {
        Self::build_with(true, change, |_| {}).await
    }

    /// The key the app seals with (a test imports with it).
    pub fn vault() -> Vault {
        Vault::from_master(&[42; 32])
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
        let change = |p: &mut Providers, _: &Db| {
            if let Some(ocr) = ocr {
                p.ocr = ocr;
            }
        };
        Self::build_with(local_mode, change, setup).await
    }

    async fn build_with(
        local_mode: bool,
        change: impl FnOnce(&mut Providers, &Db),
        setup: impl FnOnce(&mut Settings),
    ) -> Self {
        let dir = temp_dir();
        let db_url = match DB_URL.with(|u| u.borrow_mut().take()) {
            Some(url) => url,
            None => fresh_db_url(&dir).await,
        };
        let db = Db::connect_with(&db_url, 4).await.unwrap();
        // 2026-11-28 10:00 UTC, a Saturday.
        let clock = ManualClock::at(1_795_860_000);
        let mut providers = local_providers(&db, &clock, &dir);
        change(&mut providers, &db);
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
            public_url: None,
            wecom_sdk: false,
            event_heartbeat: server::events::HEARTBEAT,
        };
        setup(&mut settings);
        let images = ImagePool::for_this_machine();
        let state = AppState {
            db: db.clone(),
            providers,
            clock: Arc::new(clock.clone()),
            vault: TestApp::vault(),
            images: images.clone(),
            settings: Arc::new(settings),
        };
        Self {
            router: server::http::router(state.clone()),
            state,
            remote: None,
            clock,
            db,
            db_url,
            dir,
            images,
        }
    }

    /// Another server on the same database, with a pool and local providers of its own, as
    /// a second instance behind the load balancer would be.
    pub async fn second_instance(&self) -> Router {
        let db = Db::connect_with(&self.db_url, 4).await.unwrap();
        let providers = local_providers(&db, &self.clock, &self.dir);
        server::http::router(AppState {
            db,
            providers,
            ..self.state.clone()
        })
    }

    pub async fn send(&self, req: Request<Body>) -> Response<Body> {
        match &self.remote {
            Some(remote) => remote.send(req).await,
            None => self.router.clone().oneshot(req).await.unwrap(),
        }
    }

    /// An app on the database at `url` (e.g. reached through a proxy the test controls).
    pub async fn on_database(url: &str) -> Self {
        DB_URL.with(|u| *u.borrow_mut() = Some(url.to_owned()));
        Self::new().await
    }

    /// An app whose requests go to a real `server` process on its database (its clock is the
    /// real one, not `clock`): the process can be killed and restarted under the test.
    pub async fn with_process() -> (Self, remote::Process) {
        let mut app = Self::new().await;
        let process = remote::Process::start(&app.db_url, &app.dir).await;
        app.remote = Some(process.remote.clone());
        (app, process)
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

/// `n` identical POSTs at once (on a multi-threaded runtime), spread over `instances` in turn;
/// their statuses, in the order sent.
pub async fn at_once(
    instances: &[Router],
    n: usize,
    path: &str,
    cookie: &str,
    body: &str,
) -> Vec<StatusCode> {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let router = instances[i % instances.len()].clone();
            let req = post(path, Some(cookie), body);
            tokio::spawn(async move { router.oneshot(req).await.unwrap().status() })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
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
