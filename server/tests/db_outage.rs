//! The database lost while the server runs: requests answer 503 with the error body (never a
//! panic, never a hang), and succeed again once it is back, without a restart. PostgreSQL
//! only (`ESIGN_TEST_POSTGRES`): the connection goes through a proxy this test cuts.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{header, StatusCode};
use common::TestApp;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A TCP proxy to PostgreSQL that the test can cut (every connection dropped, new ones
/// refused) and restore.
struct Proxy {
    port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    async fn to(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(AtomicBool::new(true));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (up2, open2) = (up.clone(), open.clone());
        tokio::spawn(async move {
            loop {
                let (mut client, _) = listener.accept().await.unwrap();
                if !up2.load(Ordering::SeqCst) {
                    continue; // dropped: the database is unreachable
                }
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                open2.lock().unwrap().push(task);
            }
        });
        Self { port, up, open }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for task in self.open.lock().unwrap().drain(..) {
            task.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_answers_503_and_then_recovers() {
    let Some(server) = common::postgres_server() else {
        eprintln!("skipped: needs ESIGN_TEST_POSTGRES (scripts/test.sh sets it)");
        return;
    };
    let dir = std::env::temp_dir().join(format!("esign-outage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let direct = common::fresh_db_url(&dir).await;
    let host = server.rsplit('@').next().unwrap().to_owned();
    let proxy = Proxy::to(host.clone()).await;
    let via_proxy = direct.replace(&host, &format!("127.0.0.1:{}", proxy.port));
    let app = TestApp::on_database(&via_proxy).await;
    let c = app.login("zhangwei").await;
    assert_eq!(
        app.get_json("/api/session", Some(&c)).await.0,
        StatusCode::OK
    );

    proxy.cut();
    for _ in 0..3 {
        let res = app.send(common::get("/api/session", Some(&c))).await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::RETRY_AFTER], "5");
        let (_, v) = common::json_of(res).await;
        assert_eq!(v["error"]["message"], "服务暂时不可用，请稍后重试", "{v}");
    }
    let (status, _) = app.post_json("/api/application", Some(&c), "").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "a write too");

    proxy.restore();
    let (status, v) = app.get_json("/api/session", Some(&c)).await;
    assert_eq!(status, StatusCode::OK, "back without a restart: {v}");
    let (status, v) = app.post_json("/api/application", Some(&c), "").await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let _ = std::fs::remove_dir_all(&dir);
}
