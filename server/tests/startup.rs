//! The server process refuses to start, clearly, when its database cannot be used.

use std::process::Command;
use std::time::{Duration, Instant};

/// Runs the server binary with `DATABASE_URL=url` and returns its exit code and its log
/// (stdout and stderr).
fn start_with(url: &str) -> (Option<i32>, String) {
    let dir = std::env::temp_dir().join(format!("esign-startup-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", url)
        .env("ESIGN_ADDR", "127.0.0.1:0")
        .env("ESIGN_DATA_DIR", &dir)
        .env("ESIGN_PROVIDERS", "local")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("the server neither started nor gave up within 30 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    use std::io::Read;
    let mut log = String::new();
    for mut pipe in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn Read>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        pipe.read_to_string(&mut log).unwrap();
    }
    (status.code(), log)
}

#[test]
fn an_unreachable_database_stops_the_server_with_the_url_but_not_its_password() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, stderr) = start_with(&format!("postgres://esign:s3cret@127.0.0.1:{port}/esign"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("postgres://esign:***@127.0.0.1:{port}/esign")),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "{stderr}");
}

#[test]
fn a_database_url_of_another_kind_is_refused() {
    let (code, stderr) = start_with("mysql://root:hunter2@127.0.0.1/esign");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("DATABASE_URL must start with"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}
