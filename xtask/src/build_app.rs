//! `cargo xtask build-app`: the release bundle in dist/ for old WebViews.

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::Result;

use crate::{tools, util};

pub fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
    println!("build-app: checking tools");
    let path = tools::check_app_tools(root)?;

    // WebAssembly 1.0 + mutable-globals: rebuild std with the MVP rustflags from
    // .cargo/config.toml. RUSTC_BOOTSTRAP is scoped to this one child process on purpose:
    // exported globally it would change every other cargo command's fingerprints.
    let mut cmd = Command::new("trunk");
    cmd.current_dir(root)
        .env("PATH", &path)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .args(["build", "--release"])
        .args(args);
    eprintln!("RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_BUILD_STD=std,panic_abort (this command only)");
    util::run(&mut cmd)?;

    let dist = root.join("dist");
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
