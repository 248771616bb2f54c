//! Upload safety, as the attacks: image bombs, a flood of uploads, orphan files.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, StatusCode};
use common::apply::{jpeg, real_name, upload, xinghe_license};
use common::{code, TestApp};
use server::providers::ocr::{BizLicense, LicenseOcr, OcrError};
use tower::ServiceExt;

/// A solid-colour PNG of `width`×`height`, written row by row: the test never holds the
/// decoded image, only one row and the (small) compressed file. Unfiltered rows are quick to
/// write and to read.
fn solid_png(width: u32, height: u32, color: png::ColorType, depth: png::BitDepth) -> Vec<u8> {
    filtered_png(width, height, color, depth, png::Filter::NoFilter)
}

fn filtered_png(
    width: u32,
    height: u32,
    color: png::ColorType,
    depth: png::BitDepth,
    filter: png::Filter,
) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(color);
        encoder.set_depth(depth);
        encoder.set_compression(png::Compression::Balanced);
        encoder.set_filter(filter);
        let mut writer = encoder.write_header().unwrap();
        let mut stream = writer.stream_writer().unwrap();
        let bytes_per_pixel = color.samples()
            * if depth == png::BitDepth::Sixteen {
                2
            } else {
                1
            };
        let row = vec![0xC8u8; width as usize * bytes_per_pixel];
        for _ in 0..height {
            std::io::Write::write_all(&mut stream, &row).unwrap();
        }
        stream.finish().unwrap();
    }
    out
}

fn rgb_png(side: u32) -> Vec<u8> {
    solid_png(side, side, png::ColorType::Rgb, png::BitDepth::Eight)
}

/// The process's peak resident memory so far (kB), from /proc.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// 王建国 at 上传营业执照; returns his cookie.
async fn at_license(app: &TestApp) -> String {
    let c = app.login("wangjianguo").await;
    assert_eq!(
        app.post_json("/api/application", Some(&c), "").await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        real_name(app, &c, "王建国", "330106197503120410").await.0,
        StatusCode::OK
    );
    c
}

