//! `GET /api/application/events`: the waiting page's live stream. It wakes when someone else
//! acts, resumes after a reconnect with exactly what was missed, keeps proxies awake, and shows
//! nobody else's timeline.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Response, StatusCode};
use common::apply::{answer, biz_of, institution_at_authorize, zhang_asked_the_legal_rep};
use common::{code, json_of, TestApp};
use http_body_util::BodyExt;
use serde_json::{json, Value};

const PATH: &str = api::wire::paths::APPLICATION_EVENTS;
/// Short, so that a heartbeat comes soon and every quiet spell spans a few re-reads.
const HEARTBEAT: Duration = Duration::from_millis(200);
/// Far longer than anything should take here: a failing test waits this long, a passing one not.
const PATIENCE: Duration = Duration::from_secs(5);
/// How long "nothing more comes" is watched for.
const QUIET: Duration = Duration::from_millis(600);

async fn live_app() -> TestApp {
    live_app_beating(HEARTBEAT).await
}

async fn live_app_beating(every: Duration) -> TestApp {
    TestApp::with_settings(true, |s| s.event_heartbeat = every).await
}

/// One block of the stream: a message, or a comment (a heartbeat).
#[derive(Debug, Default, PartialEq)]
struct Block {
    event: Option<String>,
    id: Option<i64>,
    data: Option<Value>,
    comment: bool,
}

/// Reads a `text/event-stream` body block by block.
struct Sse {
    body: Body,
    buf: String,
}

impl Sse {
    fn new(res: Response<Body>) -> Self {
        Self {
            body: res.into_body(),
            buf: String::new(),
        }
    }

    /// The next block, or `None` when nothing came within `wait`.
    async fn within(&mut self, wait: Duration) -> Option<Block> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let raw: String = self.buf.drain(..end + 2).collect();
                return Some(parse(&raw));
            }
            let frame = tokio::time::timeout(wait, self.body.frame()).await.ok()?;
            let frame = frame
                .expect("the stream ends only with the server")
                .unwrap();
            if let Ok(bytes) = frame.into_data() {
                self.buf.push_str(std::str::from_utf8(&bytes).unwrap());
            }
        }
    }

    /// The next message, skipping heartbeats; `None` when none came within `wait`.
    async fn message_within(&mut self, wait: Duration) -> Option<Block> {
        let until = tokio::time::Instant::now() + wait;
        loop {
            let left = until.saturating_duration_since(tokio::time::Instant::now());
            let block = self.within(left).await?;
            if !block.comment {
                return Some(block);
            }
        }
    }

    async fn message(&mut self) -> Block {
        self.message_within(PATIENCE).await.expect("a message")
    }

    /// The `ready` message that opens every stream; its id.
    async fn ready(&mut self) -> i64 {
        let b = self.message().await;
        assert_eq!(b.event.as_deref(), Some("ready"), "{b:?}");
        let id = b.id.expect("ready carries where to resume");
        assert_eq!(b.data, Some(json!({ "id": id })));
        id
    }

    /// The next `n` timeline messages as (id, kind).
    async fn timeline(&mut self, n: usize) -> Vec<(i64, String)> {
        let mut got = Vec::new();
        while got.len() < n {
            let b = self.message().await;
            assert_eq!(b.event.as_deref(), Some("timeline"), "{b:?}");
            let data = b.data.unwrap();
            let id = b.id.unwrap();
            assert_eq!(
                data,
                json!({ "id": id, "kind": data["kind"] }),
                "the id and the kind, nothing personal"
            );
            got.push((id, data["kind"].as_str().unwrap().to_owned()));
        }
        got
    }
}

fn parse(raw: &str) -> Block {
    let mut b = Block::default();
    for line in raw.lines().filter(|l| !l.is_empty()) {
        if line.starts_with(':') {
            b.comment = true;
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => b.event = Some(value.to_owned()),
            "id" => b.id = Some(value.parse().unwrap()),
            "data" => b.data = Some(serde_json::from_str(value).unwrap()),
            "retry" => {}
            other => panic!("unexpected field {other} in {raw:?}"),
        }
    }
    b
}

async fn open(app: &TestApp, cookie: Option<&str>, last_event_id: Option<&str>) -> Response<Body> {
    let mut req = common::browser("GET", PATH).header(header::ACCEPT, "text/event-stream");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id);
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

