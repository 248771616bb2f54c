//! A real server process (the `server` binary in local mode) on a port of its own, which a
//! test can kill with SIGKILL and start again on the same database and data directory.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, Response};
use http_body_util::BodyExt;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

pub struct Process {
    child: Option<Child>,
    db_url: String,
    data_dir: PathBuf,
    pub remote: Remote,
}

/// Where requests go: the port a [`Process`] listens on, across its restarts.
#[derive(Clone)]
pub struct Remote {
    pub port: u16,
    client: Client<HttpConnector, Body>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Process {
    /// Starts the server on `db_url`, keeping its key and files in `data_dir`.
    pub async fn start(db_url: &str, data_dir: &Path) -> Self {
        let mut p = Self {
            child: None,
            db_url: db_url.to_owned(),
            data_dir: data_dir.to_owned(),
            remote: Remote {
                port: free_port(),
                client: Client::builder(TokioExecutor::new()).build_http(),
            },
        };
        p.spawn().await;
        p
    }

    async fn spawn(&mut self) {
        let port = self.remote.port;
        let log = std::fs::File::create(self.data_dir.join(format!("server-{port}.log"))).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env("DATABASE_URL", &self.db_url)
            .env("ESIGN_ADDR", format!("127.0.0.1:{port}"))
            .env("ESIGN_DATA_DIR", &self.data_dir)
            .env("ESIGN_STATIC_DIR", self.data_dir.join("dist"))
            .env("ESIGN_OCR_DIR", self.data_dir.join("no-models"))
            .env("ESIGN_PROVIDERS", "local")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the server binary starts");
        self.child = Some(child);
        let start = Instant::now();
        loop {
            let req = Request::get(format!("http://127.0.0.1:{port}/api/session"))
                .body(Body::empty())
                .unwrap();
            if self.remote.client.request(req).await.is_ok() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the server did not answer within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// SIGKILL: no shutdown code runs, as in a crash or an OOM kill.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Kills the process and starts a new one on the same database and port.
    pub async fn crash_and_restart(&mut self) {
        self.kill();
        self.spawn().await;
    }
}

impl Remote {
    /// Sends a request as the in-process router would get it (same path and headers).
    pub async fn send(&self, req: Request<Body>) -> Response<Body> {
        let (mut parts, body) = req.into_parts();
        let path = parts.uri.path_and_query().unwrap().as_str().to_owned();
        parts.uri = format!("http://127.0.0.1:{}{path}", self.port)
            .parse()
            .unwrap();
        let res = self
            .client
            .request(Request::from_parts(parts, body))
            .await
            .expect("the server answers");
        let (parts, body) = res.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        Response::from_parts(parts, Body::from(bytes))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}
