//! `cargo xtask bench [NAME…]`: reports, not tests. Each bench prints a section and exits 0
//! whatever the numbers say; only a bench that cannot run at all is an error.
//!
//! To add a bench, write `fn name(root: &Path) -> Result<()>` and add a line to [`BENCHES`];
//! `cargo xtask bench` runs them all in order, `cargo xtask bench ocr` just that one.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::util;

pub struct Bench {
    pub name: &'static str,
    pub about: &'static str,
    pub run: fn(&Path) -> Result<()>,
}

pub const BENCHES: &[Bench] = &[
    Bench {
        name: "bundle",
        about: "release bundle in dist/: raw, gzip -9 and brotli q11 sizes, then what Chromium is sent for 首页 and for all routes (budgets 150 KB, 400 KB)",
        run: bundle,
    },
    Bench {
        name: "lighthouse",
        about: "Lighthouse 12 mobile (simulated throttling) on 首页 signed in, median of 3 runs (budgets: perf ≥ 95, LCP ≤ 1.5 s, TBT ≤ 200 ms, CLS ≤ 0.02)",
        run: crate::bench_web::lighthouse,
    },
    Bench {
        name: "ocr",
        about: "license OCR: the old generated set (budget ≤ 3 s, ≥ 7/8 per image), then the photo set of scripts/bench/license-photos.mjs (fields exact per field/layout/degradation; budgets ≥ 97 %, USCC 100 %, name ≥ 95 %, median ≤ 1.2 s, p95 ≤ 2 s)",
        run: ocr,
    },
    Bench {
        name: "load",
        about: "rps and p50/p99 at concurrency 64 on SQLite and PostgreSQL, against a bare route (budget: /api/session ≥ 50 %, p99 ≤ 10 ms)",
        run: crate::bench_load::load,
    },
];