/// Photos whose bytes the database holds.
async fn stored_photos(app: &TestApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM upload_blobs")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_bombs_are_refused_from_their_header_in_under_a_second() {
    let app = TestApp::new().await;
    let c = at_license(&app).await;
    for side in [11_000, 10_000] {
        let bomb = rgb_png(side);
        let before = peak_rss_kb();
        let t = Instant::now();
        let (status, v) = upload(&app, &c, bomb.clone()).await;
        let took = t.elapsed();
        let after = peak_rss_kb();
        eprintln!(
            "{side}² PNG of {} KB: {status} in {took:?}; peak RSS {before:?} → {after:?} kB",
            bomb.len() / 1024
        );
        assert_eq!(
            (status, v["error"]["field"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("photo")),
            "{v}"
        );
        assert_eq!(code(&v), "too_large");
        assert!(v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("4000万像素"));
        assert!(took < Duration::from_secs(1), "{side}² took {took:?}");
    }
    assert_eq!(stored_photos(&app).await, 0);
}

#[tokio::test]
async fn a_photo_that_would_decode_to_over_200_mb_is_refused() {
    let app = TestApp::new().await;
    let c = at_license(&app).await;
    // 28.4 MP, under the pixel cap, but 16-bit RGBA: 227 MB once decoded.
    let deep = solid_png(7100, 4000, png::ColorType::Rgba, png::BitDepth::Sixteen);
    let (status, v) = upload(&app, &c, deep).await;
    assert_eq!(
        (status, v["error"]["field"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("photo")),
        "{v}"
    );
}

/// Between probes. Not `tokio::time::sleep`: its timer is driven by the very workers a
/// blocked runtime lacks, so it would hide the wait the probe is there to see. This blocks
/// only the test's own thread, which is not a runtime worker.
fn pause() {
    std::thread::sleep(Duration::from_millis(10));
}

/// `/api/health` on the runtime's own workers (spawned, as a real connection would be).
async fn health_latency(app: &TestApp) -> Duration {
    let router = app.router.clone();
    // Timed from outside: waiting for a free worker is the point.
    let t = Instant::now();
    let status = tokio::spawn(async move {
        router
            .oneshot(common::get("/api/health", None))
            .await
            .unwrap()
            .status()
    })
    .await
    .unwrap();
    assert_eq!(status, StatusCode::OK);
    t.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_while_three_bombs_are_in_flight() {
    let app = TestApp::new().await;
    let c = at_license(&app).await;
    let bomb = Arc::new(rgb_png(10_000));
    let uploads: Vec<_> = (0..3)
        .map(|_| {
            let (router, c, bomb) = (app.router.clone(), c.clone(), bomb.clone());
            tokio::spawn(async move {
                let req = common::browser("POST", "/api/application/license/photo")
                    .header(header::COOKIE, c)
                    .header(header::CONTENT_TYPE, "image/png")
                    .body(Body::from(bomb.to_vec()))
                    .unwrap();
                router.oneshot(req).await.unwrap().status()
            })
        })
        .collect();
    let mut worst = Duration::ZERO;
    let mut probes = 0;
    let start = Instant::now();
    while probes == 0
        || (!uploads.iter().all(|u| u.is_finished()) && start.elapsed() < Duration::from_secs(60))
    {
        worst = worst.max(health_latency(&app).await);
        probes += 1;
        pause();
    }
    eprintln!("health: worst {worst:?} over {probes} probes while 3 bombs were in flight");
    for u in uploads {
        assert_eq!(u.await.unwrap(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    assert!(worst < Duration::from_millis(500), "health took {worst:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_while_three_large_legal_photos_decode() {
    let app = TestApp::new().await;
    let c = at_license(&app).await;
    // 36 MP: under every cap, so it is decoded; that must happen off the async workers.
    // Adaptively filtered rows: each takes about a second to decode here, as a real photo
    // would, long enough for a blocked worker to show.
    let big = Arc::new(filtered_png(
        7200,
        5000,
        png::ColorType::Rgb,
        png::BitDepth::Eight,
        png::Filter::Adaptive,
    ));
    let uploads: Vec<_> = (0..3)
        .map(|_| {
            let (router, c, big) = (app.router.clone(), c.clone(), big.clone());
            tokio::spawn(async move {
                let req = common::browser("POST", "/api/application/license/photo")
                    .header(header::COOKIE, c)
                    .header(header::CONTENT_TYPE, "image/png")
                    .body(Body::from(big.to_vec()))
                    .unwrap();
                let t = Instant::now();
                let status = router.oneshot(req).await.unwrap().status();
                (status, t.elapsed())
            })
        })
        .collect();
    let mut worst = Duration::ZERO;
    let mut probes = 0;
    let start = Instant::now();
    while !uploads.iter().all(|u| u.is_finished()) && start.elapsed() < Duration::from_secs(60) {
        worst = worst.max(health_latency(&app).await);
        probes += 1;
        pause();
    }
    for u in uploads {
        let (status, took) = u.await.unwrap();
        eprintln!("36 MP upload: {status} in {took:?}");
        assert_eq!(status, StatusCode::OK);
    }
    eprintln!("health: worst {worst:?} over {probes} probes while 3 photos decoded");
    assert!(probes > 0, "the uploads finished before any probe");
    assert!(worst < Duration::from_millis(500), "health took {worst:?}");
}

#[tokio::test]
async fn the_31st_photo_of_the_day_waits_until_tomorrow() {
    let app = TestApp::new().await;
    let c = at_license(&app).await;
    let photo = jpeg(400, 320);
    for i in 0..30 {
        let (status, v) = upload(&app, &c, photo.clone()).await;
        assert_eq!(status, StatusCode::OK, "photo {i}: {v}");
    }
    let req = common::browser("POST", "/api/application/license/photo")
        .header(header::COOKIE, &c)
        .header(header::CONTENT_TYPE, "image/jpeg")
        .body(Body::from(photo.clone()))
        .unwrap();
    let res = app.send(req).await;
    let retry_after: u64 = res
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().parse().unwrap())
        .unwrap_or(0);
    let (status, v) = common::json_of(res).await;
    assert_eq!(
        (status, code(&v)),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        "{v}"
    );
    // 2026-11-28 10:00 UTC is 18:00 in China: six hours until the day turns.
    assert_eq!(retry_after, 6 * 3600);
    assert_eq!(v["error"]["retry_after_secs"], 6 * 3600);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("今日上传照片次数已达上限"));

    app.clock.advance(6 * 3600);
    assert_eq!(upload(&app, &c, photo).await.0, StatusCode::OK);
}

#[tokio::test]
async fn bytes_the_database_refuses_leave_no_row() {
    let app = TestApp::new().await;
    let c = at_license(&app).await;
    // The database refuses the bytes as a full disk would, after the row went in.
    common::refuse_inserts(&app.db, "upload_blobs").await;
    let (status, _) = upload(&app, &c, jpeg(1200, 850)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(stored_photos(&app).await, 0);
}

/// Recognition during which the application is closed (another tab withdrew it, an operator
/// cancelled it): between the handler's checks and the row's insert.
#[derive(Default)]
struct ClosesTheApplication {
    db: std::sync::OnceLock<server::storage::Db>,
}

#[async_trait::async_trait]
impl LicenseOcr for ClosesTheApplication {
    async fn recognize(&self, _image: Vec<u8>) -> Result<BizLicense, OcrError> {
        sqlx::query("UPDATE applications SET outcome = 'cancelled'")
            .execute(self.db.get().unwrap().pool())
            .await
            .unwrap();
        Ok(xinghe_license())
    }
}

#[tokio::test]
async fn a_photo_for_an_application_closed_meanwhile_is_not_kept() {
    let ocr = Arc::new(ClosesTheApplication::default());
    let app = TestApp::with_ocr(ocr.clone()).await;
    ocr.db.set(app.db.clone()).unwrap();
    let c = at_license(&app).await;
    let (status, v) = upload(&app, &c, jpeg(1200, 850)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{v}");
    assert_eq!(stored_photos(&app).await, 0);
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM uploads")
        .fetch_one(app.db.pool())
        .await
        .unwrap();
    assert_eq!(rows, 0);
}

/// Recognition that holds until the test lets it go, counting who got in.
struct GatedOcr {
    entered: tokio::sync::Semaphore,
    gate: tokio::sync::Semaphore,
}

#[async_trait::async_trait]
impl LicenseOcr for GatedOcr {
    async fn recognize(&self, _image: Vec<u8>) -> Result<BizLicense, OcrError> {
        self.entered.add_permits(1);
        self.gate.acquire().await.unwrap().forget();
        Ok(xinghe_license())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_503_with_retry_after() {
    let ocr = Arc::new(GatedOcr {
        entered: tokio::sync::Semaphore::new(0),
        gate: tokio::sync::Semaphore::new(0),
    });
    let app = TestApp::with_ocr(ocr.clone()).await;
    let c = at_license(&app).await;
    let cpus = std::thread::available_parallelism().unwrap().get();
    let photo = Arc::new(jpeg(400, 320));
    let send = |app: &TestApp| {
        let (router, c, photo) = (app.router.clone(), c.clone(), photo.clone());
        tokio::spawn(async move {
            let req = common::browser("POST", "/api/application/license/photo")
                .header(header::COOKIE, c)
                .header(header::CONTENT_TYPE, "image/jpeg")
                .body(Body::from(photo.to_vec()))
                .unwrap();
            router.oneshot(req).await.unwrap()
        })
    };
    // One recognition per CPU runs; twice as many wait.
    let running: Vec<_> = (0..cpus).map(|_| send(&app)).collect();
    let held = tokio::time::timeout(
        Duration::from_secs(10),
        ocr.entered.acquire_many(cpus as u32),
    )
    .await
    .expect("one recognition per CPU starts");
    held.unwrap().forget();
    let waiting: Vec<_> = (0..2 * cpus).map(|_| send(&app)).collect();
    tokio::time::timeout(Duration::from_secs(10), async {
        while app.images.in_use() < 3 * cpus {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("twice as many wait");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        ocr.entered.available_permits(),
        0,
        "no more than one per CPU at once"
    );

    let res = tokio::time::timeout(Duration::from_secs(5), send(&app))
        .await
        .expect("a full queue answers at once")
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let retry: u64 = res.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0);
    let (_, v) = common::json_of(res).await;
    assert_eq!(code(&v), "busy");
    assert_eq!(v["error"]["retry_after_secs"], retry);
    assert!(v["error"]["message"].as_str().unwrap().contains("请"));

    ocr.gate.add_permits(3 * cpus);
    for task in running.into_iter().chain(waiting) {
        assert_eq!(task.await.unwrap().status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn photo_files_of_an_earlier_version_move_into_the_database() {
    let app = TestApp::new().await;
    let c = at_license(&app).await;
    let photo = jpeg(1200, 850);
    let (status, v) = upload(&app, &c, photo.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let id = v["upload_id"].as_str().unwrap().to_owned();
    // As an earlier version left it: the row, and the bytes in a file.
    sqlx::query("DELETE FROM upload_blobs")
        .execute(app.db.pool())
        .await
        .unwrap();
    let dir = app.dir.join("uploads");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{id}.jpg")), &photo).unwrap();
    std::fs::write(dir.join("0123456789abcdef01234567.jpg"), b"\xFF\xD8\xFF").unwrap();

    assert_eq!(app.db.import_upload_files(&dir).await.unwrap(), 1);
    assert_eq!(app.db.upload_content(&id).await.unwrap(), Some(photo));
    assert!(!dir.join(format!("{id}.jpg")).exists());
    assert!(
        dir.join("0123456789abcdef01234567.jpg").exists(),
        "a file without a row is not imported"
    );
    assert_eq!(app.db.import_upload_files(&dir).await.unwrap(), 0, "once");
}
