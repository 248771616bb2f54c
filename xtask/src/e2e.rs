//! `cargo xtask e2e [PLAYWRIGHT ARGS…]`: the Playwright suite against the release bundle,
//! served by a fresh local-mode server.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::{check_wasm, util, wasm};

/// Where the test server listens; playwright.config.ts defaults E2E_BASE_URL to this.
pub const DEFAULT_ADDR: &str = "127.0.0.1:18080";
const HEALTH_PATH: &str = "/api/health";
const HEALTH_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest generated license image; its presence means the fixtures are there.
const PHONE_FIXTURE: &str = "91330106MA2KX7Q890-phone.jpg";

static SERVER_PID: AtomicI32 = AtomicI32::new(0);
/// The test runner in front of the server: Playwright here, schemathesis in `fuzz-api`.
pub(crate) static RUNNER_PID: AtomicI32 = AtomicI32::new(0);
static GOT_SIGNAL: AtomicI32 = AtomicI32::new(0);

/// Ctrl-C / SIGTERM / SIGHUP: stop the server right away (kill(2) is async-signal-safe) and let
/// the main thread finish. Ctrl-C already reached the runner (same process group); a SIGTERM
/// sent to us alone is forwarded.
extern "C" fn on_signal(sig: libc::c_int) {
    GOT_SIGNAL.store(sig, Ordering::SeqCst);
    let server = SERVER_PID.load(Ordering::SeqCst);
    if server > 0 {
        unsafe { libc::kill(server, libc::SIGTERM) };
    }
    let pw = RUNNER_PID.load(Ordering::SeqCst);
    if pw > 0 && sig != libc::SIGINT {
        unsafe { libc::kill(pw, libc::SIGTERM) };
    }
}

pub(crate) fn install_signal_handlers() {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = libc::SA_RESTART;
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
}

pub(crate) fn interrupted() -> Option<i32> {
    match GOT_SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        sig => Some(sig),
    }
}

/// The server child; stopped on drop, so every early return cleans up too.
pub(crate) struct Server {
    child: Child,
}

impl Server {
    /// Another child process (the contract fakes), stopped the same way.
    pub(crate) fn from_child(child: Child) -> Self {
        Self { child }
    }

    pub(crate) fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            SERVER_PID.store(0, Ordering::SeqCst);
            return;
        }
        let pid = self.child.id() as i32;
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                SERVER_PID.store(0, Ordering::SeqCst);
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("e2e: server did not stop within 10 s of SIGTERM; killing it");
        let _ = self.child.kill();
        let _ = self.child.wait();
        SERVER_PID.store(0, Ordering::SeqCst);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A local-mode server on a fresh database, as `e2e` and `fuzz-api` run it.
pub(crate) struct LocalServer<'a> {
    pub bin: &'a Path,
    pub root: &'a Path,
    pub addr: SocketAddr,
    pub addr_text: &'a str,
    pub database_url: &'a str,
    pub data_dir: &'a Path,
    pub static_dir: &'a Path,
    pub log_path: &'a Path,
    /// More environment for the server (after the defaults, so it wins).
    pub extra_env: &'a [(&'a str, &'a str)],
    /// `--providers`: `local`, or `real` for the real-mode run against the fakes.
    pub providers: &'a str,
}

impl LocalServer<'_> {
    /// Starts it (the log appended to, or truncated) and waits for `/api/health`.
    pub(crate) fn spawn(&self, append: bool) -> Result<Server> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(self.log_path)
            .with_context(|| format!("opening {}", self.log_path.display()))?;
        let mut cmd = Command::new(self.bin);
        cmd.current_dir(self.root)
            .arg("--addr")
            .arg(self.addr_text)
            .arg("--database-url")
            .arg(self.database_url)
            .arg("--data-dir")
            .arg(self.data_dir)
            .arg("--static-dir")
            .arg(self.static_dir)
            .args(["--providers", self.providers])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        if std::env::var_os("RUST_LOG").is_none() {
            cmd.env("RUST_LOG", "info");
        }
        cmd.envs(self.extra_env.iter().copied());
        // If xtask dies without cleaning up (SIGKILL), the kernel stops the server too.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        eprintln!("$ {}  > {}", util::show(&cmd), self.log_path.display());
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", self.bin.display()))?;
        SERVER_PID.store(child.id() as i32, Ordering::SeqCst);
        let mut server = Server { child };
        wait_for_health(&mut server, self.addr, self.log_path)?;
        Ok(server)
    }
}

