//! `cargo xtask fuzz-api [SCHEMATHESIS ARGS…]`: schemathesis against `/api/openapi.json` of a
//! fresh local-mode server, signed in, from the app's own origin. Every answer must be no 5xx
//! and must match the document: its status code, content type and body schema.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

use crate::e2e::{self, LocalServer};
use crate::util;

/// Not e2e's port: both can run on one machine.
pub const DEFAULT_ADDR: &str = "127.0.0.1:18081";
/// The pins, installed into [`venv`] by scripts/setup.sh.
const REQUIREMENTS: &str = "scripts/fuzz-requirements.txt";
/// Who the run signs in as: a WeCom admin who may start an application, so most operations
/// get past "who are you" to their own checks.
const USER: &str = "wangjianguo";
/// Per operation and phase; with 43 operations the run takes well under a minute.
const MAX_EXAMPLES: &str = "25";
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_schema_conformance";
/// Left out, and why:
/// - `/dev/reset` wipes every session: the rest of the run would only see 401;
/// - `/dev/clock` moves the clock by up to 30 days a call: the session expires, the same.
const EXCLUDED: [&str; 2] = ["/dev/reset", "/dev/clock"];

/// The virtualenv scripts/setup.sh installs schemathesis into.
pub fn venv(root: &Path) -> PathBuf {
    root.join("target").join("venv")
}

/// `4.32.5` from the `schemathesis==4.32.5` line of the requirements.
fn pinned_version(requirements: &str) -> Option<&str> {
    requirements
        .lines()
        .find_map(|l| l.trim().strip_prefix("schemathesis=="))
        .map(str::trim)
}

/// The session cookie (`esign_sid=…`) from a `Set-Cookie` header line.
pub(crate) fn session_cookie(headers: &[String]) -> Option<String> {
    headers.iter().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        if !name.trim().eq_ignore_ascii_case("set-cookie") {
            return None;
        }
        let pair = value.trim().split(';').next()?.trim();
        pair.starts_with("esign_sid=").then(|| pair.to_owned())
    })
}

fn check_schemathesis(root: &Path) -> Result<PathBuf> {
    let requirements = std::fs::read_to_string(root.join(REQUIREMENTS))
        .with_context(|| format!("reading {REQUIREMENTS}"))?;
    let want = pinned_version(&requirements)
        .with_context(|| format!("no `schemathesis==` line in {REQUIREMENTS}"))?;
    let bin = venv(root).join("bin").join("schemathesis");
    if !bin.exists() {
        bail!(
            "{} is missing; run `bash scripts/setup.sh` (it installs schemathesis {want})",
            bin.display()
        );
    }
    let line = util::version_line(&bin)?;
    if line.split_whitespace().last() != Some(want) {
        bail!(
            "{} reports `{line}`, need {want}; run `bash scripts/setup.sh`",
            bin.display()
        );
    }
    println!("  schemathesis  {want}  {}", bin.display());
    Ok(bin)
}

