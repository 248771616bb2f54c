//! `cargo xtask check-wasm`: every dist/*.wasm (the main module and every lazy-route chunk)
//! must be plain WebAssembly 1.0 (+ mutable-globals), by wabt and by binaryen: wabt misses
//! null table slots, which the splitter writes.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};

use crate::{util, wasm};

/// Everything after the MVP except mutable-globals is off (wabt's `wasm-validate`).
pub const WASM_VALIDATE_FLAGS: &[&str] = &[
    "--disable-saturating-float-to-int",
    "--disable-sign-extension",
    "--disable-simd",
    "--disable-multi-value",
    "--disable-bulk-memory",
    "--disable-reference-types",
];

/// binaryen's validation with only 1.0 + mutable-globals enabled (wasm-opt, no passes).
pub const WASM_OPT_FLAGS: &[&str] = &["--mvp-features", "--enable-mutable-globals"];

/// The `.wasm` files directly in dist/, sorted.
pub fn dist_wasm_files(root: &Path) -> Result<Vec<PathBuf>> {
    let dist = root.join("dist");
    let entries = std::fs::read_dir(&dist).with_context(|| {
        format!(
            "{} does not exist; run `cargo xtask build-app` first",
            dist.display()
        )
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!(
            "no .wasm in {}; run `cargo xtask build-app` first",
            dist.display()
        );
    }
    Ok(files)
}

pub fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
    if let Some(arg) = args.first() {
        bail!("check-wasm takes no arguments (got `{arg}`)");
    }
    let files = dist_wasm_files(root)?;
    let validate = util::which(
        "wasm-validate",
        &std::env::var_os("PATH").unwrap_or_default(),
    )
    .context(
        "wasm-validate (Debian package `wabt`) is not installed; run `bash scripts/setup.sh`",
    )?;

    // npm binaryen, never Debian's (see Trunk.toml).
    let wasm_opt = root.join("node_modules/.bin/wasm-opt");
    if !wasm_opt.exists() {
        bail!(
            "{} is missing (npm binaryen); run `bash scripts/setup.sh`",
            wasm_opt.display()
        );
    }

    let mut failures = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(root)
            .unwrap_or(file)
            .display()
            .to_string();
        let mut cmd = Command::new(&validate);
        cmd.args(WASM_VALIDATE_FLAGS).arg(file);
        eprintln!("$ {}", util::show(&cmd));
        let status = cmd.status().context("running wasm-validate")?;
        if !status.success() {
            failures.push(format!(
                "{rel}: wasm-validate rejects it as WebAssembly 1.0 + mutable-globals ({})",
                util::describe(status)
            ));
        }

        let mut cmd = Command::new(&wasm_opt);
        cmd.arg("--quiet").args(WASM_OPT_FLAGS).arg(file);
        eprintln!("$ {}", util::show(&cmd));
        let status = cmd.status().context("running wasm-opt")?;
        if !status.success() {
            failures.push(format!(
                "{rel}: binaryen (wasm-opt {}) rejects it ({})",
                WASM_OPT_FLAGS.join(" "),
                util::describe(status)
            ));
        }

        // Our own, cheaper second opinion: sections parse, and target_features (if kept)
        // declares nothing beyond mutable-globals.
        let bytes = std::fs::read(file).with_context(|| format!("reading {rel}"))?;
        match wasm::sections(&bytes) {
            Err(e) => failures.push(format!("{rel}: {e:#}")),
            Ok(sections) => {
                match wasm::forbidden_features(&sections) {
                    Ok(bad) if !bad.is_empty() => failures.push(format!(
                        "{rel}: target_features declares post-MVP features: {}",
                        bad.join(", ")
                    )),
                    Ok(_) => {}
                    Err(e) => failures.push(format!("{rel}: bad target_features section: {e:#}")),
                }
                let debug = wasm::debug_sections(&sections);
                if !debug.is_empty() {
                    eprintln!(
                        "warning: {rel} keeps {} (not a wasm-opt'd release build?)",
                        debug.join(", ")
                    );
                }
                let customs: Vec<String> = sections
                    .iter()
                    .filter(|s| s.id == 0)
                    .filter_map(|s| s.name.clone())
                    .collect();
                println!(
                    "  {rel}: {} KB, {} sections, custom: [{}]",
                    util::kb(bytes.len() as u64),
                    sections.len(),
                    customs.join(", ")
                );
            }
        }
    }

    if !failures.is_empty() {
        eprintln!("check-wasm: FAILED");
        for f in &failures {
            eprintln!("  - {f}");
        }
        eprintln!(
            "The bundle must run on old WeCom WebViews (WebAssembly 1.0 + mutable-globals). Check that \
             `cargo xtask build-app` was used (build-std with -Ctarget-cpu=mvp) and that wasm-opt is \
             npm binaryen with --mvp-features --enable-mutable-globals."
        );
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "check-wasm: OK ({} module(s) are WebAssembly 1.0 + mutable-globals)",
        files.len()
    );
    Ok(ExitCode::SUCCESS)
}
