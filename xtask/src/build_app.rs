//! `cargo xtask build-app`: the release bundle in dist/ for old WebViews.

use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

use anyhow::{bail, Context, Result};

use crate::{tools, util};

/// build-std compiles std from rust-src, and Trunk runs cargo `--offline` (Trunk.toml), so
/// std's own crates.io dependencies (library/Cargo.lock) must already be in cargo's cache.
/// Check offline first; download them once when they are not.
fn fetch_std_dependencies() -> Result<()> {
    let manifest = tools::sysroot()?.join("lib/rustlib/src/rust/library/Cargo.toml");
    let fetch = |offline: bool| {
        let mut cmd = Command::new(util::cargo());
        // The library workspace uses unstable cargo features; bootstrap only this fetch.
        cmd.env("RUSTC_BOOTSTRAP", "1")
            .arg("fetch")
            .arg("--locked")
            .arg("--manifest-path")
            .arg(&manifest);
        if offline {
            cmd.arg("--offline")
                .stdout(Stdio::null())
                .stderr(Stdio::null());
        }
        cmd
    };
    if fetch(true).status().is_ok_and(|s| s.success()) {
        return Ok(());
    }
    println!("build-app: fetching the standard library's dependencies for build-std (once)");
    util::run(&mut fetch(false))
}

/// The release bundle's own rustflags, on top of .cargo/config.toml's (cargo concatenates a
/// target's rustflags from the environment with the config file's): a panic traps at once
/// instead of formatting its message, and no source paths or `Debug` text are compiled in.
/// Together about a tenth of the wasm. Debug builds keep all three, and with them the panic
/// message in the browser console (src/main.rs).
const RELEASE_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none";
const TARGET_RUSTFLAGS: &str = "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS";

/// An exclusive flock(2) held until the returned file is dropped; waits when it is taken.
fn lock_file(path: &Path) -> Result<std::fs::File> {
    use std::os::fd::AsRawFd;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let fd = file.as_raw_fd();
    if unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        println!("build-app: another `cargo xtask build-app` is running; waiting for it");
        if unsafe { libc::flock(fd, libc::LOCK_EX) } != 0 {
            bail!(
                "locking {}: {}",
                path.display(),
                std::io::Error::last_os_error()
            );
        }
    }
    Ok(file)
}

pub fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
    println!("build-app: checking tools");
    let path = tools::check_app_tools(root)?;
    fetch_std_dependencies()?;
    // Two Trunk builds at once share dist/'s staging directory and break each other.
    let _lock = lock_file(&util::target_dir(root).join("xtask-build-app.lock"))?;

    // WebAssembly 1.0 + mutable-globals: rebuild std with the MVP rustflags from
    // .cargo/config.toml. RUSTC_BOOTSTRAP is scoped to this one child process on purpose:
    // exported globally it would change every other cargo command's fingerprints.
    let mut cmd = Command::new("trunk");
    cmd.current_dir(root)
        .env("PATH", &path)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env(TARGET_RUSTFLAGS, RELEASE_RUSTFLAGS)
        .args(["build", "--release", "--features", "split"])
        .args(args);
    // The MVP rustflags come from .cargo/config.toml; RUSTFLAGS would silently replace them.
    for var in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", TARGET_RUSTFLAGS] {
        if std::env::var_os(var).is_some() {
            eprintln!("build-app: ignoring {var} (the MVP flags come from .cargo/config.toml)");
            cmd.env_remove(var);
        }
    }
    eprintln!(
        "RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort \
         {TARGET_RUSTFLAGS}='{RELEASE_RUSTFLAGS}' (this command only)"
    );
    util::run(&mut cmd)?;
    crate::split::run(root, &path)?;

    // Last: precompress whatever the steps above left in dist/.
    crate::precompress::dist(root)?;

    let dist = root.join("dist");
    crate::split::summary(&dist)?;
    println!("build-app: release bundle in {}", dist.display());
    if let Ok(entries) = std::fs::read_dir(&dist) {
        let mut names: Vec<_> = entries
            .flatten()
            .map(|e| {
                let len = e.metadata().map(|m| m.len()).unwrap_or(0);
                (e.file_name().to_string_lossy().into_owned(), len)
            })
            .collect();
        names.sort();
        for (name, len) in names {
            println!("  {name:<48} {:>9} KB", util::kb(len));
        }
    }
    println!("next: `cargo xtask check-wasm`, `cargo xtask bench`");
    Ok(ExitCode::SUCCESS)
}
