//! The benches that load the app in Debian's Chromium: `bundle`'s "what a browser is sent"
//! half and `lighthouse`. Both run against a fresh local-mode server on dist/ (e2e's
//! [`LocalServer`]), signed in as a WeCom admin of an unverified enterprise, so 首页 shows
//! 去认证; the browser side is a node script in scripts/bench/ that prints `key value` lines.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};

use crate::e2e::{self, LocalServer, Server};
use crate::util;

/// Not e2e's, fuzz-api's or bench load's port: they can run on one machine.
const DEFAULT_ADDR: &str = "127.0.0.1:18092";
/// 王建国, admin of 星河云图 (not verified): 首页 with the 去认证 bar.
const USER: &str = "wangjianguo";

pub const HOME_BUDGET_KB: f64 = 150.0;
pub const ALL_BUDGET_KB: f64 = 400.0;

pub struct Running {
    _server: Server,
    pub base_url: String,
    pub cookie: String,
    pub work: PathBuf,
}

/// Builds the server (debug: static files and one session read), starts it on a fresh
/// database, and signs in through local mode's `/dev/login`.
pub fn start(root: &Path, name: &str) -> Result<Running> {
    if !root.join("dist").join("index.html").is_file() {
        bail!("dist/index.html is missing; run `cargo xtask build-app` first");
    }
    let node_script = root.join("scripts/bench/first-load.mjs");
    if !node_script.is_file() || !root.join("node_modules/@playwright/test").is_dir() {
        bail!("scripts/bench/ or node_modules is missing; run `bash scripts/setup.sh` (npm ci)");
    }
    util::run(
        Command::new(util::cargo())
            .current_dir(root)
            .args(["build", "-q", "-p", "server", "--bin", "server"]),
    )?;
    let target = util::target_dir(root);
    let bin = target.join("debug").join("server");
    let addr_text = std::env::var("BENCH_WEB_ADDR").unwrap_or_else(|_| DEFAULT_ADDR.to_owned());
    let addr: SocketAddr = addr_text
        .to_socket_addrs()
        .with_context(|| format!("bad BENCH_WEB_ADDR `{addr_text}`"))?
        .next()
        .context("BENCH_WEB_ADDR resolves to nothing")?;
    if TcpListener::bind(addr).is_err() {
        bail!("{addr} is in use: stop whatever listens there or set BENCH_WEB_ADDR");
    }
    let work = target.join(format!("bench-{name}"));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    let database_url = format!("sqlite://{}?mode=rwc", work.join("esign.db").display());
    e2e::install_signal_handlers();
    let server = LocalServer {
        bin: &bin,
        root,
        addr,
        addr_text: &addr_text,
        database_url: &database_url,
        data_dir: &work,
        static_dir: &root.join("dist"),
        log_path: &work.join("server.log"),
        extra_env: &[],
        providers: "local",
    }
    .spawn(false)?;
    let login = format!("/dev/login?user={USER}");
    let cookie = match e2e::http_get(addr, &login) {
        Some((303, headers)) => crate::fuzz_api::session_cookie(&headers)
            .with_context(|| format!("GET {login} set no session cookie"))?,
        other => bail!("GET {login} answered {other:?}, not 303 with a session cookie"),
    };
    Ok(Running {
        _server: server,
        base_url: format!("http://{addr_text}"),
        cookie,
        work,
    })
}

/// Runs `scripts/bench/<script>` with node and returns its `key value` lines.
pub fn node(
    root: &Path,
    script: &str,
    running: &Running,
    env: &[(&str, String)],
) -> Result<Vec<(String, String)>> {
    let mut cmd = Command::new("node");
    cmd.current_dir(root)
        .arg(root.join("scripts/bench").join(script))
        .env("BENCH_BASE_URL", &running.base_url)
        .env("BENCH_COOKIE", &running.cookie)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env("PATH", util::path_with_node_bin(root)?)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    eprintln!("$ {}", util::show(&cmd));
    let out = cmd.output().context("could not start node")?;
    if !out.status.success() {
        bail!("{script} failed ({})", util::describe(out.status));
    }
    Ok(parse_lines(&String::from_utf8_lossy(&out.stdout)))
}