pub fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
    let args: &[String] = match args.first() {
        Some(first) if first == "--" => &args[1..],
        _ => args,
    };
    let addr_text = std::env::var("FUZZ_API_ADDR").unwrap_or_else(|_| DEFAULT_ADDR.to_string());
    let addr: SocketAddr = addr_text
        .to_socket_addrs()
        .with_context(|| format!("bad FUZZ_API_ADDR `{addr_text}`"))?
        .next()
        .context("FUZZ_API_ADDR resolves to nothing")?;
    let base_url = format!("http://{addr_text}");
    let schemathesis = check_schemathesis(root)?;

    util::run(
        Command::new(util::cargo())
            .current_dir(root)
            .args(["build", "-p", "server"]),
    )?;
    let target = util::target_dir(root);
    let server_bin = target.join("debug").join("server");
    let data_dir = target.join("fuzz-api-data");
    if data_dir.exists() {
        std::fs::remove_dir_all(&data_dir)
            .with_context(|| format!("wiping {}", data_dir.display()))?;
    }
    // The API alone: no bundle is needed (the server says so in its log and serves on).
    let static_dir = data_dir.join("no-app");
    std::fs::create_dir_all(&static_dir)?;
    let database_url = format!("sqlite://{}?mode=rwc", data_dir.join("esign.db").display());
    let log_path = target.join("fuzz-api-server.log");
    if let Err(e) = TcpListener::bind(addr) {
        bail!("{addr} is already in use ({e}); stop whatever listens there or set FUZZ_API_ADDR");
    }

    e2e::install_signal_handlers();
    let local = LocalServer {
        bin: &server_bin,
        root,
        addr,
        addr_text: &addr_text,
        database_url: &database_url,
        data_dir: &data_dir,
        static_dir: &static_dir,
        log_path: &log_path,
        extra_env: &[],
        providers: "local",
    };
    let mut server = local.spawn(false)?;

    let login = format!("/dev/login?user={USER}");
    let cookie = match e2e::http_get(addr, &login) {
        Some((303, headers)) => session_cookie(&headers)
            .with_context(|| format!("GET {login} set no session cookie: {headers:?}"))?,
        other => bail!("GET {login} answered {other:?}, not 303 with a session cookie"),
    };

    // Schemathesis keeps a crash cache (.schemathesis/) in its working directory and replays
    // it on the next run: a fresh one each time, so every run is the same run.
    let workdir = target.join("fuzz-api-run");
    if workdir.exists() {
        std::fs::remove_dir_all(&workdir)
            .with_context(|| format!("wiping {}", workdir.display()))?;
    }
    std::fs::create_dir_all(&workdir)?;
    let mut cmd = Command::new(&schemathesis);
    cmd.current_dir(&workdir)
        .arg("run")
        .arg(format!("{base_url}/api/openapi.json"))
        .args(["--header", &format!("Cookie: {cookie}")])
        // The CSRF guard wants the app's own origin on every state-changing request.
        .args(["--header", &format!("Origin: {base_url}")])
        .args(["--checks", CHECKS])
        .args(["--max-examples", MAX_EXAMPLES])
        // The same cases every run: a red CI is a change in the code, not in the dice.
        // `--seed N` after `--` tries others.
        .args(["--seed", "20261201"])
        .args(["--generation-database", "none"])
        // The documented answer of /dev/login is its 303, not the page it leads to.
        .args(["--max-redirects", "0"])
        .args(["--request-timeout", "30"])
        .args(["--workers", "1"])
        .arg("--no-color");
    for path in EXCLUDED {
        cmd.args(["--exclude-path", path]);
    }
    cmd.args(args);
    let shown = util::show(&cmd).replace(&cookie, "esign_sid=…");
    eprintln!("$ {shown}");
    let status = match e2e::interrupted() {
        Some(sig) => bail!("interrupted by signal {sig}"),
        None => {
            let mut child = cmd.spawn().context("starting schemathesis")?;
            e2e::RUNNER_PID.store(child.id() as i32, std::sync::atomic::Ordering::SeqCst);
            let status = child.wait()?;
            e2e::RUNNER_PID.store(0, std::sync::atomic::Ordering::SeqCst);
            status
        }
    };
    server.stop();
    println!("fuzz-api: server log: {}", log_path.display());
    Ok(e2e::verdict("fuzz-api", "schemathesis", status))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_pin() {
        let text = "# pins\nhypothesis==6.1\nschemathesis==4.32.5\n";
        assert_eq!(pinned_version(text), Some("4.32.5"));
        assert_eq!(pinned_version("schemathesis>=4"), None);
        let file = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join(REQUIREMENTS),
        )
        .unwrap();
        assert!(
            pinned_version(&file).is_some(),
            "{REQUIREMENTS} pins schemathesis"
        );
    }

    #[test]
    fn finds_the_session_cookie() {
        let headers = [
            "location: /".to_owned(),
            "Set-Cookie: other=1; Path=/".to_owned(),
            "set-cookie: esign_sid=abc-_1; HttpOnly; SameSite=Lax; Path=/".to_owned(),
        ];
        assert_eq!(
            session_cookie(&headers).as_deref(),
            Some("esign_sid=abc-_1")
        );
        assert_eq!(session_cookie(&headers[..2]), None);
    }
}
