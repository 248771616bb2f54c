//! `cargo xtask test-components [ARGS…]`: the app's component tests (tests/*.rs, wasm-bindgen-test)
//! in headless Chromium, i.e. `cargo test -p app --target wasm32-unknown-unknown` with the right
//! environment.

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{bail, Result};

use crate::{tools, util};

pub fn run(root: &Path, args: &[String]) -> Result<ExitCode> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let want = tools::wasm_bindgen_version(root)?;
    let mut problems = Vec::new();
    match util::which("wasm-bindgen-test-runner", &path) {
        None => problems.push(format!(
            "wasm-bindgen-test-runner is missing (wasm-bindgen-cli {want})"
        )),
        Some(bin) => match util::version_line(&bin) {
            Ok(line) if line.split_whitespace().nth(1) == Some(want.as_str()) => {}
            Ok(line) => problems.push(format!(
                "{} reports `{line}`, but Cargo.lock has wasm-bindgen {want}",
                bin.display()
            )),
            Err(e) => problems.push(format!("{e:#}")),
        },
    }
    let chromedriver =
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".to_string());
    if !Path::new(&chromedriver).is_file() {
        problems.push(format!(
            "{chromedriver} is missing (Debian package chromium-driver)"
        ));
    }
    if !problems.is_empty() {
        bail!(
            "component tests cannot run:\n  - {}\nRun `bash scripts/setup.sh`.",
            problems.join("\n  - ")
        );
    }

    let mut cmd = Command::new(util::cargo());
    cmd.current_dir(root)
        .args(["test", "-p", "app", "--target", "wasm32-unknown-unknown"])
        .args(args)
        .env("CHROMEDRIVER", &chromedriver)
        // No build-std here (it is for the release bundle only), so the MVP rustflags from
        // .cargo/config.toml must not apply either: mixed with the prebuilt std, whose objects
        // declare reference-types, they make wasm-bindgen expect an externref table the
        // MVP-compiled wasm-bindgen crate does not export ("failed to find the
        // `__wbindgen_externref_table_alloc` function"). RUSTFLAGS overrides
        // [target.wasm32-unknown-unknown].rustflags; the MVP bundle is checked by check-wasm
        // and e2e instead. Leptos's `erase_components` stays, so the components under test
        // are built the way they ship.
        .env("RUSTFLAGS", "--cfg erase_components")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_BOOTSTRAP")
        .env_remove("CARGO_UNSTABLE_BUILD_STD");
    if std::env::var_os("WASM_BINDGEN_TEST_TIMEOUT").is_none() {
        cmd.env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    }
    eprintln!("RUSTFLAGS='--cfg erase_components' CHROMEDRIVER={chromedriver}");
    let status = {
        eprintln!("$ {}", util::show(&cmd));
        cmd.status()?
    };
    if !status.success() {
        eprintln!("test-components: FAILED ({})", util::describe(status));
    }
    Ok(ExitCode::from(util::exit_code(status)))
}
