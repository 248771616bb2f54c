//! Build tasks for the workspace, run as `cargo xtask <command>` (alias in .cargo/config.toml).
//! Tools are installed by scripts/setup.sh; these tasks check them and say so when one is off.

mod bench;
mod bench_load;
mod bench_web;
mod build_app;
mod check_wasm;
mod e2e;
mod e2e_real;
mod fuzz_api;
mod mvp;
mod pg;
mod precompress;
mod split;
mod test_components;
mod tools;
mod util;
mod wasm;

use std::process::ExitCode;

const HELP: &str = "\
usage: cargo xtask <command> [args]

commands:
  build-app          release bundle into dist/ for old WebViews: trunk build --release with
                     build-std (RUSTC_BOOTSTRAP scoped to that build), npm binaryen's wasm-opt;
                     extra args go to trunk
  test-components [ARGS…]
                     the app's component tests (tests/*.rs) in headless Chromium:
                     cargo test -p app --target wasm32-unknown-unknown, without the MVP flags
  check-wasm         wasm-validate every dist/*.wasm as WebAssembly 1.0 + mutable-globals
  bench [NAME…]      reports (exit 0 whatever the numbers); `bench --list` lists them:
                       bundle      dist/ sizes raw / gzip / brotli q11, and what Chromium is
                                   sent for 首页 and for every route (budgets 150 / 400 KB)
                       lighthouse  Lighthouse 12 mobile on 首页 signed in, median of 3 runs
  e2e [ARGS…]        Playwright suite against dist/ on a fresh local-mode server at
                     127.0.0.1:18080 (E2E_ADDR); ARGS go to `playwright test`
  fuzz-api [ARGS…]   schemathesis (target/venv, pinned in scripts/fuzz-requirements.txt)
                     against /api/openapi.json of a fresh local-mode server at
                     127.0.0.1:18081 (FUZZ_API_ADDR), signed in; ARGS go to
                     `schemathesis run`
  help               this text

Install or repair the tools with `bash scripts/setup.sh`.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{HELP}");
        return ExitCode::from(2);
    };
    let root = util::repo_root();
    if let Err(e) = std::env::set_current_dir(&root) {
        eprintln!("xtask: cannot enter {}: {e}", root.display());
        return ExitCode::FAILURE;
    }
    let result = match command.as_str() {
        "build-app" => build_app::run(&root, rest),
        "test-components" => test_components::run(&root, rest),
        "check-wasm" => check_wasm::run(&root, rest),
        "bench" => bench::run(&root, rest),
        "e2e" => e2e::run(&root, rest),
        "fuzz-api" => fuzz_api::run(&root, rest),
        "help" | "-h" | "--help" => {
            println!("{HELP}");
            Ok(ExitCode::SUCCESS)
        }
        other => {
            eprintln!("xtask: unknown command `{other}`\n\n{HELP}");
            Ok(ExitCode::from(2))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask {command}: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