/// Status code from an HTTP status line such as `HTTP/1.1 200 OK`.
pub fn parse_status_line(line: &str) -> Option<u16> {
    let mut parts = line.split_whitespace();
    if !parts.next()?.starts_with("HTTP/") {
        return None;
    }
    parts.next()?.parse().ok()
}

/// A bare-bones `GET` (no HTTP client dependency): the response's status code.
fn http_status(addr: SocketAddr, path: &str) -> Option<u16> {
    http_get(addr, path).map(|(status, _)| status)
}

/// A bare-bones `GET`: the status code and the header lines (`name: value`) of the answer.
pub(crate) fn http_get(addr: SocketAddr, path: &str) -> Option<(u16, Vec<String>)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(2)))
        .ok()?;
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).ok()?;
    let mut buf = [0u8; 256];
    let mut got = Vec::new();
    // Up to the end of the head: the body is never needed.
    while !got.windows(4).any(|w| w == b"\r\n\r\n") && got.len() < 16 * 1024 {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&got);
    let mut lines = text.split("\r\n");
    let status = parse_status_line(lines.next()?)?;
    let headers = lines
        .take_while(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    Some((status, headers))
}

pub(crate) fn wait_for_health(server: &mut Server, addr: SocketAddr, log: &Path) -> Result<()> {
    let start = Instant::now();
    let mut last = None;
    loop {
        if let Some(status) = server.child.try_wait()? {
            bail!(
                "the server exited during startup ({}). Last lines of {}:\n{}",
                util::describe(status),
                log.display(),
                util::tail(log, 40)
            );
        }
        if let Some(sig) = interrupted() {
            bail!("interrupted by signal {sig} while waiting for the server");
        }
        last = http_status(addr, HEALTH_PATH).or(last);
        if last == Some(200) {
            println!(
                "e2e: server ready after {:.1} s",
                start.elapsed().as_secs_f64()
            );
            return Ok(());
        }
        if start.elapsed() > HEALTH_TIMEOUT {
            let seen = last.map_or("no answer".to_string(), |s| format!("last status {s}"));
            bail!(
                "GET http://{addr}{HEALTH_PATH} did not answer 200 within {} s ({seen}). Last lines of {}:\n{}",
                HEALTH_TIMEOUT.as_secs(),
                log.display(),
                util::tail(log, 40)
            );
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// The suite must run against the release bundle: refuse a missing bundle or one that
/// wasm-opt never touched (a debug `trunk build` keeps the `name` section).
fn check_release_bundle(root: &Path) -> Result<()> {
    let dist = root.join("dist");
    if !dist.join("index.html").is_file() {
        bail!(
            "{}/index.html is missing; run `cargo xtask build-app` first",
            dist.display()
        );
    }
    for file in check_wasm::dist_wasm_files(root)? {
        let bytes = std::fs::read(&file)?;
        let sections =
            wasm::sections(&bytes).with_context(|| format!("parsing {}", file.display()))?;
        let debug = wasm::debug_sections(&sections);
        if !debug.is_empty() {
            bail!(
                "{} keeps {}: dist/ holds a debug build, but the e2e suite must run against the \
                 release bundle. Run `cargo xtask build-app` first.",
                file.display(),
                debug.join(", ")
            );
        }
    }
    Ok(())
}

pub fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
    let args: &[String] = match args.first() {
        Some(first) if first == "--" => &args[1..],
        _ => args,
    };
    let addr_text = std::env::var("E2E_ADDR").unwrap_or_else(|_| DEFAULT_ADDR.to_string());
    let addr: SocketAddr = addr_text
        .to_socket_addrs()
        .with_context(|| format!("bad E2E_ADDR `{addr_text}`"))?
        .next()
        .context("E2E_ADDR resolves to nothing")?;
    let base_url = format!("http://{addr_text}");

    // Preflight: everything that can be wrong before we start anything.
    check_release_bundle(root)?;
    let playwright = root.join("node_modules").join(".bin").join("playwright");
    if !playwright.exists() {
        bail!(
            "{} is missing; run `bash scripts/setup.sh` (npm ci)",
            playwright.display()
        );
    }
    if !["playwright.config.ts", "playwright.config.js"]
        .iter()
        .any(|f| root.join(f).is_file())
    {
        bail!("no playwright.config.ts at the repository root");
    }

    // 1. the server and the contract fakes (debug builds are fine)
    util::run(
        Command::new(util::cargo())
            .current_dir(root)
            .args(["build", "-p", "server", "-p", "fakes"]),
    )?;
    let target = util::target_dir(root);
    let server_bin = target.join("debug").join("server");

    // 1b. the license images the tests upload (generated, so rendered once and kept)
    let fixtures = target.join("e2e-fixtures");
    if !fixtures.join(PHONE_FIXTURE).is_file() {
        util::run(
            Command::new(util::cargo())
                .current_dir(root)
                .args([
                    "run",
                    "-q",
                    "-p",
                    "server",
                    "--example",
                    "license_images",
                    "--",
                ])
                .arg(&fixtures),
        )?;
    }

    // 2. a fresh data dir and database
    let data_dir = target.join("e2e-data");
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)
            .with_context(|| format!("wiping {}", data_dir.display()))?;
    }
    std::fs::create_dir_all(&data_dir)?;
    let database_url = format!("sqlite://{}?mode=rwc", data_dir.join("esign.db").display());
    let log_path = target.join("e2e-server.log");

    if let Err(e) = TcpListener::bind(addr) {
        bail!("{addr} is already in use ({e}); stop whatever listens there or set E2E_ADDR");
    }

    // 3. start it
    install_signal_handlers();
    let pidfile = target.join("e2e-server.pid");
    let marker = target.join("e2e-server.restart");
    let _ = std::fs::remove_file(&marker);
    let dist = root.join("dist");
    let local = LocalServer {
        bin: &server_bin,
        root,
        addr,
        addr_text: &addr_text,
        database_url: &database_url,
        data_dir: &data_dir,
        static_dir: &dist,
        log_path: &log_path,
        extra_env: &[],
        providers: "local",
    };
    let spawn = |append: bool| -> Result<Server> {
        let server = local.spawn(append)?;
        std::fs::write(&pidfile, server.child.id().to_string())?;
        Ok(server)
    };
    let mut server = spawn(false)?;
    // 3b. two more servers on one PostgreSQL database, for tests/e2e/instances.spec.ts
    let pair = match std::env::var("E2E_POSTGRES") {
        Ok(v) if v == "1" => Some(two_instances(root, &server_bin, &target)?),
        _ => {
            println!("e2e: E2E_POSTGRES is not 1: the two-instance test is skipped");
            None
        }
    };

    // 3c. a real-mode server against the contract fakes, for tests/e2e/real.spec.ts
    let real = crate::e2e_real::start(root, &server_bin, &target, addr.port())?;

    // 4. Playwright (= `npx playwright test`, without npx's extra process in between)
    let mut cmd = Command::new(&playwright);
    cmd.current_dir(root)
        .arg("test")
        .args(args)
        .env("E2E_BASE_URL", &base_url)
        .env("E2E_FIXTURES", &fixtures)
        .env("E2E_SERVER_LOG", &log_path)
        .env("E2E_SERVER_PIDFILE", &pidfile)
        .env("E2E_SERVER_RESTART", &marker)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env("PATH", util::path_with_node_bin(root)?);
    cmd.envs(real.env());
    if pair.is_some() {
        cmd.env("E2E_INSTANCE_A", format!("http://{INSTANCE_A}"))
            .env("E2E_INSTANCE_B", format!("http://{INSTANCE_B}"));
    }
    eprintln!("$ E2E_BASE_URL={base_url} {}", util::show(&cmd));
    let status = match interrupted() {
        Some(sig) => bail!("interrupted by signal {sig}"),
        None => {
            let mut child = cmd.spawn().context("starting playwright")?;
            RUNNER_PID.store(child.id() as i32, Ordering::SeqCst);
            let mut reported = false;
            let status = loop {
                if let Some(status) = child.try_wait()? {
                    break status;
                }
                // A test stops the server to prove nothing is lost (tests/e2e/helpers.ts,
                // restartServer): it leaves the marker first, and we start it again.
                if interrupted().is_none() && !reported && server.child.try_wait()?.is_some() {
                    if std::fs::remove_file(&marker).is_ok() {
                        eprintln!("e2e: restarting the server, as a test asked");
                        server = spawn(true)?;
                    } else {
                        eprintln!(
                            "e2e: the server exited on its own; see {}",
                            log_path.display()
                        );
                        reported = true;
                    }
                }
                std::thread::sleep(Duration::from_millis(100));
            };
            RUNNER_PID.store(0, Ordering::SeqCst);
            status
        }
    };

    // 5. stop the servers, report
    server.stop();
    drop(server);
    drop(pair);
    let leaks = real.finish()?;
    println!("e2e: server log: {}", log_path.display());
    println!(
        "e2e: screenshots, traces and failure artifacts: {}",
        root.join("test-results").display()
    );
    let verdict = verdict("e2e", "playwright", status);
    if !leaks.is_empty() {
        eprintln!(
            "e2e: FAILED: secrets in the real-mode logs: {}",
            leaks.join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(verdict)
}

/// Where the two instances on one PostgreSQL database listen.
const INSTANCE_A: &str = "127.0.0.1:18081";
const INSTANCE_B: &str = "127.0.0.1:18082";
/// Both instances seal personal numbers with one key, as a deployment's servers must.
const SHARED_DATA_KEY: &str = "ZTJlLXR3by1pbnN0YW5jZXMtc2hhcmUtb25lLWtleSE=";

/// Instances A and B: one fresh PostgreSQL database (scripts/pg.sh), one data key, each its
/// own data directory and log.
fn two_instances(root: &Path, server_bin: &Path, target: &Path) -> Result<(Server, Server)> {
    let database_url = crate::pg::fresh_database(root, "esign_e2e")?;
    let dist = root.join("dist");
    let start = |addr_text: &str, name: &str| -> Result<Server> {
        let addr: SocketAddr = addr_text.parse()?;
        if TcpListener::bind(addr).is_err() {
            bail!("{addr} is already in use: stop whatever listens there");
        }
        let data_dir = target.join(format!("e2e-data-{name}"));
        let _ = std::fs::remove_dir_all(&data_dir);
        std::fs::create_dir_all(&data_dir)?;
        let log_path = target.join(format!("e2e-server-{name}.log"));
        LocalServer {
            bin: server_bin,
            root,
            addr,
            addr_text,
            database_url: &database_url,
            data_dir: &data_dir,
            static_dir: &dist,
            log_path: &log_path,
            extra_env: &[("ESIGN_DATA_KEY", SHARED_DATA_KEY)],
            providers: "local",
        }
        .spawn(false)
    };
    Ok((start(INSTANCE_A, "a")?, start(INSTANCE_B, "b")?))
}

/// The exit code of a run of `tool` against the server (128 + the signal when interrupted),
/// said in one line.
pub fn verdict(task: &str, tool: &str, status: std::process::ExitStatus) -> ExitCode {
    let code = match interrupted() {
        Some(sig) => u8::try_from(128 + sig).unwrap_or(1),
        None => util::exit_code(status),
    };
    if code == 0 {
        println!("{task}: PASSED");
    } else {
        eprintln!("{task}: FAILED ({tool} {})", util::describe(status));
    }
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_status_lines() {
        assert_eq!(parse_status_line("HTTP/1.1 200 OK"), Some(200));
        assert_eq!(
            parse_status_line("HTTP/1.0 503 Service Unavailable"),
            Some(503)
        );
        assert_eq!(parse_status_line("SSH-2.0-OpenSSH"), None);
        assert_eq!(parse_status_line(""), None);
    }

    #[test]
    fn gets_status_from_a_tiny_server() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let handle = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf).unwrap();
            assert!(String::from_utf8_lossy(&buf).starts_with("GET /api/health HTTP/1.1"));
            s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
                .unwrap();
        });
        assert_eq!(http_status(addr, "/api/health"), Some(200));
        handle.join().unwrap();
    }
}
