//! `cargo xtask bench load`: requests per second and latency of the release server, under a
//! load generator in a second process on loopback (`server/examples/loadgen.rs`, a small hyper
//! client), at concurrency 64 for 10 s per route, on SQLite and on PostgreSQL (a private
//! cluster from `scripts/pg.sh`, when PostgreSQL is installed).
//!
//! Routes: the bare `/bench/constant` (the server's bench-only flag; the machine's ceiling),
//! `GET /api/session`, and `GET /api/application` of a real-name-verified applicant whose page
//! waits for the legal representative (the view the waiting pages poll). Each route's rps is
//! also shown as a share of the bare route's. Budget: `/api/session` ≥ 50 % of the bare
//! route, p99 ≤ 10 ms, 0 errors — reported, never enforced.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::e2e::LocalServer;
use crate::util;

const CONCURRENCY: &str = "64";
const SECS: &str = "10";
const ADDR: &str = "127.0.0.1:18090";

struct Run {
    rps: f64,
    p50: f64,
    p99: f64,
    errors: u64,
}

pub fn load(root: &Path) -> Result<()> {
    util::run(Command::new(util::cargo()).current_dir(root).args([
        "build",
        "--release",
        "-p",
        "server",
        "--bin",
        "server",
        "--example",
        "loadgen",
    ]))?;
    let release = util::target_dir(root).join("release");
    let (server, loadgen) = (release.join("server"), release.join("examples/loadgen"));
    let work = util::target_dir(root).join("bench-load");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;

    let mut databases = vec![(
        "SQLite",
        format!("sqlite://{}?mode=rwc", work.join("esign.db").display()),
    )];
    match crate::pg::fresh_database(root, "esign_bench") {
        Ok(url) => databases.push(("PostgreSQL", url)),
        Err(e) => println!("PostgreSQL skipped: {e:#}"),
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "concurrency {CONCURRENCY}, {SECS} s per route, loadgen and server on {cpus} CPU(s) of this machine"
    );
    println!(
        "{:<11} {:<18} {:>9} {:>9} {:>9} {:>7} {:>8}",
        "database", "route", "rps", "p50 ms", "p99 ms", "errors", "of bare"
    );
    for (name, url) in &databases {
        let addr: SocketAddr = ADDR.parse()?;
        if TcpListener::bind(addr).is_err() {
            bail!("{ADDR} is in use");
        }
        let data = work.join(name.to_lowercase());
        std::fs::create_dir_all(&data)?;
        let log = work.join(format!("{}-server.log", name.to_lowercase()));
        let mut running = LocalServer {
            bin: &server,
            root,
            addr,
            addr_text: ADDR,
            database_url: url,
            data_dir: &data,
            static_dir: &root.join("dist"),
            log_path: &log,
            extra_env: &[("ESIGN_BENCH_ROUTES", "true"), ("RUST_LOG", "warn")],
            providers: "local",
        }
        .spawn(false)?;
        let base = format!("http://{ADDR}");
        let cookie = output(Command::new(&loadgen).args(["prepare", &base]))
            .context("taking the demo applicant to 等待法定代表人授权")?;
        let mut bare = None;
        for (route, path, with_cookie) in [
            ("bare constant", "/bench/constant", false),
            ("GET /api/session", "/api/session", true),
            ("GET /api/application", "/api/application", true),
        ] {
            let url = format!("{base}{path}");
            let line = output(Command::new(&loadgen).args([
                "run",
                &url,
                if with_cookie { &cookie } else { "" },
                CONCURRENCY,
                SECS,
            ]))?;
            let run = parse(&line).with_context(|| format!("loadgen printed `{line}`"))?;
            let bare_rps = *bare.get_or_insert(run.rps);
            println!(
                "{:<11} {:<18} {:>9.0} {:>9.2} {:>9.2} {:>7} {:>7.0} %",
                name,
                route,
                run.rps,
                run.p50,
                run.p99,
                run.errors,
                100.0 * run.rps / bare_rps.max(1.0)
            );
        }
        running.stop();
    }
    println!("budget: /api/session ≥ 50 % of the bare route, p99 ≤ 10 ms, 0 errors (not enforced)");
    Ok(())
}

fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("running {}", util::show(cmd)))?;
    if !out.status.success() {
        bail!(
            "{} failed: {}",
            util::show(cmd),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

/// The number after `"key":` in loadgen's one-line JSON (xtask has no JSON parser).
fn number(line: &str, key: &str) -> Option<f64> {
    let rest = &line[line.find(&format!("\"{key}\":"))? + key.len() + 3..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

fn parse(line: &str) -> Option<Run> {
    Some(Run {
        rps: number(line, "rps")?,
        p50: number(line, "p50_ms")?,
        p99: number(line, "p99_ms")?,
        errors: number(line, "errors")? as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_loadgen_output() {
        let run = parse(r#"{"errors":0,"p50_ms":1.25,"p99_ms":4.5,"requests":1000,"rps":9876.0}"#)
            .unwrap();
        assert_eq!(
            (run.rps, run.p50, run.p99, run.errors),
            (9876.0, 1.25, 4.5, 0)
        );
        assert!(parse("{}").is_none());
    }
}