pub fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
    if args
        .iter()
        .any(|a| a == "--list" || a == "-l" || a == "--help" || a == "-h")
    {
        println!("benches (cargo xtask bench [NAME…]):");
        for b in BENCHES {
            println!("  {:<10} {}", b.name, b.about);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let selected: Vec<&Bench> = if args.is_empty() {
        BENCHES.iter().collect()
    } else {
        args.iter()
            .map(|name| {
                BENCHES.iter().find(|b| b.name == name).with_context(|| {
                    let known: Vec<_> = BENCHES.iter().map(|b| b.name).collect();
                    format!("unknown bench `{name}` (known: {})", known.join(", "))
                })
            })
            .collect::<Result<_>>()?
    };

    let mut failed = Vec::new();
    for bench in selected {
        println!("\n== bench: {} — {}", bench.name, bench.about);
        if let Err(e) = (bench.run)(root) {
            eprintln!("bench {} could not run: {e:#}", bench.name);
            failed.push(bench.name);
        }
    }
    if !failed.is_empty() {
        eprintln!(
            "\nbench: {} could not run: {}",
            failed.len(),
            failed.join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------------------------------------
// ocr

/// The OCR bench is `server/examples/ocr_bench/` (it needs the engine, which lives in the
/// server crate), built in release because that is how the server runs. Its exit code 1 means
/// "budget missed": reported, not an error; 2 means the engine is not installed.
fn ocr(root: &Path) -> Result<()> {
    let photos = util::target_dir(root).join("ocr-photos");
    license_photos(root, &photos)?;
    let mut cmd = std::process::Command::new(util::cargo());
    cmd.current_dir(root)
        .args([
            "run",
            "--release",
            "-q",
            "-p",
            "server",
            "--example",
            "ocr_bench",
            "--",
        ])
        .arg(root.join("models").join("ocr"))
        .args(["--runs", "3", "--all", "--photos"])
        .arg(&photos);
    eprintln!("$ {}", util::show(&cmd));
    let status = cmd.status().context("could not start cargo")?;
    match status.code() {
        Some(0) => Ok(()),
        Some(1) => {
            println!("ocr: BUDGET MISSED (see the table above)");
            Ok(())
        }
        _ => bail!(
            "ocr_bench failed ({}); is the engine installed? bash scripts/ocr-models.sh",
            util::describe(status)
        ),
    }
}

/// Writes the photo set into `dir` with Chromium (about a minute), unless `dir` already holds
/// the set of this very generator (a copy of the script is kept beside it).
fn license_photos(root: &Path, dir: &Path) -> Result<()> {
    let script = root.join("scripts/bench/license-photos.mjs");
    let source = std::fs::read(&script).with_context(|| format!("reading {}", script.display()))?;
    let stamp = dir.join("generator.mjs");
    if dir.join("truth.json").is_file() && std::fs::read(&stamp).ok().as_ref() == Some(&source) {
        eprintln!("ocr: photo set in {} is current", dir.display());
        return Ok(());
    }
    if !root.join("node_modules/@playwright/test").is_dir() {
        bail!("node_modules is missing; run `bash scripts/setup.sh` (npm ci)");
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    let mut cmd = std::process::Command::new("node");
    cmd.current_dir(root)
        .arg(&script)
        .arg(dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
        .env("PATH", util::path_with_node_bin(root)?);
    util::run(&mut cmd)?;
    std::fs::write(&stamp, source).with_context(|| format!("writing {}", stamp.display()))
}

// ---------------------------------------------------------------------------------------------
// bundle

/// Budget for everything the browser downloads to start the app, brotli-compressed.
pub const BUNDLE_BUDGET_BROTLI_KB: f64 = 180.0;

pub fn gzip_len(data: &[u8]) -> Result<u64> {
    Ok(crate::precompress::gzip(data)?.len() as u64)
}

/// What build-app writes beside the file, and so what a browser is sent.
pub fn brotli_len(data: &[u8]) -> Result<u64> {
    Ok(crate::precompress::brotli(data)?.len() as u64)
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Sizes {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

impl std::ops::AddAssign for Sizes {
    fn add_assign(&mut self, o: Sizes) {
        self.raw += o.raw;
        self.gzip += o.gzip;
        self.brotli += o.brotli;
    }
}

/// Sort key: wasm first, then JS glue (and snippets), then CSS.
fn kind_rank(path: &Path) -> Option<u8> {
    match path.extension()?.to_str()? {
        "wasm" => Some(0),
        "js" => Some(1),
        "css" => Some(2),
        _ => None,
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if kind_rank(&path).is_some() {
            out.push(path);
        }
    }
    Ok(())
}

/// `  file … raw gzip brotli` rows, then the total and the budget verdict.
pub fn format_table(rows: &[(String, Sizes)], budget_kb: f64) -> String {
    let width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0).max(5);
    let mut s = format!(
        "  {:<width$}  {:>10}  {:>10}  {:>10}\n",
        "file", "raw KB", "gzip KB", "brotli KB"
    );
    let mut total = Sizes::default();
    for (name, sizes) in rows {
        total += *sizes;
        s.push_str(&format!(
            "  {:<width$}  {:>10}  {:>10}  {:>10}\n",
            name,
            util::kb(sizes.raw),
            util::kb(sizes.gzip),
            util::kb(sizes.brotli)
        ));
    }
    s.push_str(&format!(
        "  {:<width$}  {:>10}  {:>10}  {:>10}\n",
        "total",
        util::kb(total.raw),
        util::kb(total.gzip),
        util::kb(total.brotli)
    ));
    let brotli_kb = total.brotli as f64 / 1024.0;
    let verdict = if brotli_kb <= budget_kb {
        format!("PASS ({:.1} KB under)", budget_kb - brotli_kb)
    } else {
        format!("OVER ({:.1} KB over)", brotli_kb - budget_kb)
    };
    s.push_str(&format!(
        "  brotli total {brotli_kb:.1} KB / budget {budget_kb:.1} KB: {verdict}\n"
    ));
    s
}

fn bundle(root: &Path) -> Result<()> {
    let dist = root.join("dist");
    if !dist.is_dir() {
        bail!(
            "{} does not exist; run `cargo xtask build-app` first",
            dist.display()
        );
    }
    let mut files = Vec::new();
    collect(&dist, &mut files)?;
    if !files.iter().any(|f| kind_rank(f) == Some(0)) {
        bail!(
            "no .wasm in {}; run `cargo xtask build-app` first",
            dist.display()
        );
    }
    files.sort_by_key(|f| (kind_rank(f), f.clone()));

    let mut rows = Vec::new();
    for file in &files {
        let data = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
        let name = file
            .strip_prefix(&dist)
            .unwrap_or(file)
            .display()
            .to_string();
        rows.push((
            name,
            Sizes {
                raw: data.len() as u64,
                gzip: gzip_len(&data)?,
                brotli: brotli_len(&data)?,
            },
        ));
    }
    println!("  (dist/, 1 KB = 1024 bytes; gzip level 9, brotli quality 11 window 24, as build-app writes them)");
    print!("{}", format_table(&rows, BUNDLE_BUDGET_BROTLI_KB));

    for file in files.iter().filter(|f| kind_rank(f) == Some(0)) {
        let data = std::fs::read(file)?;
        if let Ok(sections) = crate::wasm::sections(&data) {
            let debug = crate::wasm::debug_sections(&sections);
            if !debug.is_empty() {
                println!(
                    "  note: {} keeps {} — this looks like a debug build, not `cargo xtask build-app`",
                    file.file_name().unwrap_or_default().to_string_lossy(),
                    debug.join(", ")
                );
            }
        }
    }

    let shipped: Vec<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix(&dist).ok())
        .map(|f| format!("/{}", f.display()))
        .collect();
    crate::bench_web::bundle_in_browser(root, &shipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressors_shrink_repetitive_input() {
        let data = "<div class=\"weui-cell\">企业认证</div>\n"
            .repeat(500)
            .into_bytes();
        let gz = gzip_len(&data).unwrap();
        let br = brotli_len(&data).unwrap();
        assert!(gz > 0 && gz < data.len() as u64 / 10, "gzip {gz}");
        assert!(br > 0 && br <= gz, "brotli {br} vs gzip {gz}");
        assert!(
            brotli_len(b"").unwrap() > 0,
            "an empty brotli stream still has a header"
        );
    }

    #[test]
    fn table_totals_and_verdict() {
        let rows = vec![
            (
                "app_bg.wasm".to_string(),
                Sizes {
                    raw: 400 * 1024,
                    gzip: 150 * 1024,
                    brotli: 120 * 1024,
                },
            ),
            (
                "app.js".to_string(),
                Sizes {
                    raw: 40 * 1024,
                    gzip: 10 * 1024,
                    brotli: 9 * 1024,
                },
            ),
        ];
        let t = format_table(&rows, 180.0);
        assert!(t.contains("total"), "{t}");
        assert!(t.contains("440.0"), "{t}");
        assert!(
            t.contains("brotli total 129.0 KB / budget 180.0 KB: PASS (51.0 KB under)"),
            "{t}"
        );
        let t = format_table(&rows, 100.0);
        assert!(t.contains("OVER (29.0 KB over)"), "{t}");
    }

    #[test]
    fn bench_names_are_unique() {
        for (i, a) in BENCHES.iter().enumerate() {
            assert!(
                BENCHES[i + 1..].iter().all(|b| b.name != a.name),
                "duplicate bench {}",
                a.name
            );
        }
    }

    #[test]
    fn orders_wasm_js_css() {
        assert_eq!(kind_rank(Path::new("dist/app_bg.wasm")), Some(0));
        assert_eq!(kind_rank(Path::new("dist/app.js")), Some(1));
        assert_eq!(kind_rank(Path::new("dist/main.css")), Some(2));
        assert_eq!(kind_rank(Path::new("dist/index.html")), None);
    }
}