pub fn parse_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.trim().split_once(' '))
        .map(|(k, v)| (k.to_owned(), v.trim().to_owned()))
        .collect()
}

pub fn verdict(value: f64, budget: f64, higher_is_better: bool) -> &'static str {
    let ok = if higher_is_better {
        value >= budget
    } else {
        value <= budget
    };
    if ok {
        "PASS"
    } else {
        "MISSED"
    }
}

/// One transferred file of the browser half: kind, bytes, encoding, path.
#[derive(Debug, PartialEq)]
pub struct Transfer {
    pub kind: String,
    pub bytes: u64,
    pub encoding: String,
    pub path: String,
}

pub fn transfers(lines: &[(String, String)], key: &str) -> Vec<Transfer> {
    lines
        .iter()
        .filter(|(k, _)| k == key)
        .filter_map(|(_, v)| {
            let mut w = v.splitn(4, ' ');
            Some(Transfer {
                kind: w.next()?.to_owned(),
                bytes: w.next()?.parse().ok()?,
                encoding: w.next()?.to_owned(),
                path: w.next()?.to_owned(),
            })
        })
        .collect()
}

fn is_code(t: &Transfer) -> bool {
    matches!(t.kind.as_str(), "wasm" | "js" | "css")
}

/// `bench bundle`'s second table: 首页 on a cold cache in Chromium, then every route.
pub fn bundle_in_browser(root: &Path, shipped: &[String]) -> Result<()> {
    let running = start(root, "bundle")?;
    let lines = node(
        root,
        "first-load.mjs",
        &running,
        &[("BENCH_ASSETS", shipped.join("\n"))],
    )?;
    let home = transfers(&lines, "home.file");
    let more = transfers(&lines, "more.file");
    if home.is_empty() {
        bail!("first-load.mjs saw no response");
    }
    println!(
        "  what Chromium received for 首页 (390×844, cold cache, signed in as {USER}; bytes on the wire incl. headers):"
    );
    let width = home.iter().map(|t| t.path.len()).max().unwrap_or(4).max(4);
    for t in &home {
        println!(
            "  {:<5} {:<width$}  {:>8} KB  {}",
            t.kind,
            t.path,
            util::kb(t.bytes),
            t.encoding
        );
    }
    let code: u64 = home.iter().filter(|t| is_code(t)).map(|t| t.bytes).sum();
    let all_home: u64 = home.iter().map(|t| t.bytes).sum();
    let code_kb = code as f64 / 1024.0;
    println!(
        "  首页 wasm + js + css transferred: {code_kb:.1} KB / budget {HOME_BUDGET_KB:.0} KB: {}   (everything, with the page and the API: {} KB)",
        verdict(code_kb, HOME_BUDGET_KB, false),
        util::kb(all_home)
    );
    let extra: u64 = more.iter().filter(|t| is_code(t)).map(|t| t.bytes).sum();
    for t in more.iter().filter(|t| is_code(t)) {
        println!(
            "  + {:<5} {:<width$}  {:>8} KB  {}",
            t.kind,
            t.path,
            util::kb(t.bytes),
            t.encoding
        );
    }
    let all_kb = (code + extra) as f64 / 1024.0;
    println!(
        "  all routes together (every shipped wasm/js/css, as transferred): {all_kb:.1} KB / budget {ALL_BUDGET_KB:.0} KB: {}",
        verdict(all_kb, ALL_BUDGET_KB, false)
    );
    let get = |key: &str| {
        lines
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    if let Some(ms) = get("home.go_verify_ms") {
        println!(
            "  去认证 visible after {ms} ms (FCP {} ms, load {} ms; no throttling, this machine)",
            get("home.fcp_ms").unwrap_or("?"),
            get("home.load_ms").unwrap_or("?")
        );
    }
    Ok(())
}

pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

const RUNS: usize = 3;

/// `cargo xtask bench lighthouse`.
pub fn lighthouse(root: &Path) -> Result<()> {
    if !root.join("node_modules/lighthouse").is_dir() {
        bail!("node_modules/lighthouse is missing; run `bash scripts/setup.sh` (npm ci)");
    }
    let running = start(root, "lighthouse")?;
    let lines = node(
        root,
        "lighthouse.mjs",
        &running,
        &[
            ("BENCH_RUNS", RUNS.to_string()),
            ("BENCH_REPORT_DIR", running.work.display().to_string()),
        ],
    )?;
    let values = |key: &str| -> Vec<f64> {
        lines
            .iter()
            .filter(|(k, _)| k == key)
            .filter_map(|(_, v)| v.parse().ok())
            .collect()
    };
    let runs = values("run.end").len();
    if runs == 0 {
        bail!("lighthouse.mjs finished no run");
    }
    println!("  Lighthouse 12, mobile preset (simulated throttling), 首页 signed in as {USER}; median of {runs} runs");
    println!("  {:<22} {:>10}  {:<24} budget", "metric", "median", "runs");
    // (label, key, divisor, budget and whether higher is better)
    type Row = (&'static str, &'static str, f64, Option<(f64, bool)>);
    let rows: [Row; 6] = [
        ("performance score", "run.score", 1.0, Some((95.0, true))),
        ("LCP (s)", "run.lcp_ms", 1000.0, Some((1.5, false))),
        ("TBT (ms)", "run.tbt_ms", 1.0, Some((200.0, false))),
        ("CLS", "run.cls", 1.0, Some((0.02, false))),
        ("FCP (s)", "run.fcp_ms", 1000.0, None),
        ("transferred (KB)", "run.bytes", 1024.0, None),
    ];
    for (label, key, scale, budget) in rows {
        let mut v: Vec<f64> = values(key).into_iter().map(|x| x / scale).collect();
        let all = v
            .iter()
            .map(|x| format_value(*x))
            .collect::<Vec<_>>()
            .join(" / ");
        let Some(m) = median(&mut v) else { continue };
        let budget = budget.map_or(String::new(), |(b, higher)| {
            let cmp = if higher { "≥" } else { "≤" };
            format!("{cmp} {}: {}", format_value(b), verdict(m, b, higher))
        });
        println!("  {label:<22} {:>10}  {all:<24} {budget}", format_value(m));
    }
    let lcp: Vec<&str> = lines
        .iter()
        .filter(|(k, _)| k == "run.lcp_element")
        .map(|(_, v)| v.as_str())
        .collect();
    println!("  LCP element: {}", lcp.join(" | "));
    println!("  reports: {}/lighthouse-*.json", running.work.display());
    Ok(())
}

fn format_value(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else if x.abs() < 1.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_scripts_lines() {
        let lines = parse_lines(
            "home.file wasm 150000 br /app-1_bg.wasm\nhome.file html 900 br /\n\
             more.file js 2000 gzip /snippets/a b.js\nnoise\nrun.score 97\n",
        );
        let home = transfers(&lines, "home.file");
        assert_eq!(home.len(), 2);
        assert_eq!(
            home[0],
            Transfer {
                kind: "wasm".into(),
                bytes: 150000,
                encoding: "br".into(),
                path: "/app-1_bg.wasm".into()
            }
        );
        assert!(!is_code(&home[1]));
        assert_eq!(transfers(&lines, "more.file")[0].path, "/snippets/a b.js");
        assert!(lines.contains(&("run.score".into(), "97".into())));
    }

    #[test]
    fn medians_and_verdicts() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
        assert_eq!(verdict(96.0, 95.0, true), "PASS");
        assert_eq!(verdict(94.0, 95.0, true), "MISSED");
        assert_eq!(verdict(1.6, 1.5, false), "MISSED");
        assert_eq!(verdict(0.02, 0.02, false), "PASS");
        assert_eq!(format_value(97.0), "97");
        assert_eq!(format_value(0.0123), "0.012");
        assert_eq!(format_value(1.456), "1.46");
    }
}