async fn stream(app: &TestApp, cookie: &str, last_event_id: Option<i64>) -> Sse {
    let res = open(
        app,
        Some(cookie),
        last_event_id.map(|i| i.to_string()).as_deref(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    Sse::new(res)
}

/// The timeline of 张伟's application after `after`, as the database has it.
async fn events_after(app: &TestApp, user: &str, after: i64) -> Vec<(i64, String)> {
    sqlx::query_as(
        "SELECT e.id, e.kind FROM events e JOIN applications a ON a.id = e.application_id
         WHERE a.applicant_id = $1 AND e.id > $2 ORDER BY e.id",
    )
    .bind(user)
    .bind(after)
    .fetch_all(app.db.pool())
    .await
    .unwrap()
}

/// 王建国 opens the SMS link, passes face verification and answers.
async fn legal_rep_answers(app: &TestApp, token: &str, approve: bool) {
    let body = json!({ "name": "王建国", "id_number": "330106197503120410" }).to_string();
    let (status, v) = app
        .post_json(&format!("/api/legal-rep/{token}/face"), None, &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let biz = biz_of(&v);
    answer(app, &biz, "pass").await;
    let body = json!({ "biz_token": biz }).to_string();
    let (status, v) = app
        .post_json(&format!("/api/legal-rep/{token}/face/result"), None, &body)
        .await;
    assert_eq!(
        (status, v["passed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{v}"
    );
    let body = json!({ "approve": approve }).to_string();
    let (status, v) = app
        .post_json(&format!("/api/legal-rep/{token}/decision"), None, &body)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
}

#[tokio::test]
async fn the_waiting_applicant_hears_the_legal_rep_authorize() {
    // No heartbeat within the test: only the wake-up can bring the news.
    let app = live_app_beating(Duration::from_secs(600)).await;
    let (zhang, token) = zhang_asked_the_legal_rep(&app).await;
    let mut sse = stream(&app, &zhang, None).await;
    let start = sse.ready().await;
    assert_eq!(
        events_after(&app, "zhangwei", start).await,
        [],
        "a stream without Last-Event-ID starts now"
    );
    assert!(
        sse.message_within(QUIET).await.is_none(),
        "and sends nothing old"
    );

    legal_rep_answers(&app, &token, true).await;
    let expected = events_after(&app, "zhangwei", start).await;
    assert!(
        expected.last().is_some_and(|(_, kind)| kind == "verified"),
        "{expected:?}"
    );
    assert_eq!(sse.timeline(expected.len()).await, expected);

    // A refused second 授权 commits nothing, so it wakes nobody.
    let mut wake = app.db.live().subscribe();
    let body = json!({ "approve": true }).to_string();
    let (status, _) = app
        .post_json(&format!("/api/legal-rep/{token}/decision"), None, &body)
        .await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        wake.try_recv().is_err(),
        "a rolled-back step publishes nothing"
    );
    assert!(sse.message_within(QUIET).await.is_none());
}

#[tokio::test]
async fn a_reconnect_with_last_event_id_gets_exactly_what_it_missed() {
    let app = live_app().await;
    let (zhang, token) = zhang_asked_the_legal_rep(&app).await;
    let mut first = stream(&app, &zhang, None).await;
    let seen = first.ready().await;
    drop(first);

    // While the page is away: 王建国 declines, 张伟 sends the SMS again.
    legal_rep_answers(&app, &token, false).await;
    let body = json!({ "phone": "13900000001" }).to_string();
    let (status, v) = app
        .post_json("/api/application/legal-rep", Some(&zhang), &body)
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let missed = events_after(&app, "zhangwei", seen).await;
    assert!(missed.len() >= 2, "{missed:?}");

    let mut again = stream(&app, &zhang, Some(seen)).await;
    assert_eq!(again.ready().await, seen, "it resumes where the page stood");
    assert_eq!(again.timeline(missed.len()).await, missed);
    assert!(
        again.message_within(QUIET).await.is_none(),
        "each once, nothing more"
    );

    // Resuming from the newest id sends nothing; so does a stream that starts now.
    let newest = missed.last().unwrap().0;
    let mut caught_up = stream(&app, &zhang, Some(newest)).await;
    assert_eq!(caught_up.ready().await, newest);
    assert!(caught_up.message_within(QUIET).await.is_none());
    let mut fresh = stream(&app, &zhang, None).await;
    assert_eq!(fresh.ready().await, newest);
    assert!(fresh.message_within(QUIET).await.is_none());
    // An id past the newest (stale, or made up; schemathesis sent 2^63 − 2) names no event:
    // the stream starts from the newest, and every id it sends is one a page can hold.
    let mut beyond = stream(&app, &zhang, Some(i64::MAX - 1)).await;
    assert_eq!(beyond.ready().await, newest);
    assert!(beyond.message_within(QUIET).await.is_none());
}

#[tokio::test]
async fn nobody_else_gets_the_stream_of_an_application() {
    let app = live_app().await;
    let (zhang, _) = zhang_asked_the_legal_rep(&app).await;

    let (status, v) = json_of(open(&app, None, None).await).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    // The other admin and an employee of 星河, an admin whose app has 成员授权, and an admin
    // of a corp with no application.
    for (user, refused) in [
        ("wangjianguo", StatusCode::FORBIDDEN),
        ("lina", StatusCode::FORBIDDEN),
        ("wuhao", StatusCode::FORBIDDEN),
        ("zhengfang", StatusCode::NOT_FOUND),
    ] {
        let c = app.login(user).await;
        let (status, v) = json_of(open(&app, Some(&c), Some("0")).await).await;
        assert_eq!(status, refused, "{user}: {v}");
        assert!(v["error"]["message"].is_string(), "{v}");
    }

    // 周敏 of 青禾 has her own application: from the very first event, her stream holds her
    // timeline and not a line of 星河's, whatever Last-Event-ID she sends.
    let zhou = institution_at_authorize(&app).await;
    let hers = events_after(&app, "zhoumin", 0).await;
    let mut sse = stream(&app, &zhou, Some(0)).await;
    assert_eq!(sse.ready().await, 0);
    assert_eq!(sse.timeline(hers.len()).await, hers);
    // 张伟 withdraws his SMS: an event of 星河's.
    let before = events_after(&app, "zhangwei", 0).await.len();
    let res = app
        .send(common::delete("/api/application/legal-rep", Some(&zhang)))
        .await;
    assert!(res.status().is_success(), "{:?}", res.status());
    assert_eq!(events_after(&app, "zhangwei", 0).await.len(), before + 1);
    assert!(
        sse.message_within(QUIET).await.is_none(),
        "星河's new event is not 周敏's to hear"
    );

    for bad in ["abc", "-1", "1e3"] {
        let (status, v) = json_of(open(&app, Some(&zhou), Some(bad)).await).await;
        assert_eq!(
            (status, code(&v)),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn the_stream_keeps_proxies_awake_and_is_neither_cached_nor_compressed() {
    let app = live_app().await;
    let (zhang, _) = zhang_asked_the_legal_rep(&app).await;
    let req = common::browser("GET", PATH)
        .header(header::COOKIE, &zhang)
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .body(Body::empty())
        .unwrap();
    let res = app.send(req).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(h[header::CONTENT_TYPE], "text/event-stream");
    assert_eq!(h[header::CACHE_CONTROL], "no-cache");
    assert_eq!(h["x-accel-buffering"], "no");
    assert!(h.get(header::CONTENT_ENCODING).is_none(), "{h:?}");
    assert!(h.get(header::CONTENT_SECURITY_POLICY).is_some());

    let mut sse = Sse::new(res);
    sse.ready().await;
    for _ in 0..2 {
        let b = sse.within(HEARTBEAT * 5).await.expect("a heartbeat");
        assert!(b.comment && b.event.is_none() && b.data.is_none(), "{b:?}");
    }
}

#[tokio::test]
async fn an_event_whose_wake_up_was_lost_arrives_with_the_next_heartbeat() {
    let app = live_app().await;
    let (zhang, _) = zhang_asked_the_legal_rep(&app).await;
    let mut sse = stream(&app, &zhang, None).await;
    sse.ready().await;
    // Appended behind the server's back: no wake-up at all (as when a notification is lost).
    let (app_id,): (String,) =
        sqlx::query_as("SELECT id FROM applications WHERE applicant_id = 'zhangwei'")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO events (application_id, kind, at) VALUES ($1, 'legal_rep_notified', 0)
         RETURNING id",
    )
    .bind(&app_id)
    .fetch_one(app.db.pool())
    .await
    .unwrap();
    assert_eq!(
        sse.timeline(1).await,
        [(id, "legal_rep_notified".to_owned())]
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_stream() {
    let app = TestApp::new().await;
    let (_, doc) = app.get_json("/api/openapi.json", None).await;
    let op = &doc["paths"][PATH]["get"];
    assert!(
        op["responses"]["200"]["content"]["text/event-stream"].is_object(),
        "{op}"
    );
    let params = op["parameters"].as_array().unwrap();
    assert!(
        params
            .iter()
            .any(|p| p["name"] == "Last-Event-ID" && p["in"] == "header"),
        "{op}"
    );
    for status in ["400", "401", "403", "404"] {
        assert!(op["responses"][status].is_object(), "{status}: {op}");
    }
}

#[tokio::test]
async fn a_server_that_shuts_down_ends_its_streams() {
    let app = live_app().await;
    let (zhang, _) = zhang_asked_the_legal_rep(&app).await;
    let mut sse = stream(&app, &zhang, None).await;
    sse.ready().await;
    // What `main` does on Ctrl-C, or the graceful shutdown would wait for this stream forever.
    app.db.live().close();
    let end = tokio::time::timeout(PATIENCE, async {
        while let Some(frame) = sse.body.frame().await {
            frame.unwrap();
        }
    })
    .await;
    assert!(end.is_ok(), "the stream ended");
    // Once closing, a new stream ends at once too (after its `ready`).
    let mut late = stream(&app, &zhang, None).await;
    late.ready().await;
    assert!(tokio::time::timeout(PATIENCE, late.body.frame())
        .await
        .unwrap()
        .is_none());
}
